"""The fit of ``train_table``: the chosen optimizer (its learning rate and
schedule), the batch size, class weights and per-epoch accuracy for
classifiers."""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import schedules
from ..metrics import accuracy
from ..network import Sequential
from ..optimizers import LBFGS, OPTIMIZERS, Optimizer
from .settings import Notes, TableSettings

Pair = tuple[np.ndarray, ...]
#: ``lr`` when not given.
DEFAULT_LR = 1e-3


@dataclass
class FitSets:
    """The scaled features and learned targets of the training rows (and their
    sample weights, with class weights) and of the validation rows."""

    train: Pair
    validation: Pair | None

    @classmethod
    def split(cls, X, y, train_rows, val_rows, weights=None) -> "FitSets":
        validation = (X[val_rows], y[val_rows]) if len(val_rows) else None
        train = (X[train_rows], y[train_rows])
        if weights is not None:
            train = (*train, weights)
        return cls(train, validation)


def batch_size(settings: TableSettings, n_samples: int) -> int:
    """``batch_size``, by default as the estimators: min(200, n_samples);
    L-BFGS takes all rows at once."""
    if settings.optimizer == "lbfgs":
        return n_samples
    return settings.batch_size or min(200, n_samples)


def balanced_weights(codes: np.ndarray, n_classes: int) -> np.ndarray:
    """``class_weight="balanced"``: ``n / (n_classes * count(class))`` per row,
    so that every class weighs the same in the loss."""
    counts = np.bincount(codes, minlength=n_classes).astype(np.float64)
    per_class = len(codes) / (n_classes * np.maximum(counts, 1))
    return per_class[codes]


def optimizer(
    settings: TableSettings, n_samples: int, batch: int, notes: Notes
) -> Optimizer:
    """The ``optimizer`` with its learning rate; L-BFGS has none (a line
    search picks each step), which a note says if one was given."""
    if settings.optimizer != "lbfgs":
        return OPTIMIZERS[settings.optimizer](
            lr=_learning_rate(settings, n_samples, batch)
        )
    given = [
        notes.spell(name)
        for name in ("lr", "lr_schedule", "batch_size")
        if getattr(settings, name) is not None
    ]
    if given:
        verb = "does" if len(given) == 1 else "do"
        notes.add(
            f"note: {', '.join(given)} {verb} not apply to "
            f"{notes.spell('optimizer', 'lbfgs')}, which takes all rows at once "
            "and picks each step by a line search"
        )
    return LBFGS()


def _learning_rate(settings: TableSettings, n_samples: int, batch: int):
    """``lr``, or the ``lr_schedule`` starting at it, fitted to ``epochs``."""
    lr = DEFAULT_LR if settings.lr is None else settings.lr
    if settings.lr_schedule is None:
        return lr
    steps = settings.epochs * math.ceil(n_samples / batch)
    return schedules.for_training(settings.lr_schedule, lr, steps)


def accuracy_recorder(
    network: Sequential, sets: FitSets, curves: dict[str, list[float]]
) -> Callable[[int, dict], None]:
    """A fit callback putting each epoch's accuracy in the logs (which a
    progress line may show) and in ``curves`` (which the model file keeps)."""
    named = [("accuracy", sets.train), ("val_accuracy", sets.validation)]

    def record(epoch: int, logs: dict) -> None:
        for name, pair in named:
            if pair is not None:
                output = network.forward(pair[0], training=False)
                logs[name] = accuracy(pair[1], output.argmax(axis=1))
                curves[name].append(logs[name])

    return record
