"""A CSV file before its rows: opened with every problem as a DataError, its
separator detected, its header read, and its line breaks counted (with the
one near its middle, where it can be read in two halves)."""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._messages import listing, shown
from ..errors import DataError

#: The separators that ``sep=None`` chooses among, the first one on a tie.
SEPARATORS = (",", ";", "\t")
#: How a separator is named in messages.
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}
#: Characters of the file's start read to detect the separator.
SAMPLE_CHARS = 1 << 20
_BLOCK_BYTES = 1 << 20
_COUNT_PIECE = 1 << 16
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


def check_separator(sep: str | None) -> None:
    """Refuse a separator the csv module cannot split on."""
    if sep is None:
        return
    if not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n':
        raise ValueError(
            "sep must be one character other than a quote or a line break "
            f"(',', ';', '\\t', ...), or None to detect it; got {shown(sep)}"
        )


@contextlib.contextmanager
def open_csv(name: str, sep: str | None) -> Iterator[tuple[Any, Any]]:
    """An open ``csv.reader`` of ``name`` splitting on ``sep`` (detected from
    the first line when None), and the text file it reads (``newline=""``);
    every problem with the file becomes a DataError."""
    _check_regular(name)
    try:
        # newline="" lets the csv module see quoted line breaks itself.
        with open(name, newline="", encoding="utf-8-sig") as file:
            reader = None
            try:
                reader = csv.reader(file, delimiter=sep or detect_separator(file))
                yield reader, file
            except UnicodeDecodeError:
                raise DataError(
                    f"{name}: line {_undecodable_line(name)}: not UTF-8 text; "
                    "save the file as UTF-8 CSV"
                ) from None
            except csv.Error as exc:
                line = reader.line_num if reader is not None else "?"
                raise DataError(f"{name}: line {line}: malformed CSV ({exc})") from None
    except FileNotFoundError:
        raise DataError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a directory, not a CSV file") from None
    except PermissionError:
        raise DataError(f"{name}: permission denied") from None
    except OSError as exc:
        raise DataError(
            f"{name}: cannot read the file ({exc.strerror or exc})"
        ) from None


def detect_separator(file: Any) -> str:
    """The separator among :data:`SEPARATORS` that splits the first line that
    is not blank into the most fields (quotes respected); a comma on a tie.
    ``file`` is read from its start and put back there."""
    sample = file.read(SAMPLE_CHARS)
    file.seek(0)
    first = next((line for line in _LINE_BREAK.split(sample) if line.strip()), "")
    return max(SEPARATORS, key=lambda sep: _n_fields(first, sep))


def _n_fields(line: str, sep: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=sep)))
    except (csv.Error, StopIteration):
        return 1


def _check_regular(name: str) -> None:
    """Refuse a FIFO or a device before opening it (opening a FIFO blocks)."""
    try:
        mode = os.stat(name).st_mode
    except OSError:
        return  # open() reports it
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device"
        raise DataError(f"{name}: is {what}, not a CSV file")


def read_header(reader: Any, path: str) -> tuple[list[str], int]:
    """Return the header's column names and its line number."""
    sep = reader.dialect.delimiter
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        header = [cell.strip() for cell in row]
        line = reader.line_num
        if len(header) == 1:
            _refuse_one_column(header[0], sep, path, line)
        if all(_is_number(cell) for cell in header):
            raise DataError(
                f"{path}: no header row: line {line} holds only numbers "
                f"({listing(row)}); add a first line naming the columns"
            )
        for i, column in enumerate(header):
            if not column:
                raise DataError(
                    f"{path}: line {line}: column {i + 1} of the header has no name"
                )
        duplicates = sorted(c for c, n in Counter(header).items() if n > 1)
        if duplicates:
            raise DataError(
                f"{path}: line {line}: duplicate column names in the header: "
                f"{listing(duplicates)}"
            )
        return header, line
    raise DataError(f"{path}: the file is empty")


def _refuse_one_column(name: str, sep: str, path: str, line: int) -> None:
    """A header read as one column holding another separator: the file is
    separated by that one."""
    other = _other_separator([name], sep)
    if other is not None:
        label = SEPARATOR_NAMES[other]
        raise DataError(
            f"{path}: line {line}: the header reads as one column, {shown(name)}, "
            f"which holds {label}: the file seems separated by {label}, not "
            f"{_named(sep)}; {_how_to_read(other)}"
        )


def separator_hint(cells: Sequence[str], sep: str) -> str:
    """A hint when cells seem split by another separator than ``sep``."""
    other = _other_separator(cells, sep)
    if other is None:
        return ""
    return (
        f" (the file seems separated by {SEPARATOR_NAMES[other]}, not "
        f"{_named(sep)}; {_how_to_read(other)})"
    )


def _other_separator(cells: Sequence[str], sep: str) -> str | None:
    for other in (";", "\t"):
        if other != sep and any(other in cell for cell in cells):
            return other
    return None


def _named(sep: str) -> str:
    return SEPARATOR_NAMES.get(sep, repr(sep))


def _how_to_read(sep: str) -> str:
    option = "tab" if sep == "\t" else repr(sep)
    return f"read it with sep={sep!r} (--sep {option} on the command line)"


def _is_number(text: str) -> bool:
    """Whether ``float`` accepts ``text``."""
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Layout:
    """Where a file's data rows lie, from its line breaks (``\\n``, ``\\r\\n``
    or ``\\r``, as the csv module counts lines).

    Attributes
    ----------
    capacity : int
        The most data rows the file can hold: its lines after the header.
    data_offset : int or None
        The byte where the line after the header starts (None: no such line).
    data_lines : int
        The lines from there to the last one holding anything but line breaks.
    middle : (int, int) or None
        A line break near the middle of the file, where its rows may be read
        in two parts: the byte after it, and the data lines before it. None
        when the file has a quote (a line break may then be inside a cell) or
        no line break past the data's start in its second half.
    size : int
        The bytes scanned: the file's size when it was read.
    """

    capacity: int
    data_offset: int | None
    data_lines: int
    middle: tuple[int, int] | None
    size: int


def scan_lines(path: str, header_line: int) -> Layout:
    """Count the line breaks of ``path`` (read in binary, a block at a time)."""
    breaks = breaks_at_end = 0
    offset = content_end = 0
    data_offset = middle = None
    quoted = False
    with open(path, "rb") as file:
        half = os.fstat(file.fileno()).st_size // 2
        for block in iter(lambda: file.read(_BLOCK_BYTES), b""):
            while block.endswith(b"\r"):  # never split a \r\n pair
                more = file.read(1)
                if not more:
                    break
                block += more
            n = _breaks(block)
            if data_offset is None and breaks + n >= header_line:
                data_offset = offset + _after_break(block, header_line - breaks)
            quoted = quoted or b'"' in block
            reached = data_offset is not None and offset + len(block) > half
            if middle is None and reached:
                middle = _line_after(block, offset, half, data_offset, breaks)
            content = len(block)  # up to its last byte that is not a line break
            while content and block[content - 1] in b"\r\n":
                content -= 1
            if content:
                content_end = offset + content
                breaks_at_end = _breaks(block[content:])
            else:
                breaks_at_end += n
            breaks += n
            offset += len(block)
    data_lines = 0
    if data_offset is not None and content_end > data_offset:
        data_lines = breaks - breaks_at_end - header_line + 1
    if middle is not None:
        middle = None if quoted else (middle[0], middle[1] - header_line)
    capacity = max(breaks - header_line + 1, 0)
    return Layout(capacity, data_offset, data_lines, middle, offset)


def _line_after(block: bytes, offset: int, half: int, data_offset: int, breaks: int):
    """The first ``\\n`` of ``block`` (which starts at byte ``offset``, after
    ``breaks`` line breaks) at or past byte ``half`` and past ``data_offset``:
    the byte after it and the line breaks up to it; or None."""
    at = block.find(b"\n", max(half - offset, data_offset - offset, 0))
    if at < 0:
        return None
    return offset + at + 1, breaks + _breaks(block[: at + 1])


def _breaks(data: bytes) -> int:
    """The line breaks in ``data``: ``\\n``, ``\\r\\n`` and ``\\r`` alone."""
    if b"\r" not in data:
        return _count_newlines(data)
    return _count_newlines(data) + data.count(b"\r") - data.count(b"\r\n")


def _count_newlines(data: bytes) -> int:
    """``data.count(b"\\n")``, in NumPy's vectorised passes over pieces of
    64 KB (whose work arrays stay in the cache and the allocator's free
    lists): about three times as fast on the blocks of a large file."""
    codes = np.frombuffer(data, np.uint8)
    return sum(
        int(np.count_nonzero(codes[start : start + _COUNT_PIECE] == 10))
        for start in range(0, len(codes), _COUNT_PIECE)
    )


def _after_break(block: bytes, k: int) -> int:
    """The position just after the ``k``-th line break of ``block``."""
    for i, match in enumerate(_LINE_BREAK_BYTES.finditer(block), 1):
        if i == k:
            return match.end()
    raise AssertionError("fewer line breaks than counted")


def _undecodable_line(path: str) -> int | str:
    """The line holding the file's first byte that is not UTF-8, or "?"."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with open(path, "rb") as file:
            for chunk in iter(lambda: file.read(1 << 16), b""):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return line + chunk.count(b"\n", 0, max(exc.start, 0))
                line += chunk.count(b"\n")
    except OSError:
        pass
    return "?"
