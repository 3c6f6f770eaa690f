"""One column's cells in a chunk of rows, as the csv module read them, and
what a cell means: a number, a missing value or text."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

#: Cell contents (compared after stripping spaces, ignoring case) that mean
#: "no value". ``nan`` in any spelling that ``float`` accepts counts too.
MISSING_VALUES = frozenset(
    {"", "na", "n/a", "#n/a", "<na>", "nan", "null", "none", "?"}
)
#: Every spelling of the missing values in any case, as whole cells.
MISSING_SPELLINGS = sorted(
    {
        "".join(letters)
        for word in MISSING_VALUES | {"+nan", "-nan"}
        for letters in itertools.product(*zip(word, word.upper(), strict=True))
    }
)
_AS_NAN = dict.fromkeys(MISSING_SPELLINGS, "nan")
#: A column stays a column of numbers while at least this fraction of its
#: cells that are not missing are numbers: its other cells (a typo, ``oops``
#: among 300 numbers) are then treated as missing, with a note.
MIN_NUMBER_FRACTION = 0.95


def is_missing(text: str) -> bool:
    """Whether a stripped cell means "no value" (see :data:`MISSING_VALUES`)."""
    lower = text.lower()
    return lower in MISSING_VALUES or lower.lstrip("+-") == "nan"


def meaning_of(cell: str) -> tuple[float, bool]:
    """A cell's value (NaN, always the same bits, when missing or text) and
    whether it is text."""
    try:
        value = float(cell)
    except ValueError:
        return math.nan, not is_missing(cell.strip())
    return (math.nan if value != value else value), False


def mostly_numbers(n_numbers: int, n_text: int) -> bool:
    """Whether ``n_numbers`` number cells beside ``n_text`` text cells make a
    column of numbers (:data:`MIN_NUMBER_FRACTION`)."""
    return n_numbers > 0 and n_numbers >= MIN_NUMBER_FRACTION * (n_numbers + n_text)


def code_of(cell: str, index: dict[str, int], categories: list[str]) -> int:
    """The category code of ``cell`` (-1 when missing), adding the stripped
    cell to ``categories`` when it is new; ``index`` remembers both the cell
    and its stripped text."""
    code = index.get(cell)
    if code is None:
        text = cell.strip()
        code = index.get(text)
        if code is None:
            code = -1 if is_missing(text) else len(categories)
            if code >= 0:
                categories.append(text)
            index[text] = code
        index[cell] = code
    return code


def _one_nan(values: np.ndarray) -> np.ndarray:
    """``values`` with every NaN the same bits (``float("-nan")`` has its sign
    bit set), as pyarrow's path gives them."""
    nan = np.isnan(values)
    if nan.any():
        values[nan] = math.nan
    return values


class TextCells:
    """One column's cells of a chunk, as Python strings."""

    def __init__(self, cells: Sequence[str]) -> None:
        self.cells = cells

    def __len__(self) -> int:
        return len(self.cells)

    def numbers(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The cells as float64 (NaN where missing or text), and a boolean
        mask of the text cells (None when there are none)."""
        n = len(self.cells)
        try:
            return _one_nan(np.fromiter(map(float, self.cells), np.float64, n)), None
        except ValueError:
            pass
        try:  # missing values as written most often, read as "nan"
            cells = map(_AS_NAN.get, self.cells, self.cells)
            return _one_nan(np.fromiter(map(float, cells), np.float64, n)), None
        except ValueError:
            pass
        parsed: dict[str, tuple[float, bool]] = {}
        values = np.empty(len(self.cells), np.float64)
        text = np.zeros(len(self.cells), bool)
        for i, cell in enumerate(self.cells):
            meaning = parsed.get(cell)
            if meaning is None:
                meaning = parsed[cell] = meaning_of(cell)
            values[i], text[i] = meaning
        return values, text

    def cell(self, i: int) -> str:
        """The ``i``-th cell as written."""
        return self.cells[i]

    def codes(self, index: dict[str, int], categories: list[str]) -> np.ndarray:
        """Each cell's code (see :func:`code_of`), int32 of shape (n,)."""
        for cell in dict.fromkeys(self.cells):  # in order of first appearance
            if cell not in index:
                code_of(cell, index, categories)
        return np.fromiter(
            map(index.__getitem__, self.cells), np.int32, len(self.cells)
        )
