"""Dense, Dropout and Flatten: the layers of a multilayer perceptron.

Every layer here follows the contract of :mod:`plainnet.layers.base`: batch-first
arrays, ``forward`` keeping only what ``backward`` needs (``save_for_backward``),
``backward(dY)`` overwriting the layer's gradients and returning ``dX``.
"""

import math
import numbers
from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import initializers
from .._messages import shown
from ..backend.layout import reordered
from .base import Layer, ShapeError, describe_shape
from .registry import register_layer


@register_layer
class Dense(Layer):
    """Fully connected layer: ``Y = X @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Number of input and output features. ``W`` has shape ``(n_in, n_out)``
        and ``b`` shape ``(n_out,)``. Given one number, ``Dense(10)``, it is
        ``n_out`` and ``n_in`` is learned from the layer before when the network
        is built.
    bias : bool, default True
        Whether the layer adds a bias ``b`` (the seed's neuron has none).
    init : str, default "glorot_uniform"
        Initializer of ``W``: ``"uniform"`` (the seed's ``2*U[0,1)-1``),
        ``"glorot_uniform"`` or ``"he_normal"``. Biases start at zero.

    Notes
    -----
    Input ``X`` of shape ``(n_samples, n_in)``, output of shape
    ``(n_samples, n_out)``. Given more axes, ``(n, ..., n_in)`` (a sequence's
    ``(n, steps, features)``), it applies to the last one, as PyTorch's
    ``Linear``: ``(n, ..., n_in)`` to ``(n, ..., n_out)``, every position with
    the same ``W`` (the rows of all positions go through one matrix product).
    Put ``Flatten()`` before it to flatten images instead. Backward, with
    ``G = dL/dY`` and ``X`` as rows of ``n_in``::

        dW = X.T @ G        db = 1^T G (column sums)        dX = G @ W.T

    Example
    -------
    >>> layer = Dense(3, 1, bias=False, init="uniform")
    >>> Sequential([Flatten(), Dense(64), ReLU(), Dense(10)], input_shape=(1, 8, 8))
    """

    def __init__(
        self,
        n_in: int | None = None,
        n_out: int | None = None,
        bias: bool = True,
        init: str = "glorot_uniform",
    ) -> None:
        super().__init__()
        if n_out is None:  # Dense(10): ten outputs, inputs learned when built
            n_in, n_out = None, n_in
        for name, value in (("n_in", n_in), ("n_out", n_out)):
            if value is None and name == "n_in":
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(
                    f"Dense {name} must be a positive int, got {shown(value)}"
                )
            if value < 1:
                raise ValueError(f"Dense {name} must be a positive int, got {value}")
        initializers.get(init)
        self.n_in = None if n_in is None else int(n_in)
        self.n_out = int(n_out)
        self.bias = bool(bias)
        self.init = init

    def declared_input_shape(self) -> tuple[int, ...] | None:
        return None if self.n_in is None else (self.n_in,)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) < 1:
            raise ShapeError("expects (n, features) or (n, ..., features)")
        if self.n_in is not None and input_shape[-1] != self.n_in:
            if len(input_shape) == 1:
                raise ShapeError(f"expects {self.n_in} inputs")
            raise ShapeError(
                f"expects {self.n_in} inputs on the last axis (put Flatten() "
                "before it to flatten images)"
            )
        return (*input_shape[:-1], self.n_out)

    @property
    def n_features(self) -> int:
        """The input width: ``n_in`` if given, else the one learned in ``build``."""
        if self.n_in is not None:
            return self.n_in
        if self.input_shape is None:
            raise ValueError(f"{self!r} is not built yet: its input width is unknown")
        return self.input_shape[-1]

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {"W": (self.n_features, self.n_out)}
        if self.bias:
            shapes["b"] = (self.n_out,)
        return shapes

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        values = {"W": initializers.get(self.init)((self.n_features, self.n_out), rng)}
        if self.bias:
            values["b"] = initializers.zeros((self.n_out,), rng)
        return values

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        ops, W = self.ops, self.params["W"]
        rows = x if x.ndim == 2 else ops.reshape(x, (-1, x.shape[-1]))
        if training:
            self.saved = {"x": x}  # save_for_backward's dict, without its call
            y = ops.dot(
                rows, W, out=self._buffer("y", (rows.shape[0], self.n_out), W.dtype)
            )
        else:
            y = ops.dot(rows, W)
        if self.bias:
            y += self.params["b"]
        return y if x.ndim == 2 else ops.reshape(y, (*x.shape[:-1], self.n_out))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        ops, x = self.ops, self.saved["x"]
        rows = x if x.ndim == 2 else ops.reshape(x, (-1, x.shape[-1]))
        grad = grad_out if x.ndim == 2 else ops.reshape(grad_out, (-1, self.n_out))
        ops.dot(rows.T, grad, out=self.grads["W"])
        if self.bias:  # db = 1^T G, the column sums, as one BLAS product
            ones = self._constant("ones", grad.shape[:1], grad.dtype, 1.0)
            ops.dot(ones, grad, out=self.grads["b"])
        if not need_input_grad:
            return None
        W = self.params["W"]
        dx = self._buffer("dx", (grad.shape[0], W.shape[0]), W.dtype)
        ops.dot(grad, W.T, out=dx)
        return dx if x.ndim == 2 else ops.reshape(dx, x.shape)

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
        Source of the masks (drawn on the host, so every device draws the same
        ones). A :class:`~plainnet.Sequential` hands its layers its own
        generator, so the network's seed fixes the masks as well.

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
            raise ValueError(
                f"Dropout rate must be a number in [0, 1), got {shown(rate)}"
            )
        self.rate = float(rate)
        self.rng = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if not training:
            return x
        mask = self._dropout_mask(x.shape, x.dtype, self.rate)
        self.save_for_backward(mask=mask)
        return self.ops.multiply(x, mask, out=self._buffer("y", x.shape, x.dtype))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        dx = self._buffer("dx", grad_out.shape, grad_out.dtype)
        return self.ops.multiply(grad_out, self.saved["mask"], out=dx)

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}


@register_layer
class Flatten(Layer):
    """Flatten each sample: ``(n, d1, d2, ...)`` to ``(n, d1 * d2 * ...)``, in C
    order (the last axis varies fastest, as PyTorch's and ONNX's ``Flatten``).

    Backward reshapes ``dY`` back to the input's shape. For a C-contiguous
    input both directions return views, and nothing is copied. An input
    whose memory is in another order (channels last, after a ``Conv1D``) is
    copied forward, and backward hands ``dX`` back in that order, so that
    the layers before keep their layout.

    Example
    -------
    >>> Sequential([Flatten(), Dense(10)], input_shape=(1, 8, 8))
    """

    gives_view = True

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (math.prod(input_shape),)

    def describe_output(self, input_shape: tuple[int, ...]) -> str:
        if len(input_shape) < 2:
            return describe_shape(self.output_shape(input_shape))
        factors = " x ".join(map(str, input_shape))
        return f"{math.prod(input_shape)} = {factors}"

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if training:
            self._input_order = reordered(x)  # None: C order
        return self.ops.reshape(x, (x.shape[0], -1))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        dx = self.ops.reshape(grad_out, (grad_out.shape[0], *self.input_shape))
        order = self.__dict__.get("_input_order")  # also None before training
        if order is None:
            return dx
        laid_out = self._buffer_in_order("dx", dx.shape, dx.dtype, order)
        self.ops.copyto(laid_out, dx)  # in the input's layout
        return laid_out
