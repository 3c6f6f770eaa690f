"""Max and average pooling, forward and backward, as loops over (sample,
channel) planes (the NumPy backend's ``max_pool``, ``max_pool_backward``,
``avg_pool`` and ``avg_pool_backward``), for images; a sequence is an image of
height 1.

For a window of ``(kh, kw)`` moved by ``(sh, sw)`` over a padded ``xp`` of
shape ``(n, C, H, W)``, with offsets ``k = i * kw + j`` inside it::

    max:   y[s, c, y, x] = max_k xp[s, c, y*sh + i, x*sw + j]
           argmax[s, c, y, x] = the first k reaching it
    mean:  y[s, c, y, x] = (sum_k xp[s, c, y*sh + i, x*sw + j]) * (1 / (kh*kw))

and backward gives each input of a window ``dy * (k == argmax)`` (max) or
``dy * (1 / (kh*kw))`` (mean). Every loop takes the NumPy version's steps in
its order for each element (offsets in C order, NaN kept as ``np.maximum``
keeps it, a term ``dy * 0`` where the NumPy version multiplies by a false
mask), so that the two agree to the last bit. Each (sample, channel) plane is
one task of a ``prange``: the planes are independent, and both cores share
them. Each loop is compiled for its window and stride (and whether it keeps
the argmax, zeros first, adds), which the compiler then unrolls.

The loops check no bounds: the backend checks the shapes before calling them.
"""

from ._registry import prange, register_kernel


def max_pool_loop(kh, kw, sh, sw, keep):
    """The loop for windows ``(kh, kw)`` moved by ``(sh, sw)``: ``out`` ``(n,
    C, oh, ow)``, and ``argmax`` like it if ``keep``."""

    def loop(xp, out, argmax) -> None:
        n, channels, oh, ow = out.shape
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            for y in range(oh):
                rows = xp[s, c, y * sh : y * sh + kh]
                best, first = out[s, c, y], argmax[s, c, y]
                for x in range(ow):
                    top, index, k = rows[0, x * sw], 0, 0
                    for i in range(kh):
                        for j in range(kw):
                            value = rows[i, x * sw + j]
                            # strictly greater: a tie keeps the first
                            index = k if value > top else index
                            # np.maximum(top, value): NaN wins, else the
                            # second unless the first is larger
                            top = top if top > value or top != top else value
                            k += 1
                    best[x] = top
                    if keep:
                        first[x] = index

    return loop


def max_pool_backward_loop(kh, kw, sh, sw, zero, add):
    """The loop for windows ``(kh, kw)`` moved by ``(sh, sw)``: ``out`` ``(n,
    C, H, W)`` from ``grad_out`` and ``argmax`` ``(n, C, oh, ow)``; zeros first
    if ``zero``, then each offset's term ``g`` or ``g * 0`` added (``add``:
    windows overlap, offset after offset in C order) or written (window after
    window: each input is in one at most)."""

    def loop(grad_out, argmax, out) -> None:
        n, channels, oh, ow = grad_out.shape
        nothing = grad_out.dtype.type(0)  # so that g * 0 keeps g's dtype
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            plane = out[s, c]
            if zero:
                plane[...] = 0
            if not add:  # each input row written left to right
                for y in range(oh):
                    g, hits = grad_out[s, c, y], argmax[s, c, y]
                    for i in range(kh):
                        row = plane[y * sh + i]
                        for x in range(ow):
                            for j in range(kw):
                                hit = hits[x] == i * kw + j
                                row[x * sw + j] = g[x] if hit else g[x] * nothing
                continue
            for i in range(kh):
                for j in range(kw):
                    for y in range(oh):
                        g, hits = grad_out[s, c, y], argmax[s, c, y]
                        target = plane[y * sh + i, j:]
                        for x in range(ow):
                            term = g[x] if hits[x] == i * kw + j else g[x] * nothing
                            target[x * sw] += term

    return loop


def avg_pool_loop(kh, kw, sh, sw):
    """The loop for windows ``(kh, kw)`` moved by ``(sh, sw)``: ``out`` ``(n,
    C, oh, ow)``, each window's sum (offsets in C order) times ``scale``."""

    def loop(xp, scale, out) -> None:
        n, channels, oh, ow = out.shape
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            for y in range(oh):
                rows, mean = xp[s, c, y * sh : y * sh + kh], out[s, c, y]
                for x in range(ow):
                    total = rows[0, x * sw]
                    for k in range(1, kh * kw):
                        total += rows[k // kw, x * sw + k % kw]
                    mean[x] = total * scale

    return loop


def avg_pool_backward_loop(kh, kw, sh, sw, zero, add):
    """The loop for windows ``(kh, kw)`` moved by ``(sh, sw)``: ``out`` ``(n,
    C, H, W)``, ``grad_out * scale`` spread over each window, after zeros if
    ``zero``, added (``add``, offset after offset) or written (window after
    window)."""

    def loop(grad_out, scale, out) -> None:
        n, channels, oh, ow = grad_out.shape
        for task in prange(n * channels):
            s, c = task // channels, task % channels
            plane = out[s, c]
            if zero:
                plane[...] = 0
            if not add:  # each input row written left to right
                for y in range(oh):
                    g = grad_out[s, c, y]
                    for i in range(kh):
                        row = plane[y * sh + i]
                        for x in range(ow):
                            share = g[x] * scale
                            for j in range(kw):
                                row[x * sw + j] = share
                continue
            for i in range(kh):
                for j in range(kw):
                    for y in range(oh):
                        g, target = grad_out[s, c, y], plane[y * sh + i, j:]
                        for x in range(ow):
                            target[x * sw] += g[x] * scale

    return loop


MAX_POOL = register_kernel("max_pool", max_pool_loop, parallel=True, constants=5)
MAX_POOL_BACKWARD = register_kernel(
    "max_pool_backward", max_pool_backward_loop, parallel=True, constants=6
)
AVG_POOL = register_kernel("avg_pool", avg_pool_loop, parallel=True, constants=4)
AVG_POOL_BACKWARD = register_kernel(
    "avg_pool_backward", avg_pool_backward_loop, parallel=True, constants=6
)
