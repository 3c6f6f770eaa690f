"""The data rows of a ``csv.reader``, a chunk at a time, each wanted column's
cells as :class:`~plainnet._csv.cells.TextCells`: the careful path, which
reads any file the csv module reads."""

from __future__ import annotations

import array
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import DataError
from .cells import TextCells
from .file import separator_hint

#: Rows parsed at a time: each chunk's cells become arrays at once, so memory
#: holds the final arrays plus one chunk of text.
CHUNK_ROWS = 4096


def text_chunks(
    reader: Any, path: str, n_columns: int, header_line: int, wanted: Sequence[int]
) -> Iterator[tuple[np.ndarray, dict[int, TextCells]]]:
    """Each chunk's lines (where each row starts, int64) and the cells of the
    columns ``wanted`` (by position); blank lines are skipped, and a row with
    another number of fields than the header's is a DataError."""
    lines = array.array("q")
    chunk: list[list[str]] = []
    last_line = reader.line_num
    for row in reader:
        line, last_line = last_line + 1, reader.line_num
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
