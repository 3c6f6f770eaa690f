"""im2col and col2im as loops over (sample, channel) planes (the NumPy
backend's ``im2col``, ``col2im`` and ``col2im_stride1``), for images; a
sequence is an image of height 1.

For a padded batch ``xp`` of shape ``(n, C, H, W)``, a kernel ``(kh, kw)`` and
a stride ``(sh, sw)``, the columns hold every window::

    cols[c, i, j, s, y, x] = xp[s, c, y * sh + i, x * sw + j]

and col2im adds them back, ``dxp[s, c, y * sh + i, x * sw + j] += cols[c, i,
j, s, y, x]``, kernel offset after kernel offset (C order) from zeros, as the
NumPy version's strided adds do, so the two agree to the last bit. Each
(sample, channel) plane is one task of a ``prange``, so both cores share the
copy; no two tasks write the same element.

The loops check no bounds: the backend checks the shapes before calling them.
"""

from ._registry import prange, register_kernel


def im2col_loop(xp, sh, sw, cols) -> None:
    """``cols`` ``(C, kh, kw, n, oh, ow)`` from ``xp`` ``(n, C, H, W)``."""
    channels, kh, kw, n, oh, ow = cols.shape
    for task in prange(channels * kh * kw * n):
        s, plane = task % n, task // n  # neighbouring tasks: neighbouring rows
        j, plane = plane % kw, plane // kw
        i, c = plane % kh, plane // kh
        for y in range(oh):
            row = y * sh + i
            for x in range(ow):
                cols[c, i, j, s, y, x] = xp[s, c, row, x * sw + j]


def col2im_loop(cols, sh, sw, zero, add, out) -> None:
    """``out`` ``(n, C, H, W)`` from ``cols`` ``(C, kh, kw, n, oh, ow)``:
    zeros first if ``zero``, then each column added (``add``) or written
    (windows that never overlap)."""
    channels, kh, kw, n, oh, ow = cols.shape
    height, width = out.shape[2], out.shape[3]
    for task in prange(n * channels):
        s, c = task // channels, task % channels
        if zero:
            for y in range(height):
                for x in range(width):
                    out[s, c, y, x] = 0
        for i in range(kh):
            for j in range(kw):
                for y in range(oh):
                    row = y * sh + i
                    for x in range(ow):
                        if add:
                            out[s, c, row, x * sw + j] += cols[c, i, j, s, y, x]
                        else:
                            out[s, c, row, x * sw + j] = cols[c, i, j, s, y, x]


def col2im_stride1_loop(cols, pitch, length, out) -> None:
    """``out`` ``(n, C, H * W)`` (flat planes) from wide columns ``(C, kh, kw,
    n, L)``: offset ``(i, j)`` adds its first ``length`` columns at ``i *
    pitch + j``."""
    channels, kh, kw, n = cols.shape[:4]
    size = out.shape[2]
    for task in prange(n * channels):
        s, c = task // channels, task % channels
        for t in range(size):
            out[s, c, t] = 0
        for i in range(kh):
            for j in range(kw):
                start = i * pitch + j
                for t in range(length):
                    out[s, c, start + t] += cols[c, i, j, s, t]


IM2COL = register_kernel("im2col", im2col_loop, parallel=True)
COL2IM = register_kernel("col2im", col2im_loop, parallel=True)
COL2IM_STRIDE1 = register_kernel("col2im_stride1", col2im_stride1_loop, parallel=True)
