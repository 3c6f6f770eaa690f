"""``Predictor``: a model file's network with the preprocessing stored beside it,
giving predictions in the data's own units, as ``plainnet predict`` does."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._messages import listing, shown
from .data import Columns, Table, _check_numbers, read_columns, read_csv
from .errors import DataError
from .model_files import read_model_file
from .network import Sequential
from .preprocessing import Standardizer, decode_labels
from .tables import EncodedRows, NotNumbersWarning, TablePreprocessor


@dataclass(repr=False)
class Rows:
    """The rows of a CSV file read for a model by :meth:`Predictor.read_rows`.

    Attributes
    ----------
    features : ndarray of shape (n_rows, n_features), or EncodedRows
        What :meth:`Predictor.predict` takes for these rows: for a model of a
        table, the rows imputed and encoded column by column
        (:class:`~plainnet.tables.EncodedRows`, made into the network's
        matrix a block of rows at a time as it predicts, so that a wide
        encoding is never held whole), else the features as a float64
        matrix.
    kept : dict of str to ndarray of shape (n_rows,) of str
        The columns asked for with ``keep``, as written.
    y : ndarray of shape (n_rows,) or None
        The ``target`` column: float64 for numbers, else str.
    y_text : ndarray of shape (n_rows,) of str, or None
        The ``target`` column as written (``""`` where missing).
    ignored : list of str
        The file's columns that are neither features, kept nor the target.
    path : str
    without_target : list of int
        The lines of the rows left out because their ``target`` cell is
        missing.
    """

    features: Any
    kept: dict[str, np.ndarray] = field(default_factory=dict)
    y: np.ndarray | None = None
    y_text: np.ndarray | None = None
    ignored: list[str] = field(default_factory=list)
    path: str = ""
    without_target: list[int] = field(default_factory=list)

    @property
    def X(self) -> np.ndarray:
        """The features as the model's preprocessing makes them (before
        scaling), the whole matrix of shape (n_rows, n_features), float64.

        Raises
        ------
        DataError
            If the matrix would not fit in memory (naming its size).
        """
        if not isinstance(self.features, EncodedRows):
            return self.features
        self.features.check_fits()
        return self.features.block(0, self.features.n_rows)

    def __len__(self) -> int:
        if isinstance(self.features, EncodedRows):
            return self.features.n_rows
        return len(self.features)

    def __repr__(self) -> str:
        return f"Rows(path={self.path!r}, n_rows={len(self)}, kept={list(self.kept)})"


class Predictor:
    """A trained network with its stored preprocessing, for predicting.

    ``plainnet train`` (and the scikit-learn estimators' ``save``) store in
    the model file's metadata what a prediction needs besides the weights:
    the feature scaling, the class labels or the target's scaling, and the
    names of the feature columns. A ``Predictor`` applies all of it, so that
    raw features go in and labels, probabilities or numbers in the target's
    units come out.

    Parameters
    ----------
    network : Sequential
        The trained network.
    metadata : mapping, optional
        As stored by ``plainnet train``; every key is optional:
        ``task`` (``"classify"`` or ``"regress"``), ``target`` (the
        target column's name), ``classes`` (the labels, in the order of the
        network's outputs), ``feature_names``, ``scaling`` (a
        :class:`~plainnet.preprocessing.Standardizer` as a dict, applied to
        the features), ``target_scaling`` (undone on regression outputs) and
        ``table`` (a :class:`~plainnet.tables.TablePreprocessor` as a dict:
        the columns read, their imputation and one-hot encoding).

    Attributes
    ----------
    network : Sequential
    metadata : dict

    Examples
    --------
    >>> import plainnet as pn
    >>> predictor = pn.Predictor.load("model.npz")  # doctest: +SKIP
    >>> rows = predictor.read_rows("new_rows.csv")  # doctest: +SKIP
    >>> predictor.predict(rows.features)  # doctest: +SKIP
    array(['setosa', 'virginica', ...], dtype='<U10')

    A model trained on a table with text and missing cells takes its columns
    by name, as a dict or a pandas DataFrame:

    >>> predictor.predict({"Sex": ["female"], "Age": [None], ...})  # doctest: +SKIP
    array([1])
    """

    def __init__(
        self, network: Sequential, metadata: Mapping[str, Any] | None = None
    ) -> None:
        self.network = network
        self.metadata = dict(metadata or {})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Predictor:
        """Read a model file with its metadata.

        Parameters
        ----------
        path : str or path-like
            A file written by ``plainnet train`` or :func:`plainnet.save`.

        Returns
        -------
        Predictor

        Raises
        ------
        ModelFileError
            If the file is missing, damaged or not a plainnet model file.
        """
        contents = read_model_file(path)
        return cls(contents.network, contents.metadata)

    @property
    def task(self) -> str | None:
        """``"classify"``, ``"regress"`` or ``None`` when the file does not say."""
        return self.metadata.get("task")

    @property
    def target(self) -> str | None:
        """The name of the column the network predicts, if stored."""
        return self.metadata.get("target")

    @property
    def classes(self) -> list:
        """The class labels in the order of the outputs (else ``0 .. n - 1``)."""
        n_outputs = self.network.n_outputs or 0
        return self.metadata.get("classes") or list(range(n_outputs))

    @property
    def table(self) -> TablePreprocessor | None:
        """The stored table preprocessing, or None (a model of numeric columns)."""
        if "table" not in self.metadata:
            return None
        return TablePreprocessor.from_dict(self.metadata["table"])

    @property
    def input_columns(self) -> list[str]:
        """The columns of a file that the model reads (before any encoding)."""
        table = self.table
        return table.input_columns_ if table is not None else self.feature_names

    def encode(self, columns: Any) -> np.ndarray:
        """The features as the network's preprocessing makes them, from raw
        columns by name (a dict of lists, a pandas DataFrame, or
        :class:`plainnet.data.Columns`).

        Returns
        -------
        ndarray of shape (n_rows, n_features), float64
            Imputed and one-hot encoded (not yet scaled), as
            :meth:`predict` takes them.
        """
        table = self.table
        if table is None:
            names = self.feature_names
            absent = [n for n in names if n not in columns]
            if absent:
                raise DataError(f"missing column(s) {listing(absent, limit=20)}")
            return np.column_stack([_numbers(n, columns[n]) for n in names])
        return table.transform(columns)

    @property
    def feature_names(self) -> list[str]:
        """The feature columns' names, in order (else ``x1 .. xn``)."""
        return self.metadata.get("feature_names") or [
            f"x{i + 1}" for i in range(self.n_inputs or 0)
        ]

    @property
    def n_inputs(self) -> int | None:
        """The values in one row of features: the product of the network's
        input shape (an image of shape ``(1, 8, 8)`` is a row of 64, reshaped
        before the network sees it); None before the network is built."""
        shape = self.network.input_shape
        return None if shape is None else math.prod(shape)

    def predict(self, X: Any) -> np.ndarray:
        """Predict for raw (unscaled) features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or columns by name
            Features in the columns of :attr:`feature_names`; or the raw
            columns (a dict of lists, a pandas DataFrame), which
            :meth:`encode` turns into those; or :attr:`Rows.features`; or, for
            a model trained on a table, rows holding text of shape
            (n_samples, len(input_columns)), one raw value per column of
            :attr:`input_columns`, in order. A table's columns are encoded a
            block of rows at a time. A value that is not a number where one
            is needed raises ``DataError`` naming the column and the value.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            A classifier's most probable labels (shape ``(n_samples,)``).
            Otherwise numbers in the target's units: shape ``(n_samples,)``
            for one output, ``(n_samples, n_outputs)`` for several. A network
            saved without a task gives its output, unscaled.
        """
        if self.task == "classify":
            return decode_labels(self.predict_proba(X).argmax(axis=1), self.classes)
        values = self._output(X)
        if "target_scaling" in self.metadata:
            scaler = Standardizer.from_dict(self.metadata["target_scaling"])
            values = scaler.inverse_transform(values)
        return values[:, 0] if values.shape[1] == 1 else values

    def predict_proba(self, X: Any) -> np.ndarray:
        """A classifier's class probabilities for raw features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or columns by name
            As :meth:`predict` takes it.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Column ``j`` is the probability of ``classes[j]``; a network with
            one (sigmoid) output gives two columns.

        Raises
        ------
        ValueError
            If the model is not a classifier.
        """
        if self.task != "classify":
            raise ValueError(
                f"predict_proba applies to classifiers; this model's task is "
                f"{self.task!r}"
            )
        output = self._output(X)
        loss = self.network.loss
        proba = output if loss is None else loss.output_function(output)
        return np.column_stack([1 - proba, proba]) if proba.shape[1] == 1 else proba

    def read_features(
        self,
        path: str | os.PathLike[str],
        *,
        target: str | None = None,
        drop_missing: bool = False,
        sep: str | None = ",",
    ) -> Table:
        """Read a CSV file's feature columns: those the network was trained on.

        Parameters
        ----------
        path : str or path-like
            A CSV file with a header row.
        target : str, optional
            A column to read as ``Table.y`` (to score the predictions). The
            training target's column, when present and not asked for, is
            ignored.
        drop_missing : bool, default False
            Drop rows with missing values instead of raising.
        sep : str or None, default ","
            The separator of the cells, or None to detect it (see
            :func:`plainnet.data.read_csv`).

        Returns
        -------
        Table
            ``X`` of shape (n_samples, n_features), in the training order.

        Raises
        ------
        DataError
            If the columns differ from the stored feature names (or, without
            them, from the network's input width), or a value is not a number.
        """
        if self.table is not None:
            rows = self.read_rows(
                path, target=target, drop_missing=drop_missing, sep=sep
            )
            return Table(
                self.feature_names, rows.X, rows.y, target, rows.path, rows.y_text
            )
        expected = self.metadata.get("feature_names")
        ignore = [self.target] if self.target not in (None, target) else []
        table = read_csv(
            path,
            target=target,
            drop_missing=drop_missing,
            expected_columns=expected,
            ignore_columns=ignore,
            sep=sep,
        )
        if expected is None and table.n_features != self.n_inputs:
            raise DataError(
                f"{os.fspath(path)}: {table.n_features} feature columns, but the "
                f"model expects {self._expected_width()}"
            )
        return table

    def read_rows(
        self,
        path: str | os.PathLike[str],
        *,
        keep: Sequence[str] = (),
        target: str | None = None,
        drop_missing: bool = False,
        sep: str | None = ",",
    ) -> Rows:
        """Read the rows of a CSV file to predict for, with columns to copy out.

        The columns the model reads must be there, in any order; the others
        are listed in ``Rows.ignored`` (not refused). A model trained on a
        table imputes missing cells and encodes categories as in training;
        one of numeric columns only needs numbers (or ``drop_missing``).

        Parameters
        ----------
        path : str or path-like
            A CSV file with a header row.
        keep : sequence of str, default ()
            Columns to copy, as written, into ``Rows.kept`` (an id).
        target : str, optional
            A column to read as ``Rows.y`` (to score the predictions); rows
            where it is missing are dropped.
        drop_missing : bool, default False
            For a model of numeric columns: drop the rows with a missing
            feature instead of raising.
        sep : str or None, default ","
            The separator of the cells, or None to detect it (see
            :func:`plainnet.data.read_csv`).

        Returns
        -------
        Rows

        Raises
        ------
        DataError
            One line naming the file: a column the model reads or one asked
            for is absent, a number column holds text, ...

        Warns
        -----
        NotNumbersWarning
            For a number column (or a number target) holding a few cells that
            are not numbers, treated as missing (see
            :class:`plainnet.tables.NotNumbersWarning`).
        """
        name = os.fspath(path)
        inputs, keep = self.input_columns, list(dict.fromkeys(keep))
        extra = [c for c in [*keep, target] if c is not None]
        ignored: list[str] = []
        select = self._selector(name, inputs, extra, ignored)
        table = self.table
        spelled = [*(table.category_columns_ if table else []), *extra]
        verbatim = [c for c in keep if c not in inputs and c != target]
        columns = read_columns(
            name, select, spelled=spelled, verbatim=verbatim, sep=sep
        )
        columns, without_target, y, y_text = self._read_target(columns, target)
        kept = {c: _as_written(columns[c]) for c in keep}
        if table is not None:
            encoded = table.encode(columns)
            return Rows(encoded, kept, y, y_text, ignored, name, without_target)
        X, rows = self._numeric_features(columns, inputs, drop_missing)
        kept = {c: v[rows] for c, v in kept.items()}
        y, y_text = (None if a is None else a[rows] for a in (y, y_text))
        return Rows(X, kept, y, y_text, ignored, name, without_target)

    def _selector(self, name: str, inputs: list[str], extra: list, ignored: list):
        """The ``select(header)`` of :meth:`read_rows`: the columns the model
        reads (``inputs``, found in the header when the model does not name
        them) and the ``extra`` ones asked for; the others go to ``ignored``."""
        named = self.table is not None or "feature_names" in self.metadata

        def select(header: list[str]) -> list[str]:
            if not named:  # a model saved without its columns' names: all of them
                inputs[:] = [c for c in header if c not in extra and c != self.target]
                if len(inputs) != self.n_inputs:
                    raise DataError(
                        f"{name}: {len(inputs)} feature columns, but the model "
                        f"expects {self._expected_width()}"
                    )
            absent = [c for c in inputs if c not in header]
            if absent:
                raise DataError(
                    f"{name}: missing column(s) {listing(absent, limit=20)} that "
                    f"the model reads (the file has {listing(header, limit=20)})"
                )
            unknown = [c for c in extra if c not in header]
            if unknown:
                raise DataError(
                    f"{name}: no column(s) {listing(unknown, limit=20)}; the "
                    f"columns are {listing(header, limit=20)}"
                )
            wanted = list(dict.fromkeys([*inputs, *extra]))
            ignored.extend(c for c in header if c not in wanted and c != self.target)
            return wanted

        return select

    def _read_target(self, columns: Columns, target: str | None):
        """The rows that have a ``target`` value, the lines of the others, and
        the target as numbers (or text) and as written (None without one)."""
        if target is None:
            return columns, [], None, None
        note = columns[target].not_numbers_note()
        if note is not None:
            warnings.warn(note, NotNumbersWarning, stacklevel=3)
        columns, without_target = self._drop_missing_target(columns, target)
        y_text = columns[target].spellings()
        y = y_text if columns[target].is_text else columns[target].numbers
        return columns, without_target, y, y_text

    @staticmethod
    def _drop_missing_target(columns: Columns, target: str):
        """The rows that have a ``target`` value, and the lines of the others."""
        missing = columns[target].missing()
        if missing.all():
            raise DataError(f"{columns.path}: column {shown(target)} has no values")
        if not missing.any():
            return columns, []
        lines = columns.lines[np.flatnonzero(missing)].tolist()
        return columns.take(np.flatnonzero(~missing)), lines

    def _numeric_features(self, columns: Columns, inputs, drop_missing: bool):
        """A model of numeric columns: ``X`` and the rows kept."""
        _check_numbers(columns, inputs)
        X = np.column_stack([columns[c].numbers for c in inputs])
        missing = np.isnan(X).any(axis=1)
        if missing.any() and not drop_missing:
            bad = columns.lines[np.flatnonzero(missing)].tolist()
            raise DataError(
                f"{columns.path}: missing values in {len(bad)} row(s), at line(s) "
                f"{listing(bad, quote=False)}; this model was trained without "
                "imputation: fill them in or drop those rows"
            )
        rows = np.flatnonzero(~missing)
        if np.isinf(X).any():
            raise DataError(f"{columns.path}: infinite values; plainnet needs finite")
        return X[rows], rows

    def _output(self, X: Any) -> np.ndarray:
        """The network's output of shape (n_samples, n_outputs) for raw features;
        raw columns of a table are encoded a block of rows at a time."""
        scaler = None
        if "scaling" in self.metadata:
            scaler = Standardizer.from_dict(self.metadata["scaling"])
        if hasattr(X, "keys") or isinstance(X, Columns):
            table = self.table
            X = self.encode(X) if table is None else table.encode(X)
        elif not isinstance(X, EncodedRows):
            X = np.asarray(X)
            if X.dtype.kind not in "biuf" and X.ndim == 2:  # rows holding text
                X = self._from_text_rows(X)
        if not isinstance(X, EncodedRows):
            return self._scaled_output(X, scaler)
        outputs = [self._scaled_output(block, scaler) for block in X.blocks()]
        if not outputs:  # no rows: the network says so
            return self._scaled_output(X.block(0, 0), scaler)
        return np.concatenate(outputs)

    def _scaled_output(self, X: np.ndarray, scaler: Standardizer | None):
        """The network's output for encoded rows: scaled, and reshaped to the
        network's input shape when it takes images or sequences."""
        if scaler is not None:
            X = scaler.transform(X)
        shape = self.network.input_shape
        if shape is not None and len(shape) > 1 and X.ndim == 2:
            if X.shape[1] != self.n_inputs:
                raise DataError(
                    f"X has {X.shape[1]} features, but the model expects "
                    f"{self._expected_width()}"
                )
            X = X.reshape(len(X), *shape)
        return self.network.predict(X)  # cast there, a value too large named

    def _expected_width(self) -> str:
        """``64`` or, for an image, ``64 (1 x 8 x 8, read row by row)``."""
        shape = self.network.input_shape
        if shape is None or len(shape) == 1:
            return str(self.n_inputs)
        return f"{self.n_inputs} ({' x '.join(map(str, shape))}, flattened)"

    def _from_text_rows(self, X: np.ndarray) -> np.ndarray:
        """Rows of shape (n_rows, n_columns) holding text: for a model trained
        on a table, the raw columns it reads, in order (encoded as
        :meth:`encode` does); else numbers written as text."""
        inputs = self.input_columns
        if self.table is not None and X.shape[1] == len(inputs):
            return self.encode({name: X[:, j] for j, name in enumerate(inputs)})
        names = self.feature_names
        return np.column_stack(
            [
                _numbers(names[j] if j < len(names) else f"x{j + 1}", X[:, j])
                for j in range(X.shape[1])
            ]
        )

    def __repr__(self) -> str:
        return (
            f"Predictor(task={self.task!r}, target={self.target!r}, "
            f"features={len(self.feature_names)}, outputs={self.network.n_outputs})"
        )


def _numbers(name: str, values) -> np.ndarray:
    """A column of numbers as float64 (None and empty cells as NaN);
    ``DataError`` naming the column and the first value that is not one."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        pass
    numbers = np.empty(len(values))
    for i, value in enumerate(values):
        try:
            numbers[i] = np.nan if value is None or value == "" else float(value)
        except (TypeError, ValueError):
            raise DataError(
                f"column {shown(name)}: {shown(str(value))} is not a number"
            ) from None
    return numbers


def _as_written(column) -> np.ndarray:
    """A column's cells as written (numbers formatted when their spelling was
    not kept)."""
    cells = column.spellings()
    if cells is not None:
        return cells
    from .tables import _spelling

    return np.array([_spelling(v) for v in column.numbers], dtype=str)
