"""im2col and col2im as loops (the NumPy backend's ``im2col`` and ``col2im``),
for images; a sequence is an image of height 1.

For a batch ``x`` of shape ``(n, C, H, W)``, zero-padded by ``(ph, pw)``
before each axis (``xp``, never made), a kernel ``(kh, kw)`` and a stride
``(sh, sw)``, the columns hold every window, sample by sample::

    cols[s, c, i, j, y, t] = xp[s, c, y * sh + i, t * sw + j]
                           = x[s, c, y * sh + i - ph, t * sw + j - pw]  or 0

or, as one matrix for the whole batch (``one_matrix``), with the samples after
the kernel, ``cols[c, i, j, s, y, t]``: the entries in the padding are zeros.
col2im adds them back, dropping what lands in the padding::

    dx[s, c, y * sh + i - ph, t * sw + j - pw] += cols[s, c, i, j, y, t]

kernel offset after kernel offset (C order) from zeros, as the NumPy version's
strided adds do, so the two agree to the last bit. The tasks are independent
of each other, so a ``prange`` shares them among the cores: for a sample's own
columns, each (sample, channel) plane; for one matrix, each stretch of it that
one (channel, kernel row) fills, and in col2im, each channel, whose planes in
every sample are that task's alone. The loops are compiled for their stride
and layout (and col2im for whether it zeros first and adds), which lets the
compiler vectorise the copy of each row. With padding, each task pads its
plane (im2col into one matrix: its row) into a small array that stays in the
cache, and col2im adds into such a plane, then copies its interior out:
reading ``x`` itself at indices that may fall before the start of a row kept
the compiler from vectorising (8x slower on LeNet-5's first layer).

The loops check no bounds: the backend checks the shapes before calling them.
"""

import numpy as np

from ._registry import prange, register_kernel


def im2col_loop(sh, sw, one_matrix, padded):
    """The loop for stride ``(sh, sw)``: ``cols`` ``(n, C, kh, kw, oh, ow)``,
    or ``(C, kh, kw, n, oh, ow)`` if ``one_matrix``, from ``x`` ``(n, C, H,
    W)``, ``padded`` by ``ph`` rows above and ``pw`` columns left (and with
    zeros below and right as far as the windows reach)."""

    def loop(x, cols, ph, pw) -> None:
        n, channels, kh, kw, oh, ow = cols.shape
        height, width = x.shape[2], x.shape[3]
        rows = max((oh - 1) * sh + kh, ph + height)  # the padded plane's size
        reach = max((ow - 1) * sw + kw, pw + width)
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            plane = x[s, c]
            if padded:  # the sample's plane padded, in the cache
                plane = np.zeros((rows, reach), x.dtype)
                plane[ph : ph + height, pw : pw + width] = x[s, c]
            for i in range(kh):
                for j in range(kw):
                    for y in range(oh):
                        source, target = plane[y * sh + i, j:], cols[s, c, i, j, y]
                        for t in range(ow):
                            target[t] = source[t * sw]

    def one_matrix_loop(x, cols, ph, pw) -> None:
        channels, kh, kw, n, oh, ow = cols.shape
        height, width = x.shape[2], x.shape[3]
        reach = max((ow - 1) * sw + kw, pw + width)
        for task in prange(channels * kh):
            c, i = task // kh, task % kh
            padded_row = np.zeros(reach, x.dtype)  # a row padded, in the cache
            for s in range(n):
                for y in range(oh):
                    h = y * sh + i - ph
                    if not padded:
                        row = x[s, c, h]
                    elif 0 <= h < height:
                        padded_row[pw : pw + width] = x[s, c, h]
                        row = padded_row
                    else:  # a row of the padding (zeros, and the next too)
                        padded_row[:] = 0
                        row = padded_row
                    for j in range(kw):
                        for t in range(ow):
                            cols[c, i, j, s, y, t] = row[t * sw + j]

    return one_matrix_loop if one_matrix else loop


def col2im_loop(sh, sw, zero, add, one_matrix, padded):
    """The loop for stride ``(sh, sw)``: ``out`` ``(n, C, H, W)`` from ``cols``
    ``(n, C, kh, kw, oh, ow)``, or ``(C, kh, kw, n, oh, ow)`` if
    ``one_matrix``, the windows over ``out`` ``padded`` by ``ph`` rows above
    and ``pw`` columns left (what lands in the padding is dropped); zeros
    first if ``zero``, then each column added (``add``) or written (windows
    that never overlap)."""

    def loop(cols, out, ph, pw) -> None:
        n, channels, kh, kw, oh, ow = cols.shape
        height, width = out.shape[2], out.shape[3]
        rows = max((oh - 1) * sh + kh, ph + height)  # the padded plane's size
        reach = max((ow - 1) * sw + kw, pw + width)
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            plane = out[s, c]
            if padded:  # the sample's plane padded, in the cache
                plane = np.zeros((rows, reach), out.dtype)
            elif zero:
                plane[...] = 0
            for i in range(kh):
                for j in range(kw):
                    for y in range(oh):
                        source, target = cols[s, c, i, j, y], plane[y * sh + i, j:]
                        for t in range(ow):
                            if add:
                                target[t * sw] += source[t]
                            else:
                                target[t * sw] = source[t]
            if padded:
                out[s, c] = plane[ph : ph + height, pw : pw + width]

    def one_matrix_loop(cols, out, ph, pw) -> None:
        channels, kh, kw, n, oh, ow = cols.shape
        height, width = out.shape[2], out.shape[3]
        rows = max((oh - 1) * sh + kh, ph + height)  # the padded plane's size
        reach = max((ow - 1) * sw + kw, pw + width)
        for c in prange(channels):
            planes = out[:, c]
            if padded:  # the channel's planes padded, in the cache
                planes = np.zeros((n, rows, reach), out.dtype)
            elif zero:
                planes[...] = 0
            for i in range(kh):
                for j in range(kw):
                    for s in range(n):
                        for y in range(oh):
                            for t in range(ow):
                                value = cols[c, i, j, s, y, t]
                                if add:
                                    planes[s, y * sh + i, t * sw + j] += value
                                else:
                                    planes[s, y * sh + i, t * sw + j] = value
            if padded:
                out[:, c] = planes[:, ph : ph + height, pw : pw + width]

    return one_matrix_loop if one_matrix else loop


IM2COL = register_kernel("im2col", im2col_loop, parallel=True, constants=4)
COL2IM = register_kernel("col2im", col2im_loop, parallel=True, constants=6)
