"""Costs: a value to minimise and its gradient with respect to the network's output.

The cross-entropies take the network's raw output (logits) and apply softmax or
sigmoid inside, the fused and numerically stable form: their gradient is simply
``(P - Y) / n``, and nothing overflows for logits of +-1000.

A loss computes on the backend of the arrays it is given (``backend.of``) and
returns its value as a 0-d array of that backend: reading it back to the host
is the caller's choice (the fit loop does it once per epoch).
"""

import numpy as np  # in type hints only: losses compute through self.ops

from . import backend
from ._buffers import BufferCache
from ._registry import resolve
from ._targets import (
    class_target,
    numeric_target,
    sequence_labels,
    unit_interval_target,
)
from .errors import DataError
from .layers.activations import _sigmoid, sigmoid, softmax


class Loss(BufferCache):
    """Base class. Subclasses implement ``value_and_gradient`` and ``prepare_target``.

    ``reduction`` tells how batch values combine into an epoch's cost: ``"mean"``
    losses are averaged over samples, ``"sum"`` losses are added up.

    Every loss takes optional per-sample weights ``w`` of shape ``(n_samples,)``:
    a mean over samples becomes the weighted mean ``sum_i w_i l_i / sum_i w_i``
    (so weights of one change nothing), a sum becomes ``sum_i w_i l_i``.
    """

    name = "loss"
    reduction = "mean"

    def prepare_target(
        self, y, n_outputs: int, dtype: np.dtype, output_shape=None
    ) -> np.ndarray:
        """Validate ``y`` against a network with ``n_outputs`` outputs.

        Returns ``y`` as the loss uses it: a float NumPy array of shape
        ``(n_samples, n_outputs)`` (1-D ``y`` is accepted for one output).
        ``output_shape``: one sample's output shape when it has more than one
        axis (then ``n_outputs`` is its last), which only ``cross_entropy``
        takes.
        """
        _flat_outputs_only(self.name, output_shape)
        return numeric_target(y, n_outputs, dtype, self.name)

    def value_and_gradient(
        self, output: np.ndarray, target: np.ndarray, weight=None, *, guard=True
    ):
        """Return ``(value, dL/doutput)``: the value as a 0-d array, the
        gradient in a reused buffer, both on the backend of ``output``.
        ``weight``: optional per-sample weights of shape ``(n_samples,)``.
        ``guard=False`` skips setting NumPy's error state (``exp(-1000)`` is 0
        without a word), for a caller that set it once for many calls."""
        ops = backend.of(output)
        if ops is not self.ops:
            self._use(ops)
        if not guard:
            return self._value_and_gradient(output, target, weight)
        with self.ops.errstate(under="ignore"):
            return self._value_and_gradient(output, target, weight)

    def _value_and_gradient(self, output, target, weight):
        raise NotImplementedError

    def value(self, output: np.ndarray, target: np.ndarray, weight=None) -> float:
        """The cost of ``output`` against ``target``, as a float."""
        return float(self.value_and_gradient(output, target, weight)[0])

    def gradient(
        self, output: np.ndarray, target: np.ndarray, weight=None
    ) -> np.ndarray:
        """``dL/doutput``, of the same shape as ``output`` (a new array)."""
        return self.ops.copy(self.value_and_gradient(output, target, weight)[1])

    def output_function(self, output: np.ndarray) -> np.ndarray:
        """What the network's output means as a prediction (probabilities for the
        cross-entropies, the output itself otherwise)."""
        return output

    def _check_shapes(self, output: np.ndarray, target: np.ndarray) -> None:
        if output.shape != target.shape:  # never broadcast two shapes silently
            raise DataError(
                f"loss {self.name!r}: output has shape {output.shape} but the target "
                f"has shape {target.shape}; they must match exactly (no broadcasting)"
            )

    def _error(self, output: np.ndarray, target: np.ndarray) -> np.ndarray:
        """``output - target`` of the same shapes, in a reused buffer."""
        shape = output.shape
        if shape != target.shape:
            self._check_shapes(output, target)
        out = self._buffer("error", shape, output.dtype)
        return self.ops.subtract(output, target, out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SSE(Loss):
    """The seed's cost, a sum of squared errors: ``L = 1/2 * sum((Y - T)**2)``.

    The factor 1/2 makes the gradient the seed's error, ``dL/dY = Y - T``, so
    that ``SGD(lr=1)`` is exactly the seed's update ``w += X.T @ (error * y(1-y))``.
    """

    name = "sse"
    reduction = "sum"

    def _value_and_gradient(self, output, target, weight):
        ops, error = self.ops, self._error(output, target)
        if weight is not None:
            value = 0.5 * (weight @ ops.sum(error * error, axis=1))
            error *= weight[:, None]
            return value, error
        return 0.5 * ops.vdot(error, error), error


class MSE(Loss):
    """Mean squared error over samples and outputs: ``L = mean((Y - T)**2)``;
    ``dL/dY = 2 (Y - T) / Y.size``."""

    name = "mse"

    def _value_and_gradient(self, output, target, weight):
        ops, error = self.ops, self._error(output, target)
        if weight is not None:
            share = _shares(ops, weight, output.shape[1])  # w_i / (sum(w) * k)
            value = share @ ops.sum(error * error, axis=1)
            error *= 2 * share[:, None]
            return value, error
        value = ops.vdot(error, error) / error.size
        error *= 2.0 / error.size
        return value, error


class BinaryCrossEntropy(Loss):
    """Sigmoid fused with binary cross-entropy, from logits ``Z``.

    ``L = mean(log(1 + exp(Z)) - T * Z)`` over samples and outputs (which is
    ``-mean(T log P + (1 - T) log(1 - P))`` with ``P = sigmoid(Z)``), and
    ``dL/dZ = (P - T) / Z.size``. Targets are probabilities in [0, 1]; one
    output per label, so it also serves multi-label problems.
    """

    name = "binary_cross_entropy"

    def prepare_target(self, y, n_outputs, dtype, output_shape=None):
        _flat_outputs_only(self.name, output_shape)
        return unit_interval_target(y, n_outputs, dtype, self.name)

    def _value_and_gradient(self, output, target, weight):
        ops = self.ops
        self._check_shapes(output, target)
        grad = self._buffer("g", output.shape, output.dtype)
        ops.logaddexp(0.0, output, out=grad)  # log(1 + exp(z)), stable
        if weight is None:
            value = ops.mean(grad) - ops.vdot(target, output) / output.size
        else:
            share = _shares(ops, weight, output.shape[1])  # w_i / (sum(w) * k)
            grad -= target * output
            value = share @ ops.sum(grad, axis=1)
        _sigmoid(ops, output, grad)
        grad -= target  # the fused sigmoid + binary cross-entropy gradient P - T
        if weight is None:
            grad *= 1.0 / output.size
        else:
            grad *= share[:, None]
        return value, grad

    def output_function(self, output):
        ops = backend.of(output)
        return sigmoid(output, ops.empty(output.shape, output.dtype), ops)


class CrossEntropy(Loss):
    """Softmax fused with cross-entropy, from logits ``Z`` of shape ``(n, k)``.

    ``L = mean_i(logsumexp(Z_i) - sum_j T_ij Z_ij)`` and ``dL/dZ = (P - T) / n``
    with ``P = softmax(Z)``. The target is either integer class labels of shape
    ``(n,)`` in ``[0, k)``, or one row per sample of class probabilities (one-hot
    or soft) of shape ``(n, k)``. The number of classes is always ``k``, the
    network's output width, never the largest label.

    Logits with more axes, ``(n, ..., k)`` (a language model's ``(n, steps,
    k)``), take one integer label per position, ``(n, ...)``; the mean runs
    over every position, as PyTorch's ``CrossEntropyLoss`` on the flattened
    positions (and a sample's weight counts at each of its positions). The steps are the
    backend's ``softmax_cross_entropy`` (on the CPU, one compiled pass per row
    when numba is installed: :mod:`plainnet.backend.kernels.cross_entropy`).
    """

    name = "cross_entropy"

    def prepare_target(self, y, n_outputs, dtype, output_shape=None):
        if output_shape is not None and len(output_shape) > 1:
            return sequence_labels(y, tuple(output_shape), self.name)
        return class_target(y, n_outputs, dtype, self.name)

    def _value_and_gradient(self, output, target, weight):
        if output.ndim > 2:
            return self._positions(output, target, weight)
        ops, n = self.ops, output.shape[0]
        labels = target.ndim == 1
        if labels and target.shape[0] != n:
            raise DataError(
                f"loss 'cross_entropy': {n} outputs but {target.shape[0]} labels"
            )
        if not labels:
            self._check_shapes(output, target)
        grad = self._buffer("p", output.shape, output.dtype)
        per_sample = ops.softmax_cross_entropy(output, target, grad)  # P - T
        if weight is None:
            value = ops.sum(per_sample) / n
            grad *= 1.0 / n
        else:
            share = _shares(ops, weight)  # w_i / sum(w)
            value = share @ per_sample
            grad *= share[:, None]
        return value, grad

    def _positions(self, output, target, weight):
        """Logits ``(n, ..., k)`` and labels ``(n, ...)``: every position a
        row of ``(n * m, k)``, averaged over all ``n * m``."""
        ops, n, k = self.ops, output.shape[0], output.shape[-1]
        if target.shape != output.shape[:-1]:
            raise DataError(
                f"loss 'cross_entropy': outputs of shape {output.shape} take "
                f"labels of shape {output.shape[:-1]}, got {target.shape}"
            )
        rows = output.size // k
        grad = self._buffer("p", output.shape, output.dtype)
        per_position = ops.softmax_cross_entropy(
            ops.reshape(output, (rows, k)),
            ops.reshape(target, (rows,)),
            ops.reshape(grad, (rows, k)),
        )  # P - T
        if weight is None:
            grad *= 1.0 / rows
            return ops.sum(per_position) / rows, grad
        m = rows // n  # positions per sample
        share = _shares(ops, weight, m)  # w_i / (sum(w) * m)
        value = share @ ops.sum(ops.reshape(per_position, (n, m)), axis=1)
        grad *= ops.reshape(share, (n,) + (1,) * (output.ndim - 1))
        return value, grad

    def output_function(self, output):
        ops = backend.of(output)
        return softmax(output, ops.empty(output.shape, output.dtype), ops)


def _flat_outputs_only(name: str, output_shape) -> None:
    """Refuse an output of more than one axis per sample for a loss that takes
    one row per sample."""
    if output_shape is not None and len(output_shape) > 1:
        shape = ", ".join(map(str, output_shape))
        raise DataError(
            f"loss {name!r} takes outputs of shape (n, outputs), but the network "
            f"gives (n, {shape}): end it with Flatten() and a Dense layer, or use "
            "loss='cross_entropy' with a class label per position"
        )


def _shares(ops, weight: np.ndarray, n_outputs: int = 1) -> np.ndarray:
    """Each sample's factor in a weighted mean, ``w_i / (sum(w) * n_outputs)``
    (zeros for a batch whose weights are all zero)."""
    total = ops.sum(weight) * n_outputs
    return weight / ops.maximum(total, ops.scalar(_TINY, weight.dtype))


#: float32's smallest normal number: a batch whose weights are all zero gets
#: shares of 0 (0 / _TINY), without a division by zero
_TINY = 1.1754943508222875e-38


LOSSES: dict[str, type[Loss]] = {
    "sse": SSE,
    "mse": MSE,
    "binary_cross_entropy": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
}


def get(name_or_loss: "str | Loss") -> Loss:
    """Return a new loss by name, or the given loss unchanged."""
    return resolve(name_or_loss, LOSSES, Loss, "loss")
