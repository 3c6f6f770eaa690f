"""Reading CSV files with their schema.

:func:`read_csv` reads a CSV file with a header into a :class:`Table`, in one
pass, and turns every problem with the file into a one-line
:class:`~plainnet.errors.DataError` naming the file, line and column. It depends
only on NumPy and the standard library, like :mod:`plainnet.preprocessing` (the
feature scaling and label encoding stored in model files) and
:mod:`plainnet.datasets` (the built-in data sets).
"""

from __future__ import annotations

import array
import codecs
import contextlib
import csv
import difflib
import math
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._messages import listing, shown
from .errors import DataError

__all__ = ["MISSING_VALUES", "Column", "Columns", "Table", "read_columns", "read_csv"]

#: Cell contents (compared after stripping spaces, ignoring case) that mean
#: "no value". ``nan`` in any spelling that ``float`` accepts counts too.
MISSING_VALUES = frozenset(
    {"", "na", "n/a", "#n/a", "<na>", "nan", "null", "none", "?"}
)
#: Rows parsed at a time: each chunk's cells become arrays at once, so memory
#: holds the final arrays plus one chunk of text.
CHUNK_ROWS = 4096
#: A column of numbers keeps the spelling of its cells (``007``) while it has
#: at most this many distinct ones: enough for any set of class labels.
MAX_SPELLINGS = 10_000


@dataclass(repr=False)
class Table:
    """A CSV file read by :func:`read_csv`.

    Attributes
    ----------
    feature_names : list of str
        Names of the feature columns, in the order of the columns of ``X``.
    X : ndarray of shape (n_samples, n_features), float64
        The feature values, all finite.
    y : ndarray of shape (n_samples,) or None
        The target column as read: float64 if every value is a number,
        otherwise the values as strings (spaces stripped). ``None`` when no
        target was asked for.
    target : str or None
        Name of the target column.
    path : str
        The file the table was read from.
    y_text : ndarray of shape (n_samples,) of str, or None
        The target's cells as written (spaces stripped, ``""`` where
        missing), so that class labels keep their spelling (``007`` is not
        ``7``); None without a target, or for a column of numbers with more
        than :data:`MAX_SPELLINGS` distinct spellings.
    """

    feature_names: list[str]
    X: np.ndarray
    y: np.ndarray | None
    target: str | None
    path: str
    y_text: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        """Number of data rows kept."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return int(self.X.shape[1])

    def __repr__(self) -> str:
        return (
            f"Table(path={self.path!r}, n_samples={self.n_samples}, "
            f"feature_names={self.feature_names!r}, target={self.target!r})"
        )


def read_csv(
    path: str | os.PathLike[str],
    target: str | None = None,
    *,
    drop_missing: bool = False,
    expected_columns: Sequence[str] | None = None,
    ignore_columns: Sequence[str] = (),
) -> Table:
    """Read a comma-separated file with a header row into a :class:`Table`.

    The file is read once, row by row. Cells are parsed with ``float`` (so
    ``"1e3"`` and ``" 2.5 "`` are numbers); blank lines are skipped. A cell
    holding one of :data:`MISSING_VALUES` (``""``, ``NA``, ``NaN``, ``null``,
    ...) is a missing value.

    Parameters
    ----------
    path : str or path-like
        The CSV file, UTF-8 (a byte-order mark is allowed).
    target : str, optional
        Name of the column to return as ``y``. Every other column is a
        feature and must hold numbers. The target may hold numbers or text.
    drop_missing : bool, default False
        Drop the rows that have a missing value (in a feature or in the
        target) instead of raising.
    expected_columns : sequence of str, optional
        The columns the file must have, e.g. the feature names a model was
        trained on. Their order in the file may differ: ``X`` follows the
        order given here. ``target`` may be listed or not.
    ignore_columns : sequence of str, default ()
        Columns skipped if present (not read, not checked), e.g. the target
        column of a file given for prediction.

    Returns
    -------
    Table
        ``X`` of shape (n_samples, n_features), ``y`` of shape (n_samples,)
        or None, and the feature names.

    Raises
    ------
    DataError
        With a one-line message naming the file and, where it applies, the
        line (1-based, as in a text editor) and the column: file missing or
        unreadable, empty, no header row, rows with the wrong number of
        fields, ``target`` absent (the columns are listed), a non-numeric
        feature value, missing values (their lines are listed) unless
        ``drop_missing``, infinite values, columns other than
        ``expected_columns``.

    Examples
    --------
    >>> table = read_csv("iris.csv", target="species")  # doctest: +SKIP
    >>> table.X.shape, table.y[:2]  # doctest: +SKIP
    ((150, 4), array(['setosa', 'setosa'], dtype='<U10'))
    """
    name = os.fspath(path)
    if target is not None and not isinstance(target, str):
        raise TypeError(f"target must be a column name (str), got {shown(target)}")
    if isinstance(expected_columns, str):
        raise TypeError("expected_columns must be a list of column names, not a str")
    with _csv_reader(name) as reader:
        return _read_rows(
            reader, name, target, drop_missing, expected_columns, ignore_columns
        )


def read_columns(
    path: str | os.PathLike[str],
    select: Callable[[list[str]], list[str]] | None = None,
    *,
    spelled: Sequence[str] = (),
    verbatim: Sequence[str] = (),
) -> Columns:
    """Read a CSV file with a header, column by column, numbers or text.

    Each column becomes an array as the file is read, in chunks of
    :data:`CHUNK_ROWS` rows: a column of numbers is float64 (NaN where a cell
    is missing), a column holding any other text is integer codes into its
    categories. Memory holds the arrays and one chunk of text, never the
    rows as Python lists.

    Parameters
    ----------
    path : str or path-like
        The CSV file, UTF-8 (a byte-order mark is allowed).
    select : callable ``header -> list of str``, optional
        Given the header's names, returns the columns to read (it may raise
        DataError). By default every column.
    spelled : sequence of str, default ()
        Columns whose cells' spelling is kept even when they are numbers
        (class labels: ``007`` is not ``7``), while they have at most
        :data:`MAX_SPELLINGS` distinct cells.
    verbatim : sequence of str, default ()
        Columns read as text whatever they hold (to be copied out as written).

    Returns
    -------
    Columns

    Raises
    ------
    DataError
        One line naming the file, line and column (see :func:`read_csv`).
    """
    name = os.fspath(path)
    with _csv_reader(name) as reader:
        columns = _parse_columns(reader, name, select, spelled, verbatim)
    if columns.n_rows == 0:
        raise DataError(
            f"{name}: the header (line {columns.header_line}) has no data rows"
        )
    return columns


@contextlib.contextmanager
def _csv_reader(name: str) -> Iterator[Any]:
    """An open ``csv.reader`` of ``name``; every problem becomes a DataError."""
    _check_regular(name)
    try:
        # newline="" lets the csv module see quoted line breaks itself.
        with open(name, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            try:
                yield reader
            except UnicodeDecodeError:
                raise DataError(
                    f"{name}: line {_undecodable_line(name)}: not UTF-8 text; "
                    "save the file as UTF-8 CSV"
                ) from None
            except csv.Error as exc:
                raise DataError(
                    f"{name}: line {reader.line_num}: malformed CSV ({exc})"
                ) from None
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


def _check_regular(name: str) -> None:
    """Refuse a FIFO or a device before opening it (opening a FIFO blocks)."""
    try:
        mode = os.stat(name).st_mode
    except OSError:
        return  # open() reports it
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device"
        raise DataError(f"{name}: is {what}, not a CSV file")


# -- column by column ----------------------------------------------------------
@dataclass(repr=False)
class Column:
    """One column of a CSV file, as :func:`read_columns` reads it.

    Attributes
    ----------
    name : str
    numbers : ndarray of shape (n_rows,), float64, or None
        The values, NaN where missing; None for a text column.
    codes : ndarray of shape (n_rows,), int32, or None
        Each cell's index in ``categories`` (-1 where missing): for a text
        column, and for a ``spelled`` one while its spellings are kept.
    categories : list of str or None
        The distinct cells as written (spaces stripped), in order of first
        appearance.
    first_text : int or None
        The row of the first cell that is neither a number nor missing.
    first_text_cell : str or None
        That cell, as written.
    """

    name: str
    numbers: np.ndarray | None
    codes: np.ndarray | None = None
    categories: list[str] | None = None
    first_text: int | None = None
    first_text_cell: str | None = None

    @property
    def is_text(self) -> bool:
        """Whether a cell holds something other than a number."""
        return self.numbers is None

    def missing(self) -> np.ndarray:
        """A boolean array of shape (n_rows,): True where the cell is missing."""
        if self.numbers is not None:
            return np.isnan(self.numbers)
        return self.codes < 0

    def spellings(self) -> np.ndarray | None:
        """The cells as written (``""`` where missing), of shape (n_rows,), or
        None when they were not kept."""
        if self.codes is None:
            return None
        lookup = np.array([*self.categories, ""], dtype=str)
        return lookup[self.codes]  # -1 picks the final ""

    def take(self, rows: np.ndarray) -> Column:
        """The same column for the rows ``rows`` only."""
        return Column(
            self.name,
            None if self.numbers is None else self.numbers[rows],
            None if self.codes is None else self.codes[rows],
            self.categories,
            self.first_text,
            self.first_text_cell,
        )

    def __repr__(self) -> str:
        kind = "text" if self.is_text else "numbers"
        return f"Column({self.name!r}, {kind}, n_rows={len(self.missing())})"


@dataclass(repr=False)
class Columns:
    """The columns read from a CSV file by :func:`read_columns`.

    Attributes
    ----------
    path : str
    header : list of str
        Every column's name, in the file's order.
    columns : dict of str to Column
        The columns read, by name.
    lines : ndarray of shape (n_rows,), int64
        The line (1-based) where each row starts, for messages.
    header_line : int
    """

    path: str
    header: list[str]
    columns: dict[str, Column]
    lines: np.ndarray
    header_line: int = 1

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(self.lines)

    def __getitem__(self, name: str) -> Column:
        return self.columns[name]

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def take(self, rows: np.ndarray) -> Columns:
        """The same columns for the rows ``rows`` only."""
        return Columns(
            self.path,
            self.header,
            {n: c.take(rows) for n, c in self.columns.items()},
            self.lines[rows],
            self.header_line,
        )

    def pop_matrix(self, names: Sequence[str]) -> np.ndarray:
        """The number columns ``names`` as one array of shape (n_rows,
        len(names)), float64, each column removed as it is copied (so memory
        never holds both in full)."""
        X = np.empty((self.n_rows, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            X[:, j] = self.columns.pop(name).numbers
        return X

    def __repr__(self) -> str:
        return (
            f"Columns(path={self.path!r}, n_rows={self.n_rows}, "
            f"columns={list(self.columns)!r})"
        )


class _ColumnBuilder:
    """Collects one column chunk by chunk: numbers until a text cell, then
    codes; the spelling too when asked (or once the column is text)."""

    def __init__(self, name: str, spelled: bool, text: bool = False) -> None:
        self.name, self.text = name, text
        self.numbers: list[np.ndarray] | None = [] if not text else None
        self.codes: list[np.ndarray] | None = [] if spelled or text else None
        self.index: dict[str, int] = {}
        self.categories: list[str] = []
        self.n_rows = 0
        self.seen_number = False
        self.reread = False  # text came after numbers whose spelling was not kept
        self.first_text: int | None = None
        self.first_text_cell: str | None = None

    def add(self, cells: Sequence[str]) -> None:
        if not self.text:
            try:
                values = np.fromiter(map(float, cells), np.float64, len(cells))
            except ValueError:
                values = self._numbers_or_text(cells)
            if values is not None:
                self.numbers.append(values)
                self.seen_number = self.seen_number or not np.isnan(values).all()
        if self.codes is not None:
            self.codes.append(self._codes(cells))
            if not self.text and len(self.categories) > MAX_SPELLINGS:
                self.codes, self.index, self.categories = None, {}, []
        self.n_rows += len(cells)

    def _numbers_or_text(self, cells: Sequence[str]) -> np.ndarray | None:
        """Parse cell by cell: NaN where missing; on the first text cell the
        column becomes text (and None is returned)."""
        values = np.empty(len(cells), np.float64)
        for i, cell in enumerate(cells):
            try:
                values[i] = float(cell)
            except ValueError:
                if not _is_missing(cell.strip()):
                    self._become_text(i, cell, values[:i])
                    return None
                values[i] = math.nan
        return values

    def _become_text(self, i: int, cell: str, before: np.ndarray) -> None:
        self.first_text, self.first_text_cell = self.n_rows + i, cell
        self.seen_number = self.seen_number or not np.isnan(before).all()
        if self.codes is None:
            # numbers read so far lost their spelling: read them again later,
            # or (all missing) code them as missing
            self.reread = self.seen_number
            self.codes = [np.full(self.n_rows, -1, np.int32)]
        self.text, self.numbers = True, None

    def _codes(self, cells: Sequence[str]) -> np.ndarray:
        index, categories = self.index, self.categories
        out = np.empty(len(cells), np.int32)
        for i, cell in enumerate(cells):
            code = index.get(cell)
            if code is None:
                text = cell.strip()
                code = index.get(text)
                if code is None:
                    code = -1 if _is_missing(text) else len(categories)
                    if code >= 0:
                        categories.append(text)
                    index[text] = code
                index[cell] = code
            out[i] = code
        return out

    def column(self) -> Column:
        """The finished column (the chunks are released)."""
        numbers = codes = None
        if not self.text:
            numbers = _joined(self.numbers, np.float64)
        if self.codes is not None:
            codes = _joined(self.codes, np.int32)
        self.numbers = self.codes = None
        return Column(
            self.name,
            numbers,
            codes,
            list(self.categories) if codes is not None else None,
            self.first_text,
            self.first_text_cell,
        )


def _joined(chunks: list[np.ndarray], dtype) -> np.ndarray:
    if not chunks:
        return np.empty(0, dtype)
    joined = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    chunks.clear()
    return joined


def _is_missing(text: str) -> bool:
    """Whether a stripped cell means "no value" (see :data:`MISSING_VALUES`)."""
    lower = text.lower()
    return lower in MISSING_VALUES or lower.lstrip("+-") == "nan"


def _parse_columns(
    reader: Any,
    path: str,
    select: Callable[[list[str]], list[str]] | None,
    spelled: Sequence[str],
    verbatim: Sequence[str] = (),
) -> Columns:
    """Read the header and the data rows of an open ``csv.reader``, chunk by
    chunk, into columns; text columns that began with numbers are read again."""
    header, header_line = _read_header(reader, path)
    names = list(header) if select is None else list(select(header))
    position = {column: i for i, column in enumerate(header)}
    builders = {n: _ColumnBuilder(n, n in spelled, n in verbatim) for n in names}
    lines = _read_chunks(reader, path, header, header_line, position, builders)
    reread = [n for n, b in builders.items() if b.reread]
    columns = {n: b.column() for n, b in builders.items()}
    if reread:
        again = {n: _ColumnBuilder(n, False, text=True) for n in reread}
        with _csv_reader(path) as second:
            _read_header(second, path)
            _read_chunks(second, path, header, header_line, position, again)
        for n, builder in again.items():
            text = builder.column()
            text.first_text = columns[n].first_text
            text.first_text_cell = columns[n].first_text_cell
            columns[n] = text
    return Columns(path, header, columns, lines, header_line)


def _read_chunks(reader, path, header, header_line, position, builders) -> np.ndarray:
    """Feed every data row's cells to ``builders``; returns each row's line."""
    n_columns = len(header)
    wanted = [(position[n], b) for n, b in builders.items()]
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
                f"{_separator_hint(row)}"
            )
        chunk.append(row)
        lines.append(line)
        if len(chunk) == CHUNK_ROWS:
            _feed(chunk, wanted)
    _feed(chunk, wanted)
    return np.frombuffer(lines, dtype=np.int64).copy() if lines else np.empty(0, int)


def _feed(chunk: list[list[str]], wanted) -> None:
    """Hand each builder its column of the chunk, then empty the chunk."""
    if chunk:
        cells = list(zip(*chunk, strict=True))
        for i, builder in wanted:
            builder.add(cells[i])
        chunk.clear()


def _read_rows(
    reader: Any,
    path: str,
    target: str | None,
    drop_missing: bool,
    expected_columns: Sequence[str] | None,
    ignore_columns: Sequence[str] = (),
) -> Table:
    """Parse the header and the data rows of an open ``csv.reader``."""
    chosen: list[str] = []

    def select(header: list[str]) -> list[str]:
        chosen.extend(
            _choose_features(header, path, target, expected_columns, ignore_columns)
        )
        return chosen + ([target] if target is not None else [])

    columns = _parse_columns(reader, path, select, [target] if target else [])
    features, lines = chosen, columns.lines
    if columns.n_rows == 0:
        raise DataError(
            f"{path}: the header (line {columns.header_line}) has no data rows"
        )
    _check_numbers(columns, features)
    target_column = columns.columns.pop(target) if target is not None else None
    X = columns.pop_matrix(features)
    y = y_text = None
    if target_column is not None:
        y = _parse_target(target_column, path, target, lines)
        y_text = target_column.spellings()
    _check_finite(X, features, path, lines)
    X, y, y_text = _handle_missing(
        X, y, y_text, features, target, path, lines, drop_missing
    )
    return Table(
        feature_names=features, X=X, y=y, target=target, path=path, y_text=y_text
    )


def _check_numbers(columns: Columns, names: Sequence[str]) -> None:
    """Raise DataError at the first text cell of the columns ``names``."""
    texts = [columns[n] for n in names if columns[n].is_text]
    if texts:
        first = min(texts, key=lambda c: c.first_text)
        cell = first.first_text_cell
        raise DataError(
            f"{columns.path}: line {columns.lines[first.first_text]}, column "
            f"{shown(first.name)}: {shown(cell)} is not a number"
            f"{_separator_hint([cell])}"
        )


def _read_header(reader: Any, path: str) -> tuple[list[str], int]:
    """Return the header's column names and its line number."""
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        header = [cell.strip() for cell in row]
        line = reader.line_num
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


def _choose_features(
    header: list[str],
    path: str,
    target: str | None,
    expected_columns: Sequence[str] | None,
    ignore_columns: Sequence[str] = (),
) -> list[str]:
    """Return the feature columns, in output order, after checking the header."""
    skip = {target, *ignore_columns}
    if target is not None and target not in header:
        folded = [c for c in header if c.casefold() == target.casefold()]
        close = folded or difflib.get_close_matches(target, header, n=1)
        hint = f" (did you mean {shown(close[0])}?)" if close else ""
        raise DataError(
            f"{path}: no target column {shown(target)}{hint}; the columns are: "
            f"{listing(header, limit=20)}"
        )
    if expected_columns is None:
        features = [column for column in header if column not in skip]
    else:
        expected = [str(column) for column in expected_columns]
        if len(set(expected)) != len(expected):
            raise DataError(f"expected_columns has duplicates: {shown(expected)}")
        features = [column for column in expected if column not in skip]
        present = set(header) - skip
        missing = [column for column in features if column not in present]
        extra = [
            column for column in header if column not in features and column not in skip
        ]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {listing(missing, limit=20)}")
            if extra:
                parts.append(f"unexpected {listing(extra, limit=20)}")
            raise DataError(
                f"{path}: the columns differ from the expected ones: "
                f"{'; '.join(parts)} (expected {listing(features, limit=20)})"
            )
    if not features:
        raise DataError(
            f"{path}: no feature columns besides the target {shown(target)}"
        )
    return features


def _parse_target(
    column: Column, path: str, target: str, lines: np.ndarray
) -> np.ndarray:
    """Return the target as float64 if every value is a number, else as str.

    Missing values are NaN in a numeric target and ``""`` in a text one.
    """
    if column.is_text:
        return column.spellings()
    y = column.numbers
    infinite = np.flatnonzero(np.isinf(y))
    if infinite.size:
        i = infinite[0]
        raise DataError(
            f"{path}: line {lines[i]}, column {shown(target)}: infinite value "
            f"{y[i]} ({infinite.size} infinite cell(s) in column(s) {shown(target)}); "
            "plainnet needs finite numbers"
        )
    return y


def _check_finite(
    X: np.ndarray, features: list[str], path: str, lines: np.ndarray
) -> None:
    """Raise DataError if ``X`` holds an infinite value (NaN means missing)."""
    infinite = np.isinf(X)
    if infinite.any():
        rows, columns = np.nonzero(infinite)
        names = [features[c] for c in np.unique(columns)]
        raise DataError(
            f"{path}: line {lines[rows[0]]}, column {shown(features[columns[0]])}: "
            f"infinite value {X[rows[0], columns[0]]} ({rows.size} infinite "
            f"cell(s) in column(s) {listing(names)}); plainnet needs finite numbers"
        )


def _handle_missing(
    X: np.ndarray,
    y: np.ndarray | None,
    y_text: np.ndarray | None,
    features: list[str],
    target: str | None,
    path: str,
    lines: np.ndarray,
    drop_missing: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Drop or report the rows holding a missing value."""
    missing_cells = np.isnan(X)
    missing_rows = missing_cells.any(axis=1)
    columns = [features[c] for c in np.flatnonzero(missing_cells.any(axis=0))]
    if y is not None:
        missing_y = np.isnan(y) if y.dtype.kind == "f" else y == ""
        if missing_y.any():
            missing_rows |= missing_y
            columns.append(str(target))
    if not missing_rows.any():
        return X, y, y_text
    bad_lines = [lines[i] for i in np.flatnonzero(missing_rows)]
    if not drop_missing:
        raise DataError(
            f"{path}: missing values in {len(bad_lines)} row(s), at line(s) "
            f"{listing(bad_lines, quote=False)}, in column(s) "
            f"{listing(columns)}; fill them in or drop those rows "
            "(drop_missing=True)"
        )
    if missing_rows.all():
        raise DataError(
            f"{path}: every data row has a missing value (column(s) "
            f"{listing(columns)}); nothing is left after dropping them"
        )
    keep = ~missing_rows
    return tuple(a if a is None else a[keep] for a in (X, y, y_text))


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


def _is_number(text: str) -> bool:
    """Whether ``float`` accepts ``text``."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _separator_hint(cells: Sequence[str]) -> str:
    """A hint when a file seems to use another separator than the comma."""
    for separator, label in ((";", "semicolons"), ("\t", "tabs")):
        if any(separator in cell for cell in cells):
            return f" (the file seems separated by {label}; plainnet reads commas)"
    return ""
