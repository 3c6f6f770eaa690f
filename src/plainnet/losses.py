"""Costs: a value to minimise and its gradient with respect to the network's output.

The cross-entropies take the network's raw output (logits) and apply softmax or
sigmoid inside, the fused and numerically stable form: their gradient is simply
``(P - Y) / n``, and nothing overflows for logits of +-1000.
"""

import numpy as np

from ._buffers import BufferCache
from ._registry import resolve
from ._validation import check_finite
from .errors import DataError
from .kernels.cross_entropy import softmax_cross_entropy
from .layers.activations import sigmoid, softmax


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

    def prepare_target(self, y, n_outputs: int, dtype: np.dtype) -> np.ndarray:
        """Validate ``y`` against a network with ``n_outputs`` outputs.

        Returns ``y`` as the loss uses it: a float array of shape
        ``(n_samples, n_outputs)`` (1-D ``y`` is accepted for one output).
        """
        array = np.asarray(y)
        if array.dtype.kind not in "biuf":
            raise DataError(
                f"y must hold numbers for loss {self.name!r}, got dtype {array.dtype}"
            )
        if array.ndim == 1:
            if n_outputs != 1:
                raise DataError(
                    f"y has shape {array.shape} but the network has {n_outputs} "
                    "outputs; "
                    f"expected y of shape ({len(array)}, {n_outputs})"
                )
            array = array.reshape(-1, 1)
        if array.ndim != 2 or array.shape[1] != n_outputs:
            raise DataError(
                f"y has shape {array.shape} but the network has {n_outputs} output(s); "
                f"expected y of shape (n_samples, {n_outputs})"
            )
        array = array.astype(dtype, copy=False)
        check_finite(array, "y")
        return array

    def value_and_gradient(self, output: np.ndarray, target: np.ndarray, weight=None):
        """Return ``(value, dL/doutput)``; the gradient may be a reused buffer.
        ``weight``: optional per-sample weights of shape ``(n_samples,)``."""
        raise NotImplementedError

    def value(self, output: np.ndarray, target: np.ndarray, weight=None) -> float:
        """The cost of ``output`` against ``target``."""
        return self.value_and_gradient(output, target, weight)[0]

    def gradient(
        self, output: np.ndarray, target: np.ndarray, weight=None
    ) -> np.ndarray:
        """``dL/doutput``, of the same shape as ``output`` (a new array)."""
        return self.value_and_gradient(output, target, weight)[1].copy()

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
        self._check_shapes(output, target)
        out = self._buffer("error", output.shape, output.dtype)
        return np.subtract(output, target, out=out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SSE(Loss):
    """The seed's cost, a sum of squared errors: ``L = 1/2 * sum((Y - T)**2)``.

    The factor 1/2 makes the gradient the seed's error, ``dL/dY = Y - T``, so
    that ``SGD(lr=1)`` is exactly the seed's update ``w += X.T @ (error * y(1-y))``.
    """

    name = "sse"
    reduction = "sum"

    def value_and_gradient(self, output, target, weight=None):
        error = self._error(output, target)
        if weight is not None:
            value = 0.5 * float(np.einsum("ij,ij,i->", error, error, weight))
            error *= weight[:, None]
            return value, error
        return 0.5 * float(np.vdot(error, error)), error


class MSE(Loss):
    """Mean squared error over samples and outputs: ``L = mean((Y - T)**2)``;
    ``dL/dY = 2 (Y - T) / Y.size``."""

    name = "mse"

    def value_and_gradient(self, output, target, weight=None):
        error = self._error(output, target)
        if weight is not None:
            share = _shares(weight, output.shape[1])  # w_i / (sum(w) * n_outputs)
            value = float(np.einsum("ij,ij,i->", error, error, share))
            error *= 2 * share[:, None]
            return value, error
        value = float(np.vdot(error, error)) / error.size
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

    def prepare_target(self, y, n_outputs, dtype):
        target = super().prepare_target(y, n_outputs, dtype)
        if target.min() < 0 or target.max() > 1:
            raise DataError(
                "binary_cross_entropy needs targets in [0, 1], got values from "
                f"{target.min()} to {target.max()}"
            )
        return target

    def value_and_gradient(self, output, target, weight=None):
        self._check_shapes(output, target)
        grad = self._buffer("g", output.shape, output.dtype)
        with np.errstate(under="ignore"):  # exp(-1000) is 0, as it should be
            np.logaddexp(0, output, out=grad)  # log(1 + exp(z)), stable
        if weight is None:
            value = float(np.mean(grad)) - float(np.vdot(target, output)) / output.size
        else:
            share = _shares(weight, output.shape[1])  # w_i / (sum(w) * n_outputs)
            grad -= target * output
            value = float(share @ grad.sum(axis=1))
        sigmoid(output, out=grad)
        grad -= target  # the fused sigmoid + binary cross-entropy gradient P - T
        grad *= 1.0 / output.size if weight is None else share[:, None]
        return value, grad

    def output_function(self, output):
        return sigmoid(output, out=np.empty_like(output))


class CrossEntropy(Loss):
    """Softmax fused with cross-entropy, from logits ``Z`` of shape ``(n, k)``.

    ``L = mean_i(logsumexp(Z_i) - sum_j T_ij Z_ij)`` and ``dL/dZ = (P - T) / n``
    with ``P = softmax(Z)``. The target is either integer class labels of shape
    ``(n,)`` in ``[0, k)``, or one row per sample of class probabilities (one-hot
    or soft) of shape ``(n, k)``. The number of classes is always ``k``, the
    network's output width, never the largest label. The steps, in NumPy, are
    in :mod:`plainnet.kernels.cross_entropy` (compiled in one pass per row when
    numba is installed).
    """

    name = "cross_entropy"

    def prepare_target(self, y, n_outputs, dtype):
        if n_outputs < 2:
            raise DataError(
                "cross_entropy needs a network with at least 2 outputs "
                "(one per class), "
                f"got {n_outputs}; for one output use loss='binary_cross_entropy'"
            )
        array = np.asarray(y)
        if array.ndim == 2 and array.shape[1] == 1 and array.dtype.kind in "iu":
            array = array.ravel()
        if array.ndim == 1:
            return self._labels(array, n_outputs)
        target = super().prepare_target(array, n_outputs, dtype)
        sums = target.sum(axis=1)
        if target.min() < 0 or not np.allclose(sums, 1, atol=1e-4):
            raise DataError(
                "cross_entropy with 2-D targets needs one probability row per sample "
                "(one-hot or soft, non-negative, each row summing to 1); "
                f"row sums range from {sums.min()} to {sums.max()}"
            )
        return target

    @staticmethod
    def _labels(array: np.ndarray, n_classes: int) -> np.ndarray:
        if array.dtype.kind == "f":
            check_finite(array, "y")
            if not np.array_equal(array, np.round(array)):
                raise DataError(
                    "cross_entropy got 1-D y with non-integer values; expected integer "
                    "class labels or a 2-D array of class probabilities"
                )
        elif array.dtype.kind not in "biu":
            raise DataError(
                f"cross_entropy needs integer class labels, got dtype {array.dtype}"
            )
        if array.min() < 0 or array.max() >= n_classes:
            raise DataError(
                f"class labels must be in [0, {n_classes}) for a network with "
                f"{n_classes} outputs, got labels from {array.min()} to {array.max()}"
            )
        return array.astype(np.intp, copy=False)

    def value_and_gradient(self, output, target, weight=None):
        n = output.shape[0]
        labels = target.ndim == 1
        if labels and len(target) != n:
            raise DataError(
                f"loss 'cross_entropy': {n} outputs but {len(target)} labels"
            )
        if not labels:
            self._check_shapes(output, target)
        grad = self._buffer("p", output.shape, output.dtype)
        per_sample = softmax_cross_entropy(output, target, grad)  # grad = P - T
        if weight is None:
            value = float(np.add.reduce(per_sample)) / n
            grad *= 1.0 / n
        else:
            share = _shares(weight)  # w_i / sum(w)
            value = float(share @ per_sample)
            grad *= share[:, None]
        return value, grad

    def output_function(self, output):
        return softmax(output, np.empty_like(output))


def _shares(weight: np.ndarray, n_outputs: int = 1) -> np.ndarray:
    """Each sample's factor in a weighted mean, ``w_i / (sum(w) * n_outputs)``
    (zeros for a batch whose weights are all zero)."""
    total = weight.sum() * n_outputs
    return weight / total if total else np.zeros_like(weight)


LOSSES: dict[str, type[Loss]] = {
    "sse": SSE,
    "mse": MSE,
    "binary_cross_entropy": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
}


def get(name_or_loss: "str | Loss") -> Loss:
    """Return a new loss by name, or the given loss unchanged."""
    return resolve(name_or_loss, LOSSES, Loss, "loss")
