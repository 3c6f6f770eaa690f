"""The archive of a model file, read without trusting it: its members, each
array's ``.npy`` header before its data, and the JSON document's header."""

import contextlib
import json
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

import numpy as np

from .._messages import shown
from .._version import __version__
from ..errors import ModelFileError
from .format import (
    DOCUMENT,
    DOCUMENT_FIELDS,
    FORMAT,
    FORMAT_VERSION,
    MAX_DOCUMENT_BYTES,
    document_limits_problem,
)

# The exceptions that the zip and npy readers raise on damaged bytes.
_DAMAGE = (
    zipfile.BadZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    zlib.error,
    OverflowError,
)


class Archive:
    """The ``.npz`` archive of one model file, its members checked on opening.

    Every problem is raised as one :class:`ModelFileError` naming ``path``;
    ``with archive:`` closes the zip archive (not ``file``).
    """

    def __init__(self, path: str, file: IO[bytes]) -> None:
        self.path = path
        self.size = os.fstat(file.fileno()).st_size
        self.zip = self._open_zip(file)
        self.members = self._check_members()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc_info) -> None:
        self.zip.close()

    def fail(self, problem: str) -> ModelFileError:
        """The error to raise: ``raise self.fail("...")``."""
        return ModelFileError(f"{self.path}: {problem}")

    @contextlib.contextmanager
    def reading(self, what: str) -> Iterator[None]:
        """Turn the zip and npy readers' exceptions into a ModelFileError."""
        try:
            yield
        except ModelFileError:
            raise
        except _DAMAGE as error:
            raise self.fail(f"damaged or truncated file ({what}: {error})") from None

    def _open_zip(self, file: IO[bytes]) -> zipfile.ZipFile:
        start = file.read(4)
        if not start:
            raise self.fail("the file is empty, not a model file")
        if start != b"PK\x03\x04":
            raise self.fail("not a plainnet model file (not a .npz archive)")
        file.seek(max(self.size - _TAIL, 0))
        tail = file.read(_TAIL)
        if not _is_end_record(tail[-_END_RECORD_SIZE:]):
            if b"PK\x05\x06" not in tail:
                raise self.fail("damaged or truncated file (the archive has no end)")
            raise self.fail(
                "bytes after the end of the archive (appended data, or a "
                "comment plainnet does not write); refusing the file"
            )
        file.seek(0)
        with self.reading("zip archive"):
            return zipfile.ZipFile(file)

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        members = {info.filename: info for info in infos}
        if len(members) != len(infos):
            raise self.fail("the archive holds two members with the same name")
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                raise self.fail(
                    f"member {shown(info.filename)} is compressed or "
                    "encrypted; plainnet stores arrays uncompressed"
                )
            if (
                info.file_size != info.compress_size
                or info.header_offset + info.compress_size > self.size
            ):
                raise self.fail(
                    f"truncated file: member {shown(info.filename)} "
                    "ends past the end of the file"
                )
        if f"{DOCUMENT}.npy" not in members:
            raise self.fail(
                "not a plainnet model file (no plainnet document inside; "
                "is it a plain NumPy .npz?)"
            )
        return members

    # -- arrays ----------------------------------------------------------------
    def array(self, name: str, shape, dtype: np.dtype) -> np.ndarray:
        """The member ``name`` after checking its header against ``shape`` and
        ``dtype`` (``shape=None``: any 1-D length, bounded by the member's size)."""
        info = self.members[f"{name}.npy"]
        with self.reading(f"array {name!r}"), self.zip.open(info) as stream:
            header = self._header(name, stream)
            if shape is None:
                if len(header[0]) != 1:
                    raise self.fail(f"array {name!r} must be 1-D, got {header[0]}")
                shape = header[0]
            stored = _little_endian(dtype)  # what plainnet writes, on any machine
            if (header[0], header[1], header[2].str) != (shape, False, stored.str):
                raise self.fail(_mismatch(name, header, shape, stored))
            nbytes = math.prod(shape) * dtype.itemsize
            if info.file_size != stream.tell() + nbytes:
                raise self.fail(
                    f"array {name!r} has {info.file_size - stream.tell()} "
                    f"bytes of data, expected {nbytes}"
                )
            data = stream.read(nbytes)
        if len(data) != nbytes:
            raise self.fail(f"truncated file: array {name!r} is incomplete")
        array = np.frombuffer(data, dtype=stored).reshape(shape)
        return array if stored == dtype else array.astype(dtype)

    def _header(self, name: str, stream) -> tuple:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(stream)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(stream)
        raise self.fail(f"array {name!r} uses .npy format {version}, expected 1.0/2.0")

    # -- the document ----------------------------------------------------------
    def document(self) -> dict:
        """The JSON document, parsed, with its format checked."""
        size = self.members[f"{DOCUMENT}.npy"].file_size
        if size > MAX_DOCUMENT_BYTES:
            raise self.fail(
                f"the plainnet document is too large ({size} bytes; plainnet "
                f"reads documents of at most {MAX_DOCUMENT_BYTES} bytes)"
            )
        raw = self.array(DOCUMENT, None, np.dtype(np.uint8)).tobytes()
        problem = document_limits_problem(raw)
        if problem is not None:
            raise self.fail(problem)
        try:
            document = json.loads(
                raw.decode("utf-8"),
                parse_constant=_no_constants,
                parse_int=_bounded_int,
                parse_float=_finite_float,
                object_pairs_hook=_no_duplicates,
            )
        except (ValueError, RecursionError) as error:
            raise self.fail(
                f"the plainnet document is not valid JSON ({error})"
            ) from None
        return self._check_header(document)

    def _check_header(self, document) -> dict:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise self.fail(
                "not a plainnet model file (its document does not "
                f"declare format {FORMAT!r})"
            )
        version = document.get("format_version")
        if type(version) is not int or version < 1:
            raise self.fail(f"invalid format_version {shown(version)}")
        if version > FORMAT_VERSION:
            raise self.fail(
                f"written by a newer plainnet "
                f"({shown(document.get('plainnet_version'))}, file format {version});"
                f" this is plainnet {__version__}, "
                f"which reads format {FORMAT_VERSION}: upgrade plainnet to load it"
            )
        missing = [key for key in DOCUMENT_FIELDS if key not in document]
        unknown = sorted(set(document) - set(DOCUMENT_FIELDS))
        if missing or unknown:
            raise self.fail(
                f"the plainnet document has missing field(s) {missing} "
                f"or unknown field(s) {unknown}"[:300]
            )
        if not isinstance(document["plainnet_version"], str):
            raise self.fail("invalid plainnet_version")
        return document


def _mismatch(name: str, header: tuple, shape: tuple, dtype: np.dtype) -> str:
    """Describe how an array's ``.npy`` header differs from what is expected."""
    found_shape, fortran, found_dtype = header
    if found_dtype.str != dtype.str:
        return (
            f"array {name!r} has dtype {found_dtype} ({found_dtype.str}), "
            f"expected {dtype} ({dtype.str})"
        )
    if fortran:
        return f"array {name!r} is stored in Fortran order, expected C order"
    return (
        f"array {name!r} has shape {found_shape}, but the architecture declares {shape}"
    )


def _no_constants(name: str):
    raise ValueError(f"{name} is not allowed")


#: JSON integers of more digits than this are refused: as floats they would
#: overflow (1e309 is beyond float64), and no field needs them.
MAX_INT_DIGITS = 300


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits is too large")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a float")
    return value


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"the key {shown(twice)} appears twice in one object")
    return document


_END_RECORD_SIZE = 22  # the zip's end-of-central-directory record, no comment
_TAIL = _END_RECORD_SIZE + 2**16  # where an end record with a comment would be


def _is_end_record(tail: bytes) -> bool:
    """Whether ``tail`` is an end-of-central-directory record without comment."""
    return (
        len(tail) == _END_RECORD_SIZE
        and tail[:4] == b"PK\x05\x06"
        and tail[20:22] == b"\x00\x00"
    )


def _little_endian(dtype: np.dtype) -> np.dtype:
    """``dtype`` as plainnet stores it: little-endian (bytes have no order)."""
    return dtype if dtype.itemsize == 1 else dtype.newbyteorder("<")
