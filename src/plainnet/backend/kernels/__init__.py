"""Compiled twins of the NumPy backend's hottest loops (the ``fast`` extra).

Each module here holds one operation (or one family: the sliding windows of
convolution, of pooling) as plain loops that numba compiles on first use, and
registers each in :data:`KERNELS` under the name of the NumPy backend's method
it replaces (``adam``, ``relu_gradient``, ``im2col``, ``im2row``, ...). The readable
NumPy version of each is that method itself (:class:`plainnet.backend.numpy_backend.
NumpyBackend` with ``kernels="numpy"``), and ``tests/test_kernels.py`` runs both
on the same inputs. numba is imported only when a loop is first compiled, never
by ``import plainnet``; without it the NumPy versions run. A loop whose
iterations are independent names ``prange`` for them and is registered with
``parallel=True``: numba then shares them among the cores.
"""

from ._registry import (
    KERNELS,
    Kernel,
    compile_loop,
    numba_installed,
    prange,
    register_kernel,
)

__all__ = [
    "KERNELS", "Kernel", "compile_loop", "numba_installed", "prange",
    "register_kernel",
]  # fmt: skip

# each module registers its loops
from . import (  # noqa: F401
    adam,
    cross_entropy,
    erf,
    gru,
    im2col,
    im2row,
    lstm,
    pooling,
    relu,
    transpose,
)
