"""How much memory an array may take: the machine's available memory, and sizes
written for people."""

import os

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


def size_text(n_bytes: float) -> str:
    """``n_bytes`` as ``'286 GiB'``, ``'12.5 MiB'`` or ``'900 bytes'``."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{int(n_bytes)} bytes"
