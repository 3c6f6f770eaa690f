"""The fit of ``plainnet train``: Adam with early stopping on the validation
loss, per-epoch accuracy for classifiers, a progress bar, and after divergence
the best epoch's weights saved."""

import argparse
import math
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import schedules
from ..callbacks import EarlyStopping, ProgressBar
from ..errors import TrainingDivergedError
from ..metrics import accuracy
from ..model_files import save
from ..network import Sequential
from ..optimizers import Adam
from ..training import TrainingInterrupted

Pair = tuple[np.ndarray, np.ndarray]


@dataclass
class FitSets:
    """The scaled features and learned targets of the training and validation rows."""

    train: Pair
    validation: Pair | None

    @classmethod
    def split(cls, X, y, train_rows, val_rows) -> "FitSets":
        validation = (X[val_rows], y[val_rows]) if len(val_rows) else None
        return cls((X[train_rows], y[train_rows]), validation)


def fit(
    network: Sequential, metadata: dict, sets: FitSets, args: argparse.Namespace
) -> EarlyStopping:
    """Train, keeping the best epoch's weights; returns the early stopping that
    knows which epoch that was. Ctrl-C ends it quietly (see the history)."""
    monitor = "val_loss" if sets.validation else "loss"
    stopper = EarlyStopping(
        patience=args.patience or args.epochs, min_delta=0.0, monitor=monitor
    )
    bar = ProgressBar(args.epochs, enabled=False if args.quiet else None)
    callbacks = [bar]
    if metadata["task"] == "classify":
        metadata["metrics"] = {"accuracy": [], "val_accuracy": []}
        callbacks.insert(0, _accuracy_recorder(network, sets, metadata["metrics"]))
    try:
        with bar, warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingInterrupted)
            network.fit(
                *sets.train,
                loss="cross_entropy" if metadata["task"] == "classify" else "mse",
                optimizer=Adam(lr=_learning_rate(args, len(sets.train[0]))),
                epochs=args.epochs,
                batch_size=args.batch_size,
                validation_data=sets.validation,
                early_stopping=stopper,
                callbacks=callbacks,
            )
    except TrainingDivergedError:
        _save_best(network, stopper, metadata, sets, args.out)
        raise
    return stopper


def _learning_rate(args: argparse.Namespace, n_samples: int):
    """``--lr``, or the ``--lr-schedule`` starting at it, fitted to ``--epochs``."""
    if args.lr_schedule is None:
        return args.lr
    steps = args.epochs * math.ceil(n_samples / args.batch_size)
    return schedules.for_training(args.lr_schedule, args.lr, steps)


def _accuracy_recorder(
    network: Sequential, sets: FitSets, curves: dict[str, list[float]]
) -> Callable[[int, dict], None]:
    """A fit callback putting each epoch's accuracy in the logs (which the bar
    shows) and in ``curves`` (which the model file keeps)."""
    named = [("accuracy", sets.train), ("val_accuracy", sets.validation)]

    def record(epoch: int, logs: dict) -> None:
        for name, pair in named:
            if pair is not None:
                output = network.forward(pair[0], training=False)
                logs[name] = accuracy(pair[1], output.argmax(axis=1))
                curves[name].append(logs[name])

    return record


def _save_best(
    network: Sequential,
    stopper: EarlyStopping,
    metadata: dict,
    sets: FitSets,
    out: str,
) -> None:
    """After divergence: keep the best epoch's weights, if there was one."""
    if stopper.best_parameters is None:
        print(
            "plainnet train: no epoch ended before that; nothing was saved",
            file=sys.stderr,
        )
        return
    np.copyto(network.parameters, stopper.best_parameters)
    save(network, out, metadata=metadata, include_optimizer=False)
    print(f"{summary(network, stopper, sets)}; saved to {out}", file=sys.stderr)


def summary(network: Sequential, stopper: EarlyStopping, sets: FitSets) -> str:
    """Which epoch's weights are kept, and why."""
    what = "validation loss" if sets.validation else "training loss"
    return (
        f"kept the weights of epoch {stopper.best_epoch} of "
        f"{len(network.history.loss)} (lowest {what}, {stopper.best:.6g})"
    )
