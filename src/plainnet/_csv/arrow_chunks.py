"""The data rows read by pyarrow's CSV reader, a block at a time, each wanted
column's cells as :class:`ArrowCells`: the fast path, used when pyarrow is
installed. Cells are split and numbers parsed in C (pyarrow parses plain
decimal numbers exactly as ``float`` does, correctly rounded): the columns
whose first rows are plain numbers as the rows are split, the others from
the dictionary-encoded strings the reader gives, each distinct cell that is
not a plain number going once through ``float``. Anything pyarrow might read
otherwise than the csv module raises :class:`Unreadable`, and the caller
reads the file again: with the column it names as text, with every column as
text, or without pyarrow. A part
of the file (a byte range) is read on one thread, so that the caller can
read two at once."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .cells import MISSING_SPELLINGS, MISSING_VALUES, code_of, meaning_of

#: Bytes of the file parsed at a time (by pyarrow's threads).
BLOCK_BYTES = 4 << 20
#: Bytes parsed at a time in a part of the file read on one thread: smaller,
#: since two parts are in flight at once (on the 100 MB table of
#: ``benchmarks/csv_read.py``, 512 KB blocks took 10% longer, 2 MB ones 2.2x
#: the values' memory against 1.6x).
PART_BLOCK_BYTES = 1 << 20
#: Bytes of the rows looked at to choose the columns parsed while split.
SAMPLE_BYTES = 1 << 18
#: Cells looked at before casting a chunk: when one is text, the chunk is
#: parsed by :meth:`ArrowCells._by_form` instead.
_HEAD = 32
#: Cells (spaces stripped) that pyarrow parses exactly as ``float`` does.
_PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


#: pyarrow's words when a cell of a column parsed as numbers is not one.
_NOT_A_NUMBER = re.compile(r"In CSV column #(\d+):.* conversion error to double")


class Unreadable(Exception):
    """pyarrow cannot give this file's rows as the csv module would.

    ``column`` is the position of the column parsed as numbers that holds a
    cell pyarrow cannot read as the csv module and ``float`` would, when that
    is the reason (else None): read again with that column as text, the
    others may still be parsed as numbers.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column

    @classmethod
    def from_arrow(cls, exc: Exception) -> Unreadable:
        """From pyarrow's error, naming the column when pyarrow does."""
        found = _NOT_A_NUMBER.search(str(exc))
        return cls(str(exc), int(found.group(1)) if found else None)


def available() -> bool:
    """Whether pyarrow is installed (it is not imported here)."""
    return importlib.util.find_spec("pyarrow") is not None


def number_columns(
    path: str, offset: int, n_columns: int, sep: str, candidates: Sequence[int]
) -> list[int]:
    """The columns among ``candidates`` (by position) whose cells in the
    first :data:`SAMPLE_BYTES` of the rows are all plain numbers or missing
    values as written (``MISSING_SPELLINGS``): pyarrow can parse them while it
    splits the rows (see ``numbers`` in :func:`arrow_chunks`)."""
    import pyarrow.compute as pc

    if not candidates:
        return []
    try:
        sample = _batches(path, offset, n_columns, sep, (), SAMPLE_BYTES, threads=False)
        batch = next(sample, None)
    except Unreadable:
        return []
    if batch is None:
        return []
    nulls = _string_array(MISSING_SPELLINGS)
    found = []
    for i in candidates:
        cells = batch.column(i).dictionary
        plain = pc.match_substring_regex(cells, _PLAIN_NUMBER)
        if pc.all(pc.or_(plain, pc.is_in(cells, value_set=nulls))).as_py():
            found.append(i)
    return found


def arrow_chunks(
    path: str,
    offset: int,
    n_columns: int,
    wanted: Sequence[int],
    sep: str,
    numbers: Sequence[int] = (),
    end: int | None = None,
) -> Iterator[tuple[int, dict[int, ArrowCells]]]:
    """Each block's number of rows and the cells of the columns ``wanted``
    (by position), from byte ``offset`` of ``path`` (the start of a line
    after the header) to byte ``end`` (the start of a line; the file's end if
    None). The columns ``numbers`` are parsed as float64 as the rows are
    split (``MISSING_SPELLINGS`` missing), the others kept as strings. A part
    of the file (``end`` given) is parsed on this thread alone, so that two
    parts run side by side on two cores.

    Raises
    ------
    Unreadable
        A row of another width, a quote left open, bytes that are not UTF-8,
        a field longer than the csv module takes, a cell of a column
        ``numbers`` that is not a plain number or a missing value, ...
    """
    limit = csv.field_size_limit()
    block = BLOCK_BYTES if end is None else PART_BLOCK_BYTES
    for batch in _batches(path, offset, n_columns, sep, numbers, block, end):
        strings = (c for i, c in enumerate(batch.columns) if i not in numbers)
        if any(_longer_than(column, limit) for column in strings):
            raise Unreadable("a field longer than the csv module takes")
        yield batch.num_rows, {i: ArrowCells(batch.column(i), i) for i in wanted}


def _batches(
    path: str,
    offset: int,
    n_columns: int,
    sep: str,
    numbers: Sequence[int],
    block_size: int,
    end: int | None = None,
    threads: bool | None = None,
) -> Iterator[Any]:
    """pyarrow's record batches of the rows from byte ``offset`` to ``end``,
    parsed by pyarrow's threads if ``threads`` (by default, for the rest of
    the file but not for a part of it)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(n_columns)]
    threads = end is None if threads is None else threads
    read = pacsv.ReadOptions(
        column_names=names, block_size=block_size, use_threads=threads
    )
    parse = pacsv.ParseOptions(
        delimiter=sep,
        quote_char='"',
        double_quote=True,
        escape_char=False,
        newlines_in_values=True,
        ignore_empty_lines=True,
    )
    text = pa.dictionary(pa.int32(), pa.string())
    convert = pacsv.ConvertOptions(
        column_types={
            name: pa.float64() if i in numbers else text for i, name in enumerate(names)
        },
        null_values=MISSING_SPELLINGS,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        check_utf8=True,
    )
    with open(path, "rb") as file:
        file.seek(offset)
        source = file if end is None else _Part(file, end - offset)
        # a part's blocks come from the C library's allocator, which gives
        # their memory back when freed (pyarrow's own keeps it per thread)
        pool = None if end is None else pa.system_memory_pool()
        try:
            yield from pacsv.open_csv(source, read, parse, convert, memory_pool=pool)
        except pa.ArrowException as exc:
            raise Unreadable.from_arrow(exc) from None


class _Part(io.RawIOBase):
    """The next ``size`` bytes of a file opened in binary, as a file."""

    def __init__(self, file: Any, size: int) -> None:
        super().__init__()
        self.file, self.left = file, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.file.readinto(memoryview(buffer)[: self.left])
        self.left -= count
        return count


def _longer_than(column: Any, limit: int) -> bool:
    """Whether a cell of the dictionary-encoded ``column`` has more than
    ``limit`` bytes (and so may be longer than the csv module takes), looked
    at cell by cell only when the distinct cells hold more than ``limit``
    bytes in all."""
    import pyarrow.compute as pc

    cells = column.dictionary
    if cells.get_total_buffer_size() <= limit:
        return False
    return (pc.max(pc.binary_length(cells)).as_py() or 0) > limit


class ArrowCells:
    """One column's cells of a block, as a pyarrow array: float64 for a
    column parsed while split, else strings (dictionary-encoded as the CSV
    reader gives them); ``position``, the column's in the file's rows."""

    def __init__(self, cells: Any, position: int | None = None) -> None:
        self.cells, self.position = cells, position

    def __len__(self) -> int:
        return len(self.cells)

    def numbers(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The cells as float64 (NaN where missing or text), and a boolean
        mask of the text cells (None when there are none)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_floating(self.cells.type):  # parsed while split
            values = _numpy(self.cells, np.float64, math.nan)
            if np.count_nonzero(np.isnan(values)) > self.cells.null_count:
                # a NaN that is not a missing value: "nan(1)", which float refuses
                raise Unreadable(
                    "a NaN with a payload in a column of numbers", self.position
                )
            return values, None
        if pa.types.is_dictionary(self.cells.type):  # each distinct cell once
            values, text = ArrowCells(self.cells.dictionary).numbers()
            indices = _numpy(self.cells.indices, np.int32)
            return values[indices], None if text is None else text[indices]
        # a cast that fails on many cells is slow: text goes another way
        head = self.cells.slice(0, _HEAD).to_pylist()
        if any(meaning_of(cell)[1] for cell in head):
            return self._by_form()
        try:
            values = _numpy(pc.cast(self.cells, pa.float64()), np.float64, math.nan)
        except pa.ArrowInvalid:
            values = None
        if values is not None and not np.isnan(values).any():
            return values, None
        trimmed, missing = self._trimmed()
        kept = pc.if_else(missing, pa.nulls(len(trimmed), pa.string()), trimmed)
        try:
            values = _numpy(pc.cast(kept, pa.float64()), np.float64, math.nan)
        except pa.ArrowInvalid:
            return self._by_form()
        # pyarrow reads "nan(1)" as NaN, float does not: check what reads as NaN
        odd = np.isnan(values) & ~_numpy(missing, bool)
        if odd.any():
            return self._by_form()
        return values, None

    def _trimmed(self) -> tuple[Any, Any]:
        """The cells with spaces stripped (as ``float`` strips them), and
        which ones are missing values."""
        import pyarrow.compute as pc

        trimmed = pc.ascii_trim_whitespace(self.cells)
        missing = pc.is_in(pc.utf8_lower(trimmed), value_set=_missing_values())
        return trimmed, missing

    def _by_form(self) -> tuple[np.ndarray, np.ndarray]:
        """Cells written as plain decimal numbers parsed by pyarrow (which
        reads them as ``float`` does), the others by ``float`` once per
        distinct cell: a few typos among numbers, or the few categories of a
        text column."""
        import pyarrow as pa
        import pyarrow.compute as pc

        trimmed, missing = self._trimmed()
        plain = pc.match_substring_regex(trimmed, _PLAIN_NUMBER)
        numbers = pc.if_else(plain, trimmed, pa.nulls(len(trimmed), pa.string()))
        values = _numpy(pc.cast(numbers, pa.float64()), np.float64, math.nan).copy()
        text = np.zeros(len(values), bool)
        others = pc.invert(pc.or_(plain, missing))
        rows = np.flatnonzero(_numpy(others, bool))
        if len(rows):
            encoded = pc.dictionary_encode(self.cells.filter(others))
            meanings = [meaning_of(cell) for cell in encoded.dictionary.to_pylist()]
            lookup = np.array(meanings, dtype=np.float64).reshape(-1, 2)
            indices = _numpy(encoded.indices, np.int32)
            values[rows] = lookup[indices, 0]
            text[rows] = lookup[indices, 1] != 0
        return values, text

    def cell(self, i: int) -> str:
        """The ``i``-th cell as written."""
        return self.cells[i].as_py()

    def codes(self, index: dict[str, int], categories: list[str]) -> np.ndarray:
        """Each cell's code (see :func:`~plainnet._csv.cells.code_of`), int32
        of shape (n,): the distinct cells are coded once each."""
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = self.cells
        if not pa.types.is_dictionary(encoded.type):
            encoded = pc.dictionary_encode(encoded)
        distinct = encoded.dictionary.to_pylist()
        indices = _numpy(encoded.indices, np.int32)
        new = [i for i, cell in enumerate(distinct) if cell not in index]
        if len(new) > 1:  # categories come in order of first appearance
            present, where = np.unique(indices, return_index=True)
            first = np.full(len(distinct), len(indices))
            first[present] = where
            new.sort(key=lambda i: first[i])
        for i in new:
            code_of(distinct[i], index, categories)
        lookup = np.array([index[cell] for cell in distinct], dtype=np.int32)
        return lookup[indices]


def _numpy(array: Any, dtype: Any, fill: Any = None) -> np.ndarray:
    """A pyarrow array of fixed-width values or booleans (``dtype`` bool) as
    a NumPy array of shape (n,), nulls as ``fill``, read from its buffers
    (``to_numpy`` imports pandas); a read-only view when it can be."""
    n, offset = len(array), array.offset
    validity, data = array.buffers()[:2]
    if data is None:  # every value null
        values = np.zeros(n, dtype)
    elif dtype is bool:
        values = _bits(data, offset, n)
    else:
        size = np.dtype(dtype).itemsize
        values = np.frombuffer(data, dtype, count=n, offset=offset * size)
    if array.null_count:
        values = values.copy()
        values[~_bits(validity, offset, n)] = fill
    return values


def _bits(buffer: Any, offset: int, n: int) -> np.ndarray:
    """Bits ``offset`` to ``offset + n`` of an Arrow bitmap, as booleans."""
    bits = np.unpackbits(np.frombuffer(buffer, np.uint8), bitorder="little")
    return bits[offset : offset + n].astype(bool)


def _missing_values() -> Any:
    return _string_array(sorted(MISSING_VALUES | {"+nan", "-nan"}))


def _string_array(words: Sequence[str]) -> Any:
    """``words`` as a pyarrow string array, made from its buffers (so that
    pyarrow does not import pandas, as ``pa.array`` and ``pa.scalar`` do)."""
    import pyarrow as pa

    data = [word.encode() for word in words]
    offsets = np.cumsum([0, *map(len, data)], dtype=np.int32)
    return pa.StringArray.from_buffers(
        len(data), pa.py_buffer(offsets), pa.py_buffer(b"".join(data))
    )
