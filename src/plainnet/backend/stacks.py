"""A stack of small matrix products shared among threads, on the CPU (and
other passes over a batch, by samples).

``np.matmul`` of a stack, ``out[s] = a[s] @ b[s]``, runs the products one after
another, and OpenBLAS runs each product below :data:`SPLIT_WORK` multiply-adds
on one thread: a convolution's per-sample products (LeNet-5's second layer,
16 x 150 x 100 = 240,000 each, 128 of them) then keep one core busy and leave
the others idle. Cut in one part per BLAS thread, the stack's parts run at
once, each ``np.matmul`` on its own thread (NumPy releases the GIL while it
multiplies): the same products, so the same bits. Measured alone on two
cores, LeNet-5's second layer forward 594 -> 350 us, its weight gradient's
products 912 -> 503 us and its input gradient's 658 -> 388 us.

The same helpers take parts of other passes over a batch whose samples are
independent (:func:`by_samples`): the NumPy path's im2col copy and its
max-pooling each way, which NumPy runs on one core.
"""

import os
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

#: OpenBLAS runs a product of fewer multiply-adds than this on one thread
#: (its threshold: 65,536 times ``GEMM_MULTITHREAD_THRESHOLD``, 4 by
#: default); larger products it shares among its own threads
SPLIT_WORK = 65_536 * 4

#: A stack of fewer multiply-adds in all than this runs as one ``np.matmul``:
#: handing a part to another thread and waiting for it costs 40-60 us (a
#: stack of 3.1 million: 62 us as one, 96 us in two parts; of 7.7 million:
#: 212 us against 174)
STACK_WORK = 2**23

#: Helper threads (``ThreadPoolExecutor``) by (process, count): a forked
#: child makes its own
_helpers: dict[tuple[int, int], "ThreadPoolExecutor"] = {}


def blas_thread_count() -> int:
    """The threads OpenBLAS takes at load: ``OPENBLAS_NUM_THREADS`` or
    ``OMP_NUM_THREADS`` if set, else the cores this process may run on."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def by_samples(work, n: int, threads: int) -> None:
    """``work(rows)`` for parts of ``range(n)`` (slices), at once on up to
    ``threads`` threads: a NumPy pass over a batch whose samples are
    independent, each part's pass on its own thread."""
    parts = min(threads, n)
    bounds = [n * k // parts for k in range(parts + 1)]
    rows = [slice(bounds[k], bounds[k + 1]) for k in range(parts)]
    if parts < 2:
        work(slice(0, n))
        return
    helpers = _helpers_for(parts - 1)
    running = [helpers.submit(work, part) for part in rows[1:]]
    work(rows[0])
    for future in running:
        future.result()  # waits, and raises what the part raised


def stacked_matmul(
    a: np.ndarray, b: np.ndarray, out: np.ndarray, threads: int, blas_one: bool
):
    """``out[s] = a[s] @ b[s]`` into ``out`` ``(n, m, p)`` (``a`` or ``b`` may
    be one matrix for every ``s``; a 2-D ``out`` is one product), the stack
    cut in up to ``threads`` parts multiplied at once where BLAS runs each
    product on one thread (below :data:`SPLIT_WORK`, or any while BLAS is
    held to one thread: ``blas_one``) and all of them take at least
    :data:`STACK_WORK`; else one ``np.matmul``. Returns ``out``."""
    n, m, p = out.shape if out.ndim == 3 else (0, 0, 0)
    each = m * a.shape[-1] * p
    threaded = each >= SPLIT_WORK and not blas_one  # BLAS shares it itself
    if min(threads, n) < 2 or threaded or n * each < STACK_WORK:
        return np.matmul(a, b, out=out)

    def part(rows: slice) -> None:
        np.matmul(
            a if a.ndim == 2 else a[rows], b if b.ndim == 2 else b[rows], out=out[rows]
        )

    by_samples(part, n, threads)
    return out


def _helpers_for(count: int) -> "ThreadPoolExecutor":
    """``count`` helper threads of this process, made on first use
    (``concurrent.futures`` is imported then: 5 ms at import otherwise)."""
    from concurrent.futures import ThreadPoolExecutor

    key = (os.getpid(), count)
    if key not in _helpers:
        _helpers[key] = ThreadPoolExecutor(count, thread_name_prefix="plainnet-stack")
    return _helpers[key]
