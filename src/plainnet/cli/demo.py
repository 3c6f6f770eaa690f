"""``plainnet demo`` and ``plainnet think``: the seed's example, and an answer
for new inputs from the seed's network or from a saved model."""

import argparse
from collections.abc import Sequence

import numpy as np

from .._messages import listing, printable, shown
from ..classic import NeuralNetwork, seed_training_set
from ..errors import DataError
from ..predictor import Predictor
from .common import UsageError, add_command, positive_int


def add_parser(commands) -> None:
    """Register ``demo`` and ``think``."""
    p = add_command(
        commands,
        "demo",
        "run the seed's example and show what it learned",
        "Train the seed's single sigmoid neuron on its four examples and show "
        "its weights,\ncost and answer for the new situation [1, 0, 0].",
        "  plainnet demo\n  plainnet demo --iterations 1000",
    )
    p.add_argument(
        "--iterations", type=positive_int, default=15000, help="training iterations"
    )
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw the weights, the cost and the answer over the iterations "
        "(the guide's chapter 1 figure); needs matplotlib",
    )
    p.set_defaults(run=run_demo)

    p = add_command(
        commands,
        "think",
        "answer for new inputs (the seed's network, or a saved model with --model)",
        "Answer for a new situation: with --model from a saved model (one value "
        "per column it\nreads: numbers, or text for a text column; NA for a "
        "missing value), else from the\nseed's network, trained first. Without "
        "inputs it asks for them one by one.",
        "  plainnet think 1 0 0\n"
        "  plainnet think --model fruit.npz 150 7.5 0.2\n"
        "  plainnet think --model titanic.npz 3 female 22 1 0 7.25 S",
    )
    p.add_argument(
        "inputs", nargs="*", help="the values, e.g. 1 0 0 (asked for if absent)"
    )
    p.add_argument(
        "--iterations",
        type=positive_int,
        default=15000,
        help="training iterations of the seed's network",
    )
    p.add_argument("--model", metavar="MODEL.npz", help="use this saved model")
    p.set_defaults(run=run_think)


def run_demo(args: argparse.Namespace) -> int:
    """The seed's example: train the single neuron and think about [1, 0, 0]."""
    inputs, outputs = seed_training_set()
    network = NeuralNetwork([3, 1])
    print("Random starting synaptic weights:")
    print(network.synaptic_weights)
    cost = network.cost(inputs, outputs)
    print(f"Cost before training (sum of squared errors): {cost:.8f}")
    network.train(inputs, outputs, iterations=args.iterations)
    print(f"Synaptic weights after {args.iterations} training iterations:")
    print(network.synaptic_weights)
    cost = network.cost(inputs, outputs)
    print(f"Cost after training (sum of squared errors): {cost:.8f}")
    print("Considering new situation [1, 0, 0] -> ?:")
    print(network.think([1, 0, 0]))
    if args.plot is not None:
        from ..plot import plot_neuron

        plot_neuron(args.plot, args.iterations)
        print(f"plot saved to {args.plot}")
    return 0


def run_think(args: argparse.Namespace) -> int:
    """Answer for a new situation: with ``--model`` from a saved model, else by
    training the seed's network first."""
    if args.model is not None:
        return _think_with_model(args)
    values = (
        args.inputs if args.inputs else _ask_inputs(["Input 1", "Input 2", "Input 3"])
    )
    situation = [_number(value) for value in values]
    if len(situation) != 3:
        raise UsageError(f"think needs 3 inputs, got {len(situation)}: {values}")
    inputs, outputs = seed_training_set()
    network = NeuralNetwork([3, 1])
    network.train(inputs, outputs, iterations=args.iterations)
    print(f"Considering new situation: {situation}")
    print(f"New output data: {network.think(situation)}")
    return 0


def _think_with_model(args: argparse.Namespace) -> int:
    predictor = Predictor.load(args.model)
    if predictor.table is not None:
        return _think_with_table(args, predictor)
    names = predictor.feature_names
    values = args.inputs if args.inputs else _ask_inputs(names)
    situation = [_number(value) for value in values]
    if len(situation) != len(names):
        raise UsageError(
            f"the model expects {len(names)} inputs "
            f"({printable(', '.join(names))}), got {len(situation)}"
        )
    X = np.array([situation])
    print(f"Considering new situation: {situation}")
    print(_answer(predictor, X))
    return 0


def _think_with_table(args: argparse.Namespace, predictor: Predictor) -> int:
    """A model trained on a table: one value per column it reads, numbers or
    text (empty or NA for a missing value, filled in as in training)."""
    names = predictor.input_columns
    values = args.inputs if args.inputs else _ask_inputs(names)
    if len(values) != len(names):
        raise UsageError(
            f"the model expects {len(names)} inputs "
            f"({printable(', '.join(names))}), got {len(values)}"
        )
    try:
        X = predictor.encode({n: [v] for n, v in zip(names, values, strict=True)})
    except DataError as error:
        raise DataError(
            f"{error} (the values go in this order: "
            f"{listing([printable(n) for n in names], limit=20, quote=False)})"
        ) from None
    shown = ", ".join(
        f"{printable(n)}={printable(v)}" for n, v in zip(names, values, strict=True)
    )
    print(f"Considering new situation: {shown}")
    print(_answer(predictor, X))
    return 0


def _answer(predictor: Predictor, X: np.ndarray) -> str:
    """The line saying what the model predicts for the one row of ``X``."""
    if predictor.task == "classify":
        proba = predictor.predict_proba(X)[0]
        label = printable(predictor.classes[int(proba.argmax())])
        shown = ", ".join(
            f"{printable(c)}: {p:.4f}"
            for c, p in zip(predictor.classes, proba, strict=True)
        )
        return f"Prediction: {label} (probabilities {shown})"
    value = predictor.predict(X).reshape(len(X), -1)[0]
    if predictor.task == "regress":
        target = printable(predictor.target or "value")
        return f"Prediction: {target} = {value[0]:.6g}"
    return f"New output data: {value}"


def _ask_inputs(prompts: Sequence[str]) -> list[str]:
    """Ask for the inputs one by one, as the seed's program does."""
    try:
        return [input(f"{printable(prompt)}: ") for prompt in prompts]
    except EOFError:
        raise UsageError(
            f"expected {len(prompts)} inputs, but the input ended"
        ) from None


def _number(text: str) -> float:
    """A finite number typed by the user."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(
            f"{shown(text)} is not a number; give numbers like 1 0 0"
        ) from None
    if not np.isfinite(value):
        raise UsageError(f"{shown(text)} is not a finite number")
    return value
