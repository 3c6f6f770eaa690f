"""Optional compiled twins of plainnet's hottest loops.

Each kernel module holds the readable NumPy version (the reference, always
available) and the same operation as one fused loop compiled by numba, used
when numba is installed (``pip install ".[fast]"``). numba is imported only
when a compiled kernel first runs, never by ``import plainnet``.

Which one runs:

* ``PLAINNET_KERNELS=numpy`` in the environment, or ``kernels.use("numpy")``:
  always the NumPy version;
* ``"numba"``: always the compiled one (``ImportError`` naming the extra if
  numba is missing);
* ``"auto"`` (the default): compiled when numba is installed.

Kernels (each registered in :data:`KERNELS`, where the tests find it):

* :mod:`~plainnet.kernels.adam`: the Adam update;
* :mod:`~plainnet.kernels.relu`: the ReLU's backward pass;
* :mod:`~plainnet.kernels.cross_entropy`: softmax fused with cross-entropy.

Later ones (the convolution's col2im scatter, max-pooling's backward) go here
the same way: a ``<name>_numpy`` function, a plain loop registered with it by
:func:`register_kernel`, and one ``<name>`` entry point choosing between them
with :func:`backend`.
"""

import os
from collections.abc import Callable
from functools import cached_property

__all__ = ["BACKENDS", "KERNELS", "Kernel", "backend", "register_kernel", "use"]

BACKENDS = ("auto", "numpy", "numba")
_choice = os.environ.get("PLAINNET_KERNELS", "auto")


def use(name: str) -> None:
    """Choose the kernels: ``"auto"``, ``"numpy"`` or ``"numba"`` (for this
    process; ``PLAINNET_KERNELS`` sets the starting choice)."""
    global _choice
    _check(name)
    _choice = name


def backend() -> str:
    """The kernels that run now: ``"numpy"`` or ``"numba"``."""
    _check(_choice)
    if _choice == "auto":
        return "numba" if _numba_installed() else "numpy"
    return _choice


def _check(name) -> None:
    if name not in BACKENDS:
        raise ValueError(
            f"unknown kernels {name!r} (PLAINNET_KERNELS or kernels.use); "
            f"expected one of {list(BACKENDS)}"
        )


_installed: bool | None = None


def _numba_installed() -> bool:
    """Whether numba can be imported (found without importing it)."""
    global _installed
    if _installed is None:
        import importlib.util  # here: it is not otherwise part of import plainnet

        _installed = importlib.util.find_spec("numba") is not None
    return _installed


def compile_loop(function):
    """``function`` (a plain loop) compiled by numba: serial, cached on disk,
    with NumPy's floating-point error model (needed for the loop to vectorise)."""
    try:
        import numba
    except ImportError:
        raise ImportError(
            'the compiled kernels need numba: pip install ".[fast]" (from a '
            "checkout of plainnet), or use the NumPy ones "
            "with PLAINNET_KERNELS=numpy"
        ) from None
    return numba.njit(cache=True, error_model="numpy")(function)


class Kernel:
    """One hot operation twice: ``numpy``, the readable reference, and ``loop``,
    the same as a plain loop that numba compiles on first use (``compiled``)."""

    def __init__(self, name: str, numpy: Callable, loop: Callable) -> None:
        self.name, self.numpy, self.loop = name, numpy, loop

    @cached_property
    def compiled(self) -> Callable:
        """``loop`` compiled by numba (``ImportError`` naming the extra if it is
        missing)."""
        return compile_loop(self.loop)

    def __repr__(self) -> str:
        return f"Kernel({self.name!r})"


KERNELS: dict[str, Kernel] = {}


def register_kernel(name: str, numpy: Callable, loop: Callable) -> Kernel:
    """Register the twins ``numpy`` and ``loop`` as kernel ``name``."""
    KERNELS[name] = kernel = Kernel(name, numpy, loop)
    return kernel
