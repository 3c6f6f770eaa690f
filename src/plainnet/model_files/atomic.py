"""Atomic saves: write a temporary file beside the target, then rename it."""

import contextlib
import os
import secrets
import time
from collections.abc import Callable
from typing import IO


def atomic_write(
    path: "str | os.PathLike[str]", write: Callable[[IO[bytes]], None]
) -> None:
    """Call ``write(file)`` on a temporary file, then rename it to ``path``.

    The temporary file lives in the same folder (so the rename is atomic),
    and is flushed and fsync'ed before ``os.replace``; on any error it is
    removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to write or replace.
    write : callable ``file -> None``
        Writes the whole contents to the binary file it is given.

    Example
    -------
    >>> atomic_write("notes.txt", lambda file: file.write(b"hello"))
    """
    target = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(target))
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        _pause_for_tests()
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _pause_for_tests() -> None:
    """Test hook: ``PLAINNET_TEST_PAUSE_BEFORE_RENAME=seconds`` makes a save wait
    between writing and renaming, so that a test can kill it right there."""
    pause = os.environ.get("PLAINNET_TEST_PAUSE_BEFORE_RENAME")
    if pause:
        print("plainnet: pausing before rename", flush=True)
        time.sleep(float(pause))


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable, where the system allows it."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
