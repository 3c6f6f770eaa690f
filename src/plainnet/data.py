"""Reading CSV files with their schema.

:func:`read_csv` reads a CSV file with a header into a :class:`Table`, in one
pass, and turns every problem with the file into a one-line
:class:`~plainnet.errors.DataError` naming the file, line and column. It depends
only on NumPy and the standard library, like :mod:`plainnet.preprocessing` (the
feature scaling and label encoding stored in model files) and
:mod:`plainnet.datasets` (the built-in data sets).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import math
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from ._messages import listing, shorten
from .errors import DataError

__all__ = ["MISSING_VALUES", "Table", "read_csv"]

#: Cell contents (compared after stripping spaces, ignoring case) that mean
#: "no value". ``nan`` in any spelling that ``float`` accepts counts too.
MISSING_VALUES = frozenset(
    {"", "na", "n/a", "#n/a", "<na>", "nan", "null", "none", "?"}
)


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
    """

    feature_names: list[str]
    X: np.ndarray
    y: np.ndarray | None
    target: str | None
    path: str

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
        raise TypeError(f"target must be a column name (str), got {target!r}")
    if isinstance(expected_columns, str):
        raise TypeError("expected_columns must be a list of column names, not a str")
    try:
        # newline="" lets the csv module see quoted line breaks itself.
        with open(name, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            try:
                return _read_rows(
                    reader, name, target, drop_missing, expected_columns, ignore_columns
                )
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


def _read_rows(
    reader: Any,
    path: str,
    target: str | None,
    drop_missing: bool,
    expected_columns: Sequence[str] | None,
    ignore_columns: Sequence[str] = (),
) -> Table:
    """Parse the header and the data rows of an open ``csv.reader``."""
    header, header_line = _read_header(reader, path)
    features = _choose_features(header, path, target, expected_columns, ignore_columns)
    position = {column: i for i, column in enumerate(header)}
    feature_index = [position[column] for column in features]
    get_features = _getter(feature_index)
    target_index = position[target] if target is not None else None

    n_columns = len(header)
    rows: list[list[float]] = []
    raw_target: list[str] = []
    lines: list[int] = []
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
        cells = get_features(row)
        try:
            rows.append(list(map(float, cells)))
        except ValueError:
            rows.append(_parse_slowly(cells, features, path, line))
        if target_index is not None:
            raw_target.append(row[target_index])
        lines.append(line)

    if not rows:
        raise DataError(f"{path}: the header (line {header_line}) has no data rows")
    X = np.array(rows, dtype=np.float64).reshape(len(rows), len(features))
    y = _parse_target(raw_target, path, target, lines) if target is not None else None
    _check_finite(X, features, path, lines)
    X, y = _handle_missing(X, y, features, target, path, lines, drop_missing)
    return Table(feature_names=features, X=X, y=y, target=target, path=path)


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
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DataError(
            f"{path}: no target column {target!r}{hint}; the columns are: "
            f"{listing(header, limit=None)}"
        )
    if expected_columns is None:
        features = [column for column in header if column not in skip]
    else:
        expected = [str(column) for column in expected_columns]
        if len(set(expected)) != len(expected):
            raise DataError(f"expected_columns has duplicates: {expected!r}")
        features = [column for column in expected if column not in skip]
        present = set(header) - skip
        missing = [column for column in features if column not in present]
        extra = [
            column for column in header if column not in features and column not in skip
        ]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {listing(missing, limit=None)}")
            if extra:
                parts.append(f"unexpected {listing(extra, limit=None)}")
            raise DataError(
                f"{path}: the columns differ from the expected ones: "
                f"{'; '.join(parts)} (expected {listing(features, limit=None)})"
            )
    if not features:
        raise DataError(f"{path}: no feature columns besides the target {target!r}")
    return features


def _getter(index: list[int]) -> Callable[[list[str]], Sequence[str]]:
    """Return a fast function picking the cells at ``index`` out of a row."""
    if len(index) == 1:
        (i,) = index
        return lambda row: (row[i],)
    return itemgetter(*index)


def _parse_slowly(
    cells: Sequence[str], features: list[str], path: str, line: int
) -> list[float]:
    """Parse one row cell by cell: NaN for a missing value, DataError otherwise."""
    values = []
    for column, cell in zip(features, cells, strict=True):
        try:
            values.append(float(cell))
        except ValueError:
            if cell.strip().lower() not in MISSING_VALUES:
                raise DataError(
                    f"{path}: line {line}, column {column!r}: "
                    f"{shorten(cell)!r} is not a number{_separator_hint([cell])}"
                ) from None
            values.append(math.nan)
    return values


def _parse_target(
    raw: list[str], path: str, target: str, lines: list[int]
) -> np.ndarray:
    """Return the target as float64 if every value is a number, else as str.

    Missing values are NaN in a numeric target and ``""`` in a text one.
    """
    stripped = [value.strip() for value in raw]
    try:
        y = np.array(
            [math.nan if v.lower() in MISSING_VALUES else float(v) for v in stripped],
            dtype=np.float64,
        )
    except ValueError:
        return np.array(
            ["" if v.lower() in MISSING_VALUES else v for v in stripped], dtype=str
        )
    infinite = np.flatnonzero(np.isinf(y))
    if infinite.size:
        i = infinite[0]
        raise DataError(
            f"{path}: line {lines[i]}, column {target!r}: infinite value "
            f"{y[i]} ({infinite.size} infinite cell(s) in column(s) {target!r}); "
            "plainnet needs finite numbers"
        )
    return y


def _check_finite(
    X: np.ndarray, features: list[str], path: str, lines: list[int]
) -> None:
    """Raise DataError if ``X`` holds an infinite value (NaN means missing)."""
    infinite = np.isinf(X)
    if infinite.any():
        rows, columns = np.nonzero(infinite)
        names = [features[c] for c in np.unique(columns)]
        raise DataError(
            f"{path}: line {lines[rows[0]]}, column {features[columns[0]]!r}: "
            f"infinite value {X[rows[0], columns[0]]} ({rows.size} infinite "
            f"cell(s) in column(s) {listing(names)}); plainnet needs finite numbers"
        )


def _handle_missing(
    X: np.ndarray,
    y: np.ndarray | None,
    features: list[str],
    target: str | None,
    path: str,
    lines: list[int],
    drop_missing: bool,
) -> tuple[np.ndarray, np.ndarray | None]:
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
        return X, y
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
    return X[keep], (y[keep] if y is not None else None)


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
