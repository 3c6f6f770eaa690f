"""Memory layouts: the order in which an array's axes lie in memory.

A layer may hand on a view whose memory is in another order than its shape's
(a 1-D convolution's output, ``(n, C, length)`` viewed on channels-last
memory). The layers after it keep that order for what they make from it, so
that their passes run through the memories of both in step: an element-wise
pass over two arrays of one layout reads and writes each once, in order,
where two layouts make it a transposing copy.
"""

import functools

import numpy as np


@functools.lru_cache(maxsize=256)
def _order(strides: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of arrays of ``strides`` from the farthest apart in memory to
    the closest (strides in decreasing order, ties in the axes' own order):
    an array that fills its memory, transposed by it, is C-contiguous."""
    axes = tuple(range(len(strides)))
    return tuple(sorted(axes, key=lambda axis: -abs(strides[axis])))


@functools.lru_cache(maxsize=256)
def inverse(order: tuple[int, ...]) -> tuple[int, ...]:
    """The axes that undo the transpose by ``order``."""
    return tuple(sorted(range(len(order)), key=order.__getitem__))


def reordered(array) -> tuple[int, ...] | None:
    """The axes of ``array`` from the farthest apart in memory to the closest
    (:func:`_order`), or None where that is their own order (a C-contiguous
    array, or one whose library shows no strides)."""
    flags = getattr(array, "flags", None)
    if flags is None or flags.c_contiguous:  # the common case, first
        return None
    return _reordered(array.strides)


@functools.lru_cache(maxsize=256)
def _reordered(strides: tuple[int, ...]) -> tuple[int, ...] | None:
    order = _order(strides)
    return None if order == tuple(range(len(order))) else order


def flat_in_memory(*arrays: np.ndarray) -> list[np.ndarray] | None:
    """1-D views of NumPy ``arrays`` of one shape and one layout that fill
    their memory, entry ``i`` of each the same element of the arrays; None
    if they differ in shape or strides, or leave gaps. A loop over flat
    arrays then runs on a view of channels-last memory as fast as on a
    C-contiguous array."""
    first = arrays[0]
    shape, strides = first.shape, first.strides
    for other in arrays[1:]:
        if other.shape != shape or other.strides != strides:
            return None
    if first.flags.c_contiguous:
        return [a.reshape(-1) for a in arrays]
    order = _filled_order(shape, strides, first.itemsize)
    if order is None:
        return None
    return [a.transpose(order).reshape(-1) for a in arrays]


@functools.lru_cache(maxsize=256)
def _filled_order(shape, strides, itemsize) -> tuple[int, ...] | None:
    """The memory order of arrays of ``shape`` and ``strides`` if they fill
    their memory (each axis's stride the size of the axes closer than it),
    else None."""
    order, expected = _order(strides), itemsize
    for axis in reversed(order):
        if shape[axis] != 1 and strides[axis] != expected:
            return None
        expected *= shape[axis]
    return order
