"""Compiled twins of the NumPy backend's hottest loops (the ``fast`` extra).

Each module here holds one operation as a plain loop that numba compiles on
first use, and registers it in :data:`KERNELS` under the name of the NumPy
backend's method it replaces (``adam``, ``relu_gradient``, ...). The readable
NumPy version of each is that method itself (:class:`plainnet.backend.numpy_backend.
NumpyBackend` with ``kernels="numpy"``), and ``tests/test_kernels.py`` runs both
on the same inputs. numba is imported only when a loop is first compiled, never
by ``import plainnet``; without it the NumPy versions run.
"""

from ._registry import KERNELS, Kernel, compile_loop, numba_installed, register_kernel

__all__ = ["KERNELS", "Kernel", "compile_loop", "numba_installed", "register_kernel"]

from . import adam, cross_entropy, erf, gru, lstm, relu  # noqa: F401  (each registers)
