"""``plainnet info``: describe a model file: architecture, parameters, the data
it was trained on and its training history."""

import argparse
import importlib.util

import numpy as np

from .._messages import listing, printable, shorten, shown
from ..errors import ExportError
from ..model_files import read_model_file
from ..onnx import INSTALL_HINT, check_file_exportable
from .common import add_command

#: How many of a table's columns ``info`` describes, one by one.
COLUMNS_SHOWN = 20


def add_parser(commands) -> None:
    """Register ``info``."""
    p = add_command(
        commands,
        "info",
        "describe a model file",
        "Describe a model file: its layers and parameters, the task and data it "
        "was trained\non, the columns it reads and how, and its training history.",
        "  plainnet info model.npz",
    )
    p.add_argument("model", metavar="MODEL.npz", help="a model file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Describe a model file: architecture, parameters, data, training history."""
    contents = read_model_file(args.model)
    network, metadata = contents.network, contents.metadata
    print(
        f"{args.model}: plainnet model file (format {contents.format_version}, "
        f"written by plainnet {contents.plainnet_version})"
    )
    print(
        f"kind: {contents.kind}, dtype {network.dtype.name}, "
        f"{network.n_parameters} parameters"
    )
    print("layers:")
    for layer in network.layers:
        print(f"  {layer!r}")
    optimizer = network.optimizer
    steps = f" after {optimizer.state.get('step', 0)} steps" if optimizer else ""
    print(
        f"loss: {network.loss.name if network.loss else 'none'}; "
        f"optimizer: {optimizer!r}{steps}"
    )
    for line in _describe_metadata(metadata):
        print(line)
    print(_describe_history(network.history))
    print(_describe_export(network, metadata, args.model))
    return 0


def _describe_export(network, metadata: dict, path: str) -> str:
    """Whether ``plainnet export`` can write the model as ONNX, and if not why."""
    try:
        check_file_exportable(network, metadata)
    except ExportError as error:
        return f"ONNX export: not possible: {error}"
    needs = "" if importlib.util.find_spec("onnx") else f"; needs {INSTALL_HINT}"
    return f"ONNX export: possible (plainnet export {path} OUT.onnx{needs})"


def _describe_metadata(metadata: dict) -> list[str]:
    """One line each for the task, the features, their scaling and the data."""
    lines = []
    target = f" {shown(metadata['target'])}" if "target" in metadata else ""
    if metadata.get("task") == "classify":
        classes = metadata["classes"]
        lines.append(
            f"task: classify{target} into "
            f"{len(classes)} classes: {listing(classes, limit=10)}"
        )
    elif metadata.get("task") == "regress":
        lines.append(f"task: regress (predicts{target or ' numbers'})")
    if "feature_names" in metadata:
        names = metadata["feature_names"]
        lines.append(f"features ({len(names)}): {listing(names, limit=10)}")
    if "table" in metadata:
        lines.extend(_describe_table(metadata["table"]))
    if "scaling" in metadata:
        lines.append(
            "feature scaling: standardized with the training data's "
            "mean and standard deviation (stored in the file)"
        )
    if "source" in metadata:
        lines.append(f"trained on: {printable(shorten(metadata['source'], 200))}")
    if "kept_epoch" in metadata:
        lines.append(f"kept epoch: {metadata['kept_epoch']}")
    return lines


def _describe_table(table: dict) -> list[str]:
    """The columns read, their filling and encoding, and those left out (the
    first :data:`COLUMNS_SHOWN` of each, and how many in all)."""
    parts = []
    for entry in table["columns"][:COLUMNS_SHOWN]:
        name = printable(shorten(entry["name"]))
        if entry["kind"] == "number":
            part = f"{name} (number, missing -> {entry['fill']:g})"
        else:
            part = (
                f"{name} ({len(entry['categories'])} categories, missing -> "
                f"{printable(shorten(entry['fill']))})"
            )
        parts.append(part + (" + missing indicator" if entry["indicator"] else ""))
    columns = table["columns"]
    lines = [f"columns read ({len(columns)}): " + _joined(parts, columns)]
    left_out = table["left_out"]
    if left_out:
        left = [f"{printable(shorten(n))} ({r})" for n, r in left_out[:COLUMNS_SHOWN]]
        lines.append(f"left out ({len(left_out)}): " + _joined(left, left_out, ", "))
    return lines


def _joined(parts: list[str], every: list, separator: str = "; ") -> str:
    """``parts``, and how many of ``every`` they are when not all of them."""
    more = f"{separator}... ({len(every)} in all)" if len(parts) < len(every) else ""
    return separator.join(parts) + more


def _describe_history(history) -> str:
    """The epochs trained, the loss curves' ends and lows, and a Ctrl-C stop."""
    if not history.loss:
        return "training history: none (not trained)"
    parts = [
        f"training history: {len(history.loss)} epochs",
        _curve("loss", history.loss),
    ]
    if history.val_loss:
        parts.append(_curve("validation loss", history.val_loss))
    if history.interrupted:
        parts.append("stopped by Ctrl-C")
    return "; ".join(parts)


def _curve(name: str, values: list[float]) -> str:
    """``name first -> last (lowest value at epoch n)``, NaN epochs skipped."""
    best = int(np.nanargmin(values)) if not np.all(np.isnan(values)) else 0
    return (
        f"{name} {values[0]:.4g} -> {values[-1]:.4g} "
        f"(lowest {values[best]:.4g} at epoch {best + 1})"
    )
