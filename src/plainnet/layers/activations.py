"""Activation layers. Each takes its derivative from its cached output, as the
seed does for the sigmoid (``x * (1 - x)`` where ``x`` is the neuron's output).

Every function here is written with ``out=`` so that training reuses one buffer
per batch size; the plain formula is in each docstring.
"""

from typing import Any

import numpy as np

from .._messages import shown
from .._registry import resolve
from ..kernels.relu import relu_gradient
from .base import Layer
from .registry import register_layer


def sigmoid(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` into ``out``, as ``exp(-log(1 + exp(-x)))``."""
    with np.errstate(under="ignore"):  # exp(-1000) is 0, as it should be
        np.negative(x, out=out)
        np.logaddexp(0, out, out=out)
        np.negative(out, out=out)
        return np.exp(out, out=out)


def softmax(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Row-wise ``exp(x) / sum(exp(x))`` into ``out``, shifted by each row's max."""
    np.subtract(x, x.max(axis=1, keepdims=True), out=out)
    with np.errstate(under="ignore"):  # exp(-2000) is 0, as it should be
        np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
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
        if not training:
            return self.function(x, np.empty_like(x))
        y = self.function(x, self._buffer("y", x.shape, x.dtype))
        self.save_for_backward(y=y)  # the derivative is taken from the output
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        out = self._buffer("dx", grad_out.shape, grad_out.dtype)
        return self.gradient(self.saved["y"], grad_out, out)


@register_layer
class Identity(Activation):
    """``f(x) = x``; ``f'(x) = 1``."""

    def function(self, x, out):
        np.copyto(out, x)
        return out

    def gradient(self, y, grad_out, out):
        np.copyto(out, grad_out)
        return out


@register_layer
class Sigmoid(Activation):
    """``f(x) = 1 / (1 + exp(-x))``; from its output, ``f'(x) = y * (1 - y)``.

    Computed as ``exp(-log(1 + exp(-x)))`` (``np.logaddexp``), which never
    overflows and stays accurate for very negative ``x``.
    """

    def function(self, x, out):
        return sigmoid(x, out)

    def gradient(self, y, grad_out, out):
        np.subtract(1, y, out=out)  # 1 - y
        out *= y  # y * (1 - y), the seed's sigmoid_derivative
        out *= grad_out
        return out


@register_layer
class Tanh(Activation):
    """``f(x) = tanh(x)``; from its output, ``f'(x) = 1 - y**2``."""

    def function(self, x, out):
        return np.tanh(x, out=out)

    def gradient(self, y, grad_out, out):
        np.multiply(y, y, out=out)
        np.subtract(1, out, out=out)
        out *= grad_out
        return out


@register_layer
class ReLU(Activation):
    """``f(x) = max(x, 0)``; from its output, ``f'(x) = 1 if y > 0 else 0``."""

    def function(self, x, out):
        # Against one sample's zeros, broadcast over the batch, NumPy (2.x) runs
        # a vectorised loop; against the scalar 0 it is about twice as slow.
        zeros = self._constant("zeros", x.shape[1:], x.dtype, 0)
        return np.maximum(x, zeros, out=out)

    def gradient(self, y, grad_out, out):
        return relu_gradient(y, grad_out, out)  # dY * (y > 0), in one pass


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
        if not 0 <= alpha < 1:
            raise ValueError(f"LeakyReLU alpha must be in [0, 1), got {shown(alpha)}")
        self.alpha = float(alpha)

    def function(self, x, out):
        return np.maximum(x, self.alpha * x, out=out)  # 0 <= alpha < 1

    def gradient(self, y, grad_out, out):
        slope = np.where(y > 0, 1, self.alpha).astype(y.dtype, copy=False)
        return np.multiply(grad_out, slope, out=out)

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
        return softmax(x, out)

    def gradient(self, y, grad_out, out):
        np.multiply(grad_out, y, out=out)
        dot = out.sum(axis=1, keepdims=True)
        np.subtract(grad_out, dot, out=out)
        out *= y
        return out


ACTIVATIONS: dict[str, type[Activation]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
}


def get(name_or_layer: "str | Activation") -> Activation:
    """Return a new activation layer by name, or the given layer unchanged."""
    return resolve(name_or_layer, ACTIVATIONS, Activation, "activation")
