"""im2col and col2im as loops (the NumPy backend's ``im2col`` and
``col2im``), for images; a sequence is an image of height 1.

For a padded batch ``xp`` of shape ``(n, C, H, W)``, a kernel ``(kh, kw)`` and
a stride ``(sh, sw)``, the columns hold every window, sample by sample::

    cols[s, c, i, j, y, x] = xp[s, c, y * sh + i, x * sw + j]

or, as one matrix for the whole batch (``one_matrix``), with the samples
after the kernel, ``cols[c, i, j, s, y, x]``. col2im adds them back,
``dxp[s, c, y * sh + i, x * sw + j] += cols[s, c, i, j, y, x]``, kernel offset
after kernel offset (C order) from zeros, as the NumPy version's strided adds
do, so the two agree to the last bit. The tasks are independent of each
other, so a ``prange`` shares them among the cores: for a sample's own
columns, each (sample, channel) plane; for one matrix, each stretch of it
that one (channel, kernel row) fills, and in col2im, each channel, whose
planes in every sample are that task's alone. The loops are compiled for
their stride and layout (and col2im for whether it zeros first and adds),
which lets the compiler vectorise the copy of each row.

The loops check no bounds: the backend checks the shapes before calling them.
"""

from ._registry import prange, register_kernel


def im2col_loop(sh, sw, one_matrix):
    """The loop for stride ``(sh, sw)``: ``cols`` ``(n, C, kh, kw, oh, ow)``,
    or ``(C, kh, kw, n, oh, ow)`` if ``one_matrix``, from ``xp``
    ``(n, C, H, W)``."""

    def loop(xp, cols) -> None:
        n, channels, kh, kw, oh, ow = cols.shape
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            for i in range(kh):
                for j in range(kw):
                    for y in range(oh):
                        source = xp[s, c, y * sh + i, j:]
                        target = cols[s, c, i, j, y]
                        for x in range(ow):
                            target[x] = source[x * sw]

    def one_matrix_loop(xp, cols) -> None:
        channels, kh, kw, n, oh, ow = cols.shape
        for task in prange(channels * kh):
            c, i = task // kh, task % kh
            for j in range(kw):
                for s in range(n):
                    for y in range(oh):
                        for x in range(ow):
                            cols[c, i, j, s, y, x] = xp[s, c, y * sh + i, x * sw + j]

    return one_matrix_loop if one_matrix else loop


def col2im_loop(sh, sw, zero, add, one_matrix):
    """The loop for stride ``(sh, sw)``: ``out`` ``(n, C, H, W)`` from ``cols``
    ``(n, C, kh, kw, oh, ow)``, or ``(C, kh, kw, n, oh, ow)`` if
    ``one_matrix``; zeros first if ``zero``, then each column added (``add``)
    or written (windows that never overlap)."""

    def loop(cols, out) -> None:
        n, channels, kh, kw, oh, ow = cols.shape
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            plane = out[s, c]
            if zero:
                plane[...] = 0
            for i in range(kh):
                for j in range(kw):
                    for y in range(oh):
                        source, target = cols[s, c, i, j, y], plane[y * sh + i, j:]
                        for x in range(ow):
                            if add:
                                target[x * sw] += source[x]
                            else:
                                target[x * sw] = source[x]

    def one_matrix_loop(cols, out) -> None:
        channels, kh, kw, n, oh, ow = cols.shape
        height, width = out.shape[2], out.shape[3]
        for c in prange(channels):
            if zero:
                for s in range(n):
                    for h in range(height):
                        for w in range(width):
                            out[s, c, h, w] = 0
            for i in range(kh):
                for j in range(kw):
                    for s in range(n):
                        for y in range(oh):
                            for x in range(ow):
                                value = cols[c, i, j, s, y, x]
                                if add:
                                    out[s, c, y * sh + i, x * sw + j] += value
                                else:
                                    out[s, c, y * sh + i, x * sw + j] = value

    return one_matrix_loop if one_matrix else loop


IM2COL = register_kernel("im2col", im2col_loop, parallel=True, constants=3)
COL2IM = register_kernel("col2im", col2im_loop, parallel=True, constants=5)
