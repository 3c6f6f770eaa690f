"""Pooling: the max or the mean of each window, channel by channel.

Inputs are channels-first, ``(n, C, length)`` or ``(n, C, height, width)``.
A window of ``pool_size`` moves by ``stride`` (by default the pool size, so
windows tile the input); windows that would run past the (padded) input are
dropped, so each output size is ``(size + 2 * padding - pool) // stride + 1``,
as in PyTorch.

The windows themselves are the backend's (``ops.max_pool``, ``ops.avg_pool``
and their backward passes): on NumPy, one strided view of the whole batch per
offset inside a window (``x[:, :, i::stride, j::stride]``), never a loop over
output positions; with the compiled kernels, one loop over each (sample,
channel) plane, on every core.
"""

import math
from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from . import _im2col
from .base import Layer, ShapeError
from .registry import register_layer


class _Pool(Layer):
    """What every windowed pool shares: arguments and shapes."""

    SPATIAL: tuple[str, ...] = ()

    def __init__(self, pool_size, stride=None, padding=0) -> None:
        super().__init__()
        name, d = type(self).__name__, len(self.SPATIAL)
        self._pool = _im2col.as_tuple(pool_size, d, "pool_size", name)
        self._stride = (
            self._pool
            if stride is None
            else _im2col.as_tuple(stride, d, "stride", name)
        )
        pads = _im2col.as_tuple(padding, d, "padding", name, minimum=0)
        if any(2 * p > k for p, k in zip(pads, self._pool, strict=True)):
            raise ValueError(
                f"{name} padding must be at most half the pool size, got "
                f"padding={padding!r} for pool_size={pool_size!r}"
            )
        self._padding = tuple((p, p) for p in pads)
        self.pool_size = _im2col.as_config(pool_size)
        self.stride = None if stride is None else _im2col.as_config(stride)
        self.padding = _im2col.as_config(padding)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 1 + len(self.SPATIAL):
            raise ShapeError(f"expects (n, channels, {', '.join(self.SPATIAL)})")
        channels, *size = input_shape
        least = [k - b - a for k, (b, a) in zip(self._pool, self._padding, strict=True)]
        if any(s < m for s, m in zip(size, least, strict=True)):
            raise ShapeError(
                f"expects {' x '.join(self.SPATIAL)} of at least "
                f"{' x '.join(map(str, least))} (pool_size={self.pool_size!r}, "
                f"padding={self.padding!r})"
            )
        out = _im2col.out_size(tuple(size), self._pool, self._stride, self._padding)
        return (channels, *out)

    def _batch_output_shape(self, x: np.ndarray) -> tuple[int, ...]:
        """The output's shape for the batch ``x``, ``(n, C, *out_size)``."""
        return (x.shape[0], *self.output_shape(x.shape[1:]))

    def _padded(self, x: np.ndarray, value: float, new) -> np.ndarray:
        """``x`` itself, or padded with ``value`` into a buffer (``new``)."""
        if not any(b for b, _ in self._padding):
            return x
        shape = (*x.shape[:2], *_im2col.padded_size(x.shape[2:], self._padding))
        return _im2col.pad(x, self._padding, value, new("xp", shape, x.dtype))

    def _gradient_buffer(self, grad_out: np.ndarray) -> np.ndarray:
        """A buffer for the padded input's gradient, ``(n, C, *padded size)``."""
        padded = _im2col.padded_size(self.input_shape[1:], self._padding)
        return self._buffer("dxp", (*grad_out.shape[:2], *padded), grad_out.dtype)

    def _unpadded(self, dxp: np.ndarray) -> np.ndarray:
        """The input's gradient: ``dxp`` itself, or its interior in a buffer."""
        size = tuple(self.input_shape[1:])
        if dxp.shape[2:] == size:
            return dxp
        dx = self._buffer("dx", (dxp.shape[0], *self.input_shape), dxp.dtype)
        self.ops.copyto(dx, dxp[_im2col.interior(size, self._padding)])
        return dx

    def get_config(self) -> dict[str, Any]:
        return {
            "pool_size": self.pool_size,
            "stride": self.stride,
            "padding": self.padding,
        }


class _MaxPool(_Pool):
    """Max pooling over ``len(SPATIAL)`` axes; see MaxPool1D and MaxPool2D."""

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        new = self._buffer if training else self._fresh
        xp = self._padded(x, -math.inf, new)
        y = new("y", self._batch_output_shape(x), x.dtype)
        if not training:
            return self.ops.max_pool(xp, self._pool, self._stride, y)
        # the offset of each window's first maximum: all backward needs
        kind = "uint8" if math.prod(self._pool) <= 256 else "int32"
        argmax = self._buffer("argmax", y.shape, kind)
        self.ops.max_pool(xp, self._pool, self._stride, y, argmax)
        self.save_for_backward(argmax=argmax)
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        dxp, argmax = self._gradient_buffer(grad_out), self.saved["argmax"]
        self.ops.max_pool_backward(grad_out, argmax, self._pool, self._stride, dxp)
        return self._unpadded(dxp)


class _AvgPool(_Pool):
    """Average pooling over ``len(SPATIAL)`` axes; see AvgPool1D and AvgPool2D."""

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        new = self._buffer if training else self._fresh
        xp = self._padded(x, 0.0, new)
        y = new("y", self._batch_output_shape(x), x.dtype)
        return self.ops.avg_pool(xp, self._pool, self._stride, y)

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        dxp = self._gradient_buffer(grad_out)
        self.ops.avg_pool_backward(grad_out, self._pool, self._stride, dxp)
        return self._unpadded(dxp)


@register_layer
class MaxPool1D(_MaxPool):
    """1-D max pooling of ``(n, C, length)``: ``Y[n, c, t] = max_j Xp[n, c,
    t * stride + j]`` for ``0 <= j < pool_size``, ``Xp`` padded with ``-inf``.

    Backward routes each output's gradient to the input that was the window's
    maximum (the first one on a tie, as PyTorch does); forward keeps only that
    offset per output (``argmax``, one byte each for pools up to 256).

    Parameters
    ----------
    pool_size : int
    stride : int, default pool_size
    padding : int, default 0
        ``-inf`` entries at both ends, at most half the pool size.

    Example
    -------
    >>> MaxPool1D(2)   # (n, C, 40) -> (n, C, 20)
    """

    SPATIAL = ("length",)


@register_layer
class MaxPool2D(_MaxPool):
    """2-D max pooling of ``(n, C, height, width)``:
    ``Y[n, c, r, s] = max_{i, j} Xp[n, c, r*sh + i, s*sw + j]`` over the
    ``pool_size`` window, ``Xp`` padded with ``-inf``.

    Backward routes each output's gradient to the input that was the window's
    maximum (the first in row-major order on a tie, as PyTorch does); forward
    keeps only that offset per output (``argmax``, one byte each for pools up
    to 16 x 16).

    Parameters
    ----------
    pool_size : int or (int, int)
    stride : int or (int, int), default pool_size
    padding : int or (int, int), default 0
        ``-inf`` rows and columns on every side, at most half the pool size.

    Example
    -------
    >>> MaxPool2D(2)   # (n, C, 28, 28) -> (n, C, 14, 14)
    """

    SPATIAL = ("height", "width")


@register_layer
class AvgPool1D(_AvgPool):
    """1-D average pooling of ``(n, C, length)``: ``Y[n, c, t] = mean_j
    Xp[n, c, t * stride + j]`` over ``0 <= j < pool_size``, ``Xp`` zero-padded
    (padding counts in the mean, PyTorch's default). Backward gives each input
    of a window ``dY / pool_size``; nothing is kept.

    Parameters
    ----------
    pool_size : int
    stride : int, default pool_size
    padding : int, default 0
        Zeros at both ends, at most half the pool size.

    Example
    -------
    >>> AvgPool1D(2)   # (n, C, 40) -> (n, C, 20)
    """

    SPATIAL = ("length",)


@register_layer
class AvgPool2D(_AvgPool):
    """2-D average pooling of ``(n, C, height, width)``: the mean of each
    ``pool_size`` window of ``Xp``, ``X`` zero-padded (padding counts in the
    mean, PyTorch's default). Backward gives each input of a window
    ``dY / (ph * pw)``; nothing is kept.

    Parameters
    ----------
    pool_size : int or (int, int)
    stride : int or (int, int), default pool_size
    padding : int or (int, int), default 0
        Zero rows and columns on every side, at most half the pool size.

    Example
    -------
    >>> AvgPool2D(2)   # (n, C, 28, 28) -> (n, C, 14, 14)
    """

    SPATIAL = ("height", "width")


@register_layer
class GlobalAvgPool(Layer):
    """The mean over every spatial axis: ``(n, C, *spatial)`` to ``(n, C)``.

    ``Y[n, c] = mean(X[n, c, ...])``; backward spreads ``dY[n, c] / P`` over
    the ``P`` positions of each channel. Nothing is kept.

    Example
    -------
    >>> Sequential([Conv2D(1, 8, 3), ReLU(), GlobalAvgPool(), Dense(10)],
    ...            input_shape=(1, 28, 28))
    """

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) < 2:
            raise ShapeError("expects (n, channels, *spatial axes)")
        return (input_shape[0],)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        ops = self.ops
        rows = ops.reshape(x, (*x.shape[:2], -1))
        if not training:
            return ops.mean(rows, axis=2)
        return ops.mean(rows, axis=2, out=self._buffer("y", x.shape[:2], x.dtype))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        ops, (n, channels) = self.ops, grad_out.shape
        dx = self._buffer("dx", (n, *self.input_shape), grad_out.dtype)
        positions = math.prod(self.input_shape[1:])
        rows = ops.reshape(dx, (n, channels, -1))  # a view: writes land in dx
        ops.multiply(grad_out[:, :, None], 1 / positions, out=rows)
        return dx
