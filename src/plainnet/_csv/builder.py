"""One column built chunk by chunk: numbers, text codes, or numbers with a
few text cells, into arrays allocated once for the rows the file can hold;
and two builders of consecutive rows joined into one."""

from __future__ import annotations

import numpy as np

from .._memory import written_once
from .cells import MIN_NUMBER_FRACTION, code_of, mostly_numbers
from .columns import Column

#: A column of numbers keeps the spelling of its cells (``007``) while it has
#: at most this many distinct ones: enough for any set of class labels.
MAX_SPELLINGS = 10_000


class ColumnBuilder:
    """Collects one column, chunk by chunk.

    A column is numbers until its text cells are too many to be a few typos
    among numbers (more than ``1 - MIN_NUMBER_FRACTION`` of the rows the file
    can hold), then text. Codes (each cell's category) are kept for a text
    column, for a ``spelled`` one (while it has at most
    :data:`MAX_SPELLINGS` distinct cells), and from the first text cell on
    in case the column turns out to be text. When they miss rows that were
    read as numbers, :attr:`reread` says that the column must be read again
    as text.

    ``capacity`` is the number of rows the file can hold; ``out``, an array
    of that length to write the numbers into (a column of a matrix).
    """

    def __init__(
        self,
        name: str,
        capacity: int,
        *,
        spelled: bool = False,
        text: bool = False,
        out: np.ndarray | None = None,
    ) -> None:
        self.name, self.spelled, self.capacity = name, spelled, capacity
        self.numbers: np.ndarray | None = None
        if not text:
            self.numbers = out if out is not None else written_once((capacity,))
        self.codes: np.ndarray | None = None
        if spelled or text:
            self.codes = written_once((capacity,), np.int32)
        self.codes_complete = True  # the codes cover every row read so far
        self.index: dict[str, int] = {}
        self.categories: list[str] = []
        self.n_rows = self.n_text = 0
        self.seen_number = False
        self.first_text: int | None = None
        self.first_text_cell: str | None = None

    @property
    def reread(self) -> bool:
        """Whether the column is text but its codes miss some rows."""
        return self._is_text() and not (self.codes is not None and self.codes_complete)

    def add(self, cells) -> None:
        """Append one chunk's cells (``TextCells`` or ``ArrowCells``)."""
        start, n = self.n_rows, len(cells)
        self._reserve(start + n)
        if self.numbers is not None:
            values, text = cells.numbers()
            self.numbers[start : start + n] = values
            if text is not None and text.any():
                self._text_cells(start, text, cells)
            if not self.seen_number:
                self.seen_number = not np.isnan(values).all()
            if self._too_much_text():
                self.numbers = None
        if self.codes is not None:
            self.codes[start : start + n] = cells.codes(self.index, self.categories)
            self._drop_spellings_past_limit()
        self.n_rows += n

    def _too_much_text(self) -> bool:
        """Whether the text cells are too many for a column of numbers."""
        return self.n_text > (1 - MIN_NUMBER_FRACTION) * self.capacity

    def _drop_spellings_past_limit(self) -> None:
        """Stop keeping a number column's spellings past :data:`MAX_SPELLINGS`."""
        if self.numbers is not None and len(self.categories) > MAX_SPELLINGS:
            self.codes, self.codes_complete = None, False
            self.index, self.categories = {}, []

    def _text_cells(self, start: int, text: np.ndarray, cells) -> None:
        """Count a chunk's text cells (``text``, a mask), remember the first
        one, and keep codes from this chunk on."""
        self.n_text += int(np.count_nonzero(text))
        if self.first_text is None:
            first = int(np.argmax(text))
            self.first_text, self.first_text_cell = start + first, cells.cell(first)
        if self.codes is None and self.codes_complete:
            # from this chunk on; the rows before are complete only if none
            # of them held a number (whose spelling was not kept)
            self.codes = written_once((len(self.numbers),), np.int32)
            self.codes[:start] = -1
            self.codes_complete = not self.seen_number

    def join(self, later: ColumnBuilder) -> None:
        """Take in ``later``, the builder of the rows that follow this one's
        (read side by side; its numbers written into this builder's array
        past this one's rows, its capacity this one's): as if this builder
        had been given those rows too."""
        start = self.n_rows
        if self.first_text is None and later.first_text is not None:
            self.first_text = start + later.first_text
            self.first_text_cell = later.first_text_cell
        self.n_text += later.n_text
        self._join_codes(later, start)
        if later.numbers is None or self._too_much_text():
            self.numbers = None
        self.seen_number = self.seen_number or later.seen_number
        self.n_rows += later.n_rows
        self._drop_spellings_past_limit()

    def _join_codes(self, later: ColumnBuilder, start: int) -> None:
        """The codes of both builders' rows, ``later``'s recoded into this
        one's categories (its new ones after, in their order), when both are
        known; else none, marked incomplete."""
        if self.codes is None and later.codes is None:
            if not (self.codes_complete and later.codes_complete):
                self.codes_complete = False
            return  # no text cell anywhere: codes never started
        mine, theirs = self._known_codes(), later._known_codes()
        if mine is None or theirs is None:
            self.codes, self.codes_complete = None, False
            return
        if self.codes is None:
            self.codes = written_once((self.capacity,), np.int32)
            self.codes[:start] = mine
        index, categories = self.index, self.categories
        recoded = [code_of(text, index, categories) for text in later.categories]
        lookup = np.array([*recoded, -1], dtype=np.int32)  # -1 (missing) stays
        self.codes[start : start + later.n_rows] = lookup[theirs]

    def _known_codes(self) -> np.ndarray | None:
        """Each row's code when every row's is known: kept, or -1 for rows
        that are all missing (no number and no text); else None."""
        if self.codes is not None:
            return self.codes[: self.n_rows] if self.codes_complete else None
        if self.codes_complete and not self.seen_number and not self.n_text:
            return np.full(self.n_rows, -1, np.int32)
        return None

    def _reserve(self, n_rows: int) -> None:
        """Grow the arrays if a chunk goes past them (the capacity is an upper
        bound, so only if the file grew while being read)."""
        for name in ("numbers", "codes"):
            array = getattr(self, name)
            if array is not None and len(array) < n_rows:
                grown = np.empty(max(n_rows, 2 * len(array)), array.dtype)
                grown[: self.n_rows] = array[: self.n_rows]
                setattr(self, name, grown)

    def _is_text(self) -> bool:
        if self.numbers is None:
            return True
        if not self.n_text:
            return False
        filled = int(np.count_nonzero(~np.isnan(self.numbers[: self.n_rows])))
        return not mostly_numbers(filled, self.n_text)

    def column(self) -> Column:
        """The finished column (numbers or text, as its cells decide)."""
        n, text = self.n_rows, self._is_text()
        numbers = None if text else _trimmed(self.numbers, n)
        codes = categories = None
        if self.codes is not None and self.codes_complete and (text or self.spelled):
            codes, categories = _trimmed(self.codes, n), list(self.categories)
        self.numbers = self.codes = None
        return Column(
            self.name,
            numbers,
            codes,
            categories,
            self.first_text,
            self.first_text_cell,
            0 if text else self.n_text,
        )


def _trimmed(array: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` items: a view, or a copy when most of the array is
    unused (so that the rest is freed)."""
    return array[:n] if 2 * n >= len(array) else array[:n].copy()
