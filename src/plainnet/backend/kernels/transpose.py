"""The first two axes of a batch swapped, as one loop (the NumPy backend's
``transpose_batch``): one matrix's convolution product ``(C, n, P)`` into the
samples' layout ``(n, C, P)`` with the bias added, and the output gradient
back into one matrix's.

NumPy copies through a strided view, row by short row (a row of ``P`` is 5 to
100 entries in a small network), with its per-row costs; the loop copies the
same entries, each sample's rows a task that a ``prange`` shares among the
cores. Both add the bias in the array's dtype once per entry, or copy, so they
agree to the last bit.
"""

from ._registry import prange, register_kernel


def transpose_batch_loop(add_bias):
    """The loop for ``add_bias``: ``out[s, c, p] = a[c, s, p] (+ bias[c])``,
    ``a`` ``(C, n, P)`` and ``out`` ``(n, C, P)``."""

    def loop(a, bias, out) -> None:
        first, second, length = a.shape
        for s in prange(second):
            for c in range(first):
                source, target = a[c, s], out[s, c]
                if add_bias:
                    shift = bias[c]
                    for p in range(length):
                        target[p] = source[p] + shift
                else:
                    for p in range(length):
                        target[p] = source[p]

    return loop


KERNEL = register_kernel("transpose_batch", transpose_batch_loop, parallel=True,
                         constants=1)  # fmt: skip
