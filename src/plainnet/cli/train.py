"""``plainnet train``: train a network on a CSV file or a built-in data set and
save it, with its preprocessing, as a model file."""

import argparse
import warnings
from dataclasses import fields
from functools import partial

import numpy as np

from .._signals import SigtermAsInterrupt
from ..datasets import DATASETS
from ..errors import TrainingDivergedError
from ..metrics import accuracy
from ..predictor import Predictor
from ..tables import MAX_CATEGORIES
from ..tabular import SettingError, TableSettings, TrainedTable, train_table
from ..training import TrainingInterrupted
from .common import (
    SEP_HELP,
    Interrupted,
    UsageError,
    add_command,
    at_least_two,
    check_output,
    column_list,
    label_codes,
    predicted_codes,
    regression_scores,
    separator,
)
from .train_fit import (
    EpochLine,
    PrintedNotes,
    add_network_arguments,
    add_optimizer_arguments,
    add_rows_arguments,
    interrupted_while_saving,
    save_best,
    save_through_signals,
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
    add_network_arguments(p)
    add_optimizer_arguments(p)
    add_rows_arguments(p)
    _add_output_arguments(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train a network on a CSV file or a built-in data set and save it."""
    check_output(args.out, [args.data], "model", args.force)
    if args.plot is not None:
        _check_plot_path(args.plot, args)
    _check_source(args)
    trained, sigterm = _train(args)
    network, out = trained.network, args.out
    status, by = sigterm.status, " by SIGTERM" if sigterm.received else ""
    if len(network.history.loss) == 0:
        raise Interrupted(
            "interrupted before the first epoch ended; nothing was saved", status
        )
    stopped = save_through_signals(network, out, metadata=trained.predictor.metadata)
    if stopped is not None:
        print(f"{trained.summary}; saved to {out}")
        raise interrupted_while_saving(stopped, out)
    _report(trained)
    print(f"{trained.summary}; saved to {out}")
    if trained.diagnostics is not None:
        print(f"diagnosis: {trained.diagnostics.report()}".replace("\n", "\n  "))
    if args.plot is not None:
        _plot(trained, args)
    if network.history.interrupted:
        raise Interrupted(
            f"training interrupted{by}: the best model so far is in {out}", status
        )
    return 0


def _check_source(args: argparse.Namespace) -> None:
    """A CSV file with ``--target``, or a built-in data set."""
    if (args.data is None) == (args.dataset is None):
        raise UsageError(
            "give either a CSV file (plainnet train DATA.csv --target COLUMN) "
            "or a built-in data set (plainnet train --dataset NAME)"
        )
    if args.data is not None and args.target is None:
        raise UsageError("--target COLUMN is needed: the name of the column to predict")


def _train(args: argparse.Namespace) -> tuple[TrainedTable, SigtermAsInterrupt]:
    """``train_table`` with the command's settings, its notes printed as they
    come and a progress line; SIGTERM stops it as Ctrl-C does."""
    line = EpochLine(args.epochs, enabled=False if args.quiet else None)
    settings = {f.name: getattr(args, f.name) for f in fields(TableSettings)}
    if args.class_weight == "none":
        settings["class_weight"] = None
    try:
        with SigtermAsInterrupt() as sigterm, warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingInterrupted)  # said on exit
            trained = train_table(
                args.data,
                target=args.target,
                dataset=args.dataset,
                callbacks=[line],
                notes=PrintedNotes(),
                **settings,
            )
    except KeyboardInterrupt:
        if not sigterm.received:
            raise
        raise Interrupted(
            "stopped by SIGTERM before training; nothing was saved", sigterm.status
        ) from None
    except SettingError as error:
        raise UsageError(str(error)) from None
    except TrainingDivergedError as error:
        line.close()
        save_best(error.trained, args.out)
        raise
    finally:
        line.close()
    return trained, sigterm


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


def _report(trained: TrainedTable) -> None:
    """Print the kept model's metrics on the training and validation rows."""
    named = (("training", trained.train_rows), ("validation", trained.val_rows))
    for name, rows in named:
        if len(rows):
            scores = _scores(trained.predictor, trained.X[rows], trained.y[rows])
            print(f"{name}: " + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()))


def _scores(predictor: Predictor, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    if predictor.task == "classify":
        codes = label_codes(y, predictor.classes, "the target")
        return {"accuracy": accuracy(codes, predicted_codes(predictor, X))}
    return regression_scores(y.astype(np.float64), predictor.predict(X))


def _plot(trained: TrainedTable, args: argparse.Namespace) -> None:
    """The learning curves with the kept epoch marked; for 2-D classification
    the decision boundary, for regression the validation rows' predictions
    against the truth."""
    from ..plot import plot_model

    predictor, X, y = trained.predictor, trained.X, trained.y
    boundary = scatter = None
    if X.shape[1] == 2 and predictor.task == "classify":
        rows = trained.train_rows
        codes = label_codes(y[rows], predictor.classes, "the target")
        decide = partial(predicted_codes, predictor)
        boundary = (decide, X[rows], codes, predictor.classes)
    if predictor.task == "regress":
        rows = trained.val_rows if len(trained.val_rows) else trained.train_rows
        scatter = (y[rows].astype(np.float64), predictor.predict(X[rows]))
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
