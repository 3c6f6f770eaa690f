"""``plainnet evaluate``: score a model on a labelled CSV file."""

import argparse

import numpy as np

from .._messages import printable, shown
from ..errors import DataError
from ..metrics import (
    accuracy,
    confusion_matrix,
    mean_absolute_error,
    precision_recall_f1,
    r2_score,
    roc_auc,
    root_mean_squared_error,
)
from ..predictor import Predictor
from ..tabular.data import without_target_note
from .common import (
    SEP_HELP,
    UsageError,
    add_command,
    label_codes,
    separator,
)

EXAMPLES = """
  plainnet evaluate model.npz test.csv
  plainnet evaluate model.npz labelled.csv --target outcome
"""


def add_parser(commands) -> None:
    """Register ``evaluate``."""
    p = add_command(
        commands,
        "evaluate",
        "score a model on a labelled CSV file",
        "Score a model on DATA.csv, which holds the target column. A classifier "
        "gets its\naccuracy, confusion matrix, each class's precision, recall "
        "and F1, and for two\nclasses the ROC AUC; a regressor its R^2, MAE and "
        "RMSE in the target's units.",
        EXAMPLES,
    )
    p.add_argument("model", metavar="MODEL.npz", help="a model file")
    p.add_argument("data", metavar="DATA.csv", help="CSV file with a header")
    p.add_argument("--sep", type=separator, metavar="CHAR", help=SEP_HELP)
    p.add_argument(
        "--target",
        metavar="COLUMN",
        help="the true values (default: the training target)",
    )
    p.add_argument(
        "--drop-missing",
        action="store_true",
        help="drop rows with missing values (models of numeric columns only)",
    )
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
    rows = predictor.read_rows(
        args.data, target=target, drop_missing=args.drop_missing, sep=args.sep
    )
    if rows.without_target:
        print(without_target_note(target, rows.without_target))
    print(f"{len(rows)} rows of {args.data}")
    where = f"{args.data}: column {shown(target)}"
    if predictor.task == "regress":
        if rows.y.dtype.kind != "f":
            raise DataError(f"{where}: {shown(_first_text(rows.y))} is not a number")
        _print_regression(rows.y, predictor.predict(rows.features))
        return 0
    labels = rows.y_text if rows.y_text is not None else rows.y
    truth = label_codes(labels, predictor.classes, where)
    proba = predictor.predict_proba(rows.features)
    predicted = proba.argmax(axis=1)
    counts = confusion_matrix(truth, predicted, labels=range(len(predictor.classes)))
    correct = int(np.trace(counts))
    print(f"accuracy: {accuracy(truth, predicted):.4f} ({correct} of {len(truth)})")
    if len(predictor.classes) == 2:
        label = printable(predictor.classes[1])
        print(f"ROC AUC: {roc_auc(truth, proba[:, 1]):.4f} (positive class {label})")
    print(_per_class_table(truth, predicted, predictor.classes))
    print(_confusion_table(counts, predictor.classes))
    return 0


def _first_text(y: np.ndarray) -> str:
    for value in y.tolist():
        try:
            float(value)
        except ValueError:
            return value
    return ""


def _print_regression(y: np.ndarray, predicted: np.ndarray) -> None:
    """R^2, and the errors in the target's own units."""
    print(f"R^2: {r2_score(y, predicted):.4f}")
    print(f"MAE: {mean_absolute_error(y, predicted):.6g} (in the target's units)")
    print(f"RMSE: {root_mean_squared_error(y, predicted):.6g} (in the target's units)")


def _per_class_table(truth, predicted, classes: list) -> str:
    """Precision, recall, F1 and support of each class, aligned."""
    scores = precision_recall_f1(truth, predicted, labels=range(len(classes)))
    names = [printable(c) for c in classes]
    width = max(len(n) for n in [*names, "class"]) + 2
    lines = ["class".ljust(width) + "precision    recall        F1   support"]
    for i, name in enumerate(names):
        lines.append(
            name.ljust(width)
            + f"{scores['precision'][i]:9.4f} {scores['recall'][i]:9.4f} "
            f"{scores['f1'][i]:9.4f} {scores['support'][i]:9d}"
        )
    return "\n".join(lines)


def _confusion_table(counts: np.ndarray, classes: list) -> str:
    """The confusion matrix as aligned text, headed by the class names."""
    names = [printable(c) for c in classes]
    width = max(len(n) for n in [*names, str(counts.max())]) + 2
    lines = [
        "confusion matrix (rows: true class, columns: predicted class):",
        " " * width + "".join(n.rjust(width) for n in names),
    ]
    for name, row in zip(names, counts, strict=True):
        lines.append(name.ljust(width) + "".join(str(c).rjust(width) for c in row))
    return "\n".join(lines)
