"""``plainnet predict``: one prediction per row of a CSV file, as CSV."""

import argparse
import csv
import io
import sys

import numpy as np

from ..model_files import atomic_write
from ..predictor import Predictor
from ..preprocessing import decode_labels
from .common import UsageError, check_writable


def add_parser(commands) -> None:
    """Register ``predict``."""
    p = commands.add_parser("predict", help="predict for every row of a CSV file")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("data", metavar="DATA.csv")
    p.add_argument("--out", metavar="FILE.csv", help="write here instead of the screen")
    p.add_argument("--proba", action="store_true", help="add the class probabilities")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write one prediction per row of a CSV file (to --out or the screen)."""
    predictor = Predictor.load(args.model)
    X = predictor.read_features(args.data).X
    if predictor.task == "classify":
        columns, rows = _label_table(predictor, X, args.proba)
    elif args.proba:
        raise UsageError("--proba applies to classifiers; this model predicts numbers")
    else:
        columns, rows = _value_table(predictor, X)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    if args.out is None:
        sys.stdout.write(buffer.getvalue())
        return 0
    check_writable(args.out)
    atomic_write(args.out, lambda file: file.write(buffer.getvalue().encode("utf-8")))
    print(f"{len(rows)} predictions written to {args.out}")
    return 0


def _label_table(predictor: Predictor, X: np.ndarray, proba: bool):
    """Column names and rows: the label, and with ``proba`` each class's
    probability."""
    name = predictor.target or "prediction"
    probabilities = predictor.predict_proba(X)
    labels = decode_labels(probabilities.argmax(axis=1), predictor.classes).tolist()
    if not proba:
        return [name], [[label] for label in labels]
    columns = [name] + [f"proba_{c}" for c in predictor.classes]
    return columns, [
        [label, *(f"{p:.6g}" for p in row)]
        for label, row in zip(labels, probabilities, strict=True)
    ]


def _value_table(predictor: Predictor, X: np.ndarray):
    """Column names and rows: numbers written so they read back exactly."""
    name = predictor.target or "prediction"
    values = predictor.predict(X).reshape(len(X), -1)
    columns = (
        [name]
        if values.shape[1] == 1
        else [f"{name}_{i}" for i in range(values.shape[1])]
    )
    return columns, [[f"{v:.17g}" for v in row] for row in values]
