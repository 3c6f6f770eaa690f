"""Data going in: CSV files with their schema, feature scaling, labels, toy data.

Everything here depends only on NumPy, the standard library and
:mod:`plainnet.errors`, so it can be imported and tested on its own.

* :func:`read_csv` reads a CSV file with a header into a :class:`Table`, in one
  pass, and turns every problem with the file into a one-line
  :class:`~plainnet.errors.DataError` naming the file, line and column.
* :class:`Standardizer` is the feature scaling stored inside model files.
* :func:`encode_labels` / :func:`decode_labels` map class labels to codes
  ``0 .. n_classes - 1`` and back.
* :func:`make_dataset` generates the built-in data sets listed in
  :data:`DATASETS`.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import math
import os
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from plainnet.errors import DataError

__all__ = [
    "DATASETS",
    "MISSING_VALUES",
    "Standardizer",
    "Table",
    "decode_labels",
    "encode_labels",
    "make_dataset",
    "read_csv",
]

#: Cell contents (compared after stripping spaces, ignoring case) that mean
#: "no value". ``nan`` in any spelling that ``float`` accepts counts too.
MISSING_VALUES = frozenset(
    {"", "na", "n/a", "#n/a", "<na>", "nan", "null", "none", "?"}
)

_SHOWN = 5  # how many line numbers or values an error message lists


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


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
    features = _choose_features(
        header, path, target, expected_columns, ignore_columns
    )
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
                f"({_listing(row)}); add a first line naming the columns"
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
                f"{_listing(duplicates)}"
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
            f"{_listing(header, limit=None)}"
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
                parts.append(f"missing {_listing(missing, limit=None)}")
            if extra:
                parts.append(f"unexpected {_listing(extra, limit=None)}")
            raise DataError(
                f"{path}: the columns differ from the expected ones: "
                f"{'; '.join(parts)} (expected {_listing(features, limit=None)})"
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
                    f"{_shorten(cell)!r} is not a number{_separator_hint([cell])}"
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
            f"cell(s) in column(s) {_listing(names)}); plainnet needs finite numbers"
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
            f"{_listing(bad_lines, quote=False)}, in column(s) "
            f"{_listing(columns)}; fill them in or drop those rows "
            "(drop_missing=True)"
        )
    if missing_rows.all():
        raise DataError(
            f"{path}: every data row has a missing value (column(s) "
            f"{_listing(columns)}); nothing is left after dropping them"
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


def _shorten(text: str, width: int = 40) -> str:
    """Cut ``text`` to at most ``width`` characters for a message."""
    return text if len(text) <= width else text[: width - 3] + "..."


def _listing(
    items: Sequence[Any], *, limit: int | None = _SHOWN, quote: bool = True
) -> str:
    """``'a', 'b', 'c', ... (12 in all)``: the first few items for a message."""
    shown = list(items) if limit is None else list(items)[:limit]
    text = ", ".join(repr(_shorten(str(i))) if quote else str(i) for i in shown)
    if len(shown) < len(items):
        text += f", ... ({len(items)} in all)"
    return text


# --------------------------------------------------------------------------
# Feature scaling
# --------------------------------------------------------------------------


class Standardizer:
    """Shift and scale each feature to mean 0 and standard deviation 1.

    ``transform(X) = (X - mean_) / scale_``, where ``scale_`` is the
    population standard deviation of each column seen by :meth:`fit`. A
    constant column gets a scale of 1 (so it becomes 0, not NaN) and one
    warning names all such columns.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,), float64
        Column means; ``None`` before :meth:`fit`.
    scale_ : ndarray of shape (n_features,), float64
        Column standard deviations, 1 for constant columns; ``None`` before
        :meth:`fit`.
    feature_names_ : list of str or None
        The names given to :meth:`fit`, if any.

    Examples
    --------
    >>> scaler = Standardizer().fit(np.array([[1.0, 4.0], [3.0, 8.0]]))
    >>> scaler.transform(np.array([[2.0, 8.0]]))
    array([[0., 1.]])
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.feature_names_: list[str] | None = None

    def fit(self, X: Any, feature_names: Sequence[str] | None = None) -> Standardizer:
        """Compute each column's mean and standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers, at least one row. Not modified.
        feature_names : sequence of str, optional
            One name per column, used in messages and kept in ``to_dict``.

        Returns
        -------
        Standardizer
            ``self``, fitted.

        Warns
        -----
        UserWarning
            Once, naming every constant column (their scale is set to 1).
        """
        return self._fit(X, feature_names, stacklevel=3)

    def _fit(
        self, X: Any, feature_names: Sequence[str] | None, stacklevel: int
    ) -> Standardizer:
        """``fit``, warning ``stacklevel`` frames up (the public caller's caller)."""
        X = _as_2d_float(X, "X")
        if X.shape[0] == 0:
            raise DataError("X has no rows; Standardizer.fit needs at least one")
        names = None if feature_names is None else [str(n) for n in feature_names]
        if names is not None and len(names) != X.shape[1]:
            raise DataError(
                f"feature_names has {len(names)} names, but X has {X.shape[1]} columns"
            )
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        # Exactly constant, rather than a tiny std: a column of 0.1s can have
        # std 1e-17 from rounding, and dividing by that would blow it up.
        constant = X.max(axis=0) == X.min(axis=0)
        mean[constant] = X[0, constant]  # so the column maps to exactly 0
        scale[constant] = 1.0
        if constant.any():
            index = np.flatnonzero(constant)
            if names:
                which = f"feature(s) {_listing([names[i] for i in index], limit=None)}"
            else:
                which = f"column(s) {_listing(index.tolist(), limit=None, quote=False)}"
            warnings.warn(
                f"constant {which}: they carry no information; their scale is set to 1",
                UserWarning,
                stacklevel=stacklevel,
            )
        self.mean_, self.scale_, self.feature_names_ = mean, scale, names
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return ``(X - mean_) / scale_`` as a new array.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers with as many columns as seen by :meth:`fit`.
            float32 stays float32; anything else becomes float64.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        mean, scale = self._fitted()
        X = _as_2d_float(X, "X")
        if X.shape[1] != mean.shape[0]:
            raise DataError(
                f"X has {X.shape[1]} features, but the Standardizer was fitted "
                f"with {mean.shape[0]}"
            )
        return (X - mean.astype(X.dtype)) / scale.astype(X.dtype)

    def fit_transform(
        self, X: Any, feature_names: Sequence[str] | None = None
    ) -> np.ndarray:
        """``fit(X, feature_names)`` then ``transform(X)``; shapes as there."""
        return self._fit(X, feature_names, stacklevel=3).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Return ``Z * scale_ + mean_``, undoing :meth:`transform`.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        mean, scale = self._fitted()
        Z = _as_2d_float(Z, "Z")
        if Z.shape[1] != mean.shape[0]:
            raise DataError(
                f"Z has {Z.shape[1]} features, but the Standardizer was fitted "
                f"with {mean.shape[0]}"
            )
        return Z * scale.astype(Z.dtype) + mean.astype(Z.dtype)

    def to_dict(self) -> dict[str, Any]:
        """Return the fitted state as plain JSON-able lists.

        Returns
        -------
        dict
            ``{"mean": [float, ...], "scale": [float, ...],
            "feature_names": [str, ...] or None}``.
        """
        mean, scale = self._fitted()
        return {
            "mean": [float(v) for v in mean],
            "scale": [float(v) for v in scale],
            "feature_names": None
            if self.feature_names_ is None
            else list(self.feature_names_),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Standardizer:
        """Rebuild a fitted Standardizer from :meth:`to_dict`'s output.

        Every field is checked, since ``state`` usually comes from a file:
        ``mean`` and ``scale`` must be non-empty lists of the same length of
        finite numbers (``scale`` > 0), ``feature_names`` None or as many
        strings.

        Parameters
        ----------
        state : mapping
            As returned by :meth:`to_dict`.

        Returns
        -------
        Standardizer

        Raises
        ------
        DataError
            Naming the field that is wrong.
        """
        if not isinstance(state, Mapping):
            raise DataError(
                f"Standardizer state must be a dict, got {type(state).__name__}"
            )
        unknown = sorted(set(state) - {"mean", "scale", "feature_names"})
        if unknown:
            raise DataError(f"Standardizer state has unknown field(s) {unknown!r}")
        mean = _finite_list(state.get("mean"), "mean")
        scale = _finite_list(state.get("scale"), "scale")
        if len(mean) != len(scale):
            raise DataError(
                f"Standardizer state: 'mean' has {len(mean)} values but 'scale' "
                f"has {len(scale)}"
            )
        if any(s <= 0 for s in scale):
            raise DataError("Standardizer state: 'scale' values must be > 0")
        names = state.get("feature_names")
        if names is not None:
            if not isinstance(names, list) or not all(
                isinstance(n, str) for n in names
            ):
                raise DataError(
                    "Standardizer state: 'feature_names' must be a list of "
                    "strings or null"
                )
            if len(names) != len(mean):
                raise DataError(
                    f"Standardizer state: 'feature_names' has {len(names)} names "
                    f"but 'mean' has {len(mean)} values"
                )
            names = list(names)
        scaler = cls()
        scaler.mean_ = np.array(mean, dtype=np.float64)
        scaler.scale_ = np.array(scale, dtype=np.float64)
        scaler.feature_names_ = names
        return scaler

    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(mean_, scale_)`` or raise if :meth:`fit` was not called."""
        if self.mean_ is None or self.scale_ is None:
            raise RuntimeError("this Standardizer is not fitted yet; call fit(X) first")
        return self.mean_, self.scale_

    def __repr__(self) -> str:
        if self.mean_ is None:
            return "Standardizer()"
        return f"Standardizer(n_features={self.mean_.shape[0]})"


def _as_2d_float(X: Any, name: str) -> np.ndarray:
    """``X`` as a finite 2-D float array (float32 kept, else float64)."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise DataError(f"{name} must hold numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        raise DataError(
            f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}; "
            "use X.reshape(-1, 1) for a single feature or X.reshape(1, -1) "
            "for a single sample"
        )
    X = X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)
    if not np.isfinite(X).all():
        bad = np.flatnonzero(~np.isfinite(X).all(axis=0))
        raise DataError(
            f"{name} holds NaN or inf in column(s) "
            f"{_listing(bad.tolist(), quote=False)}"
        )
    return X


def _finite_list(values: Any, field: str) -> list[float]:
    """Check that ``values`` is a non-empty list of finite numbers."""
    if not isinstance(values, list) or not values:
        raise DataError(f"Standardizer state: {field!r} must be a non-empty list")
    for v in values:
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not math.isfinite(v)
        ):
            raise DataError(
                f"Standardizer state: {field!r} must hold finite numbers, got {v!r}"
            )
    return [float(v) for v in values]


# --------------------------------------------------------------------------
# Class labels
# --------------------------------------------------------------------------


def encode_labels(y: Any) -> tuple[np.ndarray, list[Any]]:
    """Map class labels to codes ``0 .. n_classes - 1``.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        Labels: all numbers (int, float or bool) or all strings.

    Returns
    -------
    codes : ndarray of shape (n_samples,), int64
        ``classes[codes[i]] == y[i]``.
    classes : list
        The distinct labels, sorted (numbers numerically, strings by code
        point), as plain Python ``int``, ``float``, ``bool`` or ``str`` so
        they can be stored as JSON.

    Raises
    ------
    DataError
        For an empty ``y``, fewer than two classes (naming the one),
        NaN/inf/None labels or a mix of numbers and strings.

    Examples
    --------
    >>> encode_labels(["dog", "cat", "dog"])
    (array([1, 0, 1]), ['cat', 'dog'])
    """
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise DataError(f"labels must have shape (n_samples,), got {arr.shape}")
    if arr.size == 0:
        raise DataError("labels are empty")
    kind = arr.dtype.kind
    if kind == "S":
        arr, kind = arr.astype(str), "U"
    if kind == "f" and not np.isfinite(arr).all():
        rows = np.flatnonzero(~np.isfinite(arr))
        raise DataError(
            f"labels hold NaN or inf in {rows.size} row(s) "
            f"({_listing(rows.tolist(), quote=False)})"
        )
    if kind in "biufU":
        unique, inverse = np.unique(arr, return_inverse=True)
        classes = [v.item() for v in unique]
        codes = inverse.reshape(-1).astype(np.int64)
    elif kind == "O":
        codes, classes = _encode_objects(arr.tolist())
    else:
        raise DataError(f"labels must be numbers or strings, got dtype {arr.dtype}")
    if len(classes) < 2:
        raise DataError(
            f"labels hold a single class ({classes[0]!r}); a classifier needs "
            "at least two"
        )
    return codes, classes


def _encode_objects(items: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """``encode_labels`` for a list of Python objects."""
    strings = all(isinstance(v, str) for v in items)
    numbers = all(isinstance(v, (int, float)) for v in items)
    if not (strings or numbers):
        kinds = sorted({type(v).__name__ for v in items})
        raise DataError(f"labels must be all numbers or all strings, got {kinds}")
    if numbers and not all(math.isfinite(v) for v in items):
        raise DataError("labels hold NaN or inf")
    classes = sorted(set(items))
    index = {c: i for i, c in enumerate(classes)}
    codes = np.fromiter((index[v] for v in items), dtype=np.int64, count=len(items))
    return codes, classes


def decode_labels(codes: Any, classes: Sequence[Any]) -> np.ndarray:
    """Map codes back to labels: the inverse of :func:`encode_labels`.

    Parameters
    ----------
    codes : array-like of int, shape (n_samples,)
        Values in ``0 .. len(classes) - 1``.
    classes : sequence
        As returned by :func:`encode_labels`.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``classes[codes[i]]``; str, int, float or bool dtype as the classes.
    """
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu" and codes.size:
        raise DataError(f"codes must be integers, got dtype {codes.dtype}")
    if len(classes) == 0:
        raise DataError("classes is empty")
    bad = (codes < 0) | (codes >= len(classes))
    if bad.any():
        raise DataError(
            f"code {codes[bad].flat[0]} is out of range for {len(classes)} classes "
            f"(valid: 0 to {len(classes) - 1})"
        )
    lookup = np.asarray(list(classes))
    if lookup.dtype.kind not in "biufU":
        lookup = np.asarray(list(classes), dtype=object)
    return lookup[codes.astype(np.intp)]


# --------------------------------------------------------------------------
# Built-in data sets
# --------------------------------------------------------------------------

#: Names accepted by :func:`make_dataset`.
DATASETS = ("seed", "xor", "moons", "circles", "spirals")

# Each set's default noise: the std of the Gaussian added to every coordinate,
# chosen so that the classes overlap only a little (spirals' arms run close).
_DEFAULT_NOISE = {"xor": 0.15, "moons": 0.1, "circles": 0.1, "spirals": 0.03}


def make_dataset(
    name: str,
    n_samples: int = 200,
    *,
    noise: float | None = None,
    seed: int = 0,
    n_classes: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate one of plainnet's built-in data sets.

    All are drawn from ``np.random.default_rng(seed)`` (so the same seed
    gives the same data), have classes of sizes differing by at most one and
    come with their rows shuffled. Gaussian noise of standard deviation
    ``noise`` is added to each coordinate.

    ========  ================================================================
    name      what
    ========  ================================================================
    seed      The seed document's table, exactly: ``X = [[0,0,1], [1,1,1],
              [1,0,1], [0,1,1]]``, ``y = [0, 1, 1, 0]`` (3 features; ignores
              ``n_samples`` and ``noise``).
    xor       ``n_samples == 4``: the XOR points ``[0,0], [0,1], [1,0],
              [1,1]`` with ``y = [0, 1, 1, 0]``, exactly, in that order.
              More: clouds of noisy points around those corners, shared out
              evenly, labelled like their corner. Default noise 0.15.
    moons     Two interleaved half circles of radius 1: label 0 on
              ``(cos t, sin t)``, label 1 on ``(1 - cos t, 1/2 - sin t)``,
              ``t`` uniform in [0, pi], shifted to centre on the origin.
              Default noise 0.1.
    circles   Two concentric circles, label 0 of radius 1 and label 1 of
              radius 1/2, angles uniform. Default noise 0.1.
    spirals   ``n_classes`` arms of 1.5 turns each, rotated ``2 pi / n_classes``
              apart: radius ``t`` and angle ``2 pi (1.5 t + k / n_classes)``
              for arm ``k``, ``t`` uniform in [0, 1]. Default noise 0.03.
    ========  ================================================================

    Parameters
    ----------
    name : {"seed", "xor", "moons", "circles", "spirals"}
        Which data set.
    n_samples : int, default 200
        Number of points (at least 4 for ``xor``, 2 otherwise).
    noise : float, optional
        Standard deviation of the Gaussian noise; ``None`` uses the data
        set's default above.
    seed : int, default 0
        Seed of the random generator.
    n_classes : int, default 2
        Number of arms; only for ``spirals``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        (shape (4, 3) for ``seed``)
    y : ndarray of shape (n_samples,), int64
        Labels ``0 .. n_classes - 1``.

    Raises
    ------
    ValueError
        An unknown name (the valid ones are listed) or a bad argument.

    Examples
    --------
    >>> X, y = make_dataset("moons", 100, seed=1)
    >>> X.shape, np.bincount(y)
    ((100, 2), array([50, 50]))
    """
    if name not in _GENERATORS:
        raise ValueError(
            f"unknown data set {name!r}; the built-in ones are "
            f"{', '.join(repr(n) for n in DATASETS)}"
        )
    if name == "seed":
        return _seed()
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise ValueError(f"n_classes must be an integer, got {n_classes!r}")
    if name != "spirals" and n_classes != 2:
        raise ValueError(f"n_classes applies only to 'spirals'; {name!r} has 2 classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    smallest = 4 if name == "xor" else n_classes
    if (
        isinstance(n_samples, bool)
        or not isinstance(n_samples, (int, np.integer))
        or n_samples < smallest
    ):
        raise ValueError(
            f"n_samples must be an integer >= {smallest} for {name!r}, "
            f"got {n_samples!r}"
        )
    noise = _DEFAULT_NOISE[name] if noise is None else noise
    if not isinstance(noise, (int, float)) or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    if name == "xor" and n_samples == 4:
        return _xor_points()
    X, y = _GENERATORS[name](int(n_samples), int(n_classes), rng)
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(X.shape[0])
    return X[order], y[order]


def _class_sizes(n: int, k: int) -> list[int]:
    """Split ``n`` points into ``k`` groups whose sizes differ by at most one."""
    return [n // k + (i < n % k) for i in range(k)]


def _labels(sizes: list[int]) -> np.ndarray:
    """Labels ``0, 0, ..., 1, 1, ...`` for groups of the given sizes."""
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _seed() -> tuple[np.ndarray, np.ndarray]:
    """The seed document's training table."""
    X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=np.float64)
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def _xor_points() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points and their labels."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def _xor(n: int, _k: int, _rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points on the XOR corners, before noise."""
    # Corners ordered so labels alternate: leftover points go to both classes.
    corners = np.array([[0, 0], [0, 1], [1, 1], [1, 0]], dtype=np.float64)
    sizes = _class_sizes(n, 4)
    corner = _labels(sizes)
    return corners[corner], (corner % 2).astype(np.int64)


def _moons(n: int, _k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles, before noise."""
    sizes = _class_sizes(n, 2)
    y = _labels(sizes)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where((y == 0)[:, None], upper, lower)
    return X - np.array([0.5, 0.25]), y


def _circles(
    n: int, _k: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles, before noise."""
    y = _labels(_class_sizes(n, 2))
    radius = np.where(y == 0, 1.0, 0.5)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    return radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]), y


def _spirals(n: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``k`` interleaved spiral arms, before noise."""
    y = _labels(_class_sizes(n, k))
    t = rng.uniform(0.0, 1.0, n)
    angle = 2 * np.pi * (1.5 * t + y / k)
    return t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]), y


_GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "seed": lambda n, k, rng: _seed(),
    "xor": _xor,
    "moons": _moons,
    "circles": _circles,
    "spirals": _spirals,
}
