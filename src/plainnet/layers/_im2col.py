"""Sliding windows for convolution and pooling: padding, im2col and col2im.

Shapes, for ``d`` spatial axes (1 for sequences, 2 for images):

* ``x`` : ``(n, C, *size)``, a batch, channels first;
* ``cols`` : ``(C, *kernel, n, *out)``, read as the matrix ``X_col`` of shape
  ``(C * prod(kernel), n * prod(out))``: one row per (channel, kernel offset),
  one column per (sample, output position). A convolution is then the one
  matrix product ``W.reshape(out_channels, -1) @ X_col`` (Caffe's layout: the
  rows of ``X_col`` are the flattened kernel, in ``W``'s own order).

Everything is written into arrays the caller gives (``out=``), so that a layer
reuses one buffer per batch size.
"""

import math
from itertools import product

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._messages import shown


def as_tuple(value, n: int, name: str, owner: str, minimum: int = 1) -> tuple[int, ...]:
    """``value`` (an int, or a sequence of ``n`` ints) as ``n`` ints; anything
    else, or a number below ``minimum``, raises ``ValueError`` naming it."""
    items = (value,) * n if _is_int(value) else value
    try:
        items = tuple(items)
    except TypeError:
        items = ()
    if len(items) != n or not all(_is_int(v) and v >= minimum for v in items):
        kind = "positive" if minimum == 1 else "non-negative"
        many = "" if n == 1 else f" or a sequence of {n} of them"
        raise ValueError(
            f"{owner} {name} must be a {kind} int{many}, got {shown(value)}"
        )
    return tuple(int(v) for v in items)


def as_config(value):
    """A constructor argument as a JSON value: plain ints (NumPy's too),
    strings, and sequences as lists of plain ints."""
    if _is_int(value):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return [int(v) for v in value]


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def out_size(
    size: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
) -> tuple[int, ...]:
    """Output size per axis, ``(size + before + after - kernel) // stride + 1``
    (windows that would run past the padded input are dropped, as in PyTorch)."""
    return tuple(
        (s + b + a - k) // st + 1
        for s, k, st, (b, a) in zip(size, kernel, stride, padding, strict=True)
    )


def padded_size(size: tuple[int, ...], padding) -> tuple[int, ...]:
    """Size per axis once padded, ``size + before + after``."""
    return tuple(s + b + a for s, (b, a) in zip(size, padding, strict=True))


def pad(x: np.ndarray, padding, value: float, out: np.ndarray) -> np.ndarray:
    """``x`` of shape ``(n, C, *size)`` surrounded, along each spatial axis, by
    ``padding[axis] = (before, after)`` entries equal to ``value``, into ``out``."""
    out[interior(x.shape[2:], padding)] = x
    for axis, ((before, _), size) in enumerate(zip(padding, x.shape[2:], strict=True)):
        lead = (slice(None),) * (2 + axis)
        out[(*lead, slice(0, before))] = value
        out[(*lead, slice(before + size, None))] = value
    return out


def interior(size: tuple[int, ...], padding) -> tuple[slice, ...]:
    """The index of the unpadded input inside a padded array."""
    inner = (slice(b, b + s) for s, (b, _) in zip(size, padding, strict=True))
    return (slice(None), slice(None), *inner)


def windows(
    xp: np.ndarray, kernel: tuple[int, ...], stride: tuple[int, ...], writeable=False
) -> np.ndarray:
    """View of shape ``(n, C, *out, *kernel)``: every window of the padded
    ``xp`` (no copy)."""
    axes = tuple(range(2, xp.ndim))
    view = sliding_window_view(xp, kernel, axis=axes, writeable=writeable)
    return view[(slice(None), slice(None), *(slice(None, None, s) for s in stride))]


def offset_view(
    xp: np.ndarray, offset: tuple[int, ...], stride: tuple[int, ...], out: tuple
) -> np.ndarray:
    """View of shape ``(n, C, *out)``: the element at kernel ``offset`` of every
    window, ``xp[:, :, i::stride, j::stride]`` cut to the output size."""
    index = (
        slice(o, o + s * (m - 1) + 1, s)
        for o, s, m in zip(offset, stride, out, strict=True)
    )
    return xp[(slice(None), slice(None), *index)]


def offsets(kernel: tuple[int, ...]):
    """Every kernel offset, in C order (the order of ``W``'s kernel axes)."""
    return product(*(range(k) for k in kernel))


def _cols_order(d: int) -> tuple[int, ...]:
    """Axes of the windows view ``(n, C, *out, *kernel)`` in ``cols``'s order."""
    return (1, *range(2 + d, 2 + 2 * d), 0, *range(2, 2 + d))


def im2col(
    xp: np.ndarray, kernel: tuple[int, ...], stride: tuple[int, ...], out: np.ndarray
) -> np.ndarray:
    """Copy every window of the padded ``xp`` ``(n, C, *size)`` into
    ``out`` of shape ``(C, *kernel, n, *out_size)``, one copy in all."""
    view = windows(xp, kernel, stride).transpose(_cols_order(len(kernel)))
    np.copyto(out, view)
    return out


def col2im(cols: np.ndarray, stride: tuple[int, ...], out: np.ndarray) -> np.ndarray:
    """The adjoint of :func:`im2col`: add every column of ``cols``
    ``(C, *kernel, n, *out_size)`` back into the window it came from, into
    ``out`` of shape ``(n, C, *size)`` (the padded input's shape).

    Where windows overlap (stride < kernel) an input gets one term per window
    that holds it: the loop is over the ``prod(kernel)`` offsets, each one
    strided slice add of the whole batch, never over output positions.
    """
    d = out.ndim - 2
    kernel, outs = cols.shape[1 : 1 + d], cols.shape[2 + d :]
    if all(s >= k for s, k in zip(stride, kernel, strict=True)):
        # windows do not overlap: each input gets at most one term, a copy
        covered = all(
            s == k and m * s == size
            for s, k, m, size in zip(stride, kernel, outs, out.shape[2:], strict=True)
        )
        if not covered:
            out.fill(0)
        view = windows(out, kernel, stride, writeable=True)
        np.copyto(view.transpose(_cols_order(d)), cols)
        return out
    out.fill(0)
    for offset in offsets(kernel):
        target = offset_view(out, offset, stride, outs)
        target += cols[(slice(None), *offset)].swapaxes(0, 1)
    return out


def col2im_stride1(cols: np.ndarray, out_size: tuple[int, ...], out: np.ndarray):
    """:func:`col2im` for stride 1, from "wide" columns ``(C, *kernel, n, W)``
    whose output positions sit on the padded input's grid (the first axis
    ``out_size[0]`` long, the others as long as ``out``'s, zeros past the
    output): kernel offset ``o`` then adds to the flattened input shifted by
    ``sum(o * pitch)``, one contiguous run per sample and channel.

    Past the output's last column a run spills into the next row, adding the
    zeros there; it ends at the last real output, which keeps it inside ``out``.
    """
    n, channels, *size = out.shape
    pitches = [math.prod(size[axis + 1 :]) for axis in range(len(size))]
    length = 1 + sum((m - 1) * p for m, p in zip(out_size, pitches, strict=True))
    flat = out.reshape(n, channels, -1)
    out.fill(0)
    for offset in offsets(cols.shape[1 : 1 + len(size)]):
        start = sum(o * p for o, p in zip(offset, pitches, strict=True))
        run = cols[(slice(None), *offset, slice(None), slice(0, length))]
        flat[:, :, start : start + length] += run.swapaxes(0, 1)
    return out
