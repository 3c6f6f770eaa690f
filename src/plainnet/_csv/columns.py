"""The columns of a CSV file as :func:`plainnet.data.read_columns` gives them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._messages import shown


@dataclass(repr=False)
class Column:
    """One column of a CSV file, as :func:`~plainnet.data.read_columns` reads it.

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
        The row (among the rows read) of the first cell that is neither a
        number nor missing.
    first_text_cell : str or None
        That cell, as written.
    n_text : int
        In a column of numbers, how many cells are neither numbers nor
        missing: they are NaN in ``numbers``, treated as missing (a column is
        one of numbers while at least
        :data:`~plainnet.data.MIN_NUMBER_FRACTION` of its filled cells are).
    first_text_line : int or None
        The line of the file holding the first text cell.
    """

    name: str
    numbers: np.ndarray | None
    codes: np.ndarray | None = None
    categories: list[str] | None = None
    first_text: int | None = None
    first_text_cell: str | None = None
    n_text: int = 0
    first_text_line: int | None = None

    @property
    def is_text(self) -> bool:
        """Whether the column holds text (not mostly numbers)."""
        return self.numbers is None

    @property
    def has_text(self) -> bool:
        """Whether a cell holds something other than a number or a missing
        value (in a text column, or in a column of numbers with a few)."""
        return self.first_text_cell is not None

    def missing(self) -> np.ndarray:
        """A boolean array of shape (n_rows,): True where the cell is missing
        (or, in a column of numbers, holds text)."""
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

    def not_numbers_note(self) -> str | None:
        """For a column of numbers with text cells, what became of them:
        ``column 'b': 1 cell is not a number ('oops', line 59): treated as
        missing``; else None."""
        if self.is_text or not self.n_text:
            return None
        where = "" if self.first_text_line is None else f", line {self.first_text_line}"
        cell = shown(self.first_text_cell)
        if self.n_text == 1:
            return (
                f"column {shown(self.name)}: 1 cell is not a number ({cell}{where}): "
                "treated as missing"
            )
        return (
            f"column {shown(self.name)}: {self.n_text} cells are not numbers (the "
            f"first {cell}{where}): treated as missing"
        )

    def take(self, rows: np.ndarray) -> Column:
        """The same column for the rows ``rows`` only (what is said of its text
        cells stays what the file holds)."""
        return Column(
            self.name,
            None if self.numbers is None else self.numbers[rows],
            None if self.codes is None else self.codes[rows],
            self.categories,
            self.first_text,
            self.first_text_cell,
            self.n_text,
            self.first_text_line,
        )

    def __repr__(self) -> str:
        kind = "text" if self.is_text else "numbers"
        return f"Column({self.name!r}, {kind}, n_rows={len(self.missing())})"


@dataclass(repr=False)
class Columns:
    """The columns read from a CSV file by :func:`~plainnet.data.read_columns`.

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
    engine : str
        What split the rows into cells: ``"pyarrow"`` or ``"python"`` (``str``
        methods and the csv module).
    sep : str
        The separator of the cells.
    """

    path: str
    header: list[str]
    columns: dict[str, Column]
    lines: np.ndarray
    header_line: int = 1
    engine: str = "python"
    sep: str = ","
    #: The number columns read straight into one matrix: (names, array of
    #: shape (n_rows, len(names))), whose columns are theirs.
    matrix: tuple[tuple[str, ...], np.ndarray] | None = None

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
            self.engine,
            self.sep,
        )

    def pop_matrix(self, names: Sequence[str]) -> np.ndarray:
        """The number columns ``names`` as one array of shape (n_rows,
        len(names)), float64, the columns removed. When they were read into
        one matrix, it is that matrix; else each is copied in and dropped at
        once (so memory never holds both in full)."""
        if self.matrix is not None and tuple(names) == self.matrix[0]:
            X = self.matrix[1]
            if all(np.may_share_memory(self.columns[n].numbers, X) for n in names):
                for name in names:
                    del self.columns[name]
                self.matrix = None
                return X
        X = np.empty((self.n_rows, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            X[:, j] = self.columns.pop(name).numbers
        return X

    def __repr__(self) -> str:
        return (
            f"Columns(path={self.path!r}, n_rows={self.n_rows}, "
            f"columns={list(self.columns)!r})"
        )
