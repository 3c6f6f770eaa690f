"""What ``plainnet train`` learns from: the data read, the task chosen, the rows
split, and the features and target scaled as the network sees them."""

import argparse
from dataclasses import dataclass

import numpy as np

from .._messages import listing
from ..data import read_csv
from ..datasets import make_dataset
from ..errors import DataError
from ..preprocessing import Standardizer, encode_labels
from .common import UsageError

MAX_CLASSES_AUTO = 20  # an integer target with more distinct values is a number


@dataclass
class TrainingData:
    """Features, target and description of what a network is trained on."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target: str
    source: str


def read_training_data(args: argparse.Namespace) -> TrainingData:
    """The CSV file (with ``--target``) or the built-in data set asked for."""
    if (args.data is None) == (args.dataset is None):
        raise UsageError(
            "give either a CSV file (plainnet train DATA.csv --target COLUMN) "
            "or a built-in data set (plainnet train --dataset NAME)"
        )
    if args.dataset is not None:
        X, y = make_dataset(args.dataset, seed=args.seed)
        names = [f"x{i + 1}" for i in range(X.shape[1])]
        return TrainingData(X, y, names, "label", f"the built-in {args.dataset!r} data")
    if args.target is None:
        raise UsageError("--target COLUMN is needed: the name of the column to predict")
    table = read_csv(args.data, target=args.target, drop_missing=args.drop_missing)
    return TrainingData(table.X, table.y, table.feature_names, args.target, args.data)


def choose_task(task: str, data: TrainingData) -> str:
    """``auto``: text or at most 20 distinct whole numbers is a class label."""
    numeric = data.y.dtype.kind == "f" or data.y.dtype.kind in "iu"
    if task == "regress" and not numeric:
        raise DataError(
            f"{data.source}: column {data.target!r} holds text, "
            "but --task regress needs numbers"
        )
    if task != "auto":
        return task
    if not numeric:
        return "classify"
    whole = np.array_equal(data.y, np.round(data.y))
    return (
        "classify"
        if whole and len(np.unique(data.y)) <= MAX_CLASSES_AUTO
        else "regress"
    )


def split_rows(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled row indices for training and validation."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = round(n * fraction)
    if fraction > 0 and (n < 10 or n_val < 1):
        print(
            f"note: only {n} rows, too few to set some aside for validation; "
            "training on all of them"
        )
        n_val = 0
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def prepare(task: str, data: TrainingData, train_rows: np.ndarray):
    """The metadata, the standardized features and the target as the network
    learns it; the scalings are fitted on the training rows only."""
    metadata = {
        "task": task,
        "target": data.target,
        "source": data.source,
        "feature_names": data.feature_names,
    }
    scaler = Standardizer().fit(data.X[train_rows], data.feature_names)
    metadata["scaling"] = scaler.to_dict()
    X = scaler.transform(data.X)
    if task == "classify":
        metadata["classes"], y = _encode_classes(data)
        classes = metadata["classes"]
        print(
            f"task: classify {data.target!r} into {len(classes)} classes: "
            f"{listing(classes, limit=10)}"
        )
        return metadata, X, y
    values = data.y.reshape(-1, 1).astype(np.float64)
    target_scaler = Standardizer().fit(values[train_rows])
    metadata["target_scaling"] = target_scaler.to_dict()
    print(f"task: regress (predict the number {data.target!r})")
    return metadata, X, target_scaler.transform(values)


def _encode_classes(data: TrainingData) -> tuple[list, np.ndarray]:
    """The sorted class labels (whole numbers as ints) and each row's code."""
    y = data.y
    if y.dtype.kind == "f" and np.array_equal(y, np.round(y)):
        y = y.astype(np.int64)
    try:
        codes, classes = encode_labels(y)
    except DataError as error:
        raise DataError(f"{data.source}: column {data.target!r}: {error}") from None
    return classes, codes
