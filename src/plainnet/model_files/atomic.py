"""Atomic saves: write a temporary file beside the target, then rename it.

Only a regular, writable file (or a new one) is replaced: an empty name, a
folder, a FIFO, a device and a read-only file are refused before anything is
written.

The temporary file is named ``.NAME.plainnet-tmp-XXXXXXXX`` so that one left
behind by a killed save is recognisable: the next save beside the same target
removes those older than :data:`STALE_SECONDS`. A re-save keeps the target's
permissions, and a target that is a symbolic link is written through (the
link's target is replaced, the link stays).
"""

import contextlib
import errno
import os
import secrets
import stat
import time
from collections.abc import Callable
from typing import IO

#: Temporaries of a save older than this are a killed save's, never a running one's.
STALE_SECONDS = 15 * 60
_MARK = ".plainnet-tmp-"


def atomic_write(
    path: "str | os.PathLike[str]", write: Callable[[IO[bytes]], None]
) -> None:
    """Call ``write(file)`` on a temporary file, then rename it to ``path``.

    The temporary file lives in the same folder as the file finally written
    (so the rename is atomic), and is flushed and fsync'ed before
    ``os.replace``; on any error it is removed and ``path`` is left as it was.
    Errors name ``path``, never the temporary file.

    Parameters
    ----------
    path : str or path-like
        The file to write or replace. An existing file keeps its permissions;
        a symbolic link is followed (its target is replaced).
    write : callable ``file -> None``
        Writes the whole contents to the binary file it is given.

    Raises
    ------
    ValueError
        For an empty file name.
    OSError
        Naming ``path``: a folder, a FIFO or device, a read-only file (never
        replaced), or what the system refuses.

    Example
    -------
    >>> atomic_write("notes.txt", lambda file: file.write(b"hello"))
    """
    target = os.fspath(path)
    if not target:
        raise ValueError("the file name is empty; give the path of a file to write")
    real = os.path.realpath(target)  # through symbolic links
    mode = _replaceable_mode(real, target)
    folder, name = os.path.split(real)
    _remove_stale_temporaries(folder, name)
    temporary = os.path.join(folder, f".{name}{_MARK}{secrets.token_hex(4)}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise _naming(error, target) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            if mode is not None:
                os.fchmod(file.fileno(), mode)
            write(file)
            file.flush()
            os.fsync(file.fileno())
        _pause_for_tests()
        os.replace(temporary, real)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _naming(error, target) from None
        raise
    _fsync_folder(folder)


def _replaceable_mode(real: str, target: str) -> int | None:
    """The permissions of the existing file ``real`` (None for a new file);
    an OSError naming ``target`` for what must not be replaced."""
    try:
        info = os.stat(real)
    except OSError:
        return None  # a new file: 0o666 less the umask, as open() gives
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", target)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(
            errno.EINVAL,
            "is a FIFO, device or socket, not a regular file; plainnet writes "
            "only regular files",
            target,
        )
    if not info.st_mode & 0o222:  # by its mode: root may write anything
        raise PermissionError(
            errno.EACCES,
            "is read-only; plainnet does not replace it (make it writable first)",
            target,
        )
    return stat.S_IMODE(info.st_mode)


def _naming(error: OSError, target: str) -> OSError:
    """The same error, naming the target instead of the temporary file."""
    named = type(error)(error.errno, error.strerror or str(error), target)
    return named


def _remove_stale_temporaries(folder: str, name: str) -> None:
    """Remove temporaries of earlier saves of ``name`` that were killed."""
    prefix = f".{name}{_MARK}"
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                        os.unlink(entry.path)


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
