"""The ``plainnet`` command.

``plainnet demo`` runs the seed's example; ``plainnet think 1 0 0`` trains the
seed's network and answers for a new situation (asking for the inputs, as the
seed's program does, when none are given).
"""

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from . import __version__
from .classic import NeuralNetwork, seed_training_set


class UsageError(Exception):
    """A mistake in what the user typed: printed as one line, exit status 2."""


def demo(args: argparse.Namespace) -> int:
    """The seed's example: train the single neuron and think about [1, 0, 0]."""
    inputs, outputs = seed_training_set()
    network = NeuralNetwork([3, 1])
    print("Random starting synaptic weights:")
    print(network.synaptic_weights)
    print(f"Cost before training (sum of squared errors): {network.cost(inputs, outputs):.8f}")
    network.train(inputs, outputs, iterations=args.iterations)
    print(f"Synaptic weights after {args.iterations} training iterations:")
    print(network.synaptic_weights)
    print(f"Cost after training (sum of squared errors): {network.cost(inputs, outputs):.8f}")
    print("Considering new situation [1, 0, 0] -> ?:")
    print(network.think([1, 0, 0]))
    return 0


def think(args: argparse.Namespace) -> int:
    """Train the seed's network, then print its answer for three inputs."""
    values = args.inputs if args.inputs else _ask_inputs(3)
    situation = [_number(value) for value in values]
    if len(situation) != 3:
        raise UsageError(f"think needs 3 inputs, got {len(situation)}: {values}")
    inputs, outputs = seed_training_set()
    network = NeuralNetwork([3, 1])
    network.train(inputs, outputs, iterations=args.iterations)
    print(f"Considering new situation: {situation}")
    print(f"New output data: {network.think(situation)}")
    return 0


def _ask_inputs(count: int) -> list[str]:
    """Ask for the inputs one by one, as the seed's program does."""
    try:
        return [input(f"Input {i}: ") for i in range(1, count + 1)]
    except EOFError:
        raise UsageError(f"expected {count} inputs, but the input ended") from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a number; give numbers like 1 0 0") from None
    if not np.isfinite(value):
        raise UsageError(f"{text!r} is not a finite number")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plainnet", description="Neural networks in plain Python and NumPy.")
    parser.add_argument("--version", action="version", version=f"plainnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("demo", help="run the seed's example and show what it learned")
    p.add_argument("--iterations", type=_positive_int, default=15000)
    p.set_defaults(run=demo)

    p = commands.add_parser("think", help="train the seed's network and answer for 3 inputs")
    p.add_argument("inputs", nargs="*", help="three numbers, e.g. 1 0 0 (asked if absent)")
    p.add_argument("--iterations", type=_positive_int, default=15000)
    p.set_defaults(run=think)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except UsageError as error:
        print(f"plainnet {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("plainnet: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
