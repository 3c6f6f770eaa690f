"""The fit loop, in small pieces: batches, one step, one epoch, the epoch loop.

Also what keeps a user's work safe while training: divergence stops at once
with the last finite weights kept, and Ctrl-C stops at a batch boundary. What
happens around the epochs (history, early stopping, progress) are callbacks, in
:mod:`plainnet.callbacks`.
"""

import math
import signal
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from . import hooks, losses, optimizers
from ._validation import (
    all_finite,
    check_positive,
    check_same_length,
    check_sample_weight,
)
from .callbacks import Callback, EarlyStopping, History, as_callbacks
from .diagnostics import divergence_finding
from .errors import TrainingDivergedError
from .layers import activations


class TrainingInterrupted(UserWarning):
    """Issued when Ctrl-C stops ``fit``; the weights and history so far are kept."""


def fit(
    net,
    X,
    y,
    *,
    loss,
    optimizer,
    epochs,
    batch_size,
    shuffle,
    validation_data,
    early_stopping,
    callbacks,
    grad_hook,
    sample_weight=None,
) -> History:
    """Train ``net``; see :meth:`plainnet.Sequential.fit` for the parameters."""
    loss, optimizer = loss_and_optimizer(net, loss, optimizer)
    arrays = _training_arrays(net, loss, X, y, sample_weight)
    stopper = [] if early_stopping is None else [early_stopping]
    callbacks = [net.history, *as_callbacks([*callbacks, *stopper])]
    validation = _prepare_validation(net, loss, validation_data, callbacks)
    batch_size = batch_size_for(batch_size, len(arrays[0]))
    check_positive("epochs", epochs, integer=True, zero=True)
    grad_hook = hooks.as_hook(grad_hook)
    net.loss, net.optimizer = loss, optimizer
    optimizer.prepare(net.parameters)
    callbacks[1:1] = rate_callbacks(optimizer)

    def step(X_batch, y_batch, weight_batch=None):
        return train_step(
            net, loss, optimizer, X_batch, y_batch, grad_hook, weight_batch
        )

    def validate():
        return _cost(net, loss, *validation) if validation else None

    for callback in callbacks:
        callback.on_train_begin(net)
    if isinstance(optimizer, optimizers.LBFGS):
        objective = _full_batch_objective(net, loss, arrays, grad_hook)
        interrupted = _lbfgs_epochs(net, objective, validate, epochs, callbacks)
    else:
        interrupted = _epochs(
            net, step, validate, arrays, batch_size, shuffle, epochs, callbacks
        )
    for callback in callbacks:
        callback.on_train_end(net)
    if interrupted:
        net.history.interrupted = True
        warnings.warn(
            f"training interrupted (Ctrl-C) after {len(net.history.loss)} epoch(s); "
            "the weights and history so far are kept",
            TrainingInterrupted,
            stacklevel=3,
        )
    return net.history


def _epochs(net, step, validate, arrays, batch_size, shuffle, epochs, callbacks):
    """Up to ``epochs`` epochs, each ended by the callbacks; True if Ctrl-C
    stopped them."""
    first = len(net.history.loss) + 1
    saved = _FiniteWeights(net)
    # overflow shows up as a non-finite cost, reported with a clearer message
    with _StopOnInterrupt() as stop, np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(first, first + epochs):
            cost = _run_epoch(
                net, step, arrays, batch_size, shuffle, stop, epoch, saved
            )
            if cost is None:
                break
            halt = _end_epoch(net, epoch, cost, validate, callbacks)
            if halt or stop.requested:
                break
        if epochs and not all_finite(net.parameters):  # the last update overflowed
            saved.restore(first_batch=False)
            _diverged(net, epoch, "finite, but the last update overflowed")
    return stop.requested


def _lbfgs_epochs(net, objective, validate, epochs, callbacks) -> bool:
    """Up to ``epochs`` L-BFGS iterations, each ended by the callbacks as an
    epoch; True if Ctrl-C stopped them. The weights end at L-BFGS's last point."""
    epoch = len(net.history.loss)
    if not epochs:
        return False

    def on_iteration(x, cost) -> bool:
        nonlocal epoch
        epoch += 1
        np.copyto(net.parameters, x, casting="same_kind")
        return _end_epoch(net, epoch, cost, validate, callbacks) or stop.requested

    with _StopOnInterrupt() as stop, np.errstate(over="ignore", invalid="ignore"):
        x = net.optimizer.minimize(objective, net.parameters, epochs, on_iteration)
        np.copyto(net.parameters, x, casting="same_kind")
    if not all_finite(net.parameters):
        _diverged(net, epoch + 1, "non-finite")
    return stop.requested


def _full_batch_objective(net, loss, arrays, grad_hook):
    """The cost of the whole data at a flat float64 point, and its gradient."""

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        np.copyto(net.parameters, x, casting="same_kind")
        output = net.forward(arrays[0], training=True)
        value, grad = loss.value_and_gradient(output, *arrays[1:])
        net.backward(grad)
        if grad_hook is not None:
            grad_hook(net.gradients)
        return value, net.gradients.astype(np.float64)

    return objective


def rate_callbacks(optimizer) -> list[Callback]:
    """The optimizer's learning rate if it is told each epoch's logs (a
    ``ReduceOnPlateau``), to run right after the history; else nothing."""
    return [optimizer.lr] if isinstance(optimizer.lr, Callback) else []


def loss_and_optimizer(net, loss, optimizer):
    """The loss and optimizer to use: as given, else the last ones, else defaults."""
    loss = losses.get(loss if loss is not None else net.loss or "mse")
    optimizer = optimizers.get(
        optimizer if optimizer is not None else net.optimizer or "adam"
    )
    _check_loss_fits_network(loss, net)
    return loss, optimizer


def _training_arrays(net, loss, X, y, sample_weight) -> tuple[np.ndarray, ...]:
    """``(X, y)`` or ``(X, y, weight)``, checked and converted for ``net``."""
    X = net.check_input(X)
    y = loss.prepare_target(y, net.n_outputs or X.shape[1], net.dtype)
    check_same_length(X, y)
    weight = check_sample_weight(sample_weight, len(X), net.dtype)
    return (X, y) if weight is None else (X, y, weight)


def _run_epoch(net, step, arrays, batch_size, shuffle, stop, epoch, saved):
    """One pass over ``arrays`` (X, y and perhaps sample weights). Returns the
    epoch's cost, or None if Ctrl-C came before any batch ran (a pending Ctrl-C
    stops after the current batch)."""
    saved.start_epoch()
    total = mass = 0.0  # mass: samples, or the sum of their weights
    n_batches = 0
    mean = net.loss.reduction == "mean"
    for batch in batches(arrays, batch_size, net._rng if shuffle else None):
        value = step(*batch)
        if not math.isfinite(value):
            saved.restore(first_batch=n_batches == 0)
            _diverged(net, epoch, value)
        n_batches += 1
        size = len(batch[0]) if len(batch) == 2 else float(batch[2].sum())
        mass += size
        total += value * size if mean else value
        if stop.requested:
            break
    if n_batches == 0:
        return None
    return total / mass if mean and mass else total


class _FiniteWeights:
    """Copies of the weights (and the layers' state, such as running statistics)
    at the start of this epoch and of the previous one.

    A non-finite weight always makes the cost non-finite, so the weights at the
    start of an epoch whose first batch had a finite cost are finite. When the
    cost becomes non-finite, ``restore`` puts back the latest weights known to be
    finite: the current ones if they are, else this epoch's start, else (when the
    first batch failed) the previous epoch's start; the same for the state.
    """

    def __init__(self, net) -> None:
        self.net = net
        self.current = [net.parameters.copy(), net.state.copy()]
        self.previous = [net.parameters.copy(), net.state.copy()]

    def start_epoch(self) -> None:
        self.previous, self.current = self.current, self.previous
        for copy, array in zip(self.current, self._arrays(), strict=True):
            # slice assignment costs less per call than np.copyto, which counts
            # in the seed's training: 15,000 epochs of one batch each
            copy[...] = array

    def restore(self, first_batch: bool) -> None:
        saved = self.previous if first_batch else self.current
        for copy, array in zip(saved, self._arrays(), strict=True):
            if not all_finite(array):
                np.copyto(array, copy)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self.net.parameters, self.net.state


def _end_epoch(
    net, epoch: int, cost: float, validate, callbacks: list[Callback]
) -> bool:
    """The epoch's logs, passed to every callback (the history first); True to
    stop."""
    logs = {"epoch": epoch, "loss": cost}
    val_loss = validate()
    if val_loss is not None:
        logs["val_loss"] = val_loss
    # every callback sees every epoch, even after one has asked to stop
    return any([bool(c.on_epoch_end(epoch, logs, net)) for c in callbacks])


def train_step(
    net, loss, optimizer, X_batch, y_batch, grad_hook=None, weight_batch=None
) -> float:
    """Forward, cost, backward, gradient hook, update. Returns the batch's cost
    (measured before the update)."""
    output = net.forward(X_batch, training=True)
    value, grad = loss.value_and_gradient(output, y_batch, weight_batch)
    net.backward(grad)
    if grad_hook is not None:
        grad_hook(net.gradients)
    optimizer.step(net.parameters, net.gradients)
    return value


def batches(
    arrays: Sequence[np.ndarray], batch_size: int, rng=None
) -> Iterator[tuple[np.ndarray, ...]]:
    """Yield the same rows of every array of ``arrays`` (``X``, ``y`` and
    optionally the sample weights), batch after batch, covering the data once.

    In order (``rng=None``) the batches are views of the arrays. Shuffled, each
    batch is gathered into a reused buffer by a fresh permutation of the
    indices: the data set itself is never copied. A single full batch is never
    shuffled (its gradient does not depend on the order).
    """
    n = len(arrays[0])
    if batch_size >= n:
        yield tuple(arrays)
        return
    if rng is None:
        for start in range(0, n, batch_size):
            yield tuple(array[start : start + batch_size] for array in arrays)
        return
    order = rng.permutation(n)
    buffers = [np.empty((batch_size, *a.shape[1:]), a.dtype) for a in arrays]
    for start in range(0, n, batch_size):
        index = order[start : start + batch_size]
        size = len(index)
        yield tuple(
            np.take(array, index, axis=0, out=buffer[:size], mode="clip")
            for array, buffer in zip(arrays, buffers, strict=True)
        )


def _cost(net, loss, X, y, weight=None) -> float:
    """The cost of ``net`` on ``(X, y)``, with nothing cached."""
    return loss.value(net.forward(X, training=False), y, weight)


def _diverged(net, epoch, value) -> None:
    """Raise with the epoch and learning rate (the caller kept finite weights)."""
    raise TrainingDivergedError(
        divergence_message(net, epoch, value)
        + " The last finite weights and the history so far are kept."
    )


def divergence_message(net, epoch: int, value) -> str:
    """What went wrong in a diverged epoch and what to try (the callers add
    what they kept)."""
    lr = net.optimizer.learning_rate() if net.optimizer is not None else None
    advice = "Try a smaller learning rate, standardised inputs, or a smaller batch."
    if isinstance(lr, (int, float)):
        finding = divergence_finding(net, epoch, value, lr)
        # the cause of a learning rate too large is already said: give the remedy
        text = finding.remedy if finding.kind == "diverged" else str(finding)
        advice = text[:1].upper() + text[1:] + "."
    return (
        f"training diverged in epoch {epoch}: the cost became {value} with learning "
        f"rate {lr}. {advice}"
    )


def _prepare_validation(net, loss, validation_data, callbacks: list[Callback]):
    """``(X_val, y_val[, w_val])`` checked like the training data, or None."""
    if validation_data is None:
        if any(
            isinstance(c, EarlyStopping) and c.monitor == "val_loss" for c in callbacks
        ):
            raise ValueError("EarlyStopping(monitor='val_loss') needs validation_data")
        return None
    if (
        not isinstance(validation_data, (tuple, list))
        or len(validation_data) < 2
        or len(validation_data) > 3
    ):
        raise ValueError(
            "validation_data must be (X_val, y_val) or (X_val, y_val, sample_weight)"
        )
    X_val = net.check_input(validation_data[0], "X_val")
    y_val = loss.prepare_target(
        validation_data[1], net.n_outputs or X_val.shape[1], net.dtype
    )
    check_same_length(X_val, y_val)
    if len(validation_data) == 2:
        return X_val, y_val
    return X_val, y_val, check_sample_weight(validation_data[2], len(X_val), net.dtype)


def batch_size_for(batch_size, n_samples: int) -> int:
    """The checked ``batch_size`` (``None`` for all samples), clipped to the data."""
    if batch_size is None:
        return n_samples
    check_positive("batch_size", batch_size, integer=True)
    return min(int(batch_size), n_samples)


def _check_loss_fits_network(loss, net) -> None:
    """The fused losses take logits: a final Softmax/Sigmoid would apply it twice."""
    fused = {losses.CrossEntropy: "softmax", losses.BinaryCrossEntropy: "sigmoid"}
    last = net.layers[-1]
    if type(loss) in fused and isinstance(
        last, (activations.Softmax, activations.Sigmoid)
    ):
        raise ValueError(
            f"loss {loss.name!r} takes logits and applies {fused[type(loss)]} itself, "
            f"but the network ends with {last!r}; remove that last layer "
            "(predict_proba applies it)"
        )


class _StopOnInterrupt:
    """While active, the first Ctrl-C only sets ``requested`` (training stops at the
    next batch boundary); a second one raises ``KeyboardInterrupt`` as usual."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Callable | int | None = None

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> "_StopOnInterrupt":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
