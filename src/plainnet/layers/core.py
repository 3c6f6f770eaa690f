"""The layer contract, and the layers that hold parameters.

A layer maps a batch ``X`` of shape ``(n_samples, n_in)`` to ``Y`` of shape
``(n_samples, n_out)``. ``forward`` caches exactly what ``backward`` needs;
``backward(dY)`` overwrites the layer's gradients (never accumulates) and returns
``dX``. Parameters and gradients live in ``params`` and ``grads`` under the same
keys; inside a :class:`~plainnet.Sequential` they are views into one flat buffer.
"""

import numbers
from typing import Any

import numpy as np

from .. import initializers
from .base import Layer
from .registry import register_layer


@register_layer
class Dense(Layer):
    """Fully connected layer: ``Y = X @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Number of input and output features. ``W`` has shape ``(n_in, n_out)``
        and ``b`` shape ``(n_out,)``.
    bias : bool, default True
        Whether the layer adds a bias ``b`` (the seed's neuron has none).
    init : str, default "glorot_uniform"
        Initializer of ``W``: ``"uniform"`` (the seed's ``2*U[0,1)-1``),
        ``"glorot_uniform"`` or ``"he_normal"``. Biases start at zero.

    Notes
    -----
    Backward, with ``G = dL/dY`` of shape ``(n_samples, n_out)``::

        dW = X.T @ G        db = G.sum(axis=0)        dX = G @ W.T

    Example
    -------
    >>> layer = Dense(3, 1, bias=False, init="uniform")
    """

    def __init__(
        self, n_in: int, n_out: int, bias: bool = True, init: str = "glorot_uniform"
    ) -> None:
        super().__init__()
        for name, value in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"Dense {name} must be a positive int, got {value!r}")
            if value < 1:
                raise ValueError(f"Dense {name} must be a positive int, got {value}")
        initializers.get(init)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.bias = bool(bias)
        self.init = init

    def output_size(self, n_in: int) -> int:
        return self.n_out

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {"W": (self.n_in, self.n_out)}
        if self.bias:
            shapes["b"] = (self.n_out,)
        return shapes

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        values = {"W": initializers.get(self.init)((self.n_in, self.n_out), rng)}
        if self.bias:
            values["b"] = np.zeros(self.n_out)
        return values

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        W = self.params["W"]
        if training:
            self._x = x
            y = np.matmul(
                x, W, out=self._buffer("y", (x.shape[0], self.n_out), W.dtype)
            )
        else:
            y = x @ W
        if self.bias:
            y += self.params["b"]
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        np.matmul(self._x.T, grad_out, out=self.grads["W"])
        if self.bias:
            np.sum(grad_out, axis=0, out=self.grads["b"])
        if not need_input_grad:
            return None
        W = self.params["W"]
        dx = self._buffer("dx", (grad_out.shape[0], self.n_in), W.dtype)
        return np.matmul(grad_out, W.T, out=dx)

    def get_config(self) -> dict[str, Any]:
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "bias": self.bias,
            "init": self.init,
        }


@register_layer
class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014): while training, each input is
    zeroed with probability ``rate`` and the others are scaled by ``1 / (1 - rate)``;
    at inference it is the identity.

    ``Y = X * M`` with ``M = (U >= rate) / (1 - rate)`` for ``U`` uniform in
    [0, 1), so the expected output equals the input and inference needs no
    rescaling. Backward: ``dX = dY * M``, with the mask of the last forward.

    Parameters
    ----------
    rate : float, default 0.5
        Probability of dropping each input, in [0, 1).

    Attributes
    ----------
    rng : numpy Generator or RandomState
        Source of the masks. A :class:`~plainnet.Sequential` hands its layers its
        own generator, so the network's seed fixes the masks as well.

    Example
    -------
    >>> net = Sequential([Dense(20, 64), ReLU(), Dropout(0.2), Dense(64, 3)], seed=0)
    """

    def __init__(self, rate: float = 0.5) -> None:
        super().__init__()
        if (
            isinstance(rate, bool)
            or not isinstance(rate, numbers.Real)
            or not (0 <= rate < 1)
        ):
            raise ValueError(f"Dropout rate must be a number in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.rng = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if not training:
            return x
        if self.rng is None:
            raise RuntimeError(
                "Dropout draws its masks from the network's generator: use it inside "
                "a Sequential, or set layer.rng = np.random.default_rng(seed)"
            )
        self._mask = self._buffer("mask", x.shape, x.dtype)
        np.greater_equal(self.rng.random(x.shape), self.rate, out=self._mask)
        self._mask *= 1 / (1 - self.rate)
        return np.multiply(x, self._mask, out=self._buffer("y", x.shape, x.dtype))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        dx = self._buffer("dx", grad_out.shape, grad_out.dtype)
        return np.multiply(grad_out, self._mask, out=dx)

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}
