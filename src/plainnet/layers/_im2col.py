"""Sliding windows for convolution and pooling: arguments, sizes and padding.

Shapes, for ``d`` spatial axes (1 for sequences, 2 for images):

* ``x`` : ``(n, C, *size)``, a batch, channels first;
* ``cols`` : ``(n, C, *kernel, *out)``, read sample by sample as the matrix
  ``X_col[s]`` of shape ``(C * prod(kernel), prod(out))``: one row per
  (channel, kernel offset), in ``W``'s own order, one column per output
  position. A convolution is then ``W.reshape(out_channels, -1) @ X_col[s]``
  for every sample, one stacked matrix product (see :mod:`.conv`).

im2col and col2im themselves are the backend's (``ops.im2col``, ``ops.col2im``,
``ops.col2im_stride1``: a strided view copied at once on NumPy, one strided
slice per kernel offset elsewhere, loops over (sample, channel) planes with
the compiled kernels); they take the padding themselves, so a convolution
never copies its input padded. Everything is written into arrays the caller gives
(``out=``), so that a layer reuses one buffer per batch size.
"""

import numbers

import numpy as np  # in type hints only: layers compute through their ops

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
    """A constructor argument as a JSON value: plain ints and strings as they
    are (NumPy integers as ints), sequences as lists of ints."""
    if _is_int(value):
        return int(value)
    if isinstance(value, str):
        return value
    return [int(v) for v in value]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


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
        out[(*lead, slice(0, before), ...)] = value
        out[(*lead, slice(before + size, None), ...)] = value
    return out


def interior(size: tuple[int, ...], padding) -> tuple[slice, ...]:
    """The index of the unpadded input inside a padded array."""
    inner = (slice(b, b + s) for s, (b, _) in zip(size, padding, strict=True))
    return (slice(None), slice(None), *inner)
