"""What the network learns from and the page draws: a built-in data set or a
CSV file's number columns, its classes, the two features drawn, and the rows
split into training and test points.

The split is the one the shown Python code makes, line for line::

    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]

A CSV file's features are standardized (``Standardizer`` fitted on the
training rows), as the model file records; the built-in sets are used as
they are.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..data import Table, read_columns, read_csv
from ..datasets import make_dataset
from ..errors import DataError
from ..preprocessing import Standardizer, encode_labels
from .settings import Setup, SetupError

#: A target with more distinct values than this is not a column of classes.
MAX_CLASSES = 20


class CsvFile:
    """A CSV file given on the command line or uploaded through the page: the
    one file the playground reads.

    Attributes
    ----------
    path : str
        Where it is read from.
    name : str
        What the page and the Python code call it (the file's own name).
    columns : list of str
        The header's column names.
    text_columns : list of str
        The columns holding text, which cannot be drawn or used as features.
    """

    def __init__(self, path: str, name: str | None = None) -> None:
        self.path = os.fspath(path)
        self.name = name or os.path.basename(self.path)
        try:
            columns = read_columns(self.path)
        except DataError as error:
            raise SetupError(self._named(error)) from None
        self.columns = list(columns.header)
        self.text_columns = [n for n in self.columns if columns[n].is_text]
        self.n_rows = columns.n_rows
        self._tables: dict[str, Table] = {}

    def table(self, target: str) -> Table:
        """The file read with ``target`` as the target: its other number
        columns are the features, rows with a missing value left out."""
        if target not in self._tables:
            if target not in self.columns:
                raise SetupError(
                    f"{self.name} has no column {target!r}; choose the target among "
                    f"{', '.join(map(repr, self.columns))}"
                )
            try:
                table = read_csv(
                    self.path,
                    target,
                    drop_missing=True,
                    ignore_columns=[n for n in self.text_columns if n != target],
                )
            except DataError as error:
                raise SetupError(self._named(error)) from None
            self._tables = {target: table}  # keep one table in memory
        return self._tables[target]

    def _named(self, error: Exception) -> str:
        """The error's message with the file called by its name."""
        return str(error).replace(self.path, self.name)

    def describe(self) -> dict[str, object]:
        """The file as the page lists it."""
        return {
            "name": self.name,
            "columns": self.columns,
            "text_columns": self.text_columns,
        }


@dataclass
class PlaygroundData:
    """The data of one run.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64
        Every feature, in its own units.
    y : ndarray of shape (n_samples,), int64
        Class codes ``0 .. len(classes) - 1``.
    classes : list
        The labels, in the order of the codes.
    feature_names : list of str
    train, test : ndarray of int
        Row indices, in the order the split makes them.
    inputs : list of int
        The feature columns the network reads.
    axes : tuple of (int, int)
        The feature columns drawn across and up.
    scaler : Standardizer or None
        Applied to ``X[:, inputs]`` before the network sees it (CSV files).
    source : str
        What the data is, for the model file: a CSV file's name.
    ignored_columns : list of str
        A CSV file's text columns, which ``read_csv`` is told to ignore.
    notes : list of str
        What the page should say about the data (rows or columns left out).
    """

    X: np.ndarray
    y: np.ndarray
    classes: list
    feature_names: list[str]
    train: np.ndarray
    test: np.ndarray
    inputs: list[int]
    axes: tuple[int, int]
    scaler: Standardizer | None = None
    source: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def network_input(self, X: np.ndarray) -> np.ndarray:
        """Rows of every feature, shape (n, n_features), as the network takes
        them: the inputs' columns, scaled; shape (n, len(inputs))."""
        chosen = X[:, self.inputs]
        return chosen if self.scaler is None else self.scaler.transform(chosen)

    @property
    def input_names(self) -> list[str]:
        return [self.feature_names[i] for i in self.inputs]


def load_data(setup: Setup, csv: CsvFile | None) -> PlaygroundData:
    """The data ``setup`` asks for; ``csv`` is the one file it may read.

    Raises
    ------
    SetupError
        Saying what to change: no CSV file, a target of one class or of too
        many, fewer than two number columns, a split leaving too few rows.
    """
    if setup.data == "csv":
        X, y, classes, names, source, notes = _csv_columns(setup, csv)
    else:
        X, y, classes, names, source, notes = _built_in(setup)
    axes = _axes(setup, names)
    inputs = list(axes) if setup.inputs == "drawn" else list(range(len(names)))
    train, test = split(len(X), setup.split, setup.seed)
    if len(train) < 2:
        raise SetupError(
            f"a test share of {setup.split:g} leaves {len(train)} of the "
            f"{len(X)} points for training; lower the test share"
        )
    data = PlaygroundData(X, y, classes, names, train, test, inputs, axes)
    data.source, data.notes = source, notes + _slice_note(data)
    if setup.data == "csv":
        data.ignored_columns = [n for n in csv.text_columns if n != setup.target]
        # in the shown code's order: the columns, then the rows (NumPy sums a
        # column-major copy in another order, a difference of 1e-16)
        data.scaler = _scaler(X[:, inputs][train], data.input_names, notes)
    return data


def split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and test row indices: the first ``round(n * fraction)`` of a
    seeded permutation are the test rows."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = round(n * fraction)
    return order[n_test:], order[:n_test]


def _built_in(setup: Setup):
    try:
        X, y = make_dataset(
            setup.data,
            setup.samples,
            noise=setup.noise,
            seed=setup.seed,
            n_classes=setup.classes if setup.data == "spirals" else 2,
        )
    except ValueError as error:
        raise SetupError(str(error)) from None
    names = [f"x{i + 1}" for i in range(X.shape[1])]
    classes = list(range(int(y.max()) + 1))
    return X, y, classes, names, f"the built-in {setup.data!r} data", []


def _csv_columns(setup: Setup, csv: CsvFile | None):
    if csv is None:
        raise SetupError(
            "no CSV file: upload one, or start plainnet playground --csv FILE "
            "--target COLUMN"
        )
    if not setup.target:
        raise SetupError(f"choose the column of {csv.name} to predict (the target)")
    table = csv.table(setup.target)
    names = list(table.feature_names)
    if len(names) < 2:
        raise SetupError(
            f"{csv.name} has {len(names)} column(s) of numbers besides the target "
            f"{setup.target!r}; the playground draws two: give a table with at "
            "least two number columns"
        )
    labels = table.y_text if table.y_text is not None else table.y
    distinct = len(np.unique(labels))
    if distinct > MAX_CLASSES:
        raise SetupError(
            f"column {setup.target!r} has {distinct} distinct values; the "
            f"playground sorts rows into at most {MAX_CLASSES} classes: choose a "
            "column of class labels"
        )
    try:
        y, classes = encode_labels(labels)
    except DataError as error:
        raise SetupError(
            f"{error}; the target must hold at least two classes: choose another column"
        ) from None
    return table.X, y, classes, names, csv.name, _csv_notes(csv, setup, table)


def _csv_notes(csv: CsvFile, setup: Setup, table) -> list[str]:
    notes = []
    text = [n for n in csv.text_columns if n != setup.target]
    if text:
        notes.append(
            f"left out the text column(s) {', '.join(map(repr, text))}: the "
            "playground uses columns of numbers"
        )
    dropped = csv.n_rows - table.n_samples
    if dropped:
        notes.append(f"left out {dropped} row(s) with a missing value")
    return notes


def _axes(setup: Setup, names: list[str]) -> tuple[int, int]:
    """The columns drawn across and up: as set, else the first features the
    other axis does not show."""
    for axis in (setup.x_axis, setup.y_axis):
        if axis and axis not in names:
            raise SetupError(
                f"there is no feature {axis!r} to draw; the features are "
                f"{', '.join(map(repr, names))}"
            )
    if setup.x_axis and setup.x_axis == setup.y_axis:
        raise SetupError(
            f"the drawing needs two different features; both axes show {setup.x_axis!r}"
        )
    chosen = [setup.x_axis, setup.y_axis]
    free = iter(n for n in names if n not in chosen)
    across, up = (axis or next(free) for axis in chosen)
    return names.index(across), names.index(up)


def _slice_note(data: PlaygroundData) -> list[str]:
    """The drawing of a network reading more than the two drawn features is a
    slice of its input space: say where the others are held."""
    others = [i for i in data.inputs if i not in data.axes]
    if not others:
        return []
    means = data.X[data.train].mean(axis=0)
    held = ", ".join(f"{data.feature_names[i]} at {means[i]:.3g}" for i in others[:5])
    more = f" and {len(others) - 5} more" if len(others) > 5 else ""
    return [
        f"the drawing holds the features not drawn at their training mean "
        f"({held}{more})"
    ]


def _scaler(X: np.ndarray, names: list[str], notes: list[str]) -> Standardizer:
    """A Standardizer of the training rows; its warning (a constant column)
    becomes a note."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scaler = Standardizer().fit(X, names)
    notes.extend(str(w.message) for w in caught)
    return scaler
