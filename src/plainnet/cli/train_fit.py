"""The fit of ``plainnet train``: the chosen optimizer with early stopping on the
validation loss, an L2 penalty and class weights if asked, per-epoch accuracy
for classifiers, BLAS on one thread for small networks, a one-line progress
display, saves finished through Ctrl-C or SIGTERM, and after divergence the
best epoch's weights saved."""

import argparse
import contextlib
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np

from .. import schedules
from .._signals import HoldSignals
from ..callbacks import EarlyStopping
from ..errors import TrainingDivergedError
from ..hooks import L2Penalty
from ..layers import Dense
from ..metrics import accuracy
from ..model_files import save
from ..network import Sequential
from ..optimizers import LBFGS, OPTIMIZERS, Optimizer
from ..training import TrainingInterrupted
from .common import Interrupted

Pair = tuple[np.ndarray, ...]
#: ``--lr`` when not given.
DEFAULT_LR = 1e-3
#: As the estimators do: BLAS runs on one thread when no layer's product of a
#: batch needs this many multiply-adds (threads cost more than they save there).
SINGLE_THREAD_WORK = 2**24


@dataclass
class FitSets:
    """The scaled features and learned targets of the training rows (and their
    sample weights, with ``--class-weight``) and of the validation rows."""

    train: Pair
    validation: Pair | None

    @classmethod
    def split(cls, X, y, train_rows, val_rows, weights=None) -> "FitSets":
        validation = (X[val_rows], y[val_rows]) if len(val_rows) else None
        train = (X[train_rows], y[train_rows])
        if weights is not None:
            train = (*train, weights)
        return cls(train, validation)


def batch_size(args: argparse.Namespace, n_samples: int) -> int:
    """``--batch-size``, by default as the estimators: min(200, n_samples);
    L-BFGS takes all rows at once."""
    if args.optimizer == "lbfgs":
        return n_samples
    return args.batch_size or min(200, n_samples)


def balanced_weights(codes: np.ndarray, n_classes: int) -> np.ndarray:
    """``--class-weight balanced``: ``n / (n_classes * count(class))`` per row,
    so that every class weighs the same in the loss."""
    counts = np.bincount(codes, minlength=n_classes).astype(np.float64)
    per_class = len(codes) / (n_classes * np.maximum(counts, 1))
    return per_class[codes]


def fit(
    network: Sequential,
    metadata: dict,
    sets: FitSets,
    args: argparse.Namespace,
    extra_callbacks=(),
) -> EarlyStopping:
    """Train, keeping the best epoch's weights; returns the early stopping that
    knows which epoch that was. Ctrl-C (or SIGTERM) ends it quietly (see the
    history)."""
    monitor = "val_loss" if sets.validation else "loss"
    stopper = EarlyStopping(
        patience=args.patience or args.epochs, min_delta=0.0, monitor=monitor
    )
    line = EpochLine(args.epochs, enabled=False if args.quiet else None)
    callbacks = [*extra_callbacks, line]
    if metadata["task"] == "classify":
        metadata["metrics"] = {"accuracy": [], "val_accuracy": []}
        callbacks.insert(0, _accuracy_recorder(network, sets, metadata["metrics"]))
    batch = batch_size(args, len(sets.train[0]))
    optimizer = _optimizer(args, len(sets.train[0]), batch)
    try:
        with _blas_threads(network, batch), warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingInterrupted)
            network.fit(
                *sets.train[:2],
                loss="cross_entropy" if metadata["task"] == "classify" else "mse",
                optimizer=optimizer,
                epochs=args.epochs,
                batch_size=batch,
                validation_data=sets.validation,
                early_stopping=stopper,
                callbacks=callbacks,
                grad_hook=L2Penalty(network, args.alpha, batch) if args.alpha else None,
                sample_weight=sets.train[2] if len(sets.train) > 2 else None,
            )
    except TrainingDivergedError:
        line.close()
        _save_best(network, stopper, metadata, sets, args.out)
        raise
    finally:
        line.close()
    if stopper.best_epoch is not None:
        metadata["kept_epoch"] = int(stopper.best_epoch)
    return stopper


@contextlib.contextmanager
def _blas_threads(network: Sequential, batch: int) -> Iterator[None]:
    """BLAS on one thread for a small network (threadpoolctl, if installed)."""
    dense = [layer for layer in network.layers if isinstance(layer, Dense)]
    widest = max((layer.n_in * layer.n_out for layer in dense), default=0)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is None or batch * widest >= SINGLE_THREAD_WORK:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def save_through_signals(network: Sequential, out: str, **options) -> int | None:
    """``save``, finished even if Ctrl-C or SIGTERM comes meanwhile; returns
    the exit status that signal asks for (None if none came). A second signal
    abandons the save: ``Interrupted`` says that nothing was saved."""
    with HoldSignals() as signals:
        try:
            save(network, out, **options)
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted again while saving: nothing was saved to {out}",
                signals.status,
            ) from None
    return None if signals.received is None else signals.status


class EpochLine:
    """A ``fit`` callback showing one line, redrawn each epoch, at most 79
    columns wide: the epoch, the losses, the validation accuracy and the best
    epoch so far. Shown only on a terminal unless ``enabled`` says otherwise."""

    WIDTH = 79

    def __init__(
        self, total: int, enabled: bool | None = None, stream: IO[str] | None = None
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.enabled, self.drawn = total, enabled, False
        self.best = (float("inf"), 0)

    def __call__(self, epoch: int, logs: dict) -> None:
        monitored = logs.get("val_loss", logs["loss"])
        if monitored < self.best[0]:
            self.best = (monitored, epoch)
        if self.enabled:
            self.stream.write("\r" + self.text(epoch, logs).ljust(self.WIDTH))
            self.stream.flush()
            self.drawn = True

    def text(self, epoch: int, logs: dict) -> str:
        """The line for an epoch, e.g. ``epoch 12/200 loss 0.4213 val 0.4410
        val acc 0.812 best 9``."""
        width = len(str(self.total))
        parts = [f"epoch {epoch:>{width}}/{self.total}", f"loss {logs['loss']:.4g}"]
        if "val_loss" in logs:
            parts.append(f"val {logs['val_loss']:.4g}")
        if "val_accuracy" in logs:
            parts.append(f"val acc {logs['val_accuracy']:.3f}")
        elif "accuracy" in logs:
            parts.append(f"acc {logs['accuracy']:.3f}")
        parts.append(f"best {self.best[1]}")
        return "  ".join(parts)[: self.WIDTH]

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _optimizer(args: argparse.Namespace, n_samples: int, batch: int) -> Optimizer:
    """The ``--optimizer`` with its learning rate; L-BFGS has none (a line
    search picks each step), which a note says if one was given."""
    if args.optimizer != "lbfgs":
        return OPTIMIZERS[args.optimizer](lr=_learning_rate(args, n_samples, batch))
    given = [
        option
        for option, value in (
            ("--lr", args.lr),
            ("--lr-schedule", args.lr_schedule),
            ("--batch-size", args.batch_size),
        )
        if value is not None
    ]
    if given:
        verb = "does" if len(given) == 1 else "do"
        print(
            f"note: {', '.join(given)} {verb} not apply to --optimizer lbfgs, "
            "which takes all rows at once and picks each step by a line search"
        )
    return LBFGS()


def _learning_rate(args: argparse.Namespace, n_samples: int, batch: int):
    """``--lr``, or the ``--lr-schedule`` starting at it, fitted to ``--epochs``."""
    lr = DEFAULT_LR if args.lr is None else args.lr
    if args.lr_schedule is None:
        return lr
    steps = args.epochs * math.ceil(n_samples / batch)
    return schedules.for_training(args.lr_schedule, lr, steps)


def _accuracy_recorder(
    network: Sequential, sets: FitSets, curves: dict[str, list[float]]
) -> Callable[[int, dict], None]:
    """A fit callback putting each epoch's accuracy in the logs (which the line
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
    metadata["kept_epoch"] = int(stopper.best_epoch)
    save_through_signals(network, out, metadata=metadata, include_optimizer=False)
    print(f"{summary(network, stopper, sets)}; saved to {out}", file=sys.stderr)


def summary(network: Sequential, stopper: EarlyStopping, sets: FitSets) -> str:
    """Which epoch's weights are kept, and why."""
    what = "validation loss" if sets.validation else "training loss"
    return (
        f"kept the weights of epoch {stopper.best_epoch} of "
        f"{len(network.history.loss)} (lowest {what}, {stopper.best:.6g})"
    )
