"""One column's cells in a chunk of rows, as the csv module read them, and
what a cell means: a number, a missing value or text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Cell contents (compared after stripping spaces, ignoring case) that mean
#: "no value". ``nan`` in any spelling that ``float`` accepts counts too.
MISSING_VALUES = frozenset(
    {"", "na", "n/a", "#n/a", "<na>", "nan", "null", "none", "?"}
)
#: A column stays a column of numbers while at least this fraction of its
#: cells that are not missing are numbers: its other cells (a typo, ``oops``
#: among 300 numbers) are then treated as missing, with a note.
MIN_NUMBER_FRACTION = 0.95


def is_missing(text: str) -> bool:
    """Whether a stripped cell means "no value" (see :data:`MISSING_VALUES`)."""
    lower = text.lower()
    return lower in MISSING_VALUES or lower.lstrip("+-") == "nan"


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


class TextCells:
    """One column's cells of a chunk, as Python strings."""

    def __init__(self, cells: Sequence[str]) -> None:
        self.cells = cells

    def __len__(self) -> int:
        return len(self.cells)

    def numbers(self) -> np.ndarray | None:
        """The cells as float64 if ``float`` takes every one, else None."""
        try:
            return np.fromiter(map(float, self.cells), np.float64, len(self.cells))
        except ValueError:
            return None

    def strings(self) -> Sequence[str]:
        """The cells as written."""
        return self.cells

    def codes(self, index: dict[str, int], categories: list[str]) -> np.ndarray:
        """Each cell's code (see :func:`code_of`), int32 of shape (n,)."""
        out = np.empty(len(self.cells), np.int32)
        for i, cell in enumerate(self.cells):
            code = index.get(cell)
            out[i] = code if code is not None else code_of(cell, index, categories)
        return out
