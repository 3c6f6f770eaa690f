"""A batch ``(n, C, ...)`` as channels ``(C, n, ...)`` and back, as one loop
(the NumPy backend's ``swap_leading_axes``).

A convolution's product gives its output channel by channel, ``(C, n, P)``,
and its next layer wants it sample by sample, ``(n, C, P)``, with the bias
added; backward swaps the output's gradient back. In NumPy that is a copy from
a transposed view, whose inner loop runs along the short last axis; here each
``(sample, channel)`` row is one task of a ``prange``::

    out[j, i, r, t] = a[i, j, r, t] + bias[i]      for t < a.shape[-1]
    out[j, i, r, t] = 0                            past it (a wider out)

The same additions as NumPy's (one per element, or a copy without a bias), so
the two agree to the last bit. The loop checks no bounds: the backend checks
the shapes before calling it.
"""

from ._registry import prange, register_kernel


def swap_loop(a, bias, add_bias, out) -> None:
    """``out`` ``(B, A, R, T')`` from ``a`` ``(A, B, R, T)``, ``T' >= T``."""
    first, second, rows, width = a.shape
    for task in prange(first * second):
        j, i = task // first, task % first  # neighbouring tasks: out's rows
        for r in range(rows):
            source, target = a[i, j, r], out[j, i, r]
            if add_bias:
                shift = bias[i]
                for t in range(width):
                    target[t] = source[t] + shift
            else:
                for t in range(width):
                    target[t] = source[t]
            target[width:] = 0


KERNEL = register_kernel("swap_leading_axes", swap_loop, parallel=True)
