"""A convolution as rows, channels last: how ``Conv1D`` computes.

Each output position's window is one row of ``X_rows``, ``(n * prod(out),
prod(kernel) * C)``, its entries in the order ``(*kernel, C)``; with the
input channels last, ``(n, *size, C)``, each kernel offset's ``C`` entries
lie side by side in memory, so copying a window is copying a few runs
(``ops.im2row``). The convolution is then a ``Dense`` layer applied to every
window, with ``W_rows`` ``(prod(kernel) * C, out_channels)``, ``W``'s
entries in the rows' order::

    Y_rows  = X_rows @ W_rows + b         (n * prod(out), out_channels)
    dW_rows = X_rows.T @ G_rows           db = sum of G_rows's rows
    dX_rows = G_rows @ W_rows.T           dX = row2im(dX_rows)

``Y_rows`` is the output channels last, ``(n, *out, out_channels)``; the
layer hands it on as a view of shape ``(n, out_channels, *out)``, no copy,
and takes its input and output gradient whatever their layout (another
channels-last layer's output costs no copy either). Element-wise layers keep
the layout (``BufferCache._buffer_like``); ``Flatten`` copies, since a
flattened sample is in the shape's order.

Against columns (a sample's windows side by side, ``(C * prod(kernel),
prod(out))``) this leaves out the transposed copies into and out of one
matrix, and a window is a few runs of ``C`` entries where the columns of a
sequence copy runs as short as its output (5 to 19 in ``cnn1d``, a network
of three layers of 25 channels in ``benchmarks/conv_epoch.py``): its epoch
took 28.6 ms against 32.4 on columns, then 25.4 with the rows' loops on one
thread for small batches (medians of 8 alternating processes each,
compiled loops).
"""

import math

import numpy as np  # in type hints only: layers compute through self.ops

from ..backend import windows


class RowsConvolution:
    """The rows path of a convolution layer (a mixin of
    :class:`plainnet.layers.conv._Conv`, whose ``AS_ROWS`` chooses it; it
    reads the layer's kernel, stride, padding, channels and buffers)."""

    def _rows_forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """``Y_rows = X_rows @ W_rows + b`` (see the module's docstring), into
        channels-last memory ``(n, *out, out_channels)``; returned as its
        ``(n, out_channels, *out)`` view."""
        ops, d, dtype = self.ops, len(self.SPATIAL), self.params["W"].dtype
        new = self._buffer if training else self._fresh
        n, out_size = x.shape[0], self._out_size(x.shape[1:])
        positions, width = math.prod(out_size), self._rows_width()
        blocks = self._forward_blocks(n, positions * width, dtype, training)
        memory = new("rows", (blocks[0][1] * positions * width,), dtype)
        y = new("y", (n, *out_size, self.out_channels), dtype)
        w_rows = self._w_rows(new)
        x_last = ops.transpose(x, windows.channels_last(d))
        for part, m in blocks:
            shape = (m, *out_size, *self._kernel, self.in_channels)
            rows = self._flat_as(memory, shape)
            ops.im2row(x_last[part, ...], self._kernel, self._stride, rows,
                       self._padding)  # fmt: skip
            y_rows = ops.reshape(y[part, ...], (m * positions, self.out_channels))
            ops.matmul(ops.reshape(rows, (m * positions, width)), w_rows, out=y_rows)
            if self.bias:
                y_rows += self.params["b"]
        if training:
            self.save_for_backward(rows=rows, w_rows=w_rows)
        return ops.transpose(y, windows.channels_first(d))

    def _rows_width(self) -> int:
        """Entries in a row of ``X_rows``: ``prod(kernel) * in_channels``."""
        return math.prod(self._kernel) * self.in_channels

    def _w_rows(self, new) -> np.ndarray:
        """``W_rows``, ``(prod(kernel) * C, out_channels)``: ``W`` ``(out, C,
        *kernel)`` transposed to ``(*kernel, C, out)``, copied (from ``new``)."""
        ops, W = self.ops, self.params["W"]
        w_rows = new("w_rows", (self._rows_width(), self.out_channels), W.dtype)
        ops.copyto(ops.reshape(w_rows, self._w_rows_shape()),
                   ops.transpose(W, self._w_rows_axes()))  # fmt: skip
        return w_rows

    def _w_rows_shape(self) -> tuple[int, ...]:
        """``W_rows`` as ``(*kernel, C, out_channels)``."""
        return (*self._kernel, self.in_channels, self.out_channels)

    def _w_rows_axes(self) -> tuple[int, ...]:
        """The axes that view ``W`` ``(out, C, *kernel)`` as ``(*kernel, C,
        out)``, the order of ``W_rows``'s entries."""
        return (*range(2, 2 + len(self._kernel)), 1, 0)

    def _rows_backward(self, grad_out: np.ndarray, need_input_grad: bool):
        """``db`` (the sum of ``G_rows``'s rows), ``dW_rows = X_rows.T @
        G_rows`` and ``dX_rows = G_rows @ W_rows.T``, added back by row2im
        into channels-last memory; ``dX`` is returned as its ``(n, C,
        *size)`` view."""
        ops, d, n = self.ops, len(self.SPATIAL), grad_out.shape[0]
        rows, w_rows = self.saved["rows"], self.saved["w_rows"]
        g_last = ops.transpose(grad_out, windows.channels_last(d))
        g_rows = ops.reshape(g_last, (-1, self.out_channels))  # a view, or a copy
        if self.bias:  # the sum of G_rows's rows (a row per sample and position)
            ops.channel_sum(g_rows, out=self.grads["b"])
        x_rows = ops.reshape(rows, (g_rows.shape[0], -1))
        self._rows_weight_gradient(x_rows, g_rows)
        if not need_input_grad:
            return None
        dtype, size = g_rows.dtype, self.input_shape[1:]
        dx = self._buffer("dx", (n, *size, self.in_channels), dtype)
        out_size, width = grad_out.shape[2:], w_rows.shape[0]
        positions = math.prod(out_size)
        blocks = self._backward_blocks(n, positions * width)
        memory = self._buffer("drows", (blocks[0][1] * positions * width,), dtype)
        for part, m in blocks:
            drows = self._flat_as(memory, (m * positions, width))
            g_part = g_rows[part.start * positions : part.stop * positions, ...]
            ops.matmul(g_part, w_rows.T, out=drows)
            shape = (m, *out_size, *self._kernel, self.in_channels)
            ops.row2im(ops.reshape(drows, shape), self._stride, dx[part, ...],
                       self._padding)  # fmt: skip
        return ops.transpose(dx, windows.channels_first(d))

    def _rows_weight_gradient(self, x_rows: np.ndarray, g_rows: np.ndarray) -> None:
        """``dW_rows = X_rows.T @ G_rows`` into ``grads["W"]`` (through a
        view in ``W_rows``'s order), or, where ``W_rows`` has fewer rows than
        columns, its transpose ``G_rows.T @ X_rows`` (the product with the
        longer side as rows, as in :meth:`_weight_gradient`)."""
        ops, dW = self.ops, self.grads["W"]
        width, dtype = x_rows.shape[1], g_rows.dtype
        if width >= self.out_channels:
            product = self._buffer("dW_rows", (width, self.out_channels), dtype)
            ops.matmul(x_rows.T, g_rows, out=product)
            target = ops.transpose(dW, self._w_rows_axes())
            ops.copyto(target, ops.reshape(product, self._w_rows_shape()))
            return
        product = self._buffer("dW_rows_t", (self.out_channels, width), dtype)
        ops.matmul(g_rows.T, x_rows, out=product)
        target = ops.transpose(dW, (0, *range(2, 2 + len(self._kernel)), 1))
        shape = (self.out_channels, *self._kernel, self.in_channels)
        ops.copyto(target, ops.reshape(product, shape))
