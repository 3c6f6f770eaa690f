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
its order (offsets in C order, NaN kept as ``np.maximum`` keeps it, a term
``dy * 0`` where the NumPy version multiplies by a false mask), so that the two
agree to the last bit. Each (sample, channel) plane is one task of a
``prange``: the planes are independent, and both cores share them.

The loops check no bounds: the backend checks the shapes before calling them.
"""

from ._registry import prange, register_kernel


def max_pool_loop(xp, kh, kw, sh, sw, out, argmax, keep) -> None:
    """``out`` ``(n, C, oh, ow)``, and ``argmax`` like it if ``keep``."""
    n, channels, oh, ow = out.shape
    for task in prange(n * channels):
        s, c = task // channels, task % channels
        for y in range(oh):
            for x in range(ow):
                best = xp[s, c, y * sh, x * sw]
                first = 0
                for i in range(kh):
                    for j in range(kw):
                        value = xp[s, c, y * sh + i, x * sw + j]
                        if value > best:  # strictly: a tie keeps the first
                            first = i * kw + j
                        # np.maximum(best, value): NaN wins, else the second
                        # unless the first is larger
                        if best == best and not best > value:
                            best = value
                out[s, c, y, x] = best
                if keep:
                    argmax[s, c, y, x] = first


def max_pool_backward_loop(grad_out, argmax, kh, kw, sh, sw, zero, add, out):
    """``out`` ``(n, C, H, W)`` from ``grad_out`` and ``argmax`` ``(n, C, oh,
    ow)``: zeros first if ``zero``, then each offset's term added (``add``,
    where windows overlap) or written."""
    n, channels, oh, ow = grad_out.shape
    height, width = out.shape[2], out.shape[3]
    nothing = grad_out.dtype.type(0)  # in the gradient's dtype, so is g * 0
    for task in prange(n * channels):
        s, c = task // channels, task % channels
        if zero:
            for y in range(height):
                for x in range(width):
                    out[s, c, y, x] = 0
        for i in range(kh):
            for j in range(kw):
                k = i * kw + j
                for y in range(oh):
                    for x in range(ow):
                        g = grad_out[s, c, y, x]
                        term = g if argmax[s, c, y, x] == k else g * nothing
                        if add:
                            out[s, c, y * sh + i, x * sw + j] += term
                        else:
                            out[s, c, y * sh + i, x * sw + j] = term


def avg_pool_loop(xp, kh, kw, sh, sw, scale, out) -> None:
    """``out`` ``(n, C, oh, ow)``: each window's sum times ``scale``."""
    n, channels, oh, ow = out.shape
    for task in prange(n * channels):
        s, c = task // channels, task % channels
        for y in range(oh):
            for x in range(ow):
                total = xp[s, c, y * sh, x * sw]
                for k in range(1, kh * kw):
                    total += xp[s, c, y * sh + k // kw, x * sw + k % kw]
                out[s, c, y, x] = total * scale


def avg_pool_backward_loop(grad_out, kh, kw, sh, sw, scale, zero, add, out):
    """``out`` ``(n, C, H, W)``: ``grad_out * scale`` spread over each window,
    after zeros if ``zero``, added (``add``) or written."""
    n, channels, oh, ow = grad_out.shape
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
                    for x in range(ow):
                        share = grad_out[s, c, y, x] * scale
                        if add:
                            out[s, c, y * sh + i, x * sw + j] += share
                        else:
                            out[s, c, y * sh + i, x * sw + j] = share


MAX_POOL = register_kernel("max_pool", max_pool_loop, parallel=True)
MAX_POOL_BACKWARD = register_kernel(
    "max_pool_backward", max_pool_backward_loop, parallel=True
)
AVG_POOL = register_kernel("avg_pool", avg_pool_loop, parallel=True)
AVG_POOL_BACKWARD = register_kernel(
    "avg_pool_backward", avg_pool_backward_loop, parallel=True
)
