"""Convolutions over sequences and images, as im2col and matrix products.

Inputs are channels-first, ``(n, C, length)`` or ``(n, C, height, width)``, and
weights are laid out as PyTorch and ONNX lay them out, ``W`` of shape
``(out_channels, in_channels, *kernel)``, so weights copy across unchanged.

``Conv2D`` computes with columns, below; ``Conv1D`` with rows, channels last
(:mod:`plainnet.layers._conv_rows`: each window one row, the layer a
``Dense`` layer applied to every window), which the class attribute
``AS_ROWS`` chooses. Either works for either; the tests run both on both.

The trick, for a batch ``x`` (padded to ``xp``): copy every window of each
sample into the columns of a matrix ``X_col[s]`` of shape ``(C * prod(kernel),
prod(out))`` (im2col); the convolution of sample ``s`` is then one matrix
product, and its gradients two more::

    Y[s]   = W_mat @ X_col[s] + b       W_mat = W.reshape(out_channels, -1)
    dW_mat = sum_s G[s] @ X_col[s].T    db = sum of G over samples and positions
    dX_col[s] = W_mat.T @ G[s]          dX = col2im(dX_col)  (a scatter-add)

with ``G[s]`` sample ``s``'s output gradient, ``(out_channels, prod(out))``.
One ``matmul`` call takes every sample's product, and ``Y[s]`` lands in the
output's own layout, ``(n, out_channels, *out)``, with no reshuffle.

Where ``X_col`` has many rows and each sample few output positions (at least
:data:`ONE_MATRIX_ROWS`, at most :data:`ONE_MATRIX_POSITIONS`), a product per
sample is too small for BLAS to run at its speed, and the columns of the whole
batch are instead one matrix, the samples side by side, ``(C * prod(kernel), n
* prod(out))``; each of the three products is then one large product (on both
cores, at up to twice the speed of the products per sample)::

    Y_mat  = W_mat @ X_col              (out_channels, n * prod(out))
    dW_mat = G_mat @ X_col.T            dX_col = W_mat.T @ G_mat

at the cost of two transposed copies: ``Y_mat`` into the output's layout (as
the bias is added) and the output gradient into ``G_mat``. So are the columns
of layers whose per-sample products are tiny (:data:`ONE_MATRIX_PRODUCT`),
where a BLAS call per sample costs more than its work. With few rows, the
one product's weight gradient, a long sum into a small matrix, runs slower
than the per-sample products and their sum; with many positions, the
per-sample products run well on one thread, where the one product needs both
cores and slows down whenever the machine is busy.

``X_col`` (or ``X_rows``) is the one thing forward keeps for backward; it is
as large as the batch times the kernel, which is why training goes in
batches, and prediction makes the columns of a few samples at a time
(:data:`PREDICT_BYTES`), each block multiplied while it is still in the
cache.
"""

import math
from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import initializers
from .._messages import shown
from ..backend import stacks
from . import _im2col
from ._conv_rows import RowsConvolution
from .base import Layer, ShapeError
from .registry import register_layer

#: Entries of ``dX_col`` computed at a time in backward: a block of samples
#: at once, added back (col2im) while it is still in the cache, instead of
#: the whole batch's (10 MB for LeNet's second layer at batch 128).
BLOCK_ENTRIES = 2**19

#: The batch's columns are one matrix where ``X_col`` has at least this many
#: rows (``in_channels * prod(kernel_size)``) and each sample at most
#: ``ONE_MATRIX_POSITIONS`` output positions: 1-D layers of 25 channels under
#: a kernel of 3 (75 rows, 10 positions) are; a first layer over one or three
#: channels (25 or 27 rows) is not, nor LeNet-5's second layer (150 rows, 100
#: positions), whose per-sample products are large enough to run on one
#: thread at BLAS's speed
ONE_MATRIX_ROWS = 64
ONE_MATRIX_POSITIONS = 64

#: The batch's columns are one matrix, too, where a sample's product takes
#: fewer multiply-adds than this (``out_channels * rows * positions``): NumPy
#: makes one BLAS call per sample, which then costs more than its work (a
#: first layer over one channel, a kernel of 5 and 19 positions, 2,375: its
#: forward and backward 169 -> 141 us at batch 128; a 3 x 3 kernel over one
#: channel of 8 x 8, 4,608, stays per sample: 165 against 182 us)
ONE_MATRIX_PRODUCT = 4096

#: Bytes of columns made at a time when predicting: the columns of a block of
#: samples, multiplied while they are still in the cache (the columns of
#: 2,048 images of 28 x 28 under a 5 x 5 kernel would take 160 MB)
PREDICT_BYTES = 2**22


def _blocks(n: int, size: int) -> list[tuple[slice, int]]:
    """``(samples, count)`` blocks of ``size`` samples covering ``range(n)``."""
    return [
        (slice(start, min(start + size, n)), min(size, n - start))
        for start in range(0, n, size)
    ]


class _Conv(RowsConvolution, Layer):
    """What Conv1D and Conv2D share; ``SPATIAL`` names the spatial axes."""

    SPATIAL: tuple[str, ...] = ()
    #: Whether the layer computes with rows, channels last (see the module's
    #: docstring), rather than columns
    AS_ROWS = False

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

    def _out_size(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The output's spatial size for samples of ``input_shape``, checked
        by :meth:`output_shape` once per shape (forward asks every batch)."""
        sizes = self.__dict__.setdefault("_out_sizes", {})
        if input_shape not in sizes:
            sizes[input_shape] = self.output_shape(input_shape)[1:]
        return sizes[input_shape]

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
    def _as_one_matrix(self, out_size: tuple[int, ...]) -> bool:
        """Whether the batch's columns are one matrix (see the module's
        docstring): when ``X_col`` has at least :data:`ONE_MATRIX_ROWS` rows
        and each sample at most :data:`ONE_MATRIX_POSITIONS` output
        positions, or a sample's product is below :data:`ONE_MATRIX_PRODUCT`."""
        if self._sample_product(out_size) < ONE_MATRIX_PRODUCT:
            return True
        rows = self.in_channels * math.prod(self._kernel)
        return rows >= ONE_MATRIX_ROWS and math.prod(out_size) <= ONE_MATRIX_POSITIONS

    def _sample_product(self, out_size: tuple[int, ...]) -> int:
        """Multiply-adds of one sample's product, ``W_mat @ X_col[s]``:
        ``out_channels * C * prod(kernel) * prod(out)``."""
        window = self.in_channels * math.prod(self._kernel)
        return self.out_channels * window * math.prod(out_size)

    def stacks_products(self, input_shape: tuple[int, ...]) -> bool:
        """Whether, for samples of ``input_shape``, the products are a stack
        of per-sample products each too small for BLAS to thread
        (``stacks.SPLIT_WORK``), which the backend shares among threads
        itself (``ops.stacked_matmul``)."""
        out_size = self.output_shape(input_shape)[1:]
        if self.AS_ROWS or self._as_one_matrix(out_size):
            return False
        return self._sample_product(out_size) < stacks.SPLIT_WORK

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if self.AS_ROWS:
            return self._rows_forward(x, training)
        ops, W = self.ops, self.params["W"]
        new = self._buffer if training else self._fresh
        n, dtype = x.shape[0], W.dtype
        out_size = self._out_size(x.shape[1:])
        self._one_matrix = self._as_one_matrix(out_size)  # the layout, for backward
        window = math.prod((self.in_channels, *self._kernel, *out_size))
        blocks = self._forward_blocks(n, window, dtype, training)
        cols_memory = new("cols", (blocks[0][1] * window,), dtype)
        y = new("y", (n, self.out_channels, *out_size), dtype)
        for part, m in blocks:
            cols = self._flat_as(cols_memory, self._cols_shape(m, out_size))
            ops.im2col(
                x[part, ...], self._kernel, self._stride, cols, self._one_matrix,
                self._padding,
            )  # fmt: skip
            self._product(cols, y[part, ...], new)
        if training:
            self.save_for_backward(cols=cols)
        return y

    def _forward_blocks(self, n: int, window: int, dtype, training: bool):
        """``(samples, count)`` blocks whose windows forward copies at a time,
        ``window`` entries a sample: the whole batch in training (backward
        needs every one), else as many samples as fit in
        :data:`PREDICT_BYTES`."""
        if training:
            return [(slice(0, n), n)]
        sample_bytes = window * self.ops.host_dtype(dtype).itemsize
        return _blocks(n, max(1, min(n, PREDICT_BYTES // sample_bytes)))

    def _backward_blocks(self, n: int, window: int):
        """``(samples, count)`` blocks of about :data:`BLOCK_ENTRIES` entries
        (``window`` a sample) whose input gradient is taken at a time."""
        return _blocks(n, max(1, min(n, BLOCK_ENTRIES // window)))

    def _product(self, cols: np.ndarray, y: np.ndarray, new) -> None:
        """``Y[s] = W_mat @ X_col[s] + b`` into ``y`` ``(m, out_channels,
        *out)``: one product per sample, landing in ``y``'s layout, or one
        product for them all, transposed into ``y`` as the bias is added."""
        ops, m, channels = self.ops, y.shape[0], self.out_channels
        y_rows = ops.reshape(y, (m, channels, -1))  # a view
        b = self.params["b"] if self.bias else None
        if not self._one_matrix:
            ops.stacked_matmul(self._w_mat(), self._x_col(cols), y_rows)  # every Y[s]
            if b is not None:
                y_rows += ops.reshape(b, (channels, 1))
            return
        y_mat = ops.reshape(new("y_mat", (y.size,), y.dtype), (channels, -1))
        ops.matmul(self._w_mat(), self._x_col(cols), out=y_mat)  # (out, m * out)
        ops.transpose_batch(ops.reshape(y_mat, (channels, m, -1)), y_rows, b)

    def _cols_shape(self, m: int, out_size: tuple[int, ...]) -> tuple[int, ...]:
        """The columns of ``m`` samples: ``(m, C, *kernel, *out)``, or
        ``(C, *kernel, m, *out)`` as one matrix."""
        if self._one_matrix:
            return (self.in_channels, *self._kernel, m, *out_size)
        return (m, self.in_channels, *self._kernel, *out_size)

    def _flat_as(self, memory: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """The first entries of the flat buffer ``memory`` as ``shape`` (a
        view): a smaller batch's arrays in the same memory, whatever their
        first axis."""
        return self.ops.reshape(memory[: math.prod(shape)], shape)

    def _w_mat(self) -> np.ndarray:
        """``W_mat``, ``(out_channels, C * prod(kernel))``: a view of ``W``."""
        return self.ops.reshape(self.params["W"], (self.out_channels, -1))

    def _x_col(self, cols: np.ndarray) -> np.ndarray:
        """``X_col`` of ``cols`` (a view): ``(n, C * prod(kernel), prod(out))``
        from ``(n, C, *kernel, *out)``, or, as one matrix, ``(C *
        prod(kernel), n * prod(out))`` from ``(C, *kernel, n, *out)``."""
        rows = self.in_channels * math.prod(self._kernel)
        if self._one_matrix:
            return self.ops.reshape(cols, (rows, -1))
        return self.ops.reshape(cols, (cols.shape[0], rows, -1))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if self.AS_ROWS:
            return self._rows_backward(grad_out, need_input_grad)
        ops, cols = self.ops, self.saved["cols"]
        n, dtype = grad_out.shape[0], grad_out.dtype
        g = ops.reshape(grad_out, (n, self.out_channels, -1))  # every G[s]
        if self._one_matrix:  # G_mat, (out_channels, n * prod(out))
            g_memory = self._buffer("g_mat", (grad_out.size,), dtype)
            g_mat = ops.reshape(g_memory, (self.out_channels, -1))
            ops.transpose_batch(g, ops.reshape(g_mat, (self.out_channels, n, -1)))
            g = g_mat
        if self.bias:  # over samples and positions: G_mat's rows are channels
            rows = ops.reshape(g, (-1, self.out_channels, g.shape[-1]))
            ops.channel_sum(rows, out=self.grads["b"])
        self._weight_gradient(g, self._x_col(cols))
        if not need_input_grad:
            return None
        dx = self._buffer("dx", (n, *self.input_shape), dtype)
        if self._stride == (1,) * len(self.SPATIAL) and ops.wide_col2im_pays:
            self._input_gradient_stride1(grad_out, dx)
        else:
            self._input_gradient(g, grad_out.shape[2:], dx)
        return dx

    def _weight_gradient(self, g: np.ndarray, x_col: np.ndarray) -> None:
        """``dW_mat = sum_s G[s] @ X_col[s].T`` (or, as one matrix, ``G_mat @
        X_col.T``) into ``grads["W"]``, each product taken with the longer side
        of ``dW_mat`` as its rows (OpenBLAS takes a (150, 16) result about
        twice as fast as a (16, 150) one): as written when ``W_mat`` has at
        least as many rows as columns, else transposed, ``X_col @ G.T``, and
        copied back."""
        ops, dtype = self.ops, g.dtype
        rows, per_sample = x_col.shape[-2], g.ndim == 3
        dW = ops.reshape(self.grads["W"], (self.out_channels, rows))
        if self.out_channels >= rows:  # G @ X_col.T
            if not per_sample:
                ops.matmul(g, ops.swapaxes(x_col, -1, -2), out=dW)
                return
            terms = self._buffer("dW_terms", (g.shape[0], *dW.shape), dtype)
            ops.stacked_matmul(g, ops.swapaxes(x_col, -1, -2), terms)
            ops.sum(terms, axis=0, out=dW)
            return
        dW_t = self._buffer("dW_t", (rows, self.out_channels), dtype)  # X_col @ G.T
        if per_sample:
            terms = self._buffer("dW_terms", (g.shape[0], *dW_t.shape), dtype)
            ops.stacked_matmul(x_col, ops.swapaxes(g, 1, 2), terms)
            ops.sum(terms, axis=0, out=dW_t)
        else:
            ops.matmul(x_col, ops.swapaxes(g, 0, 1), out=dW_t)
        ops.copyto(dW, ops.swapaxes(dW_t, 0, 1))

    def _input_gradient(self, g: np.ndarray, out_size, dx: np.ndarray) -> None:
        """``dX`` into ``dx``: ``dX_col[s] = W_mat.T @ G[s]`` (or ``W_mat.T @
        G_mat`` as one matrix), then col2im (which drops what falls in the
        padding), a block of samples at a time."""
        ops, w_mat = self.ops, self._w_mat()
        positions = math.prod(out_size)
        window = math.prod((self.in_channels, *self._kernel)) * positions
        blocks = self._backward_blocks(dx.shape[0], window)
        memory = self._buffer("dcols", (blocks[0][1] * window,), g.dtype)
        for part, m in blocks:
            dcols = self._flat_as(memory, self._cols_shape(m, out_size))
            g_part = self._samples_of(g, part, positions)
            ops.stacked_matmul(w_mat.T, g_part, self._x_col(dcols))
            ops.col2im(
                dcols, self._stride, dx[part, ...], self._one_matrix, self._padding
            )

    def _samples_of(self, g: np.ndarray, part: slice, positions: int) -> np.ndarray:
        """Samples ``part`` of the output gradient ``g`` (a view): the rows
        ``G[s]`` of ``(n, out_channels, positions)``, or, as one matrix, the
        columns of ``G_mat`` ``(out_channels, n * positions)``."""
        if self._one_matrix:
            return g[:, part.start * positions : part.stop * positions]
        return g[part, ...]

    def _input_gradient_stride1(self, grad_out: np.ndarray, dx: np.ndarray):
        """``dX`` into ``dx`` for stride 1, through "wide" columns:
        the output gradient is laid on the padded input's row pitch (zeros past
        the output width), so that ``dX_col[s] = W_mat.T @ G_wide[s]`` puts
        each kernel offset's terms at one fixed shift of the flattened input,
        and col2im becomes ``prod(kernel)`` adds of whole contiguous runs
        instead of short rows. The product grows by ``padded width / output
        width``; the adds, which dominate on NumPy, get several times faster
        (the compiled col2im adds short rows as fast, so the backend says
        whether this pays: ``ops.wide_col2im_pays``). The runs need the
        padded input's layout: a padded layer's ``dX`` is made padded, in
        a buffer whose interior is then copied into ``dx``."""
        ops, n, dtype = self.ops, grad_out.shape[0], grad_out.dtype
        channels, out_size = self.out_channels, grad_out.shape[2:]
        size = self.input_shape[1:]
        padded = _im2col.padded_size(size, self._padding)
        dxp = dx
        if padded != size:
            dxp = self._buffer("dxp", (n, self.in_channels, *padded), dtype)
        wide = (*out_size[:1], *dxp.shape[3:])
        length = math.prod(wide)
        memory = self._buffer("g_wide", (n * channels * length,), dtype)
        if self._one_matrix:  # G_wide as one matrix, (out_channels, n, *wide)
            g_wide = self._flat_as(memory, (channels, n, *wide))
            grad_out = ops.swapaxes(grad_out, 0, 1)
        else:
            g_wide = self._flat_as(memory, (n, channels, *wide))
        if wide != out_size:
            g_wide[..., out_size[-1] :] = 0.0
        ops.copyto(g_wide[..., : out_size[-1]], grad_out)
        rows = (channels, -1) if self._one_matrix else (n, channels, -1)
        g_wide = ops.reshape(memory, rows)
        w_mat = self._w_mat()
        window = w_mat.shape[1] * length
        blocks = self._backward_blocks(n, window)
        memory = self._buffer("dcols_wide", (blocks[0][1] * window,), dtype)
        for part, m in blocks:
            dcols = self._flat_as(memory, self._cols_shape(m, (length,)))
            g_part = self._samples_of(g_wide, part, length)
            ops.stacked_matmul(w_mat.T, g_part, self._x_col(dcols))
            ops.col2im_stride1(dcols, out_size, dxp[part, ...], self._one_matrix)
        if dxp is not dx:
            ops.copyto(dx, dxp[_im2col.interior(size, self._padding)])

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

    Forward copies each window into a row of ``X_rows``, channels last
    (im2row), and takes one product, ``X_rows @ W_rows + b``, as a ``Dense``
    layer over every window; backward takes ``dW`` from the same rows and adds
    ``dX_rows`` back into the windows (row2im); see
    :mod:`plainnet.layers._conv_rows`. The output and the input's gradient
    are channels-last memory seen in the channels-first shape.

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
    AS_ROWS = True


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
