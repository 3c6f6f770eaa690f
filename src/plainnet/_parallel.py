"""Element-wise work on long 1-D buffers, split over threads.

BLAS already runs the matrix products on every core; the optimizer step, a
dozen element-wise passes over all parameters, would otherwise run on one.
NumPy's ufuncs release the GIL, so disjoint slices of the same buffers can be
updated at the same time, with results identical to one pass over the whole.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

#: Slices shorter than this cost more to hand to a thread than they save.
MIN_SLICE = 32768

_pool: ThreadPoolExecutor | None = None


def n_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def over_slices(work: Callable[[slice], None], size: int) -> None:
    """Call ``work(part)`` for contiguous slices ``part`` covering ``range(size)``,
    at once on several threads when ``size`` is long enough, else in one call."""
    n_slices = min(n_cores(), size // MIN_SLICE)
    if n_slices < 2:
        work(slice(0, size))
        return
    bounds = [size * i // n_slices for i in range(n_slices + 1)]
    parts = [slice(a, b) for a, b in pairwise(bounds)]
    futures = [_executor().submit(work, part) for part in parts[1:]]
    work(parts[0])
    for future in futures:
        future.result()


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max(1, n_cores() - 1), thread_name_prefix="plainnet")
    return _pool


def _forget_pool() -> None:
    """A forked child has none of its parent's threads: start a new pool there."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
