"""Reading CSV files with their schema.

:func:`read_csv` reads a CSV file with a header into a :class:`Table` (number
features and a target), :func:`read_columns` into :class:`Columns` (numbers or
text, column by column), in one pass, and every problem with the file becomes
a one-line :class:`~plainnet.errors.DataError` naming the file, line and
column. The cells are split by ``str`` methods and the csv module, or by
pyarrow when it is installed (``engine=``), and converted a chunk of rows at
a time into arrays allocated once, by C-level calls per column (``float``
mapped over a column's cells, or pyarrow's parser; text worked out once per
distinct cell); the parts live in :mod:`plainnet._csv`. It depends only on
NumPy and the standard library (pyarrow is optional), like
:mod:`plainnet.preprocessing` (the feature scaling and label encoding stored
in model files) and :mod:`plainnet.datasets` (the built-in data sets).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._csv.builder import MAX_SPELLINGS
from ._csv.cells import MIN_NUMBER_FRACTION, MISSING_VALUES
from ._csv.cells import is_missing as _is_missing  # noqa: F401 (tables, onnx)
from ._csv.columns import Column, Columns
from ._csv.file import check_separator, separator_hint
from ._csv.reading import ARROW_MIN_BYTES, read_file
from ._messages import listing, shown
from .errors import DataError

__all__ = [
    "ARROW_MIN_BYTES",
    "MAX_SPELLINGS",
    "MIN_NUMBER_FRACTION",
    "MISSING_VALUES",
    "Column",
    "Columns",
    "Table",
    "read_columns",
    "read_csv",
]


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
    sep: str | None = ",",
    engine: str = "auto",
) -> Table:
    """Read a CSV file with a header row into a :class:`Table`.

    The file is read once, a chunk of rows at a time. Cells are numbers as
    ``float`` reads them (so ``"1e3"`` and ``" 2.5 "`` are numbers); blank
    lines are skipped. A cell holding one of :data:`MISSING_VALUES` (``""``,
    ``NA``, ``NaN``, ``null``, ...) is a missing value. The features are read
    straight into ``X``: peak memory is little more than ``X`` and ``y``.

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
    sep : str or None, default ","
        The separator of the cells (``";"``, ``"\\t"``, ...), or None to
        detect it: whichever of ``,`` ``;`` and a tab splits the header into
        the most columns (quotes respected; a comma on a tie).
    engine : {"auto", "pyarrow", "python"}, default "auto"
        What splits the rows into cells: ``"python"`` is the standard
        library (lines without quotes split by ``str`` methods, the rest by
        the csv module); ``"pyarrow"`` is pyarrow's CSV reader (which also
        parses the columns of plain numbers, several times faster), which
        must be installed; ``"auto"`` takes pyarrow when it is installed and
        the file holds at least :data:`ARROW_MIN_BYTES`
        bytes. Both give the same table, bit for bit, and the same errors: a
        file that pyarrow cannot read line for line as the csv module does
        (blank lines between rows, quoted line breaks, a malformed row) is
        read without it (``Columns.engine`` says which did).

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
        unreadable, empty, no header row (or one that reads as one column
        holding another separator), rows with the wrong number of fields,
        ``target`` absent (the columns are listed), a non-numeric feature
        value, missing values (their lines are listed) unless
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
    check_separator(sep)
    chosen: list[str] = []

    def select(header: list[str]) -> list[str]:
        chosen.extend(
            _choose_features(header, name, target, expected_columns, ignore_columns)
        )
        return chosen + ([target] if target is not None else [])

    spelled = [target] if target is not None else []
    columns = read_file(name, select, spelled, (), sep, engine, matrix=chosen)
    return _table(columns, chosen, target, drop_missing)


def read_columns(
    path: str | os.PathLike[str],
    select: Callable[[list[str]], list[str]] | None = None,
    *,
    spelled: Sequence[str] = (),
    verbatim: Sequence[str] = (),
    sep: str | None = ",",
    engine: str = "auto",
) -> Columns:
    """Read a CSV file with a header, column by column, numbers or text.

    Each column becomes an array as the file is read, a chunk of rows at a
    time, into arrays allocated once for the lines the file holds: a column
    of numbers is float64 (NaN where a cell is missing), a column holding
    text is integer codes into its categories. A column stays one of numbers
    while at least :data:`MIN_NUMBER_FRACTION` of its filled cells are
    numbers: its few other cells (a typo) are then NaN too, counted in
    ``Column.n_text`` (see ``Column.not_numbers_note``). Memory holds the
    arrays and one chunk of text, never the rows as Python lists.

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
    sep : str or None, default ","
        The separator, or None to detect it (see :func:`read_csv`).
    engine : {"auto", "pyarrow", "python"}, default "auto"
        What splits the rows into cells (see :func:`read_csv`).

    Returns
    -------
    Columns

    Raises
    ------
    DataError
        One line naming the file, line and column (see :func:`read_csv`).
    """
    name = os.fspath(path)
    check_separator(sep)
    columns = read_file(name, select, spelled, verbatim, sep, engine)
    if columns.n_rows == 0:
        raise DataError(
            f"{name}: the header (line {columns.header_line}) has no data rows"
        )
    return columns


def _table(
    columns: Columns, features: list[str], target: str | None, drop_missing: bool
) -> Table:
    """The Table of read_csv from the columns read."""
    path, lines = columns.path, columns.lines
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
    """Raise DataError at the first cell of the columns ``names`` that is
    neither a number nor missing (even in a column of mostly numbers)."""
    texts = [columns[n] for n in names if columns[n].has_text]
    if texts:
        first = min(texts, key=lambda c: c.first_text)
        cell = first.first_text_cell
        raise DataError(
            f"{columns.path}: line {first.first_text_line}, column "
            f"{shown(first.name)}: {shown(cell)} is not a number"
            f"{separator_hint([cell], columns.sep)}"
        )


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
    """Return the target as float64 if every value is a number, else as str
    (the labels as written, even when only a few cells are text).

    Missing values are NaN in a numeric target and ``""`` in a text one.
    """
    if column.has_text:
        y = column.spellings()
        if y is None:  # a few text cells among too many distinct numbers
            raise DataError(
                f"{path}: line {column.first_text_line}, column {shown(target)}: "
                f"{shown(column.first_text_cell)} is not a number"
            )
        return y
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
