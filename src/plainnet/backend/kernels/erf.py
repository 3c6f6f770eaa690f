"""The error function as one loop (the NumPy backend's ``erf``).

NumPy has no ``erf``: the readable version builds it from W. J. Cody's rational
approximations, three of them over every element and ``where`` to choose
(:mod:`plainnet.backend.special`), about forty passes over the array. numba
compiles ``math.erf`` (the C library's), one call per element. The two agree
within a few units in the last place.
"""

import math

from ._registry import register_kernel


def erf_loop(x, out) -> None:
    """``out = erf(x)`` over flat arrays, as one loop."""
    for i in range(x.size):
        out[i] = math.erf(x[i])


KERNEL = register_kernel("erf", erf_loop)
