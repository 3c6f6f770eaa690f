"""The data rows of a text file, a chunk at a time, each wanted column's
cells as :class:`~plainnet._csv.cells.TextCells`: the path without pyarrow,
which reads any file the csv module reads. A block of lines without quotes,
NUL characters or carriage returns other than before a line feed, each line
with one cell per column, is split by ``str`` methods (the same cells the csv
module would give); from the first block that is not, the csv module reads
the rest."""

from __future__ import annotations

import array
import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import DataError
from .cells import TextCells
from .file import separator_hint

#: Rows parsed at a time by the csv module: each chunk's cells become arrays
#: at once, so memory holds the final arrays plus one chunk of text.
CHUNK_ROWS = 4096
#: Characters read at a time (then up to the end of the line) for the split
#: by ``str`` methods.
BLOCK_CHARS = 1 << 20
#: Whether blocks of plain lines are split by ``str`` methods (else every row
#: goes through the csv module).
SPLIT_PLAIN_LINES = True

Chunk = tuple[np.ndarray, dict[int, TextCells]]


def text_chunks(
    reader: Any,
    file: Any,
    path: str,
    n_columns: int,
    header_line: int,
    wanted: Sequence[int],
) -> Iterator[Chunk]:
    """Each chunk's lines (where each row starts, int64) and the cells of the
    columns ``wanted`` (by position), from ``file`` past the header that
    ``reader`` (a ``csv.reader`` of ``file``) has read; blank lines are
    skipped, and a row with another number of fields than the header's is a
    DataError."""
    sep = reader.dialect.delimiter
    line = reader.line_num
    if SPLIT_PLAIN_LINES and n_columns > 1:
        while True:
            block = file.read(BLOCK_CHARS)
            if not block:
                return
            block += file.readline()
            cells = _plain_cells(block, sep, n_columns)
            if cells is None:
                lines = io.StringIO(block, newline="")
                reader = csv.reader(itertools.chain(lines, file), delimiter=sep)
                break
            n_rows = len(cells) // n_columns
            if n_rows:
                rows = np.arange(line + 1, line + 1 + n_rows, dtype=np.int64)
                yield rows, {i: TextCells(cells[i::n_columns]) for i in wanted}
            line += block.count("\n") + (not block.endswith("\n"))
    else:
        line = 0
    try:
        yield from _csv_chunks(reader, line, path, n_columns, header_line, wanted)
    except csv.Error as exc:
        raise DataError(
            f"{path}: line {line + reader.line_num}: malformed CSV ({exc})"
        ) from None


def _plain_cells(block: str, sep: str, n_columns: int) -> list[str] | None:
    """The cells of ``block``'s lines, row after row, if the csv module would
    read each line as one row of ``n_columns`` cells as they stand; else
    None."""
    if '"' in block or "\0" in block:
        return None
    if "\r" in block:  # line ends \r\n only, no \r alone
        if block.count("\r") != block.count("\r\n"):
            return None
        block = block.replace("\r\n", "\n")
    lines = block.split("\n")
    while lines and not lines[-1]:  # the last line break, blank lines at the end
        lines.pop()
    if not lines:
        return []
    if set(map(str.count, lines, itertools.repeat(sep))) != {n_columns - 1}:
        return None
    if max(map(len, lines)) > csv.field_size_limit():
        return None
    return sep.join(lines).split(sep)


def _csv_chunks(
    reader: Any,
    before: int,
    path: str,
    n_columns: int,
    header_line: int,
    wanted: Sequence[int],
) -> Iterator[Chunk]:
    """The chunks of rows the csv ``reader`` reads; ``before``, the lines of
    the file before its first."""
    lines = array.array("q")
    chunk: list[list[str]] = []
    last_line = before + reader.line_num
    for row in reader:
        line, last_line = last_line + 1, before + reader.line_num
        if len(row) != n_columns:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            raise DataError(
                f"{path}: line {line} has {len(row)} fields, but the header "
                f"(line {header_line}) has {n_columns} columns"
                f"{separator_hint(row, reader.dialect.delimiter)}"
            )
        chunk.append(row)
        lines.append(line)
        if len(chunk) == CHUNK_ROWS:
            yield _cut(chunk, lines, wanted)
    if chunk:
        yield _cut(chunk, lines, wanted)


def _cut(chunk: list[list[str]], lines: array.array, wanted: Sequence[int]):
    """The chunk's lines and wanted columns; the chunk and lines emptied."""
    cells = list(zip(*chunk, strict=True))
    out = np.frombuffer(lines, dtype=np.int64).copy()
    chunk.clear()
    del lines[:]
    return out, {i: TextCells(cells[i]) for i in wanted}
