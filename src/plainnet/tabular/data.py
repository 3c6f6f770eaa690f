"""What ``train_table`` learns from: the table read, the task chosen, the rows
split (stratified by class), the columns chosen, imputed and encoded, and the
features and target scaled as the network sees them. Every note goes to the
``Notes`` given; a setting is named as ``Notes.spell`` names it."""

import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from .._messages import listing, shown
from ..data import Columns, read_columns
from ..datasets import make_dataset
from ..errors import DataError
from ..preprocessing import Standardizer
from ..tables import REASONS, NotNumbersWarning, TablePreprocessor
from .settings import Notes, SettingError, TableSettings

MAX_CLASSES_AUTO = 20  # an integer target with more distinct values is a number
_WHOLE_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)")  # as Python writes an int


@dataclass
class TrainingData:
    """Features, target and description of what a network is trained on.

    ``X`` of shape (n_samples, n_features) holds the features before scaling
    (for a CSV file: once ``prepare`` has encoded the table); ``y`` of shape
    (n_samples,) the target: float64 numbers, or class labels as written.
    """

    X: np.ndarray | None
    y: np.ndarray
    feature_names: list[str]
    target: str
    source: str
    columns: Columns | None = None
    y_numbers: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


def read_dataset(name: str, seed: int) -> TrainingData:
    """The built-in data set ``name``, generated from ``seed``."""
    X, y = make_dataset(name, seed=seed)
    names = [f"x{i + 1}" for i in range(X.shape[1])]
    return TrainingData(
        X, y, names, "label", f"the built-in {name!r} data", y_numbers=y
    )


def read_table(
    path: str, target: str, settings: TableSettings, notes: Notes
) -> TrainingData:
    """The CSV file's ``target`` and the columns chosen by the settings."""
    select = _selector(path, target, settings, notes)
    columns = read_columns(path, select, spelled=[target], sep=settings.sep)
    for column in columns.columns.values():
        note = column.not_numbers_note()
        if note is not None:
            notes.add(f"note: {note}")
    columns = _rows_with_a_target(columns, target, notes)
    column = columns.columns.pop(target)
    y = column.spellings()
    if y is None or (not column.is_text and settings.task == "regress"):
        y = column.numbers
    numbers = None if column.is_text else column.numbers
    return TrainingData(None, y, [], target, path, columns, numbers)


def _selector(path: str, target: str, settings: TableSettings, notes: Notes):
    """The columns to read: the target and ``features`` (or all but ``drop``)."""
    features, drop = settings.features, settings.drop or []

    def select(header: list[str]) -> list[str]:
        if target not in header:
            folded = [c for c in header if c.casefold() == target.casefold()]
            hint = f" (did you mean {shown(folded[0])}?)" if folded else ""
            raise DataError(
                f"{path}: no target column {shown(target)}{hint}; the "
                f"columns are: {listing(header, limit=20)}"
            )
        unknown = [c for c in [*(features or []), *drop] if c not in header]
        if unknown:
            raise SettingError(
                f"{notes.spell('features')}/{notes.spell('drop')} name column(s) "
                f"{listing(unknown, limit=10)} that {path} does not have; it has "
                f"{listing(header, limit=20)}"
            )
        if target in (features or []):
            raise SettingError(
                f"{notes.spell('features')} lists the target {shown(target)}"
            )
        chosen = features or [c for c in header if c not in drop]
        return [c for c in chosen if c != target] + [target]

    return select


def without_target_note(target: str, lines: list[int]) -> str:
    """The note on the rows left out because their target cell is empty."""
    return (
        f"note: left out {len(lines)} row(s) with no {shown(target)} value "
        f"(line(s) {listing(lines, quote=False)})"
    )


def _rows_with_a_target(columns: Columns, target: str, notes: Notes) -> Columns:
    """Leave out, with a note, the rows whose target is missing."""
    missing = columns[target].missing()
    if not missing.any():
        return columns
    if missing.all():
        raise DataError(f"{columns.path}: column {shown(target)} has no values")
    lines = columns.lines[np.flatnonzero(missing)].tolist()
    notes.add(without_target_note(target, lines))
    return columns.take(np.flatnonzero(~missing))


def choose_task(task: str, data: TrainingData, notes: Notes) -> str:
    """``auto``: text or at most 20 distinct whole numbers is a class label."""
    numeric = data.y_numbers is not None
    if task == "regress" and not numeric:
        raise DataError(
            f"{data.source}: column {shown(data.target)} holds text, "
            f"but {notes.spell('task', 'regress')} needs numbers"
        )
    if task != "auto":
        return task
    if not numeric:
        return "classify"
    y = data.y_numbers
    whole = np.array_equal(y, np.round(y))
    few = whole and len(np.unique(y)) <= MAX_CLASSES_AUTO
    return "classify" if few else "regress"


def split_rows(
    n: int, fraction: float, seed: int, labels: np.ndarray | None, notes: Notes
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled row indices for training and validation, stratified by
    ``labels`` (each class split in the same proportion) when given."""
    rng = np.random.default_rng(seed)
    n_val = round(n * fraction)
    if fraction > 0 and (n < 10 or n_val < 1):
        notes.add(
            f"note: only {n} rows, too few to set some aside for validation; "
            "training on all of them"
        )
        return np.arange(n), np.arange(0)
    if labels is None:
        order = rng.permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    validation = []
    for value in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == value))
        validation.append(rows[: round(len(rows) * fraction)])
    val_rows = np.sort(np.concatenate(validation))
    return np.setdiff1d(np.arange(n), val_rows), val_rows


def encode_classes(data: TrainingData) -> tuple[list, np.ndarray]:
    """The class labels, spelled as in the file, and each row's code.

    Labels that are all whole numbers written the plain way become ints
    (Python's, of any size: ``12345678901234567890`` never overflows);
    otherwise every label stays the text it is (``007`` and ``7`` are two
    classes), sorted by number, then by text.
    """
    y = data.y
    if y.dtype.kind in "biuf":  # numbers whose spelling was not kept
        y = np.array([_plain(float(v)) for v in y.tolist()], dtype=str)
    distinct, codes = np.unique(y, return_inverse=True)
    labels = distinct.tolist()
    if all(_WHOLE_NUMBER.fullmatch(label) for label in labels):
        classes = [int(label) for label in labels]
    else:
        classes = list(labels)
    order = sorted(range(len(classes)), key=lambda i: _label_order(classes[i]))
    classes = [classes[i] for i in order]
    if len(classes) < 2:
        raise DataError(
            f"{data.source}: column {shown(data.target)}: labels hold a single class "
            f"({shown(classes[0])}); a classifier needs at least two"
        )
    recode = np.empty(len(order), dtype=np.int64)
    recode[order] = np.arange(len(order))
    return classes, recode[codes.reshape(-1)]


def _plain(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _label_order(label) -> tuple:
    """Numbers first, by value; then text."""
    if isinstance(label, int):
        return (0, label, "")
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0, label)


def prepare(
    task: str,
    data: TrainingData,
    train_rows: np.ndarray,
    settings: TableSettings,
    notes: Notes,
) -> tuple[dict, np.ndarray, np.ndarray]:
    """The metadata, the standardized features and the target as the network
    learns it; the table's encoding and the scalings are fitted on the
    training rows only."""
    metadata = {"task": task, "target": data.target, "source": data.source}
    if data.columns is not None:
        metadata["table"] = _encode_table(data, train_rows, settings, notes)
    metadata["feature_names"] = data.feature_names
    scaler = Standardizer().fit(data.X[train_rows], data.feature_names)
    metadata["scaling"] = scaler.to_dict()
    X = scaler.transform(data.X)
    if task == "classify":
        metadata["classes"], y = encode_classes(data)
        classes = metadata["classes"]
        notes.add(
            f"task: classify {shown(data.target)} into {len(classes)} "
            f"classes: {listing(classes, limit=10)}"
        )
        return metadata, X, y
    values = data.y.reshape(-1, 1).astype(np.float64)
    target_scaler = Standardizer().fit(values[train_rows])
    metadata["target_scaling"] = target_scaler.to_dict()
    notes.add(f"task: regress (predict the number {shown(data.target)})")
    return metadata, X, target_scaler.transform(values)


def _encode_table(
    data: TrainingData, train_rows: np.ndarray, settings: TableSettings, notes: Notes
) -> dict:
    """Choose, impute and encode the table's columns (fitted on the training
    rows) into ``data.X``; returns the encoding as a dict."""
    table = TablePreprocessor(
        features=settings.features,
        drop=settings.drop or (),
        missing_indicator=settings.missing_indicator,
        max_categories=settings.max_categories,
    ).fit(data.columns, rows=train_rows)
    _note_encoding(table, len(train_rows), notes)
    _note_mostly_missing(table, data.columns, notes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotNumbersWarning)  # noted when read
        data.X = table.transform(data.columns)
    data.feature_names = table.feature_names_out_
    data.columns = None  # the raw columns are no longer needed
    return table.to_dict()


def class_labels(task: str, data: TrainingData) -> np.ndarray | None:
    """Each row's class code for a stratified split (None for regression)."""
    if task != "classify":
        return None
    return encode_classes(data)[1]


def _note_encoding(table: TablePreprocessor, n_rows: int, notes: Notes) -> None:
    """The columns left out, grouped and one-hot encoded."""
    for name, reason in table.left_out_:
        notes.add(
            f"note: left out column {shown(name)} ({REASONS[reason]}); "
            f"name it in {notes.spell('features')} to keep it"
        )
    for name, n_categories, n_grouped, n_grouped_rows in table.grouped_:
        notes.add(
            f"note: column {shown(name)} has {n_categories:,} categories: "
            f"the {n_categories - n_grouped:,} most frequent get a column each, "
            f"the other {n_grouped:,} (in {n_grouped_rows:,} of {n_rows:,} "
            "training rows) share one "
            f"({notes.spell('max_categories', table.max_categories)})"
        )
    encoded = [e for e in table.columns_ if e["kind"] == "category"]
    if encoded:
        described = ", ".join(map(_categories, encoded[:10]))
        more = f", ... ({len(encoded)} in all)" if len(encoded) > 10 else ""
        notes.add(f"note: one-hot encoded {described}{more}")


def _categories(entry: dict) -> str:
    """``'Sex' (2 categories)``, ``'city' (99 categories and other)``."""
    n = len(entry["categories"])
    words = f"{n} categor{'y' if n == 1 else 'ies'}"
    if entry.get("other"):
        words += " and other"
    return f"{shown(entry['name'])} ({words})"


def _note_mostly_missing(
    table: TablePreprocessor, columns: Columns, notes: Notes
) -> None:
    """A note for each number column missing in more than half of its cells:
    how many cells its median fills."""
    for entry in table.columns_:
        if entry["kind"] != "number":
            continue
        missing = int(columns[entry["name"]].missing().sum())
        if 2 * missing > columns.n_rows:
            notes.add(
                f"note: column {shown(entry['name'])} is missing in {missing} of "
                f"{columns.n_rows} rows ({100 * missing // columns.n_rows}%); "
                f"those {missing} cells are filled with its median, "
                f"{entry['fill']:g} ({notes.spell('missing_indicator')} adds a "
                f"0/1 column saying which, {notes.spell('drop')} leaves the "
                "column out)"
            )


def drop_incomplete_rows(
    data: TrainingData, settings: TableSettings, notes: Notes
) -> None:
    """``drop_missing``: drop the rows with a missing cell in a column the
    table uses, instead of imputing it."""
    if data.columns is None:
        return
    chosen = TablePreprocessor(features=settings.features, drop=settings.drop or ())
    table = chosen.fit(data.columns)
    missing = np.zeros(data.columns.n_rows, dtype=bool)
    for name in table.input_columns_:
        missing |= data.columns[name].missing()
    if missing.all():
        raise DataError(
            f"{data.source}: every data row has a missing value; nothing is left "
            f"after dropping them (leave out {notes.spell('drop_missing')} to "
            "fill them in)"
        )
    if missing.any():
        keep = np.flatnonzero(~missing)
        notes.add(
            f"note: {notes.spell('drop_missing')} dropped {int(missing.sum())} row(s)"
        )
        data.columns = data.columns.take(keep)
        data.y = data.y[keep]
        if data.y_numbers is not None:
            data.y_numbers = data.y_numbers[keep]
