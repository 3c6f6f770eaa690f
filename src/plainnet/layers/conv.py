"""Convolutions over sequences and images, as im2col and one matrix product.

Inputs are channels-first, ``(n, C, length)`` or ``(n, C, height, width)``, and
weights are laid out as PyTorch and ONNX lay them out, ``W`` of shape
``(out_channels, in_channels, *kernel)``, so weights copy across unchanged.

The trick, for a batch ``x`` (padded to ``xp``): copy every window of ``xp``
into the columns of one matrix ``X_col`` of shape ``(C * prod(kernel),
n * prod(out))`` (im2col); the convolution of the whole batch is then one
matrix product, and its gradients two more::

    Y_col  = W_mat @ X_col + b          W_mat = W.reshape(out_channels, -1)
    dW_mat = G_col @ X_col.T            db = G_col.sum(axis=1)
    dX_col = W_mat.T @ G_col            dX = col2im(dX_col)  (a scatter-add)

with ``G_col`` the output gradient laid out like ``Y_col``. ``X_col`` is the
one thing forward keeps for backward; it is as large as the batch times the
kernel, which is why training and prediction go in batches. The first two
products run over blocks of columns (``Y_col`` block by block, ``dW_mat`` as a
sum over blocks), which BLAS takes faster than one long product.
"""

import math
from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import initializers
from .._messages import shown
from . import _im2col
from .base import Layer, ShapeError
from .registry import register_layer

#: Columns (samples times output positions) per block of a convolution's
#: products. OpenBLAS took 2-4x as long for LeNet's first layer's products
#: (6 x 25 by 100,352 columns per batch of 128) in one call as in blocks of
#: this many, which stay in its caches.
BLOCK_COLUMNS = 4096


def column_blocks(columns: int) -> list[slice]:
    """Slices of at most :data:`BLOCK_COLUMNS` covering ``range(columns)``."""
    return [
        slice(start, min(start + BLOCK_COLUMNS, columns))
        for start in range(0, columns, BLOCK_COLUMNS)
    ]


class _Conv(Layer):
    """What Conv1D and Conv2D share; ``SPATIAL`` names the spatial axes."""

    SPATIAL: tuple[str, ...] = ()

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        bias: bool = True,
        init: str = "he_normal",
    ) -> None:
        super().__init__()
        name, d = type(self).__name__, len(self.SPATIAL)
        self.in_channels = _im2col.as_tuple(in_channels, 1, "in_channels", name)[0]
        self.out_channels = _im2col.as_tuple(out_channels, 1, "out_channels", name)[0]
        self._kernel = _im2col.as_tuple(kernel_size, d, "kernel_size", name)
        self._stride = _im2col.as_tuple(stride, d, "stride", name)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"{name} padding must be 'same', 'valid', or non-negative "
                    f"ints, got {shown(padding)}"
                )
            if padding == "same" and self._stride != (1,) * d:
                raise ValueError(
                    f"{name} padding='same' needs stride 1, got stride={shown(stride)}"
                )
            # 'same': k - 1 in all, the odd one out (even kernels) after
            halves = [0 if padding == "valid" else (k - 1) // 2 for k in self._kernel]
            self._padding = tuple(
                (h, 0 if padding == "valid" else k - 1 - h)
                for h, k in zip(halves, self._kernel, strict=True)
            )
        else:
            each = _im2col.as_tuple(padding, d, "padding", name, minimum=0)
            self._padding = tuple((p, p) for p in each)
        initializers.get(init)
        self.kernel_size = _im2col.as_config(kernel_size)
        self.stride = _im2col.as_config(stride)
        self.padding = _im2col.as_config(padding)
        self.bias = bool(bias)
        self.init = init

    # -- shapes ----------------------------------------------------------------
    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 1 + len(self.SPATIAL):
            raise ShapeError(f"expects (n, channels, {', '.join(self.SPATIAL)})")
        channels, *size = input_shape
        if channels != self.in_channels:
            plural = "" if self.in_channels == 1 else "s"
            raise ShapeError(f"expects {self.in_channels} channel{plural}")
        least = [
            k - b - a for k, (b, a) in zip(self._kernel, self._padding, strict=True)
        ]
        if any(s < m for s, m in zip(size, least, strict=True)):
            raise ShapeError(
                f"expects {' x '.join(self.SPATIAL)} of at least "
                f"{' x '.join(map(str, least))} (kernel_size={self.kernel_size!r}, "
                f"padding={self.padding!r})"
            )
        out = _im2col.out_size(tuple(size), self._kernel, self._stride, self._padding)
        return (self.out_channels, *out)

    # -- parameters ------------------------------------------------------------
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {"W": (self.out_channels, self.in_channels, *self._kernel)}
        if self.bias:
            shapes["b"] = (self.out_channels,)
        return shapes

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        shape = self.param_shapes()["W"]
        values = {"W": initializers.get(self.init)(shape, rng)}
        if self.bias:
            values["b"] = initializers.zeros((self.out_channels,))
        return values

    # -- the math ----------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        ops, W = self.ops, self.params["W"]
        new = self._buffer if training else self._fresh
        n, dtype = x.shape[0], W.dtype
        out_size = self.output_shape(x.shape[1:])[1:]
        columns = n * math.prod(out_size)
        if any(b or a for b, a in self._padding):
            padded = _im2col.padded_size(x.shape[2:], self._padding)
            xp = new("xp", (n, self.in_channels, *padded), dtype)
            x = _im2col.pad(x, self._padding, 0.0, xp)
        cols = new("cols", (self.in_channels, *self._kernel, n, *out_size), dtype)
        ops.im2col(x, self._kernel, self._stride, cols)
        y_col = new("y_col", (self.out_channels, columns), dtype)
        w_mat, x_col = (
            ops.reshape(W, (self.out_channels, -1)),
            ops.reshape(cols, (-1, columns)),
        )
        for part in column_blocks(columns):  # Y_col = W_mat @ X_col
            ops.matmul(w_mat, x_col[:, part], out=y_col[:, part])
        # (out_channels, n, P) -> (n, out_channels, P), adding the bias on the way
        y = new("y", (n, self.out_channels, *out_size), dtype)
        ops.swap_leading_axes(
            ops.reshape(y_col, (self.out_channels, n, -1)),
            ops.reshape(y, (n, self.out_channels, -1)),
            self.params["b"] if self.bias else None,
        )
        if training:
            self.save_for_backward(cols=cols)
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        ops, cols, W = self.ops, self.saved["cols"], self.params["W"]
        n, dtype = grad_out.shape[0], W.dtype
        columns = math.prod(grad_out.shape[2:]) * n
        g_col = self._buffer("g_col", (self.out_channels, columns), dtype)
        ops.swap_leading_axes(
            ops.reshape(grad_out, (n, self.out_channels, -1)),
            ops.reshape(g_col, (self.out_channels, n, -1)),
        )
        x_col = ops.reshape(cols, (-1, columns))
        dW = ops.reshape(self.grads["W"], (self.out_channels, -1))
        first, *rest = column_blocks(columns)  # dW_mat = G_col @ X_col.T
        ops.matmul(g_col[:, first], x_col[:, first].T, out=dW)
        for part in rest:
            term = self._buffer("dW_term", dW.shape, dtype)
            dW += ops.matmul(g_col[:, part], x_col[:, part].T, out=term)
        if self.bias:
            ops.sum(g_col, axis=1, out=self.grads["b"])
        if not need_input_grad:
            return None
        size = self.input_shape[1:]
        padded = _im2col.padded_size(size, self._padding)
        dxp = self._buffer("dxp", (n, self.in_channels, *padded), dtype)
        w_mat = ops.reshape(W, (self.out_channels, -1))
        if self._stride == (1,) * len(self.SPATIAL):
            self._col2im_stride1(w_mat, grad_out, dxp)
        else:
            dcols = self._buffer("dcols", cols.shape, dtype)
            ops.matmul(w_mat.T, g_col, out=ops.reshape(dcols, (-1, columns)))
            ops.col2im(dcols, self._stride, dxp)
        if padded == size:
            return dxp
        dx = self._buffer("dx", (n, *self.input_shape), dtype)
        ops.copyto(dx, dxp[_im2col.interior(size, self._padding)])
        return dx

    def _col2im_stride1(self, w_mat, grad_out: np.ndarray, dxp: np.ndarray) -> None:
        """``dX`` (padded) for stride 1, through "wide" columns: the output
        gradient is laid on the padded input's row pitch (zeros past the output
        width), so that ``dX_col = W_mat.T @ G_wide`` puts each kernel offset's
        terms at one fixed shift of the flattened input, and col2im becomes
        ``prod(kernel)`` adds of whole contiguous runs instead of short rows.
        The product grows by ``padded width / output width``; the adds, which
        dominate, get several times faster."""
        ops, n, dtype = self.ops, grad_out.shape[0], grad_out.dtype
        out_size = grad_out.shape[2:]
        wide = (*out_size[:1], *dxp.shape[3:])
        g_wide = self._buffer("g_wide", (self.out_channels, n, *wide), dtype)
        ops.swap_leading_axes(grad_out, g_wide)  # zeros past the output's width
        size = math.prod(g_wide.shape[1:])
        dcols = self._buffer("dcols_wide", (w_mat.shape[1], size), dtype)
        g_mat = ops.reshape(g_wide, (self.out_channels, -1))
        ops.matmul(w_mat.T, g_mat, out=dcols)
        cols = ops.reshape(dcols, (self.in_channels, *self._kernel, n, -1))
        ops.col2im_stride1(cols, out_size, dxp)

    def get_config(self) -> dict[str, Any]:
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "bias": self.bias,
            "init": self.init,
        }


@register_layer
class Conv1D(_Conv):
    """1-D convolution (cross-correlation, as in every deep-learning library)
    over sequences of shape ``(n, in_channels, length)``.

    ``Y[n, o, t] = b[o] + sum_{c, j} W[o, c, j] * Xp[n, c, t * stride + j]``
    where ``Xp`` is ``X`` zero-padded; the output length is
    ``(length + pad_before + pad_after - kernel_size) // stride + 1``.

    Forward copies the windows into ``X_col`` (im2col) and takes one product;
    backward takes ``dW`` from the same columns and adds ``dX_col`` back into
    the windows (col2im); see :mod:`plainnet.layers.conv`.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and of the output.
    kernel_size : int
    stride : int, default 1
    padding : int, "valid" or "same", default 0
        Zeros added at both ends of each spatial axis; "valid" is 0, and "same"
        (stride 1 only) keeps the size: ``k - 1`` zeros per axis, ``(k - 1) // 2``
        before and the rest after, so an even kernel gets its extra zero at the
        end (right), as PyTorch and Keras do.
    bias : bool, default True
        Whether the layer adds one bias per output channel.
    init : str, default "he_normal"
        Initializer of ``W`` (see :mod:`plainnet.initializers`); for a kernel
        the fan-in is ``in_channels * prod(kernel_size)``, so the default draws
        ``N(0, 2 / fan_in)``. Biases start at zero.

    Example
    -------
    >>> Sequential([Conv1D(1, 8, 5, stride=2), ReLU(), Flatten(), Dense(10)],
    ...            input_shape=(1, 40))
    """

    SPATIAL = ("length",)


@register_layer
class Conv2D(_Conv):
    """2-D convolution (cross-correlation) over images of shape
    ``(n, in_channels, height, width)``.

    ``Y[n, o, r, s] = b[o] + sum_{c,i,j} W[o, c, i, j] * Xp[n, c, r*sh+i, s*sw+j]``
    where ``Xp`` is ``X`` zero-padded and ``(sh, sw)`` the stride; each output
    size is ``(size + pad_before + pad_after - kernel) // stride + 1``.

    Forward copies the windows into ``X_col`` (im2col) and takes one product;
    backward takes ``dW`` from the same columns and adds ``dX_col`` back into
    the windows (col2im); see :mod:`plainnet.layers.conv`.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and of the output.
    kernel_size : int or (int, int)
    stride : int or (int, int), default 1
    padding : int or (int, int), "valid" or "same", default 0
        Zeros added at both ends of each spatial axis; "valid" is 0, and "same"
        (stride 1 only) keeps the size: ``k - 1`` zeros per axis, ``(k - 1) // 2``
        before and the rest after, so an even kernel gets its extra zero at the
        end (bottom and right), as PyTorch and Keras do.
    bias : bool, default True
        Whether the layer adds one bias per output channel.
    init : str, default "he_normal"
        Initializer of ``W`` (see :mod:`plainnet.initializers`); for a kernel
        the fan-in is ``in_channels * prod(kernel_size)``, so the default draws
        ``N(0, 2 / fan_in)``. Biases start at zero.

    Example
    -------
    >>> Sequential([Conv2D(1, 6, 5, padding=2), ReLU(), MaxPool2D(2), Flatten(),
    ...             Dense(10)], input_shape=(1, 28, 28))
    """

    SPATIAL = ("height", "width")
