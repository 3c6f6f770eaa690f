"""The NumPy backend's sliding windows: im2col, col2im, im2row, row2im, the
batch's transpose and pooling, as compiled loops where numba is installed
(:mod:`plainnet.backend.kernels`), each entry point checking the shapes
first (the loops check no bounds), else as NumPy's strided copies and
passes, shared among threads by samples over large batches.
"""

import functools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import stacks
from .kernels import KERNELS
from .windows import offset_view, offsets, samples_first

#: Entries from which a pass of the NumPy path over a batch (im2col's copy,
#: max-pooling each way) is shared among threads by samples: a handoff costs
#: 40-60 us (:mod:`plainnet.backend.stacks`); LeNet-5's first layer's
#: columns are 2.5 million, its pool's input 602,112
SHARED_PASS = 2**18


#: Entries of rows from which the compiled im2row and row2im share the samples
#: among the cores: below, waking the other threads (10-15 us in training)
#: costs more than the half of the copy it saves (128 sequences of 19 x 25
#: as rows of a kernel of 3: 96,000 entries, 13 us on one thread, 10 on two)
PARALLEL_ROWS = 2**17


@functools.lru_cache(maxsize=256)
def _rows_fit(x_shape, rows_shape, kernel, stride, padding) -> int | bool:
    """The padding before a sequence ``(n, L, C)`` whose rows ``(n, out, k,
    C)`` the compiled loops can take (their shapes checked, since the loops
    check no bounds), or False (an image's, or shapes that do not fit)."""
    if len(kernel) != 1 or len(x_shape) != 3 or len(rows_shape) != 4:
        return False
    if rows_shape[0] != x_shape[0] or rows_shape[2:] != (*kernel, x_shape[2]):
        return False
    before, after = padding[0] if padding else (0, 0)
    size = (x_shape[1] + before + after,)
    if not _windows_fit(size, kernel, stride, rows_shape[1:2]):
        return False
    return before


def _hashable(padding):
    """``padding`` as a tuple of pairs (or None), a key for :func:`_rows_fit`."""
    return padding and tuple(tuple(pair) for pair in padding)


def _rows_loop(name: str, rows):
    """Kernel ``name``'s loop for ``rows``: on every core, or on this thread
    below :data:`PARALLEL_ROWS` entries."""
    kernel = KERNELS[name]
    return kernel.compiled if rows.size >= PARALLEL_ROWS else kernel.serial


class CompiledWindows:
    """The window operations of :class:`plainnet.backend.numpy_backend.
    NumpyBackend` (a mixin before the contract, whose generic forms
    ``super()`` reaches); ``self.kernels`` says which twin runs."""

    @property
    def wide_col2im_pays(self) -> bool:
        """Not with the compiled loops: col2im adds each short row as fast as a
        long run, so the wider product would cost more than it saves."""
        return self.kernels == "numpy"

    # -- sliding windows: compiled loops for 1-D and 2-D, checked shapes first ------
    def _threads_for(self, batch) -> int:
        """Threads a NumPy pass over ``batch`` is shared among (one below
        :data:`SHARED_PASS` entries)."""
        return self._stack_threads if batch.size >= SHARED_PASS else 1

    def _compiled(self, *arrays) -> bool:
        """Whether a compiled loop runs on ``arrays``: chosen, and one dtype."""
        return self.kernels == "numba" and len({a.dtype for a in arrays}) == 1

    def transpose_batch(self, a, out, bias=None):
        """The compiled loop for ``(C, n, P)`` arrays of one dtype into a
        C-contiguous ``out``; else NumPy's copy through a strided view."""
        if (
            self._compiled(a, out, *(() if bias is None else (bias,)))
            and a.ndim == 3
            and out.shape == (a.shape[1], a.shape[0], a.shape[2])
            and out.flags.c_contiguous
            and (bias is None or bias.shape == (a.shape[0],))
        ):
            KERNELS["transpose_batch"].compiled(bias is not None, a, bias, out)
            return out
        return super().transpose_batch(a, out, bias)

    def im2col(self, x, kernel, stride, out, one_matrix=False, padding=None):
        """The compiled loop: for images, for sequences into one matrix, and
        padded sequences (a sequence's own columns are too short for the loop
        to beat NumPy's one copy); else one copy from a strided view of every
        window (no loop), padded first into a temporary (25 copies of a
        5 x 5 kernel's offsets took 1.5x as long as the padding and the one
        copy)."""
        d, padding = len(kernel), _padding(padding)
        cols = out.transpose(samples_first(d, out.ndim)) if one_matrix else out
        if (
            self._compiled(x, out)
            and (d == 2 or one_matrix or padding)
            and cols.shape[: 2 + d] == (*x.shape[:2], *kernel)
            and _windows_fit(_padded(x, padding), kernel, stride, cols.shape[2 + d :])
        ):
            KERNELS["im2col"].compiled(
                *_pair(stride), one_matrix, padding is not None, _planar(x),
                _planar_cols(out, one_matrix), *_befores(padding, d),
            )  # fmt: skip
            return out
        if padding:
            padded = np.zeros((*x.shape[:2], *_padded(x, padding)), x.dtype)
            padded[_interior(x, padding)] = x
            x = padded
        view = _windows(x, kernel, stride).transpose(_cols_order(d))

        def part(rows):
            np.copyto(cols[rows], view[rows])

        stacks.by_samples(part, len(x), self._threads_for(cols))
        return out

    def col2im(self, cols, stride, out, one_matrix=False, padding=None):
        """Where windows do not overlap and nothing is padded, one copy into
        a writeable view of the windows; else one strided add per kernel
        offset; or the compiled loop."""
        d, padding = out.ndim - 2, _padding(padding)
        planes = _planar_cols(cols, one_matrix)
        if one_matrix:
            cols = cols.transpose(samples_first(d, cols.ndim))
        kernel, outs = cols.shape[2 : 2 + d], cols.shape[2 + d :]
        padded = _padded(out, padding)
        overlap = any(s < k for s, k in zip(stride, kernel, strict=True))
        covered = not overlap and all(
            s == k and m * s == size
            for s, k, m, size in zip(stride, kernel, outs, padded, strict=True)
        )
        if (
            self._compiled(cols, out)
            and cols.shape[: 2 + d] == (*out.shape[:2], *kernel)
            and _windows_fit(padded, kernel, stride, outs)
        ):
            KERNELS["col2im"].compiled(
                *_pair(stride), not covered, overlap, one_matrix,
                padding is not None, planes, _planar(out), *_befores(padding, d),
            )  # fmt: skip
            return out
        if overlap or padding:
            return super().col2im(cols, stride, out, padding=padding)
        if not covered:
            out.fill(0)
        view = _windows(out, kernel, stride, writeable=True)
        np.copyto(view.transpose(_cols_order(d)), cols)
        return out

    def im2row(self, x, kernel, stride, out, padding=None):
        """The compiled loop for sequences; else the contract's copies."""
        before = self.kernels == "numba" and x.dtype == out.dtype and _rows_fit(
            x.shape, out.shape, tuple(kernel), tuple(stride), _hashable(padding)
        )
        if before is False:
            return super().im2row(x, kernel, stride, out, padding)
        _rows_loop("im2row", out)(*stride, x, out, before)
        return out

    def row2im(self, rows, stride, out, padding=None):
        """The compiled loop for sequences; else the contract's adds."""
        kernel = rows.shape[2:-1]
        before = self.kernels == "numba" and rows.dtype == out.dtype and _rows_fit(
            out.shape, rows.shape, kernel, tuple(stride), _hashable(padding)
        )
        if before is False:
            return super().row2im(rows, stride, out, padding)
        overlap = stride[0] < kernel[0]
        _rows_loop("row2im", rows)(*stride, overlap, rows, out, before)
        return out

    def max_pool(self, xp, pool, stride, out, argmax=None):
        if (
            self._compiled(xp, out)
            and out.shape[:2] == xp.shape[:2]
            and (argmax is None or argmax.shape == out.shape)
            and _windows_fit(xp.shape[2:], pool, stride, out.shape[2:])
        ):
            keep = argmax is not None
            kept = argmax if keep else out  # a loop for keep=False never writes it
            KERNELS["max_pool"].compiled(
                *_pair(pool), *_pair(stride), keep, _planar(xp), _planar(out),
                _planar(kept),
            )  # fmt: skip
            return out
        if argmax is None:
            return super().max_pool(xp, pool, stride, out)

        def part(rows):
            _max_pool_argmax(xp[rows], pool, stride, out[rows], argmax[rows])

        stacks.by_samples(part, len(xp), self._threads_for(xp))
        return out

    def max_pool_backward(self, grad_out, argmax, pool, stride, out):
        if (
            self._compiled(grad_out, out)
            and argmax.shape == grad_out.shape
            and out.shape[:2] == grad_out.shape[:2]
            and _windows_fit(out.shape[2:], pool, stride, grad_out.shape[2:])
        ):
            zero, add = _spread_flags(pool, stride, grad_out.shape, out.shape)
            KERNELS["max_pool_backward"].compiled(
                *_pair(pool), *_pair(stride), zero, add, _planar(grad_out),
                _planar(argmax), _planar(out),
            )  # fmt: skip
            return out
        spread = super().max_pool_backward

        def part(rows):
            spread(grad_out[rows], argmax[rows], pool, stride, out[rows])

        stacks.by_samples(part, len(out), self._threads_for(out))
        return out

    def avg_pool(self, xp, pool, stride, out):
        if (
            self._compiled(xp, out)
            and out.shape[:2] == xp.shape[:2]
            and _windows_fit(xp.shape[2:], pool, stride, out.shape[2:])
        ):
            scale = out.dtype.type(1 / math.prod(pool))
            KERNELS["avg_pool"].compiled(
                *_pair(pool), *_pair(stride), _planar(xp), scale, _planar(out)
            )
            return out
        return super().avg_pool(xp, pool, stride, out)

    def avg_pool_backward(self, grad_out, pool, stride, out):
        if (
            self._compiled(grad_out, out)
            and out.shape[:2] == grad_out.shape[:2]
            and _windows_fit(out.shape[2:], pool, stride, grad_out.shape[2:])
        ):
            zero, add = _spread_flags(pool, stride, grad_out.shape, out.shape)
            scale = out.dtype.type(1 / math.prod(pool))
            KERNELS["avg_pool_backward"].compiled(
                *_pair(pool), *_pair(stride), zero, add, _planar(grad_out), scale,
                _planar(out),
            )  # fmt: skip
            return out
        return super().avg_pool_backward(grad_out, pool, stride, out)


def _max_pool_argmax(xp, pool, stride, out, argmax) -> None:
    """The contract's max-pool passes, but the argmax by arithmetic: offsets
    come in increasing order, so the largest index whose offset beat the
    running maximum is the last one, the window's first maximum (NumPy's
    masked copy of one number, ``copyto(argmax, index, where=better)``, is 4x
    slower)."""
    views = [offset_view(xp, o, stride, out.shape[2:]) for o in offsets(pool)]
    np.copyto(out, views[0])
    argmax.fill(0)
    better = np.empty(out.shape, bool)
    step = np.empty(out.shape, argmax.dtype)
    for index, view in enumerate(views[1:], start=1):
        np.greater(view, out, out=better)  # strictly: a tie keeps the first
        np.maximum(out, view, out=out)
        np.multiply(better.view(np.uint8), argmax.dtype.type(index), out=step)
        np.maximum(argmax, step, out=argmax)


def _windows_fit(size, window, stride, outs) -> bool:
    """Whether ``outs`` windows of ``window`` moved by ``stride`` fit inside
    ``size`` along each of one or two axes (the compiled loops' shapes, checked
    before they run, since they check no bounds)."""
    axes = (len(size), len(window), len(stride), len(outs))
    return axes in ((1,) * 4, (2,) * 4) and all(
        m >= 1 and (m - 1) * s + k <= n
        for n, k, s, m in zip(size, window, stride, outs, strict=True)
    )


def _planar(array: np.ndarray) -> np.ndarray:
    """``(n, C, length)`` as ``(n, C, 1, length)`` (a view): the loops take
    images, and a sequence is an image of height 1."""
    return array if array.ndim == 4 else array[:, :, None]


def _planar_cols(cols: np.ndarray, one_matrix: bool) -> np.ndarray:
    """A sequence's columns as an image's (a view): a kernel and an output of
    height 1."""
    if cols.ndim == 6:
        return cols
    if one_matrix:  # (C, kw, n, ow) as (C, 1, kw, n, 1, ow)
        return cols[:, None, :, :, None]
    return cols[:, :, None, :, None]  # (n, C, kw, ow) as (n, C, 1, kw, 1, ow)


def _padding(padding) -> tuple[tuple[int, int], ...] | None:
    """``padding`` (``(before, after)`` per axis), or None if it adds nothing."""
    return padding if padding and any(b or a for b, a in padding) else None


def _padded(x: np.ndarray, padding) -> tuple[int, ...]:
    """The spatial size of ``x`` ``(n, C, *size)`` once padded."""
    if padding is None:
        return x.shape[2:]
    return tuple(s + b + a for s, (b, a) in zip(x.shape[2:], padding, strict=True))


def _interior(x: np.ndarray, padding) -> tuple[slice, ...]:
    """Where ``x`` ``(n, C, *size)`` sits in its padded array."""
    inner = (slice(b, b + s) for s, (b, _) in zip(x.shape[2:], padding, strict=True))
    return (slice(None), slice(None), *inner)


def _befores(padding, d: int) -> tuple[int, int]:
    """The padding before each of a window's two axes, for the loops (none
    above a sequence)."""
    befores = [0] * d if padding is None else [b for b, _ in padding]
    return tuple(befores) if d == 2 else (0, *befores)


def _pair(values: tuple[int, ...]) -> tuple[int, ...]:
    """A window's or stride's two sizes (height 1 for a sequence)."""
    return tuple(values) if len(values) == 2 else (1, *values)


def _spread_flags(pool, stride, grad_shape, size_shape) -> tuple[bool, bool]:
    """``(zero, add)`` for a pool's backward: whether some input is in no
    window (zeros first), and whether windows overlap (terms add up)."""
    overlap = any(s < k for s, k in zip(stride, pool, strict=True))
    tiled = tuple(m * s for m, s in zip(grad_shape[2:], stride, strict=True))
    covered = tuple(stride) == tuple(pool) and tiled == tuple(size_shape[2:])
    return not covered, overlap


def _windows(xp: np.ndarray, kernel, stride, writeable: bool = False) -> np.ndarray:
    """View of shape ``(n, C, *out, *kernel)``: every window of the padded
    ``xp`` (no copy)."""
    axes = tuple(range(2, xp.ndim))
    view = sliding_window_view(xp, kernel, axis=axes, writeable=writeable)
    return view[(slice(None), slice(None), *(slice(None, None, s) for s in stride))]


def _cols_order(d: int) -> tuple[int, ...]:
    """Axes of the windows view ``(n, C, *out, *kernel)`` in the columns' order
    ``(n, C, *kernel, *out)``."""
    return (0, 1, *range(2 + d, 2 + 2 * d), *range(2, 2 + d))
