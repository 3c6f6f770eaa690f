"""The fit loop, in small pieces: batches, one step, one epoch, the epoch loop.

One loop trains every network: ``Sequential.fit`` gives it batches of its own
data (:class:`Batches`), data-parallel training gives it each rank's rows of
a global batch (a batch source of its own, :mod:`plainnet.distributed`), and a
full-batch solver such as L-BFGS (``optimizer.full_batch``) runs its
iterations as the epochs. Around the epochs, the same callbacks, validation,
Ctrl-C and divergence handling.

What keeps a user's work safe while training: the cost and the weights are
checked once per epoch (one read of the epoch's costs back to the host, one
pass over the weights), and when either is not finite the weights, the layers'
state and the optimizer's state of the last good epoch come back; Ctrl-C stops
at a batch boundary.
"""

import contextlib
import math
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence

import numpy as np  # in type hints only: training computes through net.ops

from . import hooks, losses, optimizers
from ._signals import StopOnInterrupt
from ._targets import network_target
from ._validation import check_positive, check_same_length, check_sample_weight
from .callbacks import Callback, EarlyStopping, History, TrainingState, as_callbacks
from .diagnostics import divergence_finding
from .errors import TrainingDivergedError
from .layers import activations

#: Training runs BLAS on one thread when no layer's product of a batch needs
#: this many multiply-adds: one core does it in well under a millisecond, and
#: handing part of it to other threads costs more than it saves whenever those
#: threads wait for a core, as they do beside the compiled loops' own threads
#: or on a busy machine (the estimators on digits: 0.9 s on one thread against
#: 3.5 to 10 s on two, on a busy 2-core machine; the 1-D CNN of
#: ``benchmarks/conv_epoch.py``, an epoch 7% faster on a quiet one).
SINGLE_THREAD_WORK = 2**24


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
    callbacks = as_callbacks([*callbacks, *stopper])
    validation = _prepare_validation(net, loss, validation_data, callbacks)
    source = Batches(net, arrays, batch_size, shuffle)
    with blas_threads(net, source.rows):
        return train(
            net, source, loss, optimizer, epochs, callbacks, grad_hook, validation
        )


def blas_threads(net, rows: int):
    """A block with BLAS on one thread (``ops.single_threaded()``) when every
    layer's product of a batch of ``rows`` is small (``SINGLE_THREAD_WORK``);
    else one that changes nothing."""
    if rows * widest_product(net) < SINGLE_THREAD_WORK:
        return net.ops.single_threaded()
    return contextlib.nullcontext()


def widest_product(net) -> int:
    """The multiply-adds per sample of the largest product of a layer of the
    (built) ``net``: its weights ``W`` times the positions of its output they
    slide over (a convolution's output size; 1 for a Dense layer on features).
    A layer whose products are a stack of small ones (``stacks_products``)
    counts for nothing: BLAS runs each on one thread, and the backend shares
    the stack among threads itself."""
    widest, shape = 0, net.input_shape
    for layer in net.layers:
        stacked = getattr(layer, "stacks_products", None)
        counted = stacked is None or not stacked(shape)
        shape = layer.output_shape(shape)
        weights = layer.params.get("W")
        if counted and weights is not None:
            widest = max(widest, weights.size * math.prod(shape[1:]))
    return widest


def train(
    net,
    source: "Batches",
    loss: losses.Loss,
    optimizer: optimizers.Optimizer,
    epochs: int,
    callbacks: Sequence[Callback] = (),
    grad_hook=None,
    validation: tuple | None = None,
) -> History:
    """The epoch loop: ``epochs`` passes over ``source`` (or as many
    iterations of a full-batch solver), the history and a plateau schedule
    first among the callbacks, then ``callbacks``; returns ``net.history``."""
    check_positive("epochs", epochs, integer=True, zero=True)
    training = TrainingState(net, loss, optimizer, epoch=len(net.history.loss))
    net.loss, net.optimizer = loss, optimizer  # what the trained model keeps
    optimizer.prepare(net.parameters)
    schedule = [optimizer.lr] if isinstance(optimizer.lr, Callback) else []
    callbacks = [net.history, *schedule, *callbacks]
    epoch_loop = _full_batch_epochs if optimizer.full_batch else _epochs
    for callback in callbacks:
        callback.on_train_begin(training)
    ends = _EpochEnds(training, callbacks, validation, source)
    # overflow shows up as a cost or weight that is not finite, reported with a
    # clearer message; underflow (exp(-1000) is 0) is as it should be
    quiet = net.ops.errstate(over="ignore", invalid="ignore", under="ignore")
    with StopOnInterrupt() as stop, quiet:
        epoch_loop(training, source, epochs, hooks.as_hook(grad_hook), ends, stop)
    for callback in callbacks:
        callback.on_train_end(training)
    if stop.requested:
        net.history.interrupted = True
        warnings.warn(
            f"training interrupted (Ctrl-C) after {len(net.history.loss)} epoch(s); "
            "the weights and history so far are kept",
            TrainingInterrupted,
            stacklevel=4,
        )
    return net.history


def _epochs(training, source, epochs, grad_hook, ends, stop) -> None:
    """Up to ``epochs`` passes over ``source``, each ended by ``ends``."""
    net, loss, optimizer = training.net, training.loss, training.optimizer
    kept = _LastGood(training)
    only = source.only_batch()
    if only is not None:
        _one_batch_epochs(training, only, epochs, grad_hook, ends, stop, kept)
        return
    for _ in range(epochs):
        values, masses = [], []
        for (X, y, weight), mass in source.epoch(net.rng):
            values.append(train_step(net, loss, optimizer, X, y, grad_hook, weight))
            masses.append(mass)
            if stop.requested:
                break
        if not values:  # Ctrl-C came before the first batch
            return
        # the one read back to the host of the epoch: its costs, and a number
        # that is finite when the weights are (their sum of squares)
        *costs, weights = net.ops.read([*values, kept.probe()])
        if ends.first is None:  # the first batch's cost: the untrained network's
            share = 1.0 if loss.reduction == "mean" else sum(masses) / masses[0]
            ends.first = costs[0] * share  # a sum of costs: as if over the epoch
        cost = source.epoch_cost(costs, masses, loss.reduction == "mean")
        if ends(cost, kept, weights) or stop.requested:
            return


def _one_batch_epochs(training, batch, epochs, grad_hook, ends, stop, kept) -> None:
    """``_epochs`` when every epoch is the same one batch (the seed's 15,000
    full-batch iterations): a step, one read of its cost and of the weights'
    sum of squares, and ``ends``, with nothing looked up twice. One batch's
    cost is the epoch's, whatever the loss's reduction."""
    net, loss, optimizer = training.net, training.loss, training.optimizer
    (X, y, weight), _ = batch
    read, probe = net.ops.read, kept.probe
    for _ in range(epochs):
        value = train_step(net, loss, optimizer, X, y, grad_hook, weight)
        cost, squares = read([value, probe()])
        if ends(cost, kept, squares) or stop.requested:
            return


def _full_batch_epochs(training, source, epochs, grad_hook, ends, stop) -> None:
    """Up to ``epochs`` iterations of a full-batch solver on all of ``source``
    at once, each ended by ``ends`` as an epoch; the solver's own tests may
    end them sooner."""
    if not epochs:
        return
    net, ops = training.net, training.net.ops
    kept = _LastGood(training)
    objective = _whole_cost(training, source.whole(), grad_hook)

    def on_iteration(x: np.ndarray, cost: float) -> bool:
        net.parameters[...] = ops.asarray(x.astype(net.dtype))
        return ends(cost, kept, ops.read([kept.probe()])[0]) or stop.requested

    start = ops.to_numpy(net.parameters).astype("float64")
    try:
        x = training.optimizer.minimize(objective, start, epochs, on_iteration)
    except _NotFinite as error:
        kept.restore()
        _diverged(training, training.epoch + 1, error.value)
    net.parameters[...] = ops.asarray(x.astype(net.dtype))


class _NotFinite(Exception):
    """A full-batch cost that is not finite (carries it)."""

    def __init__(self, value: float) -> None:
        self.value = value


def _whole_cost(training, arrays, grad_hook):
    """The cost of all the data at a flat float64 point (on the host), and its
    gradient: the objective of a full-batch solver."""
    net, loss, ops = training.net, training.loss, training.net.ops

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        net.parameters[...] = ops.asarray(x.astype(net.dtype))
        output = net.forward(arrays[0], training=True)
        value, grad = loss.value_and_gradient(output, *arrays[1:])
        value = ops.to_float(value)
        if not math.isfinite(value):
            raise _NotFinite(value)
        net.backward(grad)
        if grad_hook is not None:
            grad_hook(net.gradients)
        return value, ops.to_numpy(net.gradients).astype("float64")

    return objective


#: A cost this many times the first batch's (of this ``fit``, measured before
#: any update: the untrained cost) is divergence, though still finite: no
#: training that works climbs three orders of magnitude
COST_GROWTH = 1e3
#: The largest finite float: a cost's limit is never above it, so inf is past it
_LARGEST = sys.float_info.max
#: Weights whose norm passes this are divergence, though still finite (the
#: weights of working networks are a few units to a few thousands)
WEIGHT_NORM_LIMIT = 1e20
_SQUARES_LIMIT = WEIGHT_NORM_LIMIT**2


class _EpochEnds:
    """What happens after each epoch: check the cost, let the batch source
    finish the epoch (ranks agree), record it through the callbacks, check the
    weights, and keep them as the last good ones. Calling it returns True to
    stop.

    Divergence is a cost that is not finite or has grown ``COST_GROWTH``-fold
    over the first batch's (``first``, set by the loop), or weights that are
    not finite or whose norm has passed ``WEIGHT_NORM_LIMIT``: any of them
    puts back the last good epoch."""

    def __init__(self, training, callbacks, validation, source) -> None:
        self.training, self.callbacks = training, callbacks
        self.validation, self.end_epoch = validation, source.end_epoch
        self.first: float | None = None
        self.limit: float | None = None  # the largest cost that is no divergence

    def __call__(self, cost: float, kept: "_LastGood", squares: float) -> bool:
        """End an epoch of ``cost`` whose weights' sum of squares is
        ``squares``."""
        training = self.training
        epoch = training.epoch + 1
        if self.limit is None:
            if self.first is None:
                self.first = cost
            # finite, so that inf is past it; NaN if the first cost was
            self.limit = min(COST_GROWTH * max(self.first, 1e-3), _LARGEST)
        if not -_LARGEST <= cost <= self.limit:  # NaN and infinities included
            kept.restore()
            grown = f"{cost:.3g} (" + (
                f"{cost / self.first:.3g} times the untrained cost)"
                if self.first
                else "the untrained cost was 0)"
            )
            _diverged(training, epoch, cost if not math.isfinite(cost) else grown)
        self.end_epoch(training.net)
        training.epoch = epoch
        logs = {"epoch": epoch, "loss": cost}
        if self.validation is not None:
            logs["val_loss"] = _cost(training.net, training.loss, *self.validation)
        halt = False
        for callback in self.callbacks:  # every one sees every epoch, even
            if callback.on_epoch_end(epoch, logs, training):  # after a stop
                halt = True
        if not squares <= _SQUARES_LIMIT:  # NaN and inf included
            grown = kept.all_finite()
            kept.restore()
            _diverged(
                training,
                epoch,
                f"finite, but the weights grew beyond {WEIGHT_NORM_LIMIT:g}"
                if grown
                else "finite, but the last update overflowed",
            )
        kept.update()
        return halt


class _LastGood:
    """Copies of the weights, the layers' state (running statistics) and the
    optimizer's arrays and counters at the end of the last epoch whose cost and
    weights were finite (or at the start of training), for ``restore`` to put
    back when an epoch diverges."""

    def __init__(self, training) -> None:
        net, optimizer = training.net, training.optimizer
        self.ops, self.state = net.ops, optimizer.state
        watched = [net.parameters, net.state]
        arrays = watched + [v for v in optimizer.state.values() if hasattr(v, "shape")]
        self.watched = [a for a in watched if a.shape[0]]  # checked each epoch
        self.pairs = [(self.ops.copy(a), a) for a in arrays if a.shape[0]]
        self.counters = dict(self.state)

    def probe(self):
        """The sum of squares of the weights and the state (0-d): finite when
        they all are, unless they are huge (which ``all_finite`` tells)."""
        ops, total = self.ops, None
        for array in self.watched:
            squares = ops.dot(array, array)  # flat: the inner product
            total = squares if total is None else total + squares
        return 0.0 if total is None else total

    def all_finite(self) -> bool:
        """Whether the current weights and state are finite, entry by entry."""
        return all(self.ops.all_finite(array) for array in self.watched)

    def update(self) -> None:
        """Keep the current arrays (slice assignment: one copy each)."""
        for copy, array in self.pairs:
            copy[...] = array
        self.counters = self.state.copy()

    def restore(self) -> None:
        """Put back the kept arrays and the optimizer's counters."""
        for copy, array in self.pairs:
            array[...] = copy
        for key, value in self.counters.items():
            if not hasattr(value, "shape"):
                self.state[key] = value


class Batches:
    """The batch source of ``fit``: rows of ``(X, y, weight)`` on the network's
    device (the weight None without sample weights), batch after batch,
    covering the data once per epoch.

    In order (``shuffle=False``) the batches are views of the arrays. Shuffled,
    each batch is gathered into a reused buffer by a fresh permutation of the
    indices, drawn from the network's generator on the host: the data set itself
    is never copied. A single full batch is never shuffled (its gradient does
    not depend on the order). A last batch of one sample joins the batch before
    it when a layer needs two samples or more (BatchNorm of flat features).

    Each batch comes with its mass, its weight in the epoch's cost: its number
    of rows, or the sum of its sample weights.
    """

    def __init__(self, net, arrays: tuple, batch_size, shuffle: bool) -> None:
        ops = net.ops
        self.n = arrays[0].shape[0]
        self.batch_size = batch_size_for(batch_size, self.n)
        self.shuffle = shuffle
        self.weights = arrays[2] if len(arrays) == 3 else None  # host, for masses
        self.arrays = tuple(ops.asarray(array) for array in arrays)
        self.ops = ops
        self.starts = _starts(self.n, self.batch_size, _needs_two(net))
        self._whole = [(self._triple(self.arrays), self._mass(0, self.n))]

    @staticmethod
    def _triple(batch: tuple) -> tuple:
        """``(X, y, weight)``, the weight None when there are none."""
        return batch if len(batch) == 3 else (*batch, None)

    def only_batch(self) -> tuple | None:
        """``((X, y, weight), mass)`` when every epoch is this same one batch
        (all the rows, in order), else None."""
        return self._whole[0] if len(self.starts) == 1 else None

    def whole(self) -> tuple:
        """All the rows at once (for a full-batch solver)."""
        return self.arrays

    def epoch(self, rng) -> Iterable[tuple[tuple, float]]:
        """``(batch, mass)`` pairs for one epoch, in a new order drawn from
        ``rng`` if shuffled."""
        if len(self.starts) == 1:  # one batch: the seed's loop runs 15,000 of them
            return self._whole
        return self._batches(rng)

    def _batches(self, rng) -> Iterator[tuple[tuple, float]]:
        ends = [*self.starts[1:], self.n]
        if not self.shuffle:
            for start, end in zip(self.starts, ends, strict=True):
                batch = tuple(a[start:end, ...] for a in self.arrays)
                yield self._triple(batch), self._mass(start, end)
            return
        order = rng.permutation(self.n)
        device_order = self.ops.asarray(order)
        buffers = self._buffers()
        for start, end in zip(self.starts, ends, strict=True):
            index = device_order[start:end]
            batch = tuple(
                self.ops.take(array, index, axis=0, out=buffer[: end - start, ...])
                for array, buffer in zip(self.arrays, buffers, strict=True)
            )
            yield self._triple(batch), self._mass(start, end, order)

    @property
    def rows(self) -> int:
        """The rows of the largest batch."""
        ends = [*self.starts[1:], self.n]
        return max((b - a for a, b in zip(self.starts, ends, strict=True)), default=0)

    def _buffers(self) -> list:
        """Gather buffers for the largest batch (kept between epochs)."""
        if getattr(self, "_gathered", None) is None:
            self._gathered = [
                self.ops.empty((self.rows, *a.shape[1:]), a.dtype) for a in self.arrays
            ]
        return self._gathered

    def _mass(self, start: int, end: int, order=None) -> float:
        """Rows, or the sum of their sample weights (on the host)."""
        if self.weights is None:
            return end - start
        rows = (
            self.weights[start:end] if order is None else self.weights[order[start:end]]
        )
        return float(rows.sum())

    def epoch_cost(self, costs: list[float], masses: list, mean: bool) -> float:
        """The epoch's cost from its batches' costs (read back to the host):
        their mean weighted by mass for a mean loss, their sum otherwise."""
        total = mass = 0.0
        for value, size in zip(costs, masses, strict=True):
            total += value * size if mean else value
            mass += size
        return total / mass if mean and mass else total

    def end_epoch(self, net) -> None:
        """Nothing to agree on in one process."""


def _starts(n: int, batch_size: int, needs_two: bool) -> list[int]:
    """Where each batch starts; a last batch of one row joins the one before
    when ``needs_two``."""
    starts = list(range(0, n, batch_size))
    if needs_two and len(starts) > 1 and n - starts[-1] == 1:
        starts.pop()
    return starts


def _needs_two(net) -> bool:
    """Whether a layer of ``net`` cannot train on a batch of one sample."""
    return any(getattr(layer, "needs_two_samples", False) for layer in net.layers)


def train_step(
    net, loss, optimizer, X_batch, y_batch, grad_hook=None, weight_batch=None
):
    """Forward, cost, backward, gradient hook, update. Returns the batch's cost
    (measured before the update) as a 0-d array. A batch of no rows (a rank's
    share of a global batch, in data-parallel training) contributes a zero
    gradient and a zero cost, and the update still happens."""
    if X_batch.shape[0] == 0:
        net.gradients[...] = 0.0
        value = net.ops.zeros((), net.dtype)
    else:
        output = net.forward(X_batch, training=True)
        value, grad = loss.value_and_gradient(
            output, y_batch, weight_batch, guard=False
        )
        net.backward(grad)
    if grad_hook is not None:
        grad_hook(net.gradients)
    optimizer.step(net.parameters, net.gradients)
    return value


def loss_and_optimizer(net, loss, optimizer):
    """The loss and optimizer to use: as given, else the last ones, else defaults."""
    loss = losses.get(loss if loss is not None else net.loss or "mse")
    optimizer = optimizers.get(
        optimizer if optimizer is not None else net.optimizer or "adam"
    )
    _check_loss_fits_network(loss, net)
    return loss, optimizer


def _training_arrays(net, loss, X, y, sample_weight) -> tuple:
    """``(X, y)`` or ``(X, y, weight)``: ``X`` on the device, the targets and
    weights checked on the host (the batch source moves them)."""
    X = net.check_input(X)
    y = network_target(loss, net, y, X)
    check_same_length(X, y)
    weight = check_sample_weight(sample_weight, X.shape[0], net.dtype)
    return (X, y) if weight is None else (X, y, weight)


def _cost(net, loss, X, y, weight=None) -> float:
    """The cost of ``net`` on ``(X, y)``, with nothing cached, as a float."""
    return loss.value(net.forward(X, training=False), y, weight)


def _diverged(training, epoch, value) -> None:
    """Raise with the epoch and learning rate (the caller kept finite weights)."""
    raise TrainingDivergedError(
        divergence_message(training, epoch, value)
        + " The last finite weights and the history so far are kept."
    )


def divergence_message(training, epoch: int, value) -> str:
    """What went wrong in a diverged epoch and what to try (the callers add
    what they kept)."""
    optimizer = training.optimizer
    lr = optimizer.learning_rate() if optimizer is not None else None
    advice = "Try a smaller learning rate, standardised inputs, or a smaller batch."
    if isinstance(lr, (int, float)):
        finding = divergence_finding(training.net, epoch, value, lr)
        # the cause of a learning rate too large is already said: give the remedy
        text = finding.remedy if finding.kind == "diverged" else str(finding)
        advice = text[:1].upper() + text[1:] + "."
    return (
        f"training diverged in epoch {epoch}: the cost became {value} with learning "
        f"rate {lr}. {advice}"
    )


def _prepare_validation(net, loss, validation_data, callbacks: list[Callback]):
    """``(X_val, y_val[, w_val])`` checked like the training data and moved to
    the device, or None."""
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
    y_val = network_target(loss, net, validation_data[1], X_val)
    check_same_length(X_val, y_val)
    arrays = [X_val, net.ops.asarray(y_val)]
    if len(validation_data) == 3:
        weight = check_sample_weight(validation_data[2], X_val.shape[0], net.dtype)
        arrays.append(net.ops.asarray(weight))
    return tuple(arrays)


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
