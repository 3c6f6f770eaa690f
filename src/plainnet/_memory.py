"""How much memory an array may take: the machine's available memory, and sizes
written for people; large arrays written once, on pages of the usual size."""

import math
import mmap
import os

import numpy as np

#: The arrays that must not be allocated whole are built in blocks of at most
#: this many bytes.
BLOCK_BYTES = 64 * 2**20


def available_bytes() -> int | None:
    """The memory the system can give without swapping (Linux's
    ``MemAvailable``, else the free physical pages), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


#: NumPy asks the kernel to back arrays of at least this many bytes with huge
#: pages (``madvise(MADV_HUGEPAGE)``).
HUGE_PAGE_ADVICE_BYTES = 4 * 2**20


def written_once(shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """``np.empty(shape, dtype)`` for an array filled once as data streams in
    (a file's columns), on memory mapped without NumPy's huge-page advice
    (on Linux; elsewhere, and for small arrays, ``np.empty`` itself).

    Where the kernel gives huge pages only to memory that asks for them and
    compacts memory to find them at the first touch (transparent huge pages
    set to ``madvise``, the usual setting), that first touch can stall: on
    the development machine, filling a fresh 100 MB array took 12-480 ms
    with the advice and 43-49 ms without. The memory is unmapped when the
    array and its views are gone."""
    dtype = np.dtype(dtype)
    n_bytes = math.prod(shape) * dtype.itemsize
    if n_bytes < HUGE_PAGE_ADVICE_BYTES or not hasattr(mmap, "MAP_ANONYMOUS"):
        return np.empty(shape, dtype)
    pages = mmap.mmap(-1, n_bytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(pages, dtype).reshape(shape)


def size_text(n_bytes: float) -> str:
    """``n_bytes`` as ``'286 GiB'``, ``'12.5 MiB'`` or ``'900 bytes'``."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{int(n_bytes)} bytes"
