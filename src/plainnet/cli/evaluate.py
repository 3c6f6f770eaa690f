"""``plainnet evaluate``: score a model on a labelled CSV file."""

import argparse

import numpy as np

from ..metrics import accuracy, confusion_matrix
from ..predictor import Predictor
from .common import UsageError, label_codes, predicted_codes, regression_scores


def add_parser(commands) -> None:
    """Register ``evaluate``."""
    p = commands.add_parser("evaluate", help="score a model on a labelled CSV file")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("data", metavar="DATA.csv")
    p.add_argument("--target", metavar="COLUMN", help="default: the training target")
    p.add_argument("--drop-missing", action="store_true")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Score a model on a labelled CSV file."""
    predictor = Predictor.load(args.model)
    target = args.target or predictor.target
    if target is None:
        raise UsageError(
            "--target COLUMN is needed: the model does not name its target"
        )
    if predictor.task not in ("classify", "regress"):
        raise UsageError(
            "this model file does not say whether it classifies or "
            "regresses (it was not trained by plainnet train)"
        )
    table = predictor.read_features(
        args.data, target=target, drop_missing=args.drop_missing
    )
    print(f"{table.n_samples} rows of {args.data}")
    if predictor.task == "regress":
        predicted = predictor.predict(table.X)
        scores = regression_scores(table.y.astype(np.float64), predicted)
        for key, value in scores.items():
            print(f"{key}: {value:.6g}")
        return 0
    truth = label_codes(table.y, predictor.classes, f"{args.data}: column {target!r}")
    predicted = predicted_codes(predictor, table.X)
    counts = confusion_matrix(truth, predicted, labels=range(len(predictor.classes)))
    correct = int(np.trace(counts))
    print(f"accuracy: {accuracy(truth, predicted):.4f} ({correct} of {len(truth)})")
    print(_confusion_table(counts, predictor.classes))
    return 0


def _confusion_table(counts: np.ndarray, classes: list) -> str:
    """The confusion matrix as aligned text, headed by the class names."""
    names = [str(c) for c in classes]
    width = max(len(n) for n in [*names, str(counts.max())]) + 2
    lines = [
        "confusion matrix (rows: true class, columns: predicted class):",
        " " * width + "".join(n.rjust(width) for n in names),
    ]
    for name, row in zip(names, counts, strict=True):
        lines.append(name.ljust(width) + "".join(str(c).rjust(width) for c in row))
    return "\n".join(lines)
