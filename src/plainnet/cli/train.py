"""``plainnet train``: train a network on a CSV file or a built-in data set and
save it, with its preprocessing, as a model file."""

import argparse
from functools import partial

import numpy as np

from ..datasets import DATASETS
from ..layers import ACTIVATIONS, dense_stack
from ..metrics import accuracy
from ..model_files import save
from ..network import Sequential
from ..predictor import Predictor
from .common import (
    Interrupted,
    UsageError,
    check_writable,
    fraction,
    hidden_sizes,
    label_codes,
    non_negative_int,
    positive_float,
    positive_int,
    predicted_codes,
    regression_scores,
)
from .train_data import (
    TrainingData,
    choose_task,
    prepare,
    read_training_data,
    split_rows,
)
from .train_fit import FitSets, fit, summary

PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def add_parser(commands) -> None:
    """Register ``train``."""
    p = commands.add_parser(
        "train",
        help="train a network on a CSV file or a built-in data set",
        description="Train a network on DATA.csv (a header row, numeric feature "
        "columns, the --target column) or on a built-in data set, and save it.",
    )
    _add_data_arguments(p)
    _add_fit_arguments(p)
    _add_output_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train a network on a CSV file or a built-in data set and save it."""
    check_writable(args.out)
    if args.plot is not None:
        _check_plot_path(args.plot)
    data = read_training_data(args)
    task = choose_task(args.task, data)
    train_rows, val_rows = split_rows(len(data.X), args.val_split, args.seed)
    metadata, X, y = prepare(task, data, train_rows)
    n_outputs = len(metadata["classes"]) if task == "classify" else 1
    sizes = [X.shape[1], *args.hidden, n_outputs]
    network = Sequential(dense_stack(sizes, args.activation), seed=args.seed)
    _announce(task, network, data, train_rows, val_rows)
    sets = FitSets.split(X, y, train_rows, val_rows)
    stopper = fit(network, metadata, sets, args)
    if len(network.history.loss) == 0:
        raise Interrupted("interrupted before the first epoch ended; nothing was saved")
    predictor = Predictor(network, metadata)
    _report(predictor, data, train_rows, val_rows)
    save(network, args.out, metadata=metadata)
    print(f"{summary(network, stopper, sets)}; saved to {args.out}")
    if args.plot is not None:
        _plot(predictor, data, train_rows, args.plot)
    if network.history.interrupted:
        raise Interrupted(
            f"training interrupted: the best model so far is in {args.out}"
        )
    return 0


def _check_plot_path(path: str) -> None:
    """Refuse a bad plot file name, or a missing matplotlib, before training."""
    if not path.lower().endswith(PLOT_SUFFIXES):
        raise UsageError(
            f"--plot {path}: the file name must end with one of "
            f"{', '.join(PLOT_SUFFIXES)}"
        )
    check_writable(path)
    from ..plot import require_matplotlib

    require_matplotlib()


def _announce(
    task: str, network: Sequential, data: TrainingData, train_rows, val_rows
) -> None:
    print(
        f"training a {task} network on {data.source}: "
        f"{len(train_rows)} training rows"
        + (f", {len(val_rows)} validation rows" if len(val_rows) else "")
        + f", {network.n_parameters} parameters"
        + " (Ctrl-C stops and saves the best so far)",
        flush=True,
    )


def _report(predictor: Predictor, data: TrainingData, train_rows, val_rows) -> None:
    """Print the kept model's metrics on the training and validation rows."""
    for name, rows in (("training", train_rows), ("validation", val_rows)):
        if len(rows):
            scores = _scores(predictor, data.X[rows], data.y[rows])
            print(f"{name}: " + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()))


def _scores(predictor: Predictor, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    if predictor.task == "classify":
        codes = label_codes(y, predictor.classes, "the target")
        return {"accuracy": accuracy(codes, predicted_codes(predictor, X))}
    return regression_scores(y.astype(np.float64), predictor.predict(X))


def _plot(predictor: Predictor, data: TrainingData, train_rows, path: str) -> None:
    """The learning curves, and for 2-D classification the decision boundary."""
    from ..plot import plot_training

    history = predictor.network.history
    curves = {
        "loss": history.loss,
        "val_loss": history.val_loss,
        **predictor.metadata.get("metrics", {}),
    }
    boundary = None
    if data.X.shape[1] == 2 and predictor.task == "classify":
        codes = label_codes(data.y[train_rows], predictor.classes, "the target")
        boundary = (
            partial(predicted_codes, predictor),
            data.X[train_rows],
            codes,
            predictor.classes,
        )
    plot_training(path, curves, boundary, title=f"plainnet on {data.source}")
    print(f"plot saved to {path}")


# -- the command line ----------------------------------------------------------
def _add_data_arguments(p: argparse.ArgumentParser) -> None:
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


def _add_fit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--hidden",
        type=hidden_sizes,
        default=[64, 32],
        metavar="64,32",
        help="hidden layer widths (default 64,32; 'none' for none)",
    )
    p.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    p.add_argument("--epochs", type=positive_int, default=200)
    p.add_argument("--batch-size", type=positive_int, default=32)
    p.add_argument(
        "--lr", type=positive_float, default=0.01, help="Adam's learning rate"
    )
    p.add_argument(
        "--lr-schedule",
        choices=("constant", "step", "exponential", "cosine", "plateau"),
        help="how the learning rate changes over the epochs (default constant)",
    )
    p.add_argument(
        "--val-split",
        type=fraction,
        default=0.2,
        help="fraction of rows set aside for validation (default 0.2)",
    )
    p.add_argument(
        "--patience",
        type=positive_int,
        default=None,
        help="stop after this many epochs without improvement",
    )
    p.add_argument("--seed", type=non_negative_int, default=0)


def _add_output_arguments(p: argparse.ArgumentParser) -> None:
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
