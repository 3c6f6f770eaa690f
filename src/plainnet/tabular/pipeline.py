"""``train_table``: a network trained on a CSV file's table (or a built-in data
set) with its preprocessing, as ``plainnet train`` does, returned as a
``TrainedTable`` whose ``predictor`` predicts from raw rows."""

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..callbacks import EarlyStopping
from ..diagnostics import Diagnostics
from ..errors import TrainingDivergedError
from ..hooks import L2Penalty
from ..layers import dense_stack
from ..network import Sequential
from ..predictor import Predictor
from . import fit
from .data import (
    TrainingData,
    choose_task,
    class_labels,
    drop_incomplete_rows,
    prepare,
    read_dataset,
    read_table,
    split_rows,
)
from .settings import Notes, SettingError, TableSettings


@dataclass(repr=False)
class TrainedTable:
    """What :func:`train_table` returns: the trained model and how it came to be.

    Attributes
    ----------
    predictor : Predictor
        The network (holding the best epoch's weights) with its metadata:
        ``plainnet train`` saves exactly these in its model file.
    notes : list of str
        The notes, in order: columns left out, encoded or imputed, rows
        dropped, the task chosen, the line announcing the training.
    X : ndarray of shape (n_rows, n_features)
        Every row's features as the preprocessing makes them, before scaling
        (what ``predictor.predict`` takes).
    y : ndarray of shape (n_rows,)
        Every row's target: float64 numbers, or class labels as written.
    train_rows, val_rows : ndarray of int
        The rows trained on and the rows set aside for validation.
    early_stopping : EarlyStopping
        Knows the kept epoch (``best_epoch``) and its loss (``best``).
    diagnostics : Diagnostics or None
        With ``diagnose=True``: what it saw while training.
    """

    predictor: Predictor
    notes: list[str]
    X: np.ndarray
    y: np.ndarray
    train_rows: np.ndarray
    val_rows: np.ndarray
    early_stopping: EarlyStopping
    diagnostics: Diagnostics | None = None

    @property
    def network(self) -> Sequential:
        """The trained network (``predictor.network``)."""
        return self.predictor.network

    @property
    def summary(self) -> str:
        """Which epoch's weights are kept, and why: ``kept the weights of
        epoch 12 of 22 (lowest validation loss, 0.4123)``."""
        stopper = self.early_stopping
        what = "validation loss" if len(self.val_rows) else "training loss"
        return (
            f"kept the weights of epoch {stopper.best_epoch} of "
            f"{len(self.network.history.loss)} (lowest {what}, {stopper.best:.6g})"
        )

    def __repr__(self) -> str:
        return (
            f"TrainedTable(task={self.predictor.task!r}, "
            f"target={self.predictor.target!r}, rows={len(self.y)}, "
            f"epochs={len(self.network.history.loss)})"
        )


def train_table(
    path: str | os.PathLike[str] | None = None,
    *,
    target: str | None = None,
    dataset: str | None = None,
    callbacks: Sequence = (),
    notes: Notes | None = None,
    **settings,
) -> TrainedTable:
    """Train a network on a CSV file's table, as ``plainnet train`` does.

    Reads the table, chooses the task, leaves out id and free-text columns,
    imputes missing cells and one-hot encodes text (fitted on the training
    rows), splits off validation rows (stratified by class), builds a stack
    of Dense layers and trains it with early stopping on the validation loss,
    keeping the best epoch's weights. Nothing is printed: the notes are
    returned (and passed to ``notes.say`` as they come).

    Parameters
    ----------
    path : str or path-like, optional
        A CSV file with a header row; or give ``dataset``.
    target : str
        The column to predict (with ``path``).
    dataset : str, optional
        A built-in data set of :mod:`plainnet.datasets` instead of a file.
    callbacks : sequence, default ()
        More ``fit`` callbacks, run after the accuracy is in the logs.
    notes : Notes, optional
        Where the notes go (a new :class:`Notes` if not given).
    **settings
        The fields of :class:`TableSettings`: ``sep=","`` (None: detected),
        ``task="auto"`` (``"classify"``, ``"regress"``; auto: text or at most
        20 distinct whole numbers are classes), ``features=None`` (exactly
        these columns), ``drop=()``, ``missing_indicator=False``,
        ``drop_missing=False`` (drop rows with a missing cell instead of
        filling it), ``max_categories=100``, ``hidden=(64, 32)``,
        ``activation="relu"``, ``dropout=0.0``, ``epochs=200``,
        ``batch_size=None`` (min(200, n)), ``optimizer="adam"``, ``lr=None``
        (1e-3), ``lr_schedule=None``, ``alpha=1e-4`` (L2 penalty),
        ``class_weight=None`` (``"balanced"``), ``val_split=0.2``,
        ``patience=10``, ``seed=0``, ``diagnose=False``.

    Returns
    -------
    TrainedTable
        ``predictor`` (network of ``n_features`` inputs and ``n_classes``
        outputs, or one for regression, with its metadata), ``notes``, the
        rows and the early stopping. If Ctrl-C stopped training,
        ``network.history.interrupted`` is True (and the weights are the best
        so far); no epoch at all leaves the history empty.

    Raises
    ------
    DataError
        A problem with the data, naming the file: no target column, a
        single class, a text target to regress, ...
    SettingError
        (a ``ValueError``) Settings that do not fit the data: ``features``
        naming absent columns or the target, ``class_weight`` for a
        regression. Other bad arguments raise ``ValueError`` or
        ``TypeError`` (an unknown setting).
    TrainingDivergedError
        The loss became NaN or infinite; its ``trained`` attribute is the
        ``TrainedTable`` with the best epoch's weights, or None if no epoch
        ended.

    Examples
    --------
    >>> import plainnet as pn
    >>> trained = pn.train_table(dataset="moons", epochs=5)
    >>> trained.predictor.predict([[0.0, 0.5]]).shape
    (1,)
    """
    notes = Notes() if notes is None else notes
    settings = TableSettings(**settings)
    trained, sets = _prepared(path, target, dataset, settings, notes)
    _fit(trained, sets, settings, list(callbacks), notes)
    return trained


def _prepared(
    path, target, dataset, settings: TableSettings, notes: Notes
) -> tuple[TrainedTable, fit.FitSets]:
    """The data read and preprocessed, the rows split, the network built."""
    data = _read(path, target, dataset, settings, notes)
    task = choose_task(settings.task, data, notes)
    if settings.drop_missing:
        drop_incomplete_rows(data, settings, notes)
    labels = class_labels(task, data)
    rows = split_rows(len(data.y), settings.val_split, settings.seed, labels, notes)
    metadata, X, y = prepare(task, data, rows[0], settings, notes)
    n_outputs = len(metadata["classes"]) if task == "classify" else 1
    sizes = [X.shape[1], *settings.hidden, n_outputs]
    layers = dense_stack(sizes, settings.activation, dropout=settings.dropout)
    network = Sequential(layers, seed=settings.seed)
    notes.starting(_announcement(task, network, data, *rows))
    weights = _class_weights(settings, task, y[rows[0]], n_outputs, notes)
    stopper = EarlyStopping(
        patience=settings.patience or settings.epochs,
        min_delta=0.0,
        monitor="val_loss" if len(rows[1]) else "loss",
    )
    diagnostics = Diagnostics() if settings.diagnose else None
    predictor = Predictor(network, metadata)
    trained = TrainedTable(
        predictor, notes.lines, data.X, data.y, *rows, stopper, diagnostics
    )
    return trained, fit.FitSets.split(X, y, *rows, weights)


def _read(path, target, dataset, settings: TableSettings, notes: Notes) -> TrainingData:
    """The CSV file's table or the built-in data set."""
    if (path is None) == (dataset is None):
        raise ValueError(
            "give either path (a CSV file) or dataset (a built-in data set's name)"
        )
    if dataset is not None:
        return read_dataset(dataset, settings.seed)
    if target is None:
        raise ValueError("target is needed: the name of the column to predict")
    return read_table(os.fspath(path), target, settings, notes)


def _announcement(
    task: str, network: Sequential, data: TrainingData, train_rows, val_rows
) -> str:
    return (
        f"training a {task} network on {data.source}: "
        f"{len(train_rows)} training rows"
        + (f", {len(val_rows)} validation rows" if len(val_rows) else "")
        + f", {network.n_parameters} parameters"
    )


def _class_weights(
    settings: TableSettings, task: str, codes, n_classes: int, notes: Notes
) -> np.ndarray | None:
    """Each training row's weight with ``class_weight="balanced"``, else None."""
    if settings.class_weight is None:
        return None
    if task != "classify":
        raise SettingError(f"{notes.spell('class_weight')} applies to classifiers")
    return fit.balanced_weights(codes, n_classes)


def _fit(
    trained: TrainedTable,
    sets: fit.FitSets,
    settings: TableSettings,
    callbacks: list,
    notes: Notes,
) -> None:
    """Train, keeping the best epoch's weights (the early stopping knows
    which epoch that was)."""
    network, metadata = trained.network, trained.predictor.metadata
    if trained.diagnostics is not None:
        callbacks.insert(0, trained.diagnostics)
    if metadata["task"] == "classify":
        metadata["metrics"] = {"accuracy": [], "val_accuracy": []}
        callbacks.insert(0, fit.accuracy_recorder(network, sets, metadata["metrics"]))
    n_samples = len(sets.train[0])
    batch = fit.batch_size(settings, n_samples)
    optimizer = fit.optimizer(settings, n_samples, batch, notes)
    penalty = L2Penalty(network, settings.alpha, batch) if settings.alpha else None
    try:
        network.fit(
            *sets.train[:2],
            loss="cross_entropy" if metadata["task"] == "classify" else "mse",
            optimizer=optimizer,
            epochs=settings.epochs,
            batch_size=batch,
            validation_data=sets.validation,
            early_stopping=trained.early_stopping,
            callbacks=callbacks,
            grad_hook=penalty,
            sample_weight=sets.train[2] if len(sets.train) > 2 else None,
        )
    except TrainingDivergedError as error:
        error.trained = _best_so_far(trained)
        raise
    if trained.early_stopping.best_epoch is not None:
        metadata["kept_epoch"] = int(trained.early_stopping.best_epoch)


def _best_so_far(trained: TrainedTable) -> TrainedTable | None:
    """After divergence: the best epoch's weights put back, if there was one."""
    stopper = trained.early_stopping
    if stopper.best_parameters is None:
        return None
    np.copyto(trained.network.parameters, stopper.best_parameters)
    trained.predictor.metadata["kept_epoch"] = int(stopper.best_epoch)
    return trained
