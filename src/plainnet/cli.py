"""The ``plainnet`` command.

``plainnet demo`` runs the seed's example and ``plainnet think 1 0 0`` trains
the seed's network and answers for a new situation. ``plainnet train`` trains
a network on a CSV file (or a built-in data set) and saves it as a model file;
``predict``, ``evaluate``, ``info`` and ``think --model`` use that file.

Exit status: 0 on success, 1 for a problem with a file or the data (one line
on stderr naming it), 2 for a mistake in the command itself, 130 after Ctrl-C.
"""

import argparse
import csv
import io
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import __version__
from ._messages import listing
from .callbacks import EarlyStopping, ProgressBar
from .classic import NeuralNetwork, seed_training_set
from .data import read_csv
from .datasets import DATASETS, make_dataset
from .errors import DataError, ModelFileError, TrainingDivergedError
from .layers import ACTIVATIONS, dense_stack
from .network import Sequential
from .optimizers import Adam
from .preprocessing import Standardizer, decode_labels, encode_labels
from .serialization import atomic_write, read_model_file, save
from .training import TrainingInterrupted

EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
MAX_CLASSES_AUTO = 20  # an integer target with more distinct values is a number
PLOT_SUFFIXES = (".png", ".pdf", ".svg")


class UsageError(Exception):
    """A mistake in what the user typed: printed as one line, exit status 2."""


class Interrupted(Exception):
    """Ctrl-C stopped the command after it said what it kept; exit status 130."""


# -- the seed's commands -------------------------------------------------------
def demo(args: argparse.Namespace) -> int:
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
    return 0


def think(args: argparse.Namespace) -> int:
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
    model = Model.read(args.model)
    names = model.feature_names
    values = args.inputs if args.inputs else _ask_inputs([f"{n}" for n in names])
    situation = [_number(value) for value in values]
    if len(situation) != len(names):
        raise UsageError(
            f"the model expects {len(names)} inputs ({', '.join(names)}), "
            f"got {len(situation)}"
        )
    X = np.array([situation])
    print(f"Considering new situation: {situation}")
    if model.task == "classify":
        proba = model.proba(X)[0]
        label = model.classes[int(proba.argmax())]
        shown = ", ".join(
            f"{c}: {p:.4f}" for c, p in zip(model.classes, proba, strict=True)
        )
        print(f"Prediction: {label} (probabilities {shown})")
    elif model.task == "regress":
        print(f"Prediction: {model.target or 'value'} = {model.values(X)[0, 0]:.6g}")
    else:
        print(f"New output data: {model.output(X)[0]}")
    return 0


def _ask_inputs(prompts: Sequence[str]) -> list[str]:
    """Ask for the inputs one by one, as the seed's program does."""
    try:
        return [input(f"{prompt}: ") for prompt in prompts]
    except EOFError:
        raise UsageError(
            f"expected {len(prompts)} inputs, but the input ended"
        ) from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a number; give numbers like 1 0 0") from None
    if not np.isfinite(value):
        raise UsageError(f"{text!r} is not a finite number")
    return value


# -- a saved model, as the commands use it -------------------------------------
@dataclass
class Model:
    """A network with what the CLI stored beside it: the feature scaling, the
    class labels (classify) or the target scaling (regress)."""

    network: Sequential
    metadata: dict

    @classmethod
    def read(cls, path: str) -> "Model":
        contents = read_model_file(path)
        return cls(contents.network, contents.metadata)

    @property
    def task(self) -> str | None:
        return self.metadata.get("task")

    @property
    def target(self) -> str | None:
        return self.metadata.get("target")

    @property
    def classes(self) -> list:
        return self.metadata.get("classes") or list(range(self.network.n_outputs or 0))

    @property
    def feature_names(self) -> list[str]:
        n_features = self.network.n_features_in or 0
        return self.metadata.get("feature_names") or [
            f"x{i + 1}" for i in range(n_features)
        ]

    def output(self, X: np.ndarray) -> np.ndarray:
        """The network's output of shape (n_samples, n_outputs) for raw features."""
        if "scaling" in self.metadata:
            X = Standardizer.from_dict(self.metadata["scaling"]).transform(X)
        return self.network.predict(X.astype(self.network.dtype))

    def proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of shape (n_samples, n_classes)."""
        output = self.output(X)
        loss = self.network.loss
        proba = output if loss is None else loss.output_function(output)
        return np.column_stack([1 - proba, proba]) if proba.shape[1] == 1 else proba

    def codes(self, X: np.ndarray) -> np.ndarray:
        """The predicted class's index, of shape (n_samples,)."""
        return self.proba(X).argmax(axis=1)

    def values(self, X: np.ndarray) -> np.ndarray:
        """Predicted numbers of shape (n_samples, n_outputs), in the target's units."""
        output = self.output(X)
        if "target_scaling" in self.metadata:
            scaler = Standardizer.from_dict(self.metadata["target_scaling"])
            output = scaler.inverse_transform(output)
        return output

    def read_features(self, path: str, drop_missing: bool = False, target=None):
        """The feature table of ``path`` with the columns the model was trained on."""
        expected = self.metadata.get("feature_names")
        ignore = [self.target] if self.target not in (None, target) else []
        table = read_csv(
            path,
            target=target,
            drop_missing=drop_missing,
            expected_columns=expected,
            ignore_columns=ignore,
        )
        if expected is None and table.n_features != self.network.n_features_in:
            raise DataError(
                f"{path}: {table.n_features} feature columns, but the model "
                f"expects {self.network.n_features_in}"
            )
        return table


# -- train ---------------------------------------------------------------------
@dataclass
class TrainingData:
    """Features, target and description of what a network is trained on."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target: str
    source: str


def train(args: argparse.Namespace) -> int:
    """Train a network on a CSV file or a built-in data set and save it."""
    _check_writable(args.out)
    if args.plot is not None:
        _check_plot_path(args.plot)
    data = _training_data(args)
    task = _choose_task(args.task, data)
    train_rows, val_rows = _split(len(data.X), args.val_split, args.seed)
    metadata, X, y = _prepare(task, data, train_rows)
    n_outputs = len(metadata["classes"]) if task == "classify" else 1
    network = _build_network(
        X.shape[1], args.hidden, args.activation, n_outputs, args.seed
    )
    print(
        f"training a {task} network on {data.source}: {len(train_rows)} training rows"
        + (f", {len(val_rows)} validation rows" if len(val_rows) else "")
        + f", {network.n_parameters} parameters"
        + " (Ctrl-C stops and saves the best so far)",
        flush=True,
    )
    fit = _Fit(network, metadata, X, y, train_rows, val_rows, args)
    interrupted = fit.run()
    if len(network.history.loss) == 0:
        raise Interrupted("interrupted before the first epoch ended; nothing was saved")
    model = Model(network, metadata)
    _report(model, data, train_rows, val_rows)
    save(network, args.out, metadata=metadata)
    print(f"{fit.summary()}; saved to {args.out}")
    if args.plot is not None:
        _plot(model, data, train_rows, args.plot)
    if interrupted:
        raise Interrupted(
            f"training interrupted: the best model so far is in {args.out}"
        )
    return 0


def _check_writable(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path}: it is a folder")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {path}: no permission to write in {folder}")


def _check_plot_path(path: str) -> None:
    if not path.lower().endswith(PLOT_SUFFIXES):
        raise UsageError(
            f"--plot {path}: the file name must end with one of "
            f"{', '.join(PLOT_SUFFIXES)}"
        )
    _check_writable(path)
    from .plot import require_matplotlib

    require_matplotlib()


def _training_data(args: argparse.Namespace) -> TrainingData:
    if (args.data is None) == (args.dataset is None):
        raise UsageError(
            "give either a CSV file (plainnet train DATA.csv --target COLUMN) "
            "or a built-in data set (plainnet train --dataset NAME)"
        )
    if args.dataset is not None:
        X, y = make_dataset(args.dataset, seed=args.seed)
        names = [f"x{i + 1}" for i in range(X.shape[1])]
        return TrainingData(X, y, names, "label", f"the built-in {args.dataset!r} data")
    if args.target is None:
        raise UsageError("--target COLUMN is needed: the name of the column to predict")
    table = read_csv(args.data, target=args.target, drop_missing=args.drop_missing)
    return TrainingData(table.X, table.y, table.feature_names, args.target, args.data)


def _choose_task(task: str, data: TrainingData) -> str:
    """``auto``: text or at most 20 distinct whole numbers is a class label."""
    numeric = data.y.dtype.kind == "f" or data.y.dtype.kind in "iu"
    if task == "regress" and not numeric:
        raise DataError(
            f"{data.source}: column {data.target!r} holds text, "
            "but --task regress needs numbers"
        )
    if task != "auto":
        return task
    if not numeric:
        return "classify"
    whole = np.array_equal(data.y, np.round(data.y))
    return (
        "classify"
        if whole and len(np.unique(data.y)) <= MAX_CLASSES_AUTO
        else "regress"
    )


def _prepare(task: str, data: TrainingData, train_rows: np.ndarray):
    """The metadata, the standardized features and the target as the network
    learns it; the scalings are fitted on the training rows only."""
    metadata = {
        "task": task,
        "target": data.target,
        "source": data.source,
        "feature_names": data.feature_names,
    }
    scaler = Standardizer().fit(data.X[train_rows], data.feature_names)
    metadata["scaling"] = scaler.to_dict()
    X = scaler.transform(data.X)
    if task == "classify":
        metadata["classes"], y = _encode_classes(data)
        classes = metadata["classes"]
        print(
            f"task: classify {data.target!r} into {len(classes)} classes: "
            f"{listing(classes, limit=10)}"
        )
        return metadata, X, y
    values = data.y.reshape(-1, 1).astype(np.float64)
    target_scaler = Standardizer().fit(values[train_rows])
    metadata["target_scaling"] = target_scaler.to_dict()
    print(f"task: regress (predict the number {data.target!r})")
    return metadata, X, target_scaler.transform(values)


def _encode_classes(data: TrainingData) -> tuple[list, np.ndarray]:
    """The sorted class labels (whole numbers as ints) and each row's code."""
    y = data.y
    if y.dtype.kind == "f" and np.array_equal(y, np.round(y)):
        y = y.astype(np.int64)
    try:
        codes, classes = encode_labels(y)
    except DataError as error:
        raise DataError(f"{data.source}: column {data.target!r}: {error}") from None
    return classes, codes


def _split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled row indices for training and validation."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = round(n * fraction)
    if fraction > 0 and (n < 10 or n_val < 1):
        print(
            f"note: only {n} rows, too few to set some aside for validation; "
            "training on all of them"
        )
        n_val = 0
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def _build_network(
    n_in: int, hidden: list[int], activation: str, n_out: int, seed: int
) -> Sequential:
    """Dense layers of the given widths with ``activation`` between them."""
    return Sequential(dense_stack([n_in, *hidden, n_out], activation), seed=seed)


class _Fit:
    """One training run: the fit call with its callbacks and best-epoch tracking."""

    def __init__(self, network, metadata, X, y, train_rows, val_rows, args) -> None:
        self.network, self.metadata, self.args = network, metadata, args
        self.train = (X[train_rows], y[train_rows])
        self.validation = (X[val_rows], y[val_rows]) if len(val_rows) else None
        monitor = "val_loss" if self.validation else "loss"
        self.stopper = EarlyStopping(
            patience=args.patience or args.epochs, min_delta=0.0, monitor=monitor
        )
        if metadata["task"] == "classify":
            metadata["metrics"] = {"accuracy": [], "val_accuracy": []}

    def run(self) -> bool:
        """Train; True if Ctrl-C stopped it. The best epoch's weights are kept."""
        bar = ProgressBar(self.args.epochs, enabled=False if self.args.quiet else None)
        try:
            with bar, warnings.catch_warnings():
                warnings.simplefilter("ignore", TrainingInterrupted)
                self.network.fit(
                    *self.train,
                    loss=self._loss(),
                    optimizer=Adam(lr=self.args.lr),
                    epochs=self.args.epochs,
                    batch_size=self.args.batch_size,
                    validation_data=self.validation,
                    early_stopping=self.stopper,
                    callbacks=[self._metrics, bar],
                )
        except TrainingDivergedError:
            self._save_best()
            raise
        return self.network.history.interrupted

    def _loss(self) -> str:
        return "cross_entropy" if self.metadata["task"] == "classify" else "mse"

    def _metrics(self, epoch: int, logs: dict) -> None:
        """Accuracy per epoch for classifiers (shown by the bar, kept in the file)."""
        if "metrics" not in self.metadata:
            return
        sets = [("accuracy", self.train), ("val_accuracy", self.validation)]
        for name, pair in sets:
            if pair is not None:
                output = self.network.forward(pair[0], training=False)
                logs[name] = float(np.mean(output.argmax(axis=1) == pair[1]))
                self.metadata["metrics"][name].append(logs[name])

    def _save_best(self) -> None:
        """After divergence: keep the best epoch's weights, if there was one."""
        if self.stopper.best_parameters is None:
            print(
                "plainnet train: no epoch ended before that; nothing was saved",
                file=sys.stderr,
            )
            return
        np.copyto(self.network.parameters, self.stopper.best_parameters)
        save(
            self.network, self.args.out, metadata=self.metadata, include_optimizer=False
        )
        print(f"{self.summary()}; saved to {self.args.out}", file=sys.stderr)

    def summary(self) -> str:
        """Which epoch's weights are kept, and why."""
        history, best = self.network.history, self.stopper.best_epoch
        what = "validation loss" if self.validation else "training loss"
        return (
            f"kept the weights of epoch {best} of {len(history.loss)} (lowest {what}, "
            f"{self.stopper.best:.6g})"
        )


def _report(model: Model, data: TrainingData, train_rows, val_rows) -> None:
    """Print the kept model's metrics on the training and validation rows."""
    for name, rows in (("training", train_rows), ("validation", val_rows)):
        if len(rows):
            scores = _scores(model, data.X[rows], data.y[rows])
            print(f"{name}: " + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()))


def _scores(model: Model, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    if model.task == "classify":
        codes = _label_codes(y, model.classes, "the target")
        return {"accuracy": float(np.mean(model.codes(X) == codes))}
    return _regression_scores(y.astype(np.float64), model.values(X)[:, 0])


def _regression_scores(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    error = predicted - y
    variance = float(np.var(y))
    scores = {"MSE": float(np.mean(error**2)), "MAE": float(np.mean(np.abs(error)))}
    scores["R^2"] = 1 - scores["MSE"] / variance if variance > 0 else float("nan")
    return scores


def _plot(model: Model, data: TrainingData, train_rows, path: str) -> None:
    from .plot import plot_training

    history = model.network.history
    curves = {
        "loss": history.loss,
        "val_loss": history.val_loss,
        **model.metadata.get("metrics", {}),
    }
    boundary = None
    if data.X.shape[1] == 2 and model.task == "classify":
        codes = _label_codes(data.y[train_rows], model.classes, "the target")
        boundary = (model.codes, data.X[train_rows], codes, model.classes)
    plot_training(path, curves, boundary, title=f"plainnet on {data.source}")
    print(f"plot saved to {path}")


# -- predict, evaluate, info ---------------------------------------------------
def predict(args: argparse.Namespace) -> int:
    """Write one prediction per row of a CSV file (to --out or the screen)."""
    model = Model.read(args.model)
    table = model.read_features(args.data)
    columns, rows = _prediction_table(model, table.X, args.proba)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    if args.out is None:
        sys.stdout.write(buffer.getvalue())
        return 0
    _check_writable(args.out)
    atomic_write(args.out, lambda file: file.write(buffer.getvalue().encode("utf-8")))
    print(f"{len(rows)} predictions written to {args.out}")
    return 0


def _prediction_table(model: Model, X: np.ndarray, proba: bool):
    """Column names and rows of the predictions CSV."""
    name = model.target or "prediction"
    if model.task == "classify":
        probabilities = model.proba(X)
        labels = decode_labels(probabilities.argmax(axis=1), model.classes)
        if not proba:
            return [name], [[label] for label in labels.tolist()]
        columns = [name] + [f"proba_{c}" for c in model.classes]
        return columns, [
            [label, *(f"{p:.6g}" for p in row)]
            for label, row in zip(labels.tolist(), probabilities, strict=True)
        ]
    if proba:
        raise UsageError("--proba applies to classifiers; this model predicts numbers")
    values = model.values(X) if model.task == "regress" else model.output(X)
    columns = (
        [name]
        if values.shape[1] == 1
        else [f"{name}_{i}" for i in range(values.shape[1])]
    )
    return columns, [[f"{v:.17g}" for v in row] for row in values]


def evaluate(args: argparse.Namespace) -> int:
    """Score a model on a labelled CSV file."""
    model = Model.read(args.model)
    target = args.target or model.target
    if target is None:
        raise UsageError(
            "--target COLUMN is needed: the model does not name its target"
        )
    if model.task not in ("classify", "regress"):
        raise UsageError(
            "this model file does not say whether it classifies or "
            "regresses (it was not trained by plainnet train)"
        )
    table = model.read_features(args.data, args.drop_missing, target=target)
    print(f"{table.n_samples} rows of {args.data}")
    if model.task == "regress":
        scores = _regression_scores(
            table.y.astype(np.float64), model.values(table.X)[:, 0]
        )
        for key, value in scores.items():
            print(f"{key}: {value:.6g}")
        return 0
    truth = _label_codes(table.y, model.classes, f"{args.data}: column {target!r}")
    predicted = model.codes(table.X)
    correct = int(np.sum(predicted == truth))
    print(f"accuracy: {correct / len(truth):.4f} ({correct} of {len(truth)})")
    print(_confusion_matrix(truth, predicted, model.classes))
    return 0


def _label_codes(y: np.ndarray, classes: list, where: str) -> np.ndarray:
    """Each label's index in ``classes``; unknown labels raise DataError."""
    index = {_label_key(c): i for i, c in enumerate(classes)}
    keys = [_label_key(v) for v in y.tolist()]
    unknown = sorted({k for k in keys if k not in index})
    if unknown:
        raise DataError(
            f"{where} holds label(s) the model was not trained on: "
            f"{listing(unknown, limit=10)}; it knows {listing(classes, limit=10)}"
        )
    return np.array([index[k] for k in keys], dtype=np.intp)


def _label_key(value) -> str:
    """Labels compare as text, with whole floats written as integers (1.0 is 1)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _confusion_matrix(truth: np.ndarray, predicted: np.ndarray, classes: list) -> str:
    k = len(classes)
    counts = np.bincount(truth * k + predicted, minlength=k * k).reshape(k, k)
    names = [str(c) for c in classes]
    width = max(len(n) for n in [*names, str(counts.max())]) + 2
    lines = [
        "confusion matrix (rows: true class, columns: predicted class):",
        " " * width + "".join(n.rjust(width) for n in names),
    ]
    for name, row in zip(names, counts, strict=True):
        lines.append(name.ljust(width) + "".join(str(c).rjust(width) for c in row))
    return "\n".join(lines)


def info(args: argparse.Namespace) -> int:
    """Describe a model file: architecture, parameters, data, training history."""
    contents = read_model_file(args.model)
    network, metadata = contents.network, contents.metadata
    print(
        f"{args.model}: plainnet model file (format {contents.format_version}, "
        f"written by plainnet {contents.plainnet_version})"
    )
    print(
        f"kind: {contents.kind}, dtype {network.dtype.name}, "
        f"{network.n_parameters} parameters"
    )
    print("layers:")
    for layer in network.layers:
        print(f"  {layer!r}")
    optimizer = network.optimizer
    steps = f" after {optimizer.state.get('step', 0)} steps" if optimizer else ""
    print(
        f"loss: {network.loss.name if network.loss else 'none'}; "
        f"optimizer: {optimizer!r}{steps}"
    )
    for line in _describe_metadata(metadata):
        print(line)
    print(_describe_history(network.history))
    return 0


def _describe_metadata(metadata: dict) -> list[str]:
    lines = []
    target = f" {metadata['target']!r}" if "target" in metadata else ""
    if metadata.get("task") == "classify":
        classes = metadata["classes"]
        lines.append(
            f"task: classify{target} into "
            f"{len(classes)} classes: {listing(classes, limit=10)}"
        )
    elif metadata.get("task") == "regress":
        lines.append(f"task: regress (predicts{target or ' numbers'})")
    if "feature_names" in metadata:
        names = metadata["feature_names"]
        lines.append(f"features ({len(names)}): {listing(names, limit=10)}")
    if "scaling" in metadata:
        lines.append(
            "feature scaling: standardized with the training data's "
            "mean and standard deviation (stored in the file)"
        )
    if "source" in metadata:
        lines.append(f"trained on: {metadata['source']}")
    return lines


def _describe_history(history) -> str:
    if not history.loss:
        return "training history: none (not trained)"
    parts = [
        f"training history: {len(history.loss)} epochs",
        _curve("loss", history.loss),
    ]
    if history.val_loss:
        parts.append(_curve("validation loss", history.val_loss))
    if history.interrupted:
        parts.append("stopped by Ctrl-C")
    return "; ".join(parts)


def _curve(name: str, values: list[float]) -> str:
    best = int(np.nanargmin(values)) if not np.all(np.isnan(values)) else 0
    return (
        f"{name} {values[0]:.4g} -> {values[-1]:.4g} "
        f"(lowest {values[best]:.4g} at epoch {best + 1})"
    )


# -- the parser ----------------------------------------------------------------
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    return 0 if text.strip() == "0" else _positive_int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


def _hidden(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [_positive_int(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected layer widths like 64,32 (or 'none'), got {text!r}"
        ) from None


def _add_train(commands) -> None:
    p = commands.add_parser(
        "train",
        help="train a network on a CSV file or a built-in data set",
        description="Train a network on DATA.csv (a header row, numeric feature "
        "columns, the --target column) or on a built-in data set, and save it.",
    )
    p.add_argument("data", nargs="?", metavar="DATA.csv", help="CSV file with a header")
    p.add_argument("--target", metavar="COLUMN", help="the column to predict")
    p.add_argument(
        "--dataset", choices=DATASETS, help="a built-in data set instead of a CSV"
    )
    p.add_argument(
        "--task",
        choices=("auto", "classify", "regress"),
        default="auto",
        help="auto: text or at most 20 distinct whole numbers are classes",
    )
    p.add_argument(
        "--hidden",
        type=_hidden,
        default=[64, 32],
        metavar="64,32",
        help="hidden layer widths (default 64,32; 'none' for none)",
    )
    p.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    p.add_argument("--epochs", type=_positive_int, default=200)
    p.add_argument("--batch-size", type=_positive_int, default=32)
    p.add_argument(
        "--lr", type=_positive_float, default=0.01, help="Adam's learning rate"
    )
    p.add_argument(
        "--val-split",
        type=_fraction,
        default=0.2,
        help="fraction of rows set aside for validation (default 0.2)",
    )
    p.add_argument(
        "--patience",
        type=_positive_int,
        default=None,
        help="stop after this many epochs without improvement",
    )
    p.add_argument("--seed", type=_non_negative_int, default=0)
    p.add_argument(
        "--drop-missing",
        action="store_true",
        help="drop rows with missing values instead of stopping",
    )
    p.add_argument("--out", default="model.npz", help="model file (default model.npz)")
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the learning curves "
        "(and the decision boundary for 2-D data); needs matplotlib",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=train)


def _add_model_commands(commands) -> None:
    p = commands.add_parser("predict", help="predict for every row of a CSV file")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("data", metavar="DATA.csv")
    p.add_argument("--out", metavar="FILE.csv", help="write here instead of the screen")
    p.add_argument("--proba", action="store_true", help="add the class probabilities")
    p.set_defaults(run=predict)

    p = commands.add_parser("evaluate", help="score a model on a labelled CSV file")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("data", metavar="DATA.csv")
    p.add_argument("--target", metavar="COLUMN", help="default: the training target")
    p.add_argument("--drop-missing", action="store_true")
    p.set_defaults(run=evaluate)

    p = commands.add_parser("info", help="describe a model file")
    p.add_argument("model", metavar="MODEL.npz")
    p.set_defaults(run=info)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plainnet", description="Neural networks in plain Python and NumPy."
    )
    parser.add_argument(
        "--version", action="version", version=f"plainnet {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser(
        "demo", help="run the seed's example and show what it learned"
    )
    p.add_argument("--iterations", type=_positive_int, default=15000)
    p.set_defaults(run=demo)

    p = commands.add_parser(
        "think",
        help="answer for new inputs (the seed's network, "
        "or a saved model with --model)",
    )
    p.add_argument("inputs", nargs="*", help="numbers, e.g. 1 0 0 (asked if absent)")
    p.add_argument("--iterations", type=_positive_int, default=15000)
    p.add_argument("--model", metavar="MODEL.npz", help="use this saved model")
    p.set_defaults(run=think)

    _add_train(commands)
    _add_model_commands(commands)
    return parser


def _one_line_warning(prefix: str):
    """A ``warnings.showwarning`` printing ``prefix: warning: message``."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"{prefix}: warning: {message}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    prefix = f"plainnet {args.command}"
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(prefix)
            return args.run(args)
    except UsageError as error:
        print(f"{prefix}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (DataError, ModelFileError, TrainingDivergedError, ImportError) as error:
        print(f"{prefix}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. plainnet predict ... | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"{prefix}: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    except Interrupted as error:
        print(f"{prefix}: {error}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
