"""``Predictor``: a model file's network with the preprocessing stored beside it,
giving predictions in the data's own units, as ``plainnet predict`` does."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .data import Table, read_csv
from .errors import DataError
from .model_files import read_model_file
from .network import Sequential
from .preprocessing import Standardizer, decode_labels


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
        the features) and ``target_scaling`` (undone on regression outputs).

    Attributes
    ----------
    network : Sequential
    metadata : dict

    Examples
    --------
    >>> import plainnet as pn
    >>> predictor = pn.Predictor.load("model.npz")  # doctest: +SKIP
    >>> table = predictor.read_features("new_rows.csv")  # doctest: +SKIP
    >>> predictor.predict(table.X)  # doctest: +SKIP
    array(['setosa', 'virginica', ...], dtype='<U10')
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
    def feature_names(self) -> list[str]:
        """The feature columns' names, in order (else ``x1 .. xn``)."""
        n_features = self.network.n_features_in or 0
        return self.metadata.get("feature_names") or [
            f"x{i + 1}" for i in range(n_features)
        ]

    def predict(self, X: Any) -> np.ndarray:
        """Predict for raw (unscaled) features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features in the columns of :attr:`feature_names`.

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
        X : array-like of shape (n_samples, n_features)

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
        expected = self.metadata.get("feature_names")
        ignore = [self.target] if self.target not in (None, target) else []
        table = read_csv(
            path,
            target=target,
            drop_missing=drop_missing,
            expected_columns=expected,
            ignore_columns=ignore,
        )
        if expected is None and table.n_features != self.network.n_features_in:
            raise DataError(
                f"{os.fspath(path)}: {table.n_features} feature columns, but the "
                f"model expects {self.network.n_features_in}"
            )
        return table

    def _output(self, X: Any) -> np.ndarray:
        """The network's output of shape (n_samples, n_outputs) for raw features."""
        X = np.asarray(X)
        if "scaling" in self.metadata:
            X = Standardizer.from_dict(self.metadata["scaling"]).transform(X)
        return self.network.predict(X.astype(self.network.dtype))

    def __repr__(self) -> str:
        return (
            f"Predictor(task={self.task!r}, target={self.target!r}, "
            f"features={len(self.feature_names)}, outputs={self.network.n_outputs})"
        )
