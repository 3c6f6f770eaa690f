"""Training on tables: :func:`train_table` reads a CSV file's table, prepares
it and trains a network on it, as ``plainnet train`` does, and returns a
:class:`TrainedTable` whose ``predictor`` (a :class:`~plainnet.Predictor`)
predicts from raw rows.

``settings`` holds what it is told, ``data`` what it learns from (reading,
choosing the task, splitting, encoding, scaling), ``fit`` the training's
parts and ``pipeline`` the function putting them together."""

from .pipeline import TrainedTable, train_table
from .settings import Notes, SettingError, TableSettings

__all__ = ["Notes", "SettingError", "TableSettings", "TrainedTable", "train_table"]
