"""The kernels' registry: loops that numba compiles on first use."""

import importlib.util
import types
from collections.abc import Callable
from functools import cached_property

__all__ = [
    "KERNELS", "Kernel", "compile_loop", "numba_installed", "prange",
    "register_kernel",
]  # fmt: skip


def numba_installed() -> bool:
    """Whether numba can be imported (found without importing it)."""
    return importlib.util.find_spec("numba") is not None


def prange(*args) -> range:
    """``range`` as a loop's source names it where the iterations may run on
    every core: numba's ``prange`` once compiled with ``parallel=True``, plain
    ``range`` otherwise (so that importing a loop never imports numba)."""
    return range(*args)


def compile_loop(function, parallel: bool = False):
    """``function`` (a plain loop) compiled by numba: cached on disk, with
    NumPy's floating-point error model (needed for the loop to vectorise);
    ``parallel`` lets its ``prange`` loops use every core."""
    try:
        import numba
    except ImportError:
        raise ImportError(
            'the compiled kernels need numba: pip install ".[fast]" (from a '
            "checkout of plainnet), or use the NumPy ones "
            "with PLAINNET_KERNELS=numpy"
        ) from None
    if parallel:  # the same code, reading numba's prange for the stand-in
        names = {k: numba.prange for k, v in function.__globals__.items()
                 if v is prange}  # fmt: skip
        function = types.FunctionType(
            function.__code__, {**function.__globals__, **names},
            function.__name__, function.__defaults__, function.__closure__,
        )  # fmt: skip
    return numba.njit(cache=True, error_model="numpy", parallel=parallel)(function)


class Kernel:
    """One loop that numba compiles on first use (``compiled``), standing in
    for the NumPy backend's method ``name``.

    With ``constants=k``, ``loop`` is a factory: ``loop(*first_k_args)``
    returns the loop over the other arguments, those ``k`` numbers fixed at
    compile time (window sizes and strides: the compiler unrolls and vectorises
    what it knows). ``compiled`` still takes every argument, and compiles each
    combination of the ``k`` once.
    """

    def __init__(
        self, name: str, loop: Callable, parallel: bool = False, constants: int = 0
    ) -> None:
        self.name, self.loop, self.parallel = name, loop, parallel
        self.constants = constants

    @cached_property
    def compiled(self) -> Callable:
        """``loop`` compiled by numba (``ImportError`` naming the extra if it is
        missing)."""
        if not self.constants:
            return compile_loop(self.loop, self.parallel)
        loops: dict[tuple, Callable] = {}
        k = self.constants

        def run(*args):
            try:
                loop = loops[args[:k]]
            except KeyError:
                loop = loops[args[:k]] = compile_loop(
                    self.loop(*args[:k]), self.parallel
                )
            return loop(*args[k:])

        return run

    def __repr__(self) -> str:
        return f"Kernel({self.name!r})"


KERNELS: dict[str, Kernel] = {}


def register_kernel(
    name: str, loop: Callable, parallel: bool = False, constants: int = 0
) -> Kernel:
    """Register ``loop`` as the compiled twin of the NumPy backend's ``name``
    (see :class:`Kernel` for ``parallel`` and ``constants``)."""
    KERNELS[name] = kernel = Kernel(name, loop, parallel, constants)
    return kernel
