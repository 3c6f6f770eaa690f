"""``plainnet train``: train a network on a CSV file or a built-in data set and
save it, with its preprocessing, as a model file."""

import argparse
from functools import partial

import numpy as np

from .._signals import SigtermAsInterrupt
from ..datasets import DATASETS
from ..diagnostics import Diagnostics
from ..layers import ACTIVATIONS, dense_stack
from ..metrics import accuracy
from ..network import Sequential
from ..optimizers import OPTIMIZERS
from ..predictor import Predictor
from ..tables import MAX_CATEGORIES
from .common import (
    SEP_HELP,
    Interrupted,
    UsageError,
    add_command,
    at_least_two,
    check_output,
    column_list,
    fraction,
    hidden_sizes,
    label_codes,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    predicted_codes,
    regression_scores,
    separator,
)
from .train_data import (
    TrainingData,
    choose_task,
    class_labels,
    drop_incomplete_rows,
    prepare,
    read_training_data,
    split_rows,
)
from .train_fit import (
    DEFAULT_LR,
    FitSets,
    balanced_weights,
    fit,
    save_through_signals,
    summary,
)

PLOT_SUFFIXES = (".png", ".pdf", ".svg")


EXAMPLES = """
  plainnet train titanic.csv --target Survived
  plainnet train titanic.csv --target Survived --drop Ticket --out titanic.npz
  plainnet train houses.csv --target price --hidden 32 --alpha 1e-3 --plot fit.png
  plainnet train --dataset moons --plot moons.png
"""


def add_parser(commands) -> None:
    """Register ``train``."""
    p = add_command(
        commands,
        "train",
        "train a network on a CSV file or a built-in data set",
        "Train a network on DATA.csv (a header row, the --target column to "
        "predict) or on a\nbuilt-in data set, and save it with its "
        "preprocessing as a model file.\n\n"
        "Text columns are one-hot encoded, missing cells filled in (the median "
        "of a number\ncolumn, the most frequent text), and columns that look "
        "like ids or free text left\nout with a note. Training stops early when "
        "the validation loss (on a stratified\nsplit) stops improving; the best "
        "epoch's weights are kept. Ctrl-C or SIGTERM stops\nand saves the best "
        "model so far.",
        EXAMPLES,
    )
    _add_data_arguments(p)
    _add_fit_arguments(p)
    _add_output_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train a network on a CSV file or a built-in data set and save it."""
    check_output(args.out, [args.data], "model", args.force)
    if args.plot is not None:
        _check_plot_path(args.plot, args)
    data = read_training_data(args)
    task = choose_task(args.task, data)
    if args.drop_missing:
        drop_incomplete_rows(data, args)
    labels = class_labels(task, data)
    train_rows, val_rows = split_rows(len(data.y), args.val_split, args.seed, labels)
    metadata, X, y = prepare(task, data, train_rows, args)
    n_outputs = len(metadata["classes"]) if task == "classify" else 1
    sizes = [X.shape[1], *args.hidden, n_outputs]
    layers = dense_stack(sizes, args.activation, dropout=args.dropout)
    network = Sequential(layers, seed=args.seed)
    _announce(task, network, data, train_rows, val_rows)
    weights = None
    if args.class_weight == "balanced":
        if task != "classify":
            raise UsageError("--class-weight applies to classifiers")
        weights = balanced_weights(y[train_rows], n_outputs)
    sets = FitSets.split(X, y, train_rows, val_rows, weights)
    diagnostics = [Diagnostics()] if args.diagnose else []
    with SigtermAsInterrupt() as sigterm:
        stopper = fit(network, metadata, sets, args, diagnostics)
    status, by = sigterm.status, " by SIGTERM" if sigterm.received else ""
    if len(network.history.loss) == 0:
        raise Interrupted(
            "interrupted before the first epoch ended; nothing was saved", status
        )
    stopped = save_through_signals(network, args.out, metadata=metadata)
    predictor = Predictor(network, metadata)
    if stopped is not None:
        print(f"{summary(network, stopper, sets)}; saved to {args.out}")
        raise Interrupted(
            f"interrupted{' by SIGTERM' if stopped == 143 else ''} while saving; "
            f"the save was finished first: the model is in {args.out}",
            stopped,
        )
    _report(predictor, data, train_rows, val_rows)
    print(f"{summary(network, stopper, sets)}; saved to {args.out}")
    for diagnosis in diagnostics:
        print(f"diagnosis: {diagnosis.report()}".replace("\n", "\n  "))
    if args.plot is not None:
        _plot(predictor, data, train_rows, val_rows, args)
    if network.history.interrupted:
        raise Interrupted(
            f"training interrupted{by}: the best model so far is in {args.out}",
            status,
        )
    return 0


def _check_plot_path(path: str, args: argparse.Namespace) -> None:
    """Refuse a bad plot file name, or a missing matplotlib, before training."""
    if not path.lower().endswith(PLOT_SUFFIXES):
        raise UsageError(
            f"--plot {path}: the file name must end with one of "
            f"{', '.join(PLOT_SUFFIXES)}"
        )
    others = {"--out": args.out}
    check_output(path, [args.data], "plot", args.force, option="--plot", outputs=others)
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


def _plot(predictor: Predictor, data: TrainingData, train_rows, val_rows, args):
    """The learning curves with the kept epoch marked; for 2-D classification
    the decision boundary, for regression the validation rows' predictions
    against the truth."""
    from ..plot import plot_model

    boundary = scatter = None
    if data.X.shape[1] == 2 and predictor.task == "classify":
        codes = label_codes(data.y[train_rows], predictor.classes, "the target")
        boundary = (
            partial(predicted_codes, predictor),
            data.X[train_rows],
            codes,
            predictor.classes,
        )
    if predictor.task == "regress":
        rows = val_rows if len(val_rows) else train_rows
        scatter = (data.y[rows].astype(np.float64), predictor.predict(data.X[rows]))
    plot_model(
        args.plot,
        predictor,
        boundary=boundary,
        scatter=scatter,
        log_loss=args.log_loss,
    )
    print(f"plot saved to {args.plot}")


# -- the command line ----------------------------------------------------------
def _add_data_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", nargs="?", metavar="DATA.csv", help="CSV file with a header")
    p.add_argument("--target", metavar="COLUMN", help="the column to predict")
    p.add_argument("--sep", type=separator, metavar="CHAR", help=SEP_HELP)
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
        "--features",
        type=column_list,
        metavar="COLS",
        help="use exactly these columns (comma-separated), none left out",
    )
    p.add_argument(
        "--drop",
        type=column_list,
        metavar="COLS",
        help="never use these columns (comma-separated)",
    )
    p.add_argument(
        "--missing-indicator",
        action="store_true",
        help="add a 0/1 column NAME_missing for each column with missing cells",
    )
    p.add_argument(
        "--drop-missing",
        action="store_true",
        help="drop rows with a missing cell instead of filling it in",
    )
    p.add_argument(
        "--max-categories",
        type=at_least_two,
        default=MAX_CATEGORIES,
        metavar="N",
        help="one-hot columns per text column at most: the rarest categories "
        "beyond N - 1 share one 'other' column",
    )


def _add_fit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--hidden",
        type=hidden_sizes,
        default=[64, 32],
        metavar="64,32",
        help="hidden layer widths (default: 64,32; 'none' for none)",
    )
    p.add_argument(
        "--activation",
        choices=sorted(ACTIVATIONS),
        default="relu",
        help="the hidden layers' activation",
    )
    p.add_argument(
        "--epochs", type=positive_int, default=200, help="at most this many epochs"
    )
    p.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        metavar="N",
        help="rows per step (default: 200, or all rows if fewer)",
    )
    p.add_argument(
        "--optimizer",
        choices=sorted(OPTIMIZERS),
        default="adam",
        help="the optimizer (lbfgs: all rows at once, no learning rate; needs SciPy)",
    )
    p.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        help=f"the learning rate (default {DEFAULT_LR:g}; lbfgs has none)",
    )
    p.add_argument(
        "--alpha",
        type=non_negative_float,
        default=1e-4,
        help="L2 penalty on the weights, alpha/2 * ||W||^2 / batch, as scikit-learn's",
    )
    p.add_argument(
        "--dropout",
        type=fraction,
        default=0.0,
        help="dropout rate after each hidden layer",
    )
    p.add_argument(
        "--class-weight",
        choices=("none", "balanced"),
        default="none",
        help="balanced: weigh rows so every class counts the same",
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
        help="fraction of rows set aside for validation (stratified by class)",
    )
    p.add_argument(
        "--patience",
        type=positive_int,
        default=10,
        help="stop after this many epochs without a better validation loss",
    )
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed")


def _add_output_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="model.npz", help="the model file to write")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out/--plot file that is not of that kind",
    )
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the learning curves (kept epoch marked; the decision boundary "
        "for 2-D data, predicted against actual for regression); needs matplotlib",
    )
    p.add_argument(
        "--log-loss", action="store_true", help="draw the loss on a log scale"
    )
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument(
        "--diagnose",
        action="store_true",
        help="watch the layers while training and say what went wrong, if anything",
    )
