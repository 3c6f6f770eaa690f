"""What ``Sequential.fit`` calls around its epochs: the history, early stopping,
a progress bar, and any callback of the user's, all under one protocol.

A callback is a :class:`Callback` (override what you need) or a plain function
``f(epoch, logs)``. ``fit`` runs them in this order: ``net.history`` first, then
a :class:`~plainnet.schedules.ReduceOnPlateau` learning rate, then its
``callbacks`` in the order given, then its ``early_stopping``. They all see
the same ``logs`` dict (``epoch``, ``loss`` and, with validation data,
``val_loss``), so a callback may add an entry for the ones after it, and the
same :class:`TrainingState`: the network, loss, optimizer, epoch and random
generator of the training in progress (nothing is parked on the network).
"""

import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from . import backend
from ._validation import check_positive

__all__ = [
    "Callback",
    "EarlyStopping",
    "History",
    "Plateau",
    "ProgressBar",
    "TrainingState",
    "as_callbacks",
]


@dataclass
class TrainingState:
    """What callbacks, schedules and messages see of a ``fit`` in progress.

    Attributes
    ----------
    net : Sequential
        The network being trained (its ``parameters``, ``state``, ``history``).
    loss : Loss
    optimizer : Optimizer
    epoch : int
        The last epoch finished, numbered from 1 over every ``fit`` of ``net``
        (0 before the first).
    rng : numpy Generator or RandomState
        The network's generator, which shuffles the batches.
    """

    net: Any
    loss: Any
    optimizer: Any
    epoch: int = 0

    @property
    def rng(self):
        return self.net.rng


class Callback:
    """Base class of ``fit``'s callbacks; every method does nothing by default.

    ``on_train_begin`` runs once before the first epoch, ``on_epoch_end`` after
    each epoch, and ``on_train_end`` once after the last one, whether training
    ran out of epochs, was stopped by a callback or by Ctrl-C (not when it
    raises, for example on divergence). Each is given the
    :class:`TrainingState`.
    """

    def on_train_begin(self, training: TrainingState) -> None:
        """Called before the first epoch."""

    def on_epoch_end(
        self, epoch: int, logs: dict, training: TrainingState
    ) -> bool | None:
        """Called after each epoch (numbered from 1 over every ``fit`` of the
        network) with its ``logs``; return True to stop training."""
        return None

    def on_train_end(self, training: TrainingState) -> None:
        """Called after the last epoch."""


class _FunctionCallback(Callback):
    """A plain function ``f(epoch, logs) -> bool | None`` as a callback."""

    def __init__(self, function: Callable[[int, dict], bool | None]) -> None:
        self.function = function

    def on_epoch_end(self, epoch: int, logs: dict, training) -> bool | None:
        return self.function(epoch, logs)

    def __repr__(self) -> str:
        return f"_FunctionCallback({self.function!r})"


def as_callbacks(callbacks: Iterable) -> list[Callback]:
    """``callbacks`` as :class:`Callback` objects, plain functions wrapped."""
    result = []
    for callback in callbacks:
        if isinstance(callback, Callback):
            result.append(callback)
        elif callable(callback):
            result.append(_FunctionCallback(callback))
        else:
            raise TypeError(
                "a callback must be a Callback or a function f(epoch, logs), "
                f"got {callback!r}"
            )
    return result


class History(Callback):
    """Cost per epoch: ``history.loss`` and, with validation data, ``history.val_loss``;
    ``history.lr``, the learning rate of each epoch's last update (none for an
    optimizer without one, such as L-BFGS).

    Lists grow over every ``fit`` call of a network. ``history["loss"]`` works too.
    """

    def __init__(self) -> None:
        self.loss: list[float] = []
        self.val_loss: list[float] = []
        self.lr: list[float] = []
        self.interrupted = False

    def on_epoch_end(self, epoch: int, logs: dict, training) -> None:
        self.loss.append(logs["loss"])
        optimizer = getattr(training, "optimizer", None)
        if optimizer is not None and optimizer.lr is not None:
            self.lr.append(optimizer.learning_rate())
        if "val_loss" in logs:
            self.val_loss.append(logs["val_loss"])

    def __getitem__(self, key: str) -> list[float]:
        return getattr(self, key)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        last = f", last loss={self.loss[-1]:.6g}" if self.loss else ""
        return f"History(epochs={len(self.loss)}{last})"


class Plateau:
    """Epochs without improvement, for early stopping and ``ReduceOnPlateau``:
    an epoch improves when its cost is below ``best - min_delta`` (NaN never
    does), and the plateau is long enough when ``patience`` epochs in a row
    have not.

    Attributes
    ----------
    best : float
        The lowest cost seen (``inf`` before the first improvement).
    wait : int
        Epochs since the last improvement.
    """

    def __init__(
        self, patience: int, min_delta: float, best: float = math.inf, wait: int = 0
    ) -> None:
        check_positive("patience", patience, integer=True)
        check_positive("min_delta", min_delta, zero=True)
        self.patience, self.min_delta = int(patience), float(min_delta)
        self.best, self.wait = float(best), int(wait)

    def update(self, cost: float) -> bool:
        """Record one epoch's ``cost``; True when the plateau has lasted
        ``patience`` epochs."""
        if cost < self.best - self.min_delta:  # False for NaN
            self.best, self.wait = float(cost), 0
            return False
        self.wait += 1
        return self.wait >= self.patience

    @property
    def improved(self) -> bool:
        """Whether the last cost recorded was an improvement."""
        return self.wait == 0 and self.best < math.inf


def monitored(logs: dict, monitor: "str | None", owner: str) -> float:
    """The cost ``owner`` watches in an epoch's ``logs``: ``monitor``, or with
    ``None`` the validation cost when there is one, else the training cost; a
    missing entry raises ``ValueError`` naming what the logs hold."""
    name = monitor or ("val_loss" if "val_loss" in logs else "loss")
    if name not in logs:
        raise ValueError(
            f"{owner} monitors {name!r}, but the epoch's logs hold only {sorted(logs)}"
        )
    return logs[name]


class EarlyStopping(Callback):
    """Stop when the monitored cost has not improved for ``patience`` epochs.

    An epoch improves when its cost is below ``best - min_delta``; NaN never
    improves. With ``restore_best``, the best weights seen are put back at the
    end of ``fit``, whether or not training stopped early.

    Parameters
    ----------
    patience : int, default 10
    min_delta : float, default 1e-4
    monitor : str, default "val_loss"
        The entry of the epoch's logs to watch: ``"loss"``, ``"val_loss"`` (which
        needs validation data), or one that a callback before this one adds.
    restore_best : bool, default True

    Attributes
    ----------
    best : float
        The lowest cost seen (``inf`` before the first improvement).
    best_epoch : int or None
    best_parameters : array of shape (n_parameters,) or None
        A copy of the weights of ``best_epoch``, with ``restore_best``.
    best_state : array of shape (n_state,) or None
        A copy of the layers' state (running statistics) of ``best_epoch``,
        restored with the weights.
    wait : int
        Epochs since the last improvement; training stops when it reaches
        ``patience``.
    """

    def __init__(
        self,
        patience: int = 10,
        min_delta: float = 1e-4,
        monitor: str = "val_loss",
        restore_best: bool = True,
    ) -> None:
        if not isinstance(monitor, str):
            raise ValueError(
                f"monitor must be the name of a log entry, got {monitor!r}"
            )
        self._plateau = Plateau(patience, min_delta)
        self.monitor, self.restore_best = monitor, bool(restore_best)
        self.best_epoch: int | None = None
        self.best_parameters = None
        self.best_state = None

    patience = property(lambda self: self._plateau.patience)
    min_delta = property(lambda self: self._plateau.min_delta)
    best = property(lambda self: self._plateau.best)
    wait = property(lambda self: self._plateau.wait)

    def update(self, epoch: int, cost: float, parameters) -> bool:
        """Record an epoch's cost (and, if it is the best, a copy of the
        ``parameters``); return True when training should stop."""
        stop = self._plateau.update(cost)
        if self._plateau.improved:
            self.best_epoch = epoch
            if self.restore_best:
                self.best_parameters = backend.of(parameters).copy(parameters)
        return stop

    def on_epoch_end(self, epoch: int, logs: dict, training) -> bool:
        net = training.net
        cost = monitored(logs, self.monitor, "EarlyStopping")
        stop = self.update(epoch, cost, net.parameters)
        if self.restore_best and self.best_epoch == epoch:
            self.best_state = net.ops.copy(net.state)  # running statistics too
        return stop

    def on_train_end(self, training) -> None:
        net = training.net
        if self.best_parameters is not None:
            net.parameters[...] = net.ops.asarray(self.best_parameters)
        if self.best_state is not None and self.best_state.shape == net.state.shape:
            net.state[...] = net.ops.asarray(self.best_state)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"monitor={self.monitor!r}, restore_best={self.restore_best})"
        )


class ProgressBar(Callback):
    """Show training progress: one tick per epoch, with the latest logs.

    The bar (tqdm) appears when training begins and is finished when it ends;
    use the object as a context manager to finish it also when ``fit`` raises.
    It draws only when ``stream`` is a terminal, unless ``enabled`` says
    otherwise, and never stops training.

    Parameters
    ----------
    total : int
        Number of epochs expected.
    desc : str, default "training"
    enabled : bool or None, default None
        ``None`` shows the bar only if ``stream`` is a terminal.
    stream : file, default sys.stderr
    """

    def __init__(
        self,
        total: int,
        desc: str = "training",
        enabled: bool | None = None,
        stream: IO[str] | None = None,
    ) -> None:
        self.total, self.desc = total, desc
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self._bar = None

    def on_train_begin(self, training) -> None:
        if self.enabled and self._bar is None:
            from tqdm.auto import tqdm  # only when a bar is drawn

            self._bar = tqdm(
                total=self.total,
                desc=self.desc,
                unit="epoch",
                file=self.stream,
                dynamic_ncols=True,
                leave=True,
            )

    def on_epoch_end(self, epoch: int, logs: dict, training) -> None:
        if self._bar is None:
            return
        self._bar.set_postfix(
            {k: f"{v:.4g}" for k, v in logs.items() if k != "epoch"}, refresh=False
        )
        self._bar.update(1)

    def on_train_end(self, training) -> None:
        self.close()

    def close(self) -> None:
        """Finish the bar (a no-op when none is shown)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProgressBar(total={self.total}, desc={self.desc!r})"
