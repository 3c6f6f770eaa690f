"""A CSV file read into :class:`~plainnet._csv.columns.Columns`: the header,
then the rows chunk by chunk into one builder per column, by pyarrow when it
can give the rows exactly as the csv module would, else by the csv module;
the text columns that began with numbers are read again. pyarrow reads a
large file without quotes in two halves at once, one per core, the second
half's builders joined to the first's."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .._memory import written_once
from . import arrow_chunks as arrow
from .builder import ColumnBuilder
from .columns import Columns
from .file import Layout, open_csv, read_header, scan_lines
from .text_chunks import text_chunks

#: Engines that ``engine=`` takes.
ENGINES = ("auto", "pyarrow", "python")
#: ``engine="auto"`` takes pyarrow (when installed) for files of at least this
#: many bytes; for smaller ones, importing it would cost more than it saves.
ARROW_MIN_BYTES = 8 << 20
#: pyarrow reads the two halves of a file of at least this many bytes side by
#: side, on two cores, when no quote can put a line break inside a cell.
HALVES_MIN_BYTES = 16 << 20
#: Line numbers made at a time (a small work array, which the allocator
#: reuses).
LINES_AT_ONCE = 1 << 16
#: Times a file is read again with one more column as text, when a later
#: cell of a column parsed as numbers is not a plain number (a typo), before
#: it is read with every column as text.
TEXT_RETRIES = 2


def read_file(
    path: str,
    select: Callable[[list[str]], list[str]] | None,
    spelled: Sequence[str] = (),
    verbatim: Sequence[str] = (),
    sep: str | None = ",",
    engine: str = "auto",
    matrix: Sequence[str] = (),
) -> Columns:
    """The columns ``select(header)`` of ``path`` (every column by default).

    ``spelled`` and ``verbatim`` are as in :func:`plainnet.data.read_columns`;
    the number columns ``matrix`` are read straight into one matrix
    (``Columns.matrix``), in that order.
    """
    with open_csv(path, sep) as (reader, file):
        header, header_line = read_header(reader, path)
        names = list(header) if select is None else list(select(header))
        layout = scan_lines(path, header_line)
        plan = _Plan(path, header, header_line, names, spelled, verbatim, matrix)
        if _with_arrow(engine, layout):
            columns = plan.read_with_arrow(layout, reader.dialect.delimiter)
            if columns is not None:
                return columns
        return plan.read_with_csv(reader, file, layout.capacity)


def _with_arrow(engine: str, layout: Layout) -> bool:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "python" or layout.data_offset is None or not layout.data_lines:
        return False
    if engine == "pyarrow":
        if not arrow.available():
            raise ImportError(
                "engine='pyarrow' needs pyarrow (pip install pyarrow); "
                "engine='auto' reads without it"
            )
        return True
    return arrow.available() and layout.size >= ARROW_MIN_BYTES


def _in_halves(layout: Layout) -> bool:
    """Whether to read the file's halves side by side (see
    :data:`HALVES_MIN_BYTES`)."""
    return (
        layout.middle is not None
        and layout.size >= HALVES_MIN_BYTES
        and (os.cpu_count() or 1) > 1
    )


def _line_numbers(first: int, n: int) -> np.ndarray:
    """``first, first + 1, ..., first + n - 1`` (int64): the lines of ``n``
    rows of one line each, made :data:`LINES_AT_ONCE` at a time into memory
    written once (a single ``arange`` would be a fresh 10 MB array for a
    table of a million rows)."""
    lines = written_once((n,), np.int64)
    for start in range(0, n, LINES_AT_ONCE):
        stop = min(start + LINES_AT_ONCE, n)
        lines[start:stop] = np.arange(first + start, first + stop)
    return lines


class _Plan:
    """What to read from a file whose header is read: the columns, their
    builders, and how to put them together."""

    def __init__(self, path, header, header_line, names, spelled, verbatim, matrix):
        self.path, self.header, self.header_line = path, header, header_line
        self.names, self.spelled, self.verbatim = names, set(spelled), set(verbatim)
        self.matrix = [n for n in matrix if n in names and n not in verbatim]
        self.position = {column: i for i, column in enumerate(header)}

    def builders(self, capacity: int) -> tuple[dict[str, ColumnBuilder], np.ndarray]:
        """A fresh builder per column, and the matrix they write into."""
        M = written_once((capacity, len(self.matrix)))
        out = {name: M[:, j] for j, name in enumerate(self.matrix)}
        builders = {
            n: ColumnBuilder(
                n,
                capacity,
                spelled=n in self.spelled,
                text=n in self.verbatim,
                out=out.get(n),
            )
            for n in self.names
        }
        return builders, M

    def read_with_arrow(self, layout: Layout, sep: str) -> Columns | None:
        """The columns read by pyarrow, or None if it cannot read this file
        line for line as the csv module does. The columns whose first rows
        are plain numbers are parsed as the rows are split; when a later
        cell of one is not, the file is read again with that column as text
        (up to :data:`TEXT_RETRIES` times; then with every cell as text)."""
        plain = [
            self.position[n]
            for n in self.names
            if n not in self.spelled and n not in self.verbatim
        ]
        numbers = arrow.number_columns(
            self.path, layout.data_offset, len(self.header), sep, plain
        )
        retries = 0
        while True:
            try:
                return self._read_arrow(layout, sep, numbers)
            except arrow.Unreadable as exc:
                if not numbers:
                    return None
                retries += 1
                if exc.column in numbers and retries <= TEXT_RETRIES:
                    numbers = [i for i in numbers if i != exc.column]
                else:
                    numbers = []

    def _read_arrow(self, layout: Layout, sep: str, numbers) -> Columns | None:
        builders, M = self.builders(layout.capacity)
        if _in_halves(layout):
            n_rows = self._feed_halves(layout, sep, builders, numbers)
        else:
            chunks = self._arrow(layout, sep, builders, numbers)
            n_rows = sum(self._feed(chunks, builders))
        if n_rows != layout.data_lines:
            return None  # blank lines, or rows spanning lines
        rereads = self._rereads(builders)
        if rereads:
            sum(self._feed(self._arrow(layout, sep, rereads), rereads))
        lines = _line_numbers(self.header_line + 1, n_rows)
        return self._columns(builders, rereads, lines, M, "pyarrow", sep)

    def _feed_halves(self, layout: Layout, sep: str, builders, numbers) -> int:
        """Feed ``builders`` the file's rows, its two halves read side by
        side: the second into builders of its own, which write their numbers
        into the first's arrays past the first half's rows and are joined
        after. Returns the rows read (-1 if the first half held fewer rows
        than lines)."""
        from concurrent.futures import ThreadPoolExecutor  # large files only

        middle, before = layout.middle
        later = {
            name: ColumnBuilder(
                name,
                builder.capacity,
                spelled=builder.spelled,
                text=builder.numbers is None,
                out=None if builder.numbers is None else builder.numbers[before:],
            )
            for name, builder in builders.items()
        }

        def feed(half: dict[str, ColumnBuilder], start: int, end: int) -> int:
            chunks = self._arrow(layout, sep, half, numbers, (start, end))
            return sum(self._feed(chunks, half))

        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(feed, later, middle, layout.size)
            try:
                n_first = feed(builders, layout.data_offset, middle)
                n_second = second.result()
            finally:
                # the future holds the second half's error, whose traceback
                # holds this frame: a cycle that would keep both halves'
                # arrays alive through the next read
                del second
        if n_first != before:
            return -1  # blank lines: the halves' rows do not meet
        for name, builder in builders.items():
            builder.join(later[name])
        return n_first + n_second

    def _arrow(self, layout: Layout, sep: str, builders, numbers=(), part=None):
        """The chunks of the data rows (of bytes ``part``, a (start, end) pair,
        when given)."""
        wanted = [self.position[n] for n in builders]
        n_columns = len(self.header)
        start, end = part or (layout.data_offset, None)
        return arrow.arrow_chunks(
            self.path, start, n_columns, wanted, sep, numbers, end
        )

    def read_with_csv(self, reader, file, capacity: int) -> Columns:
        """The columns read without pyarrow, from ``reader`` past the header
        (and ``file``, the text it reads)."""
        builders, M = self.builders(capacity)
        parts = self._feed(self._csv(reader, file, builders), builders)
        lines = np.concatenate(parts) if parts else np.empty(0, np.int64)
        rereads = self._rereads(builders)
        if rereads:
            with open_csv(self.path, reader.dialect.delimiter) as (again, text):
                read_header(again, self.path)
                self._feed(self._csv(again, text, rereads), rereads)
        return self._columns(
            builders, rereads, lines, M, "python", reader.dialect.delimiter
        )

    def _csv(self, reader, file, builders):
        wanted = [self.position[n] for n in builders]
        n_columns = len(self.header)
        return text_chunks(reader, file, self.path, n_columns, self.header_line, wanted)

    def _feed(self, chunks: Iterable, builders: dict[str, ColumnBuilder]) -> list:
        """Hand each builder its column of each chunk; returns each chunk's
        rows (a count, or the lines where they start)."""
        by_position = [(self.position[n], b) for n, b in builders.items()]
        parts = []
        for rows, cells in chunks:
            for i, builder in by_position:
                builder.add(cells[i])
            parts.append(rows)
        return parts

    def _rereads(self, builders: dict[str, ColumnBuilder]):
        """Fresh text builders for the text columns whose codes miss rows."""
        return {
            n: ColumnBuilder(n, b.capacity, text=True)
            for n, b in builders.items()
            if b.reread
        }

    def _columns(self, builders, rereads, lines, M, engine: str, sep: str):
        columns = {}
        for n, builder in builders.items():
            column = builder.column()
            if n in rereads:
                text = rereads[n].column()
                text.first_text = column.first_text
                text.first_text_cell = column.first_text_cell
                column = text
            if column.first_text is not None:
                column.first_text_line = int(lines[column.first_text])
            columns[n] = column
        matrix = (tuple(self.matrix), M[: len(lines)]) if self.matrix else None
        return Columns(
            self.path,
            self.header,
            columns,
            lines,
            self.header_line,
            engine,
            sep,
            matrix,
        )
