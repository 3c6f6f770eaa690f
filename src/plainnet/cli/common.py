"""What the commands share: their two exceptions, argparse value types, the
one-line warning, output-path checks and the class codes they score."""

import argparse
import os
import sys

import numpy as np

from .._messages import listing
from ..errors import DataError
from ..metrics import mean_absolute_error, mean_squared_error, r2_score
from ..predictor import Predictor


class UsageError(Exception):
    """A mistake in what the user typed: printed as one line, exit status 2."""


class Interrupted(Exception):
    """Ctrl-C stopped the command after it said what it kept; exit status 130."""


# -- argparse value types --------------------------------------------------------
def positive_int(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    return 0 if text.strip() == "0" else positive_int(text)


def positive_float(text: str) -> float:
    """A finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


def hidden_sizes(text: str) -> list[int]:
    """Hidden layer widths such as ``64,32``; ``none`` (or nothing) for none."""
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [positive_int(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected layer widths like 64,32 (or 'none'), got {text!r}"
        ) from None


# -- output ----------------------------------------------------------------------
def one_line_warning(prefix: str):
    """A ``warnings.showwarning`` printing ``prefix: warning: message``."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"{prefix}: warning: {message}", file=sys.stderr)

    return show


def check_writable(path: str) -> None:
    """Refuse, before any work, a path that cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path}: it is a folder")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {path}: no permission to write in {folder}")


# -- scoring ---------------------------------------------------------------------
def label_codes(y: np.ndarray, classes: list, where: str) -> np.ndarray:
    """Each label's index in ``classes``; unknown labels raise DataError."""
    index = {_label_key(c): i for i, c in enumerate(classes)}
    keys = [_label_key(v) for v in y.tolist()]
    unknown = sorted({k for k in keys if k not in index})
    if unknown:
        raise DataError(
            f"{where} holds label(s) the model was not trained on: "
            f"{listing(unknown, limit=10)}; it knows {listing(classes, limit=10)}"
        )
    return np.array([index[k] for k in keys], dtype=np.intp)


def _label_key(value) -> str:
    """Labels compare as text, with whole floats written as integers (1.0 is 1):
    a CSV's column may read as text or floats where training saw integers."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def predicted_codes(predictor: Predictor, X: np.ndarray) -> np.ndarray:
    """The predicted class's index, of shape (n_samples,)."""
    return predictor.predict_proba(X).argmax(axis=1)


def regression_scores(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """MSE, MAE and R^2 by the names the commands print."""
    return {
        "MSE": mean_squared_error(y, predicted),
        "MAE": mean_absolute_error(y, predicted),
        "R^2": r2_score(y, predicted),
    }
