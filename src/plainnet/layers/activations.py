"""Activation layers. Each takes its derivative from its cached output, as the
seed does for the sigmoid (``x * (1 - x)`` where ``x`` is the neuron's output).

Every function here is written with ``out=`` so that training reuses one buffer
per batch size; the plain formula is in each docstring. Underflow (``exp(-1000)``
is 0) is as it should be and NumPy does not warn of it.
"""

from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import backend
from .._registry import resolve
from .._validation import check_number
from ..backend import Backend
from .base import Layer
from .registry import register_layer


def sigmoid(x: np.ndarray, out: np.ndarray, ops: Backend | None = None) -> np.ndarray:
    """``1 / (1 + exp(-x))`` into ``out``, as ``exp(-log(1 + exp(-x)))``
    (``ops``: the arrays' backend, found from ``x`` if not given)."""
    ops = ops or backend.of(x)
    with ops.errstate(under="ignore"):
        return _sigmoid(ops, x, out)


def softmax(x: np.ndarray, out: np.ndarray, ops: Backend | None = None) -> np.ndarray:
    """``exp(x) / sum(exp(x))`` over the last axis into ``out``, shifted by the
    maximum (``ops``: the arrays' backend, found from ``x`` if not given)."""
    ops = ops or backend.of(x)
    with ops.errstate(under="ignore"):
        return _softmax(ops, x, out)


# The layers call these two directly: fit and predict set the error state once
# for all their batches (a block costs about a microsecond in NumPy).
def _sigmoid(ops: Backend, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    ops.negative(x, out=out)
    ops.logaddexp(ops.constant(0.0, out.dtype), out, out=out)
    ops.negative(out, out=out)
    return ops.exp(out, out=out)


def _softmax(ops: Backend, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    ops.subtract(x, ops.max(x, axis=-1, keepdims=True), out=out)
    ops.exp(out, out=out)
    out /= ops.sum(out, axis=-1, keepdims=True)
    return out


class Activation(Layer):
    """An element-wise (or row-wise) function with no parameters.

    Subclasses implement ``function(x, out)`` and ``gradient(y, grad_out, out)``,
    the latter computing ``dL/dX`` from the output ``y`` and ``dL/dY``.
    ``function`` must also work in place (``out`` may be ``x``): prediction
    applies activations to the network's own temporaries that way.
    """

    def function(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def gradient(
        self, y: np.ndarray, grad_out: np.ndarray, out: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        # y and dx lie in memory as x does (channels last after a Conv1D)
        if not training:
            return self.function(x, self._buffer_like("y", x, fresh=True))
        y = self.function(x, self._buffer_like("y", x))
        self.saved = {"y": y}  # the derivative is taken from the output
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        y = self.saved["y"]
        return self.gradient(y, grad_out, self._buffer_like("dx", y))


@register_layer
class Identity(Activation):
    """``f(x) = x``; ``f'(x) = 1``."""

    def function(self, x, out):
        self.ops.copyto(out, x)
        return out

    def gradient(self, y, grad_out, out):
        self.ops.copyto(out, grad_out)
        return out


@register_layer
class Sigmoid(Activation):
    """``f(x) = 1 / (1 + exp(-x))``; from its output, ``f'(x) = y * (1 - y)``.

    Computed as ``exp(-log(1 + exp(-x)))`` (``np.logaddexp``), which never
    overflows and stays accurate for very negative ``x``.
    """

    def function(self, x, out):
        return _sigmoid(self.ops, x, out)

    def gradient(self, y, grad_out, out):
        self.ops.subtract(self.ops.constant(1.0, y.dtype), y, out=out)  # 1 - y
        out *= y  # y * (1 - y), the seed's sigmoid_derivative
        out *= grad_out
        return out


@register_layer
class Tanh(Activation):
    """``f(x) = tanh(x)``; from its output, ``f'(x) = 1 - y**2``."""

    def function(self, x, out):
        return self.ops.tanh(x, out=out)

    def gradient(self, y, grad_out, out):
        self.ops.multiply(y, y, out=out)
        self.ops.subtract(self.ops.constant(1.0, out.dtype), out, out=out)
        out *= grad_out
        return out


@register_layer
class ReLU(Activation):
    """``f(x) = max(x, 0)``; from its output, ``f'(x) = 1 if y > 0 else 0``."""

    def function(self, x, out):
        return self.ops.relu(x, out)  # max(x, 0)

    def gradient(self, y, grad_out, out):
        return self.ops.relu_gradient(y, grad_out, out)  # dY * (y > 0)


@register_layer
class LeakyReLU(Activation):
    """``f(x) = x if x > 0 else alpha * x``; ``f'(x) = 1 if y > 0 else alpha``.

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for negative inputs, in [0, 1) so that ``y`` keeps the sign of ``x``.
    """

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        check_number("LeakyReLU alpha", alpha, 0, 1, kind="")
        self.alpha = float(alpha)

    def function(self, x, out):
        return self.ops.maximum(x, self.alpha * x, out=out)  # 0 <= alpha < 1

    def gradient(self, y, grad_out, out):
        ops = self.ops
        return ops.where(ops.greater(y, 0.0), grad_out, grad_out * self.alpha, out=out)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


@register_layer
class Softmax(Activation):
    """Row-wise ``f(x)_i = exp(x_i) / sum_j exp(x_j)``, shifted by the row max.

    Backward is the Jacobian-vector product ``dX = y * (dY - sum(dY * y, axis=1))``.
    For classification prefer a final ``Dense`` with ``loss="cross_entropy"``,
    which fuses softmax with the loss.
    """

    def function(self, x, out):
        return _softmax(self.ops, x, out)

    def gradient(self, y, grad_out, out):
        self.ops.multiply(grad_out, y, out=out)
        dot = self.ops.sum(out, axis=-1, keepdims=True)
        self.ops.subtract(grad_out, dot, out=out)
        out *= y
        return out


@register_layer
class GELU(Activation):
    """The Gaussian error linear unit (Hendrycks & Gimpel, 2016), in its exact
    form (PyTorch's ``nn.GELU()`` default): ``f(x) = x * Phi(x)``, with ``Phi``
    the standard normal distribution function,
    ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``.

    Its derivative needs ``x`` as well as ``Phi(x)``, so the layer keeps both:
    ``f'(x) = Phi(x) + x * phi(x)``, ``phi(x) = exp(-x**2 / 2) / sqrt(2 pi)``
    the normal density. ``erf`` is the backend's (:meth:`plainnet.backend.
    Backend.erf`: a compiled ``math.erf`` on the CPU with numba, W. J. Cody's
    rational approximations elsewhere).

    Example
    -------
    >>> Sequential([Dense(64), GELU(), Dense(64)], input_shape=(64,))
    """

    def function(self, x, out):
        cdf = self._cdf(x, self.ops.empty(x.shape, x.dtype))
        return self.ops.multiply(x, cdf, out=out)

    def _cdf(self, x, out):
        """``Phi(x) = (1 + erf(x / sqrt(2))) / 2`` into ``out``."""
        ops = self.ops
        ops.multiply(x, _SQRT_HALF, out=out)
        ops.erf(out, out=out)
        out += 1.0
        out *= 0.5
        return out

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if not training:
            return self.function(x, self.ops.empty(x.shape, x.dtype))
        cdf = self._cdf(x, self._buffer("cdf", x.shape, x.dtype))
        self.save_for_backward(x=x, cdf=cdf)
        return self.ops.multiply(x, cdf, out=self._buffer("y", x.shape, x.dtype))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        ops, x = self.ops, self.saved["x"]
        out = self._buffer("dx", x.shape, x.dtype)
        ops.multiply(x, x, out=out)
        out *= -0.5
        ops.exp(out, out=out)  # sqrt(2 pi) phi(x)
        out *= x
        out *= _INV_SQRT_2PI  # x phi(x)
        out += self.saved["cdf"]  # f'(x) = Phi(x) + x phi(x)
        out *= grad_out
        return out


_SQRT_HALF = 0.7071067811865476  # 1 / sqrt(2)
_INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi)


ACTIVATIONS: dict[str, type[Activation]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
    "gelu": GELU,
}


def get(name_or_layer: "str | Activation") -> Activation:
    """Return a new activation layer by name, or the given layer unchanged."""
    return resolve(name_or_layer, ACTIVATIONS, Activation, "activation")
