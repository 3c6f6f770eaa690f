"""Tables as they come: text categories and missing cells made into the numbers
a network takes, the same way at training and at prediction.

:class:`TablePreprocessor` chooses the feature columns (leaving out columns
that look like ids or free text, or hold one value), imputes missing cells (the
median of a number column, the most frequent category of a text column, with an
optional 0/1 column saying which cells were missing) and one-hot encodes the
categories (at most ``max_categories`` columns per text column: the rarest
categories beyond it share one "other" column).
:meth:`TablePreprocessor.encode` gives the rows as :class:`EncodedRows`, which
makes the matrix a block of rows at a time, so that predicting for a wide table
never holds it whole. It saves itself as plain JSON values
(``to_dict``/``from_dict``), which ``plainnet train`` stores in the model file;
:class:`plainnet.Predictor` applies it. It depends only on NumPy, like
:mod:`plainnet.preprocessing`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _memory
from ._memory import size_text
from ._messages import listing, shorten, shown
from .data import Column, Columns, _is_missing
from .errors import DataError

__all__ = ["MAX_CATEGORIES", "MAX_MAGNITUDE", "EncodedRows", "TablePreprocessor"]

#: Feature values beyond this are refused: standardizing squares them, and the
#: square of anything beyond about 1e154 overflows float64.
MAX_MAGNITUDE = 1e150
#: Auto-detection looks at columns only when there are at least this many rows.
MIN_ROWS_TO_GUESS = 20
#: A text column with more distinct values than this fraction of its filled
#: cells (and more than ``MIN_ROWS_TO_GUESS``) is free text, not categories.
FREE_TEXT_FRACTION = 0.5
#: One-hot columns per text column, by default: the ``MAX_CATEGORIES - 1`` most
#: frequent categories, and one column for all the others (as scikit-learn's
#: ``OneHotEncoder(max_categories=...)`` counts them).
MAX_CATEGORIES = 100
#: The name of the column of the grouped categories: ``city=(other)``.
OTHER = "(other)"

#: Why a column was left out, as :attr:`TablePreprocessor.left_out_` gives it.
REASONS = {
    "id": "one distinct value per row, like an id",
    "free_text": "mostly distinct text, like names or free text",
    "empty": "no values at all",
    "constant": "the same value in every row",
}


class TablePreprocessor:
    """Choose, impute and one-hot encode the columns of a table.

    Parameters
    ----------
    features : sequence of str, optional
        The columns to use, all of them, as they are. By default every column
        but the target and ``drop``, leaving out those that look like ids
        (whole numbers or text, one distinct value per row) or free text
        (mostly distinct text), those without any value and those holding
        one value in every row.
    drop : sequence of str, default ()
        Columns never used.
    missing_indicator : bool, default False
        Add a 0/1 column ``NAME_missing`` after each column that had missing
        cells in the training rows.
    max_categories : int, default 100
        At most this many one-hot columns per text column: with more
        categories, the ``max_categories - 1`` most frequent keep their own
        column and the others share ``NAME=(other)`` (at prediction, so does
        every category not kept, seen in training or not).

    Attributes
    ----------
    columns_ : list of dict
        One entry per input column, in order: ``{"name", "kind": "number",
        "fill": median, "indicator": bool}`` or ``{"name", "kind": "category",
        "categories": [str, ...], "fill": most frequent, "indicator": bool}``,
        with ``"other": True`` when the rarest categories share a column.
    left_out_ : list of (str, str)
        The columns left out by the guess, with the reason (a key of
        :data:`REASONS`).
    grouped_ : list of (str, int, int, int)
        The text columns with more than ``max_categories`` categories: the
        name, the number of categories, how many of them became "other" and
        in how many training rows.

    Examples
    --------
    >>> prep = TablePreprocessor().fit({"sex": ["f", "m", None], "age": [30, None, 50]})
    >>> prep.feature_names_out_
    ['sex=f', 'sex=m', 'age']
    >>> prep.transform({"sex": ["m"], "age": [None]})
    array([[ 0.,  1., 40.]])
    """

    def __init__(
        self,
        features: Sequence[str] | None = None,
        drop: Sequence[str] = (),
        missing_indicator: bool = False,
        max_categories: int = MAX_CATEGORIES,
    ) -> None:
        if isinstance(max_categories, bool) or not isinstance(max_categories, int):
            raise TypeError(f"max_categories must be an int, got {max_categories!r}")
        if max_categories < 2:
            raise ValueError(
                "max_categories must be at least 2 (the most frequent category "
                f"and the others), got {max_categories}"
            )
        self.features = None if features is None else [str(f) for f in features]
        self.drop = [str(d) for d in drop]
        self.missing_indicator = bool(missing_indicator)
        self.max_categories = max_categories
        self.columns_: list[dict[str, Any]] | None = None
        self.left_out_: list[tuple[str, str]] = []
        self.grouped_: list[tuple[str, int, int, int]] = []

    # -- fitting -----------------------------------------------------------------
    def fit(
        self,
        table: Columns | Mapping[str, Any],
        target: str | None = None,
        rows: np.ndarray | None = None,
    ) -> TablePreprocessor:
        """Learn the columns' kinds, fills and categories from ``rows``.

        Parameters
        ----------
        table : Columns or mapping of str to array-like of shape (n_rows,)
            As read by :func:`plainnet.data.read_columns`, or columns by name
            (a dict of lists, a pandas DataFrame).
        target : str, optional
            A column never used as a feature.
        rows : ndarray of int, optional
            The training rows to learn from (default: all).

        Returns
        -------
        TablePreprocessor
            ``self``, fitted.

        Raises
        ------
        DataError
            A named column that does not exist, no feature column left, or a
            number beyond :data:`MAX_MAGNITUDE` (naming the column).
        """
        columns, lines, path = _as_columns(table)
        names = self._chosen(columns, target, path)
        self.columns_, self.left_out_, self.grouped_ = [], [], []
        for name in names:
            if not columns[name].is_text:  # every row: prediction reads them too
                _check_magnitude(name, columns[name].numbers, path, lines)
            column = columns[name] if rows is None else columns[name].take(rows)
            reason = None if self.features is not None else _guess(column)
            if reason is None and column.missing().all():
                reason = "empty"
            if reason is None and self.features is None and self._constant(column):
                reason = "constant"
            if reason is not None:
                self.left_out_.append((name, reason))
                continue
            self.columns_.append(self._learn(column, lines, path, rows))
        if not self.columns_:
            raise DataError(
                f"{path}no feature columns left (left out: "
                f"{listing([n for n, _ in self.left_out_], limit=10)}); "
                "name the ones to use with --features"
            )
        return self

    def _chosen(self, columns: Mapping[str, Column], target, path: str) -> list[str]:
        """The candidate columns: ``features``, else all but target and drop."""
        known = list(columns)
        asked = self.features if self.features is not None else []
        unknown = [n for n in [*asked, *self.drop] if n not in known]
        if unknown:
            raise DataError(
                f"{path}no column(s) {listing(unknown, limit=10)}; the columns "
                f"are {listing(known, limit=20)}"
            )
        if target is not None and target in asked:
            raise DataError(
                f"{path}the target {shown(target)} cannot also be a feature"
            )
        if self.features is not None:
            return [n for n in self.features if n not in self.drop]
        return [n for n in known if n != target and n not in self.drop]

    def _constant(self, column: Column) -> bool:
        """One value in every filled cell (and no missing cell that an
        indicator would mark)."""
        missing = column.missing()
        if self.missing_indicator and missing.any():
            return False
        filled = column.numbers if not column.is_text else column.codes
        filled = filled[~missing]
        return bool(np.all(filled == filled[0]))

    def _learn(self, column: Column, lines, path: str, rows) -> dict[str, Any]:
        """One column's entry of ``columns_``, from its training rows."""
        missing = column.missing()
        indicator = bool(self.missing_indicator and missing.any())
        if not column.is_text:
            values = column.numbers[~missing]
            fill = float(np.median(values))
            return {
                "name": column.name,
                "kind": "number",
                "fill": fill,
                "indicator": indicator,
            }
        counts = np.bincount(column.codes[~missing], minlength=len(column.categories))
        count = {c: n for c, n in zip(column.categories, counts, strict=True) if n}
        present = sorted(count)
        most = min(present, key=lambda c: -count[c])  # ties: the first in order
        entry = {
            "name": column.name,
            "kind": "category",
            "categories": present,
            "fill": most,
            "indicator": indicator,
        }
        if len(present) > self.max_categories:
            by_count = sorted(present, key=lambda c: -count[c])  # stable: ties by name
            kept = by_count[: self.max_categories - 1]
            grouped = sum(count[c] for c in by_count[len(kept) :])
            entry["categories"], entry["other"] = sorted(kept), True
            self.grouped_.append(
                (column.name, len(present), len(present) - len(kept), grouped)
            )
        return entry

    # -- transforming ------------------------------------------------------------
    @property
    def input_columns_(self) -> list[str]:
        """The columns :meth:`transform` reads, in order."""
        return [entry["name"] for entry in self._fitted()]

    @property
    def category_columns_(self) -> list[str]:
        """The input columns encoded as categories (read keeping their spelling)."""
        return [e["name"] for e in self._fitted() if e["kind"] == "category"]

    @property
    def feature_names_out_(self) -> list[str]:
        """The names of :meth:`transform`'s columns: ``age``, ``sex=female``,
        ``city=(other)``, ``age_missing``, ..."""
        names = []
        for entry in self._fitted():
            if entry["kind"] == "number":
                names.append(entry["name"])
            else:
                names.extend(f"{entry['name']}={c}" for c in entry["categories"])
                if entry.get("other"):
                    names.append(f"{entry['name']}={_other_label(entry)}")
            if entry["indicator"]:
                names.append(f"{entry['name']}_missing")
        return names

    def transform(self, table: Columns | Mapping[str, Any]) -> np.ndarray:
        """Impute and encode: the numbers the network takes.

        Parameters
        ----------
        table : Columns or mapping of str to array-like of shape (n_rows,)
            Holding at least :attr:`input_columns_` (others are ignored).

        Returns
        -------
        ndarray of shape (n_rows, len(feature_names_out_)), float64

        Raises
        ------
        DataError
            A missing column, text in a number column (naming the line and
            column), an infinite value, or a matrix larger than the memory
            available (naming its size and the widest column).

        Warns
        -----
        UserWarning
            Once, counting the cells holding a category not seen in training
            (encoded as all zeros; in a column with an "other" column, they
            go there without a word).
        """
        encoded = self._encode(table, stacklevel=3)
        encoded.check_fits()
        return encoded.block(0, encoded.n_rows)

    def encode(self, table: Columns | Mapping[str, Any]) -> EncodedRows:
        """Impute and encode each column, without making the matrix: the rows
        as :class:`EncodedRows`, whose :meth:`~EncodedRows.blocks` give it a
        block of rows at a time. Raises and warns as :meth:`transform`."""
        return self._encode(table, stacklevel=3)

    def _encode(self, table, stacklevel: int) -> EncodedRows:
        columns, lines, path = _as_columns(table, self._fitted())
        absent = [n for n in self.input_columns_ if n not in columns]
        if absent:
            raise DataError(
                f"{path}missing column(s) {listing(absent, limit=20)} that the "
                "model was trained on"
            )
        n_rows = len(columns[self.input_columns_[0]].missing())
        parts, start, unseen = [], 0, []
        for entry in self._fitted():
            column = columns[entry["name"]]
            if entry["kind"] == "number":
                part = _numbers(entry, column, start, lines, path)
            else:
                part = _categories(entry, column, start, unseen)
            parts.append(part)
            start += part.width
        if unseen:
            total = sum(n for _, _, n in unseen)
            examples = listing([f"{c}: {v}" for c, v, _ in unseen], limit=5)
            warnings.warn(
                f"{total} cell(s) hold categories not seen in training ({examples}); "
                "they are encoded as all zeros",
                UserWarning,
                stacklevel=stacklevel,
            )
        return EncodedRows(parts, n_rows, start, path)

    def fit_transform(self, table, target: str | None = None) -> np.ndarray:
        """``fit(table, target)`` then ``transform(table)``."""
        return self.fit(table, target).transform(table)

    # -- saving ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted state as JSON values: ``{"columns": [...], "left_out":
        [[name, reason], ...], "missing_indicator": bool}``."""
        return {
            "columns": [dict(entry) for entry in self._fitted()],
            "left_out": [list(pair) for pair in self.left_out_],
            "missing_indicator": self.missing_indicator,
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> TablePreprocessor:
        """Rebuild a fitted TablePreprocessor from :meth:`to_dict`'s output,
        checking every field (it usually comes from a file).

        Raises
        ------
        DataError
            Naming the field that is wrong.
        """
        if not isinstance(state, Mapping) or set(state) != {
            "columns",
            "left_out",
            "missing_indicator",
        }:
            raise DataError(
                "table state must hold exactly 'columns', 'left_out' and "
                "'missing_indicator'"
            )
        entries = state["columns"]
        if not isinstance(entries, list) or not entries:
            raise DataError("table state: 'columns' must be a non-empty list")
        checked = [_checked_entry(entry) for entry in entries]
        names = [entry["name"] for entry in checked]
        if len(set(names)) != len(names):
            raise DataError("table state: a column is named twice")
        left_out = state["left_out"]
        if not isinstance(left_out, list) or not all(
            isinstance(p, list)
            and len(p) == 2
            and isinstance(p[0], str)
            and p[1] in REASONS
            for p in left_out
        ):
            raise DataError("table state: 'left_out' must list [name, reason] pairs")
        if not isinstance(state["missing_indicator"], bool):
            raise DataError("table state: 'missing_indicator' must be true or false")
        prep = cls(missing_indicator=state["missing_indicator"])
        prep.columns_ = checked
        prep.left_out_ = [(p[0], p[1]) for p in left_out]
        return prep

    def _fitted(self) -> list[dict[str, Any]]:
        if self.columns_ is None:
            raise RuntimeError(
                "this TablePreprocessor is not fitted yet; call fit(table) first"
            )
        return self.columns_

    def __repr__(self) -> str:
        if self.columns_ is None:
            return (
                f"TablePreprocessor(features={self.features!r}, drop={self.drop!r}, "
                f"missing_indicator={self.missing_indicator}, "
                f"max_categories={self.max_categories})"
            )
        return (
            f"TablePreprocessor(columns={self.input_columns_!r}, "
            f"n_features_out={len(self.feature_names_out_)})"
        )


# -- the encoded rows ---------------------------------------------------------------
@dataclass(frozen=True)
class _Part:
    """One input column, encoded for every row: its first output column, the
    filled numbers (``one_hot`` False) or each row's one-hot column counted
    from ``start`` (-1: none), and the missing cells if an indicator follows."""

    name: str
    start: int
    values: np.ndarray
    one_hot: bool
    width: int
    missing: np.ndarray | None


class EncodedRows:
    """A table's rows imputed and encoded column by column, made into the
    network's matrix a block of rows at a time (see
    :meth:`TablePreprocessor.encode`).

    Attributes
    ----------
    n_rows, n_features : int
        The whole matrix's shape.
    """

    def __init__(self, parts: list[_Part], n_rows: int, n_features: int, path: str):
        self._parts, self._path = parts, path
        self.n_rows, self.n_features = n_rows, n_features

    def block(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` of the matrix.

        Returns
        -------
        ndarray of shape (stop - start, n_features), float64

        Raises
        ------
        DataError
            If the block cannot be allocated (naming its size).
        """
        try:
            X = np.zeros((stop - start, self.n_features))
        except MemoryError:
            raise DataError(self._too_large(stop - start, None)) from None
        for part in self._parts:
            values = part.values[start:stop]
            if part.one_hot:
                rows = np.flatnonzero(values >= 0)
                X[rows, part.start + values[rows]] = 1.0
            else:
                X[:, part.start] = values
            if part.missing is not None:
                X[:, part.start + part.width - 1] = part.missing[start:stop]
        return X

    def blocks(self, max_bytes: int | None = None) -> Iterator[np.ndarray]:
        """The whole matrix, in order, in blocks of rows of at most
        ``max_bytes`` (default :data:`plainnet._memory.BLOCK_BYTES`; at least
        one row each).

        Yields
        ------
        ndarray of shape (n_block_rows, n_features), float64
        """
        max_bytes = _memory.BLOCK_BYTES if max_bytes is None else max_bytes
        step = max(1, max_bytes // (8 * max(self.n_features, 1)))
        for start in range(0, self.n_rows, step):
            yield self.block(start, min(start + step, self.n_rows))

    def check_fits(self) -> None:
        """Raise :class:`DataError` if the whole matrix would not fit in the
        memory available, naming its size and the column that makes most of
        it."""
        available = _memory.available_bytes()
        if available is not None and 8 * self.n_rows * self.n_features > available:
            raise DataError(self._too_large(self.n_rows, available))

    def _too_large(self, n_rows: int, available: int | None) -> str:
        widest = max(self._parts, key=lambda part: part.width)
        room = ""
        if available is not None:
            room = f", more than the {size_text(available)} available"
        return (
            f"{self._path}the encoded table would take "
            f"{size_text(8 * n_rows * self.n_features)} ({n_rows:,} rows x "
            f"{self.n_features:,} columns, {widest.width:,} of them from column "
            f"{shorten(widest.name, 80)!r}){room}; leave that column out "
            "(--drop) or lower --max-categories"
        )

    def __repr__(self) -> str:
        return f"EncodedRows(n_rows={self.n_rows}, n_features={self.n_features})"


def _numbers(entry, column: Column, start: int, lines, path) -> _Part:
    """A number column: missing cells filled with the median."""
    if column.is_text:
        where = f"line {lines[column.first_text]}, " if lines is not None else ""
        raise DataError(
            f"{path}{where}column {shown(entry['name'])}: "
            f"{shown(column.first_text_cell)} is not a number"
        )
    values = column.numbers
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        where = f"line {lines[infinite[0]]}, " if lines is not None else ""
        raise DataError(
            f"{path}{where}column {shown(entry['name'])}: infinite value "
            f"{values[infinite[0]]}; plainnet needs finite numbers"
        )
    missing = np.isnan(values)
    filled = np.where(missing, entry["fill"], values)
    indicator = missing if entry["indicator"] else None
    return _Part(entry["name"], start, filled, False, 1 + entry["indicator"], indicator)


def _categories(entry, column: Column, start: int, unseen: list) -> _Part:
    """A text column: each row's one-hot column (a missing cell's is the most
    frequent category's; an unseen one's "other", or none), and the unseen
    categories with their counts added to ``unseen``."""
    categories = entry["categories"]
    k, other = len(categories), bool(entry.get("other"))
    missing = column.missing()
    if column.codes is not None:
        distinct, inverse = column.categories, column.codes
    else:  # numbers whose spelling was not kept
        cells = np.array([_spelling(v) for v in column.numbers], dtype=str)
        distinct, inverse = np.unique(cells, return_inverse=True)
        inverse = np.where(missing, -1, inverse.reshape(-1))
    position = {c: i for i, c in enumerate(categories)}
    elsewhere = k if other else -1
    # one entry per distinct cell, then the missing cells' (index -1)
    lookup = np.array(
        [position.get(str(c), elsewhere) for c in distinct] + [position[entry["fill"]]],
        dtype=np.intp,
    )
    if not other:
        counts = np.bincount(inverse[inverse >= 0], minlength=len(distinct))
        new = np.flatnonzero((lookup[:-1] < 0) & (counts > 0))
        found = sorted((str(distinct[i]), int(counts[i])) for i in new)
        unseen.extend((entry["name"], value, n) for value, n in found)
    width = k + other + entry["indicator"]
    indicator = missing if entry["indicator"] else None
    return _Part(entry["name"], start, lookup[inverse], True, width, indicator)


def _other_label(entry: dict) -> str:
    """The name of the "other" column's category, unlike any kept one."""
    label = OTHER
    while label in entry["categories"]:
        label += "*"
    return label


# -- guessing which columns to leave out ------------------------------------------
def _guess(column: Column) -> str | None:
    """``"id"``, ``"free_text"`` or None (a feature), from the training rows."""
    missing = column.missing()
    filled = int((~missing).sum())
    if len(missing) < MIN_ROWS_TO_GUESS or filled == 0:
        return None
    if column.is_text:
        distinct = len(np.unique(column.codes[~missing]))
        if distinct == len(missing):
            return "id"
        if distinct > max(MIN_ROWS_TO_GUESS, FREE_TEXT_FRACTION * filled):
            return "free_text"
        return None
    values = column.numbers
    if missing.any() or not np.array_equal(values, np.round(values)):
        return None
    distinct = len(np.unique(values))
    counter_like = values.max() - values.min() < 2 * len(values)
    return "id" if distinct == len(values) and counter_like else None


# -- columns from a file or from Python ----------------------------------------------
def _as_columns(table, entries=None) -> tuple[Mapping[str, Column], Any, str]:
    """The columns by name, the rows' lines (or None) and a ``path: `` prefix."""
    if isinstance(table, Columns):
        return table.columns, table.lines, f"{table.path}: "
    if not hasattr(table, "keys"):
        raise TypeError(
            "expected columns by name (a dict of lists, a pandas DataFrame or "
            f"plainnet.data.Columns), got {type(table).__name__}"
        )
    kinds = {e["name"]: e["kind"] for e in entries or ()}
    keys = list(table.keys())
    columns = {}
    for name, key in zip(map(str, keys), keys, strict=True):
        if entries is not None and name not in kinds:
            continue
        columns[name] = _column_from_values(name, table[key], kinds.get(name))
    lengths = {len(c.missing()) for c in columns.values()}
    if len(lengths) > 1:
        raise DataError(f"the columns differ in length: {sorted(lengths)}")
    return columns, None, ""


def _column_from_values(name: str, values, kind: str | None) -> Column:
    """A :class:`~plainnet.data.Column` from a sequence of Python or NumPy values
    (None, NaN and the missing-value words are missing)."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise DataError(f"column {shown(name)} must be 1-D, got shape {array.shape}")
    if array.dtype.kind in "biuf" and kind != "category":
        return Column(name, array.astype(np.float64))
    cells = [_cell_text(v) for v in array.tolist()]
    if kind != "category":
        numbers = np.empty(len(cells))
        for i, cell in enumerate(cells):
            try:
                numbers[i] = math.nan if _is_missing(cell) else float(cell)
            except ValueError:
                if kind == "number":  # as transform says it for a file's cell
                    raise DataError(
                        f"column {shown(name)}: {shown(cell)} is not a number"
                    ) from None
                break
        else:
            return Column(name, numbers)
    categories = sorted({c for c in cells if not _is_missing(c)})
    index = {c: i for i, c in enumerate(categories)}
    codes = np.array([index.get(c, -1) for c in cells], dtype=np.int32)
    first = next((i for i, c in enumerate(codes) if c >= 0), None)
    return Column(
        name,
        None,
        codes,
        categories,
        first,
        None if first is None else cells[first],
    )


def _cell_text(value) -> str:
    """A Python value as the text of a cell ("" for None and NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return _spelling(value)
    return str(value).strip()


def _spelling(value: float) -> str:
    """A number as a category: ``3.0`` as ``3``, NaN as ``""``."""
    if math.isnan(value):
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def _check_magnitude(name, values, path, lines) -> None:
    """Refuse values beyond :data:`MAX_MAGNITUDE`, naming the column and line."""
    with np.errstate(invalid="ignore"):
        big = np.flatnonzero(np.abs(values) > MAX_MAGNITUDE)
    if not big.size:
        return
    where = ""
    if lines is not None:
        where = f"line {lines[big[0]]}, "
    kind = "infinite value" if np.isinf(values[big[0]]) else "value"
    raise DataError(
        f"{path}{where}column {shown(name)}: {kind} {values[big[0]]:g} is too large "
        f"({big.size} cell(s) beyond {MAX_MAGNITUDE:g}, which standardizing would "
        "overflow); rescale the column or leave it out with --drop"
    )


def _checked_entry(entry) -> dict[str, Any]:
    """One ``columns`` entry of a saved state, checked field by field."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise DataError("table state: each column needs a 'name' string")
    name = entry["name"]
    if entry.get("kind") == "number":
        fields = {"name", "kind", "fill", "indicator"}
        fill = entry.get("fill")
        good = (
            isinstance(fill, (int, float))
            and not isinstance(fill, bool)
            and math.isfinite(fill)
            and abs(fill) <= MAX_MAGNITUDE
        )
    elif entry.get("kind") == "category":
        fields = {"name", "kind", "categories", "fill", "indicator"}
        if "other" in entry:  # the rarest categories share a column
            fields.add("other")
        categories = entry.get("categories")
        good = (
            isinstance(categories, list)
            and categories
            and all(isinstance(c, str) for c in categories)
            and len(set(categories)) == len(categories)
            and entry.get("fill") in categories
            and entry.get("other", True) is True
        )
    else:
        raise DataError(
            f"table state: column {shown(name)} must be of kind 'number' or 'category'"
        )
    if set(entry) != fields or not good or not isinstance(entry["indicator"], bool):
        raise DataError(
            f"table state: column {shown(name)} must hold exactly {sorted(fields)}, "
            "with a fill among its values (and 'other' true if present)"
        )
    return dict(entry)
