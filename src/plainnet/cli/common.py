"""What the commands share: their two exceptions, argparse value types, the
one-line warning, output-path checks and the class codes they score."""

import argparse
import os
import sys

import numpy as np

from .._messages import listing, shown
from ..errors import DataError
from ..metrics import mean_absolute_error, mean_squared_error, r2_score
from ..predictor import Predictor


class UsageError(Exception):
    """A mistake in what the user typed: printed as one line, exit status 2."""


class Interrupted(Exception):
    """Ctrl-C (exit status 130) or SIGTERM (143) stopped the command after it
    said what it kept."""

    def __init__(self, message: str, status: int = 130) -> None:
        super().__init__(message)
        self.status = status


class HelpFormatter(
    argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter
):
    """Descriptions and examples as written; every option's default shown
    (except the defaults that say nothing: None and False)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        says_nothing = action.default is None or action.default is False
        if (
            says_nothing
            or action.default == argparse.SUPPRESS
            or "default" in (action.help or "")
        ):
            return action.help or ""
        return super()._get_help_string(action)


def add_command(commands, name: str, summary: str, description: str, examples: str):
    """A subparser with a description, defaults in every option's help, and
    examples after the options."""
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + examples.strip("\n"),
        formatter_class=HelpFormatter,
    )


def column_list(text: str) -> list[str]:
    """Column names separated by commas, e.g. ``Name,Ticket``."""
    names = [part.strip() for part in text.split(",")]
    if not text.strip() or not all(names):
        raise argparse.ArgumentTypeError(
            f"expected column names separated by commas, got {shown(text)}"
        )
    return names


# -- argparse value types --------------------------------------------------------
def positive_int(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {shown(text)}"
        )
    return value


def at_least_two(text: str) -> int:
    """An integer >= 2."""
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2, got {text!r}")
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
        raise argparse.ArgumentTypeError(
            f"expected a positive number, got {shown(text)}"
        )
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {shown(text)}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a number in [0, 1), got {shown(text)}"
        )
    return value


def hidden_sizes(text: str) -> list[int]:
    """Hidden layer widths such as ``64,32``; ``none`` (or nothing) for none."""
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [positive_int(part) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected layer widths like 64,32 (or 'none'), got {shown(text)}"
        ) from None


def separator(text: str) -> str:
    """The separator of a CSV file's cells: one character, ``tab`` or ``\\t``
    for a tab."""
    sep = "\t" if text.lower() in ("tab", "\\t") else text
    if len(sep) != 1 or sep in '"\r\n':
        raise argparse.ArgumentTypeError(
            f"expected one character such as ',' or ';' (or 'tab'), got {shown(text)}"
        )
    return sep


SEP_HELP = (
    "the separator of the CSV file's cells: ',', ';', 'tab', ... (default: "
    "detected from the header)"
)


# -- output ----------------------------------------------------------------------
def one_line_warning(prefix: str):
    """A ``warnings.showwarning`` printing ``prefix: warning: message``."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"{prefix}: warning: {message}", file=sys.stderr)

    return show


def check_writable(path: str) -> None:
    """Refuse, before any work, a path that cannot be written."""
    if not path:
        raise UsageError("the output file name is empty")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path}: it is a folder")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {path}: no permission to write in {folder}")


#: What each kind of output file starts with, to recognise an existing one.
#: An ONNX model is a protobuf whose first field is ``ir_version`` (tag 0x08).
_MAGIC = {
    "model": (b"PK\x03\x04",),
    "plot": (b"\x89PNG", b"%PDF", b"<?xml", b"<svg"),
    "onnx": (b"\x08",),
}


def check_output(
    path: str,
    inputs: list[str],
    kind: str,
    force: bool,
    *,
    option: str = "--out",
    outputs: dict[str, str] | None = None,
) -> None:
    """Refuse, before any work, to write ``path`` over one of the command's
    ``inputs`` or ``outputs`` (its other output files, by option: two outputs
    may not be one file, even before it exists), over anything but a regular
    file (a FIFO, a device), over a read-only file, or (unless ``force``) over
    an existing file that is not of ``kind`` (``"model"``, ``"csv"``,
    ``"plot"`` or ``"onnx"``). ``option`` names ``path`` in the messages."""
    check_writable(path)
    for other, given in (outputs or {}).items():
        if given and _same_file(path, given):
            raise UsageError(
                f"{option} {path} and {other} {given} are the same file; each "
                "output needs its own file name"
            )
    if not os.path.lexists(path):
        return
    for given in inputs:
        if given and os.path.exists(given) and _same_file(path, given):
            raise UsageError(
                f"{option} {path} is one of this command's inputs ({given}); "
                "choose another file name"
            )
    if not os.path.isfile(path):
        raise UsageError(f"cannot write {path}: it exists and is not a regular file")
    if not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:
        raise UsageError(f"{path} is read-only; plainnet does not replace it")
    if not force and not _looks_like(path, kind):
        raise UsageError(
            f"{path} exists and does not look like {_KIND_NAMES[kind]}; choose "
            "another name, or add --force to replace it"
        )


_KIND_NAMES = {
    "model": "a model file",
    "csv": "a CSV file",
    "plot": "a plot file",
    "onnx": "an ONNX file",
}


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: the same path once links are followed
    (``./m.npz``, a symbolic link, a file not written yet), or a hard link."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _looks_like(path: str, kind: str) -> bool:
    """Whether an existing file seems to be of ``kind`` (an empty one is)."""
    try:
        with open(path, "rb") as file:
            start = file.read(4096)
    except OSError:
        return False
    if not start:
        return True
    if kind == "csv":
        if b"\0" in start or start.startswith(_MAGIC["model"]):
            return False
        try:
            start.decode("utf-8")
        except UnicodeDecodeError as error:
            return error.start > len(start) - 4  # a character cut at the end
        return True
    return start.startswith(_MAGIC[kind])


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
