"""``plainnet predict``: one prediction per row of a CSV file, as CSV, with the
columns asked for (an id) copied beside it."""

import argparse
import csv
import io
import re
import sys

from .._messages import listing, printable
from ..model_files import atomic_write
from ..predictor import Predictor, Rows
from ..preprocessing import decode_labels
from .common import UsageError, add_command, check_output, column_list

EXAMPLES = """
  plainnet predict model.npz test.csv --id PassengerId --out submission.csv
  plainnet predict model.npz test.csv --proba          # and each class's probability
  plainnet predict model.npz test.csv --keep Name,Age  # copy columns beside it
"""


def add_parser(commands) -> None:
    """Register ``predict``."""
    p = add_command(
        commands,
        "predict",
        "predict for every row of a CSV file",
        "Predict for every row of DATA.csv with a model written by plainnet "
        "train, and write\nCSV: the columns of --id/--keep, then the prediction "
        "(labels spelled as in training,\nnumbers in the target's units). The "
        "model's preprocessing is applied: missing cells\nfilled in, text "
        "categories encoded; other columns are ignored, with a note. A cell "
        "that a\nspreadsheet would run as a formula (=, +, -, @ first, not a "
        "number) is written\nwith a single quote before it.",
        EXAMPLES,
    )
    p.add_argument("model", metavar="MODEL.npz", help="a model file")
    p.add_argument("data", metavar="DATA.csv", help="CSV file with a header")
    p.add_argument(
        "--id",
        metavar="COL",
        help="copy this column (e.g. an id) into the output, first",
    )
    p.add_argument(
        "--keep",
        type=column_list,
        metavar="COLS",
        default=[],
        help="copy these columns (comma-separated) into the output",
    )
    p.add_argument("--proba", action="store_true", help="add each class's probability")
    p.add_argument("--out", metavar="FILE.csv", help="write here instead of the screen")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out file that does not look like CSV",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write one prediction per row of a CSV file (to --out or the screen)."""
    if args.out is not None:
        check_output(args.out, [args.model, args.data], "csv", args.force)
    predictor = Predictor.load(args.model)
    if args.proba and predictor.task != "classify":
        raise UsageError("--proba applies to classifiers; this model predicts numbers")
    keep = list(dict.fromkeys(([args.id] if args.id else []) + args.keep))
    rows = predictor.read_rows(args.data, keep=keep)
    if rows.ignored:
        print(
            f"note: ignored column(s) {listing(rows.ignored, limit=10)} (not used "
            "by the model; --keep copies columns into the output)",
            file=sys.stderr,
        )
    if predictor.task == "classify":
        columns, values = _label_table(predictor, rows.features, args.proba)
    else:
        columns, values = _value_table(predictor, rows.features)
    names = [*keep, *columns]
    if len(set(names)) != len(names):
        names = [*keep, *(f"predicted_{c}" for c in columns)]
    lines = _with_kept(rows, keep, values)
    if args.out is None:
        safe = [[printable(cell) for cell in row] for row in [names, *lines]]
        sys.stdout.write(_csv_text(safe[0], safe[1:]))
        return 0
    text = _csv_text(names, lines)
    atomic_write(args.out, lambda file: file.write(text.encode("utf-8")))
    print(f"{len(lines)} predictions written to {args.out}")
    return 0


def _csv_text(columns: list[str], rows: list[list[str]]) -> str:
    """The CSV text, every cell a spreadsheet would run made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([inert(cell) for cell in columns])
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return buffer.getvalue()


#: Spreadsheets run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def inert(cell: str) -> str:
    """``cell``, prefixed by a single quote when a spreadsheet would run it as
    a formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``); numbers such
    as ``-3.5`` stay as they are."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _with_kept(rows: Rows, keep: list[str], values: list[list[str]]) -> list:
    kept = [rows.kept[name].tolist() for name in keep]
    return [[*(k[i] for k in kept), *row] for i, row in enumerate(values)]


def _label_table(predictor: Predictor, X, proba: bool):
    """Column names and rows: the label, and with ``proba`` each class's
    probability."""
    name = predictor.target or "prediction"
    probabilities = predictor.predict_proba(X)
    labels = decode_labels(probabilities.argmax(axis=1), predictor.classes).tolist()
    if not proba:
        return [name], [[str(label)] for label in labels]
    columns = [name] + [f"proba_{c}" for c in predictor.classes]
    return columns, [
        [str(label), *(f"{p:.6g}" for p in row)]
        for label, row in zip(labels, probabilities, strict=True)
    ]


def _value_table(predictor: Predictor, X):
    """Column names and rows: each number in the shortest form that reads back
    as the same value of the dtype that computed it (float32 or float64)."""
    name = predictor.target or "prediction"
    values = predictor.predict(X)
    values = values.reshape(len(values), -1)
    columns = (
        [name]
        if values.shape[1] == 1
        else [f"{name}_{i}" for i in range(values.shape[1])]
    )
    return columns, [[str(v) for v in row] for row in values]  # NumPy's shortest
