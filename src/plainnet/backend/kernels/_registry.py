"""The kernels' registry: loops that numba compiles on first use."""

import ctypes
import importlib.util
import sys
import types
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

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
    NumPy's floating-point error model (needed for the loop to vectorise).
    ``parallel`` lets its ``prange`` loops share the cores, where numba's
    threads are TBB's (see :func:`parallel_loops_ready`); elsewhere they run
    as plain loops."""
    try:
        import numba
    except ImportError:
        raise ImportError(
            'the compiled kernels need numba: pip install ".[fast]" (from a '
            "checkout of plainnet), or use the NumPy ones "
            "with PLAINNET_KERNELS=numpy"
        ) from None
    parallel = parallel and parallel_loops_ready(numba)
    # the same code, reading numba's prange for the stand-in; a parallel loop
    # is cached under its own name (numba's cache keys leave the flag out)
    names = {k: numba.prange for k, v in function.__globals__.items() if v is prange}
    loop = types.FunctionType(
        function.__code__, {**function.__globals__, **names},
        function.__name__, function.__defaults__, function.__closure__,
    )  # fmt: skip
    loop.__qualname__ = function.__qualname__ + ("_parallel" if parallel else "")
    return numba.njit(cache=True, error_model="numpy", parallel=parallel)(loop)


def parallel_loops_ready(numba) -> bool:
    """Whether numba's parallel loops run on TBB's threads, which sleep when
    idle and survive a fork. numba's other layers do not serve here: GNU
    OpenMP's threads spin after each loop and fight OpenBLAS's for the cores
    (a LeNet epoch took 4x as long), and a process forked after using them is
    killed when it runs one; the workqueue's wake-ups cost more than the loops
    gain. Needs the ``tbb`` package (in the ``fast`` extra)."""
    if numba.config.THREADING_LAYER not in ("default", "safe", "tbb"):
        return False  # the user chose another layer for their own loops
    _load_environment_tbb()
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401
    except ImportError:
        return False
    try:
        return numba.threading_layer() == "tbb"  # already started: that one
    except ValueError:  # not started yet: numba tries TBB first
        return True


def _load_environment_tbb() -> None:
    """pip's ``tbb`` puts ``libtbb.so.12`` in the environment's ``lib``
    folder, where the loader does not look: load it from there first (on
    Linux), so that numba's TBB layer finds it already loaded."""
    path = Path(sys.prefix, "lib", "libtbb.so.12")
    if sys.platform.startswith("linux") and path.exists():
        ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)


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
        return self._compile(self.parallel)

    @cached_property
    def serial(self) -> Callable:
        """``loop`` compiled to run on the calling thread alone, for calls too
        small to pay for waking the other threads (a parallel loop's
        ``prange`` then runs as a plain loop)."""
        return self._compile(False) if self.parallel else self.compiled

    def _compile(self, parallel: bool) -> Callable:
        if not self.constants:
            return compile_loop(self.loop, parallel)
        loops: dict[tuple, Callable] = {}
        k = self.constants

        def run(*args):
            try:
                loop = loops[args[:k]]
            except KeyError:
                loop = loops[args[:k]] = compile_loop(self.loop(*args[:k]), parallel)
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
