"""The sliding windows of convolution and pooling, as array operations: the
part of the backend contract (:class:`plainnet.backend.base.Backend`) that
copies windows into columns and back (im2col, col2im; channels first) or into
rows and back (im2row, row2im; channels last), swaps a batch's first two
axes, and takes pools' maxima and means, forward and backward. Written once
from the contract's own functions (``self.copyto``, ``self.maximum``, ...),
as one strided view per offset in the window; a backend may replace any with
a faster twin.
"""

import math
from itertools import product


class SlidingWindows:
    """im2col, col2im, the batch's transpose and pooling, on the backend's own
    functions."""

    def transpose_batch(self, a, out, bias=None):
        """``out[s, c, ...] = a[c, s, ...]``, plus ``bias[c]`` if given: the
        first two axes of ``a`` swapped into ``out`` (a product of one matrix
        of columns into the samples' layout, or an output gradient into one
        matrix's)."""
        swapped = self.swapaxes(a, 0, 1)
        if bias is None:
            self.copyto(out, swapped)
            return out
        shape = (1, bias.shape[0], *(1,) * (a.ndim - 2))
        return self.add(swapped, self.reshape(bias, shape), out=out)

    def im2col(self, x, kernel: tuple[int, ...], stride: tuple[int, ...], out,
               one_matrix: bool = False, padding=None):  # fmt: skip
        """Every window of ``x`` ``(n, C, *size)``, zero-padded by ``padding``
        (``(before, after)`` per axis, or None), copied into ``out`` ``(n, C,
        *kernel, *out_size)``, or, with ``one_matrix``, into ``out`` ``(C,
        *kernel, n, *out_size)`` (the whole batch's columns as one matrix): one
        strided slice per kernel offset, the entries that fall in the padding
        set to zero (the padded input is never made)."""
        d = len(kernel)
        cols = self.transpose(out, samples_first(d, out.ndim)) if one_matrix else out
        outs = cols.shape[2 + d :]
        for offset in offsets(kernel):
            target = cols[(slice(None), slice(None), *offset, ...)]
            inner, source = inside(offset, stride, padding, x.shape[2:], outs)
            for slab in outside(inner, outs):
                target[slab] = 0.0
            self.copyto(target[inner], x[source])
        return out

    def col2im(self, cols, stride: tuple[int, ...], out, one_matrix: bool = False,
               padding=None):  # fmt: skip
        """The adjoint of :meth:`im2col`: every column of ``cols``
        ``(n, C, *kernel, *out_size)`` (or ``(C, *kernel, n, *out_size)`` with
        ``one_matrix``) added back into its window of ``out`` ``(n, C,
        *size)``, one strided ``+=`` per kernel offset (a copy where windows
        do not overlap); what falls in the ``padding`` is dropped."""
        d = out.ndim - 2
        if one_matrix:
            cols = self.transpose(cols, samples_first(d, cols.ndim))
        kernel, outs = cols.shape[2 : 2 + d], cols.shape[2 + d :]
        overlap = any(s < k for s, k in zip(stride, kernel, strict=True))
        out[...] = 0.0
        for offset in offsets(kernel):
            inner, target = inside(offset, stride, padding, out.shape[2:], outs)
            column = cols[(slice(None), slice(None), *offset, ...)][inner]
            if overlap:
                view = out[target]
                view += column
            else:
                self.copyto(out[target], column)
        return out

    def im2row(self, x, kernel: tuple[int, ...], stride: tuple[int, ...], out,
               padding=None):  # fmt: skip
        """Every window of ``x`` ``(n, *size, C)`` (channels last), zero-padded
        by ``padding``, copied into ``out`` ``(n, *out_size, *kernel, C)``:
        each output position's window is one row of ``prod(kernel) * C``
        entries, in which each kernel offset is a run of ``C`` entries that
        lie side by side in a channels-last ``x``. The same copies as
        :meth:`im2col`, on channels-first views of both (the generic ones:
        a backend's faster twin of ``im2col`` is written for its layouts)."""
        d = len(kernel)
        columns = self.transpose(out, rows_as_columns(d))
        SlidingWindows.im2col(
            self, self.transpose(x, channels_first(d)), kernel, stride, columns,
            padding=padding,
        )  # fmt: skip
        return out

    def row2im(self, rows, stride: tuple[int, ...], out, padding=None):
        """The adjoint of :meth:`im2row`: every row of ``rows`` ``(n,
        *out_size, *kernel, C)`` added back into its window of ``out`` ``(n,
        *size, C)``; what falls in the ``padding`` is dropped."""
        d = out.ndim - 2
        SlidingWindows.col2im(
            self, self.transpose(rows, rows_as_columns(d)), stride,
            self.transpose(out, channels_first(d)), padding=padding,
        )  # fmt: skip
        return out

    #: Whether col2im at stride 1 is cheaper from wide columns
    #: (:meth:`col2im_stride1`) than from the columns themselves, though the
    #: product that makes them grows: true where each add is an array
    #: operation, whose count and length decide.
    wide_col2im_pays = True

    def col2im_stride1(self, cols, out_size: tuple[int, ...], out, one_matrix=False):
        """col2im for stride 1, from "wide" columns ``(n, C, *kernel, L)``
        (``(C, *kernel, n, L)`` with ``one_matrix``) whose output positions sit
        on the grid of ``out`` ``(n, C, *size)``: ``L = out_size[0] *
        prod(size[1:])``, the first axis ``out_size[0]`` long and the others as
        long as ``out``'s, zeros past the output. Kernel offset ``o`` then adds
        to the flattened input shifted by ``sum(o * pitch)``, one contiguous run
        per sample and channel.

        Past the output's last column a run spills into the next row, adding
        the zeros there; it ends at the last real output, which keeps it inside
        ``out``."""
        n, channels, *size = out.shape
        if one_matrix:
            cols = self.transpose(cols, samples_first(len(size), cols.ndim))
        pitches, length = stride1_runs(size, out_size)
        flat = self.reshape(out, (n, channels, -1))  # a view: the adds land in out
        out[...] = 0.0
        for offset in offsets(cols.shape[2 : 2 + len(size)]):
            start = sum(o * p for o, p in zip(offset, pitches, strict=True))
            run = cols[(slice(None), slice(None), *offset, slice(0, length))]
            flat[:, :, start : start + length] += run
        return out

    def max_pool(self, xp, pool: tuple[int, ...], stride: tuple[int, ...], out,
                 argmax=None):  # fmt: skip
        """``out`` ``(n, C, *out_size)``: the maximum of each window of ``xp``
        ``(n, C, *size)`` (NaN if it holds one), one strided view per offset in
        the window. With ``argmax`` (integers like ``out``), also the offset of
        each window's first maximum, offsets numbered in C order."""
        views = (offset_view(xp, o, stride, out.shape[2:]) for o in offsets(pool))
        self.copyto(out, next(views))
        if argmax is None:
            for view in views:
                self.maximum(out, view, out=out)
            return out
        argmax[...] = 0
        better = self.empty(out.shape, "bool")
        for index, view in enumerate(views, start=1):
            self.greater(view, out, out=better)  # strictly: a tie keeps the first
            self.maximum(out, view, out=out)
            # offsets come in increasing order, so the last index that beat
            # the running maximum is the window's first maximum
            self.copyto(argmax, index, where=better)
        return out

    def max_pool_backward(self, grad_out, argmax, pool: tuple[int, ...],
                          stride: tuple[int, ...], out):  # fmt: skip
        """The input's gradient ``out`` ``(n, C, *size)``: each output's
        gradient ``grad_out * (offset == argmax)`` added to each offset of its
        window (so only the first maximum gets it), ``argmax`` as
        :meth:`max_pool` gave it."""
        hit = self.empty(argmax.shape, "bool")

        def routed(index, target):
            self.equal(argmax, index, out=hit)
            return self.masked(grad_out, hit, out=target)

        return self._spread(routed, grad_out, pool, stride, out)

    def avg_pool(self, xp, pool: tuple[int, ...], stride: tuple[int, ...], out):
        """``out`` ``(n, C, *out_size)``: the mean of each window of ``xp``
        ``(n, C, *size)``, the offsets' views summed in C order, then scaled by
        ``1 / prod(pool)``."""
        views = (offset_view(xp, o, stride, out.shape[2:]) for o in offsets(pool))
        self.copyto(out, next(views))
        for view in views:
            out += view
        out *= 1 / math.prod(pool)
        return out

    def avg_pool_backward(self, grad_out, pool: tuple[int, ...],
                          stride: tuple[int, ...], out):  # fmt: skip
        """The input's gradient ``out`` ``(n, C, *size)``: ``grad_out /
        prod(pool)`` added to every input of each window."""
        share = self.multiply(grad_out, 1 / math.prod(pool))

        def spread(index, target):
            self.copyto(target, share)
            return target

        return self._spread(spread, grad_out, pool, stride, out)

    def _spread(self, term, grad_out, pool, stride, out):
        """``out`` ``(n, C, *size)`` from one gradient per offset of the
        windows: ``term(index, target)`` writes into ``target`` (like
        ``grad_out``) what reaches the inputs at offset ``index``. Where
        windows overlap the terms add up, offset by offset in C order;
        disjoint windows write each input once."""
        outs = grad_out.shape[2:]
        overlap = any(s < k for s, k in zip(stride, pool, strict=True))
        tiled = tuple(m * s for m, s in zip(outs, stride, strict=True))
        if not (tuple(stride) == tuple(pool) and tiled == tuple(out.shape[2:])):
            out[...] = 0.0  # some inputs are in no window
        work = self.empty(grad_out.shape, grad_out.dtype) if overlap else None
        for index, offset in enumerate(offsets(pool)):
            target = offset_view(out, offset, stride, outs)
            if overlap:
                target += term(index, work)
            else:
                term(index, target)
        return out


def stride1_runs(size, out_size) -> tuple[list[int], int]:
    """The flattened pitch of each axis of ``size``, and the length of a run
    of :meth:`SlidingWindows.col2im_stride1` (from the first output to the last)."""
    pitches = [math.prod(size[axis + 1 :]) for axis in range(len(size))]
    length = 1 + sum((m - 1) * p for m, p in zip(out_size, pitches, strict=True))
    return pitches, length


def samples_first(d: int, ndim: int) -> tuple[int, ...]:
    """The axes that put one matrix's columns ``(C, *kernel, n, *out)``, ``d``
    kernel axes and ``ndim`` in all, in the per-sample order ``(n, C,
    *kernel, *out)``."""
    return (1 + d, 0, *range(1, 1 + d), *range(2 + d, ndim))


def channels_first(d: int) -> tuple[int, ...]:
    """The axes that view a channels-last array ``(n, *size, C)``, ``d``
    spatial axes, as ``(n, C, *size)`` (and the reverse: ``channels_last``)."""
    return (0, 1 + d, *range(1, 1 + d))


def channels_last(d: int) -> tuple[int, ...]:
    """The axes that view ``(n, C, *size)`` as ``(n, *size, C)``."""
    return (0, *range(2, 2 + d), 1)


def rows_as_columns(d: int) -> tuple[int, ...]:
    """The axes that view rows ``(n, *out, *kernel, C)`` as per-sample columns
    ``(n, C, *kernel, *out)``."""
    return (0, 1 + 2 * d, *range(1 + d, 1 + 2 * d), *range(1, 1 + d))


def offsets(kernel: tuple[int, ...]):
    """Every offset inside a window of size ``kernel``, in C order (the order of
    a convolution's kernel axes)."""
    return product(*(range(k) for k in kernel))


def offset_view(xp, offset: tuple[int, ...], stride: tuple[int, ...], out: tuple):
    """View of shape ``(n, C, *out)``: the element at kernel ``offset`` of every
    window, ``xp[:, :, i::stride, j::stride]`` cut to the output size."""
    index = (
        slice(o, o + s * (m - 1) + 1, s)
        for o, s, m in zip(offset, stride, out, strict=True)
    )
    return xp[(slice(None), slice(None), *index)]


def inside(offset: tuple[int, ...], stride: tuple[int, ...], padding,
           size: tuple[int, ...], out: tuple[int, ...]):  # fmt: skip
    """The element at kernel ``offset`` of every window over an input of
    ``size`` zero-padded by ``padding`` (``(before, after)`` per axis, or
    None), split in two indices: ``inner``, the output positions ``(n, C,
    *out)`` whose element lies in the input, a range along each axis; and
    ``source``, those elements in the unpadded input ``(n, C, *size)``.
    The other output positions read the padding."""
    inner, source = [slice(None)] * 2, [slice(None)] * 2
    befores = [b for b, _ in padding] if padding else [0] * len(offset)
    for o, s, before, m, length in zip(offset, stride, befores, out, size, strict=True):
        # output t reads input t * s + o - before, inside when in [0, length)
        first = max(0, -((o - before) // s))
        last = max(first, min(m, (length - 1 + before - o) // s + 1))
        start = first * s + o - before
        inner.append(slice(first, last))
        source.append(slice(start, start + (last - first - 1) * s + 1, s)
                      if last > first else slice(0, 0))  # fmt: skip
    return tuple(inner), tuple(source)


def outside(inner: tuple[slice, ...], out: tuple[int, ...]):
    """The output positions ``(n, C, *out)`` that :func:`inside` leaves out, as
    up to two slabs per axis (indices; corners may come twice)."""
    for axis, (part, m) in enumerate(zip(inner[2:], out, strict=True)):
        lead = (slice(None),) * (2 + axis)
        if part.start > 0:
            yield (*lead, slice(0, part.start), ...)
        if part.stop < m:
            yield (*lead, slice(part.stop, m), ...)
