"""The metadata of a model file, checked field by field when saving and loading.

The fields describe the data the model was trained on: ``task``, ``target``,
``source``, ``feature_names``, ``classes``, ``scaling``, ``target_scaling``,
``metrics``, ``table`` (a :class:`~plainnet.tables.TablePreprocessor` as a
dict), ``kept_epoch`` (see :func:`plainnet.model_files.save`) and
``tokenizer`` (a character model's :class:`~plainnet.tokenizer.CharTokenizer`
as a dict). Each field is
checked alone, then against the others: a file whose fields contradict each
other (the target listed as a feature) is refused.
"""

import json
import math
from collections.abc import Callable
from typing import Any

from .._messages import shown
from ..errors import DataError
from ..preprocessing import Standardizer
from ..tables import TablePreprocessor
from ..tokenizer import CharTokenizer
from .values import is_number_list

_TASKS = ("classify", "regress")


def check_metadata(metadata, network) -> None:
    """Raise ``ValueError`` naming the first field of ``metadata`` that is wrong.

    See :func:`plainnet.model_files.save` for the fields. Sizes are checked
    against ``network``: one feature name and scaling entry per input, one class
    per output.

    Parameters
    ----------
    metadata : dict
        JSON values, as saved in or read from a model file.
    network : Sequential
        The network the metadata describes.

    Example
    -------
    >>> check_metadata({"task": "regress", "target": "price"}, net)
    """
    if not isinstance(metadata, dict):
        raise ValueError(f"metadata must be a dict, got {type(metadata).__name__}")
    unknown = sorted(set(metadata) - set(_METADATA_CHECKS))
    if unknown:
        raise ValueError(f"unknown metadata field(s) {unknown}")
    for key, value in metadata.items():
        _METADATA_CHECKS[key](value, network)
    if metadata.get("task") == "classify" and "classes" not in metadata:
        raise ValueError("metadata 'task' is 'classify' but it names no 'classes'")
    _check_consistent(metadata, network)


def check_writable_text(metadata: dict) -> None:
    """Raise ``ValueError`` naming the field whose text cannot be written as
    UTF-8: a lone surrogate, what undecodable bytes of a file name or a header
    become. Saving checks it; loading takes such text (JSON escapes it), so a
    file written by other means still loads."""
    for key, value in metadata.items():
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            bad = error.object[error.start : error.end]
            raise ValueError(
                f"metadata {key!r} holds text that is not valid Unicode: {bad!r}, "
                "a lone surrogate (undecodable bytes decoded with "
                "'surrogateescape'); decode that text with its real encoding first"
            ) from None


def _check_consistent(metadata: dict, network) -> None:
    """Refuse fields that contradict each other or the network."""
    target = metadata.get("target")
    inputs = list(metadata.get("feature_names", []))
    if "table" in metadata:
        table = TablePreprocessor.from_dict(metadata["table"])
        inputs += table.input_columns_
        if "feature_names" in metadata and (
            metadata["feature_names"] != table.feature_names_out_
        ):
            raise ValueError(
                "metadata 'feature_names' differ from the columns that 'table' makes"
            )
    if target is not None and target in inputs:
        raise ValueError(f"metadata: the target {shown(target)} is also a feature")
    if metadata.get("task") == "regress" and network.n_outputs != 1:
        raise ValueError(
            f"metadata 'task' is 'regress' (one number), but the network has "
            f"{network.n_outputs} outputs"
        )
    if "classes" in metadata and metadata.get("task") != "classify":
        raise ValueError("metadata names 'classes' but its 'task' is not 'classify'")


def _check_task(value, network) -> None:
    if value not in _TASKS:
        raise ValueError(f"metadata 'task' must be one of {_TASKS}, got {shown(value)}")


def _check_text(value, network) -> None:
    if not isinstance(value, str):
        raise ValueError(f"metadata text fields must be strings, got {shown(value)}")


def _check_feature_names(value, network) -> None:
    if not _is_list_of(value, str) or len(set(value)) != len(value):
        raise ValueError("metadata 'feature_names' must be a list of distinct strings")
    _check_count("feature_names", len(value), network.n_features_in, "inputs")


def _check_classes(value, network) -> None:
    if not _is_list_of(value, (str, int, float)) or len(value) < 2:
        raise ValueError(
            "metadata 'classes' must be a list of 2 or more labels (strings or numbers)"
        )
    if any(isinstance(v, float) and not math.isfinite(v) for v in value):
        raise ValueError("metadata 'classes' must not hold NaN or inf")
    if len(set(value)) != len(value):
        raise ValueError("metadata 'classes' holds the same label twice")
    if network.n_outputs != 1 or len(value) != 2:
        _check_count("classes", len(value), network.n_outputs, "outputs")


def _check_scaling(value, network, field_name="scaling", width=None) -> None:
    try:
        scaler = Standardizer.from_dict(value)
    except DataError as error:
        raise ValueError(f"metadata {field_name!r}: {error}") from None
    expected = network.n_features_in if width is None else width
    _check_count(field_name, scaler.mean_.size, expected, "values")


def _check_target_scaling(value, network) -> None:
    _check_scaling(value, network, "target_scaling", network.n_outputs)


def _check_metrics(value, network) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and is_number_list(v) for k, v in value.items()
    ):
        raise ValueError("metadata 'metrics' must map names to lists of numbers")


def _check_table(value, network) -> None:
    try:
        table = TablePreprocessor.from_dict(value)
    except DataError as error:
        raise ValueError(f"metadata 'table': {error}") from None
    width = len(table.feature_names_out_)
    _check_count("table", width, network.n_features_in, "inputs")


def _check_kept_epoch(value, network) -> None:
    if type(value) is not int or not 1 <= value <= 2**31:
        raise ValueError("metadata 'kept_epoch' must be a positive integer")


def _check_tokenizer(value, network) -> None:
    """A character model's tokenizer: one character per class of the output's
    last axis, and per id of a first layer that takes ids."""
    try:
        tokenizer = CharTokenizer.from_dict(value)
    except ValueError as error:
        raise ValueError(f"metadata 'tokenizer': {error}") from None
    shape = network.output_shape
    _check_count("tokenizer", len(tokenizer), shape[-1] if shape else None, "outputs")
    first = network.layers[0]
    if first.input_kind == "ids":
        _check_count("tokenizer", len(tokenizer), first.n_ids, "input ids")


def _check_count(name: str, count: int, expected: int | None, what: str) -> None:
    if expected is not None and count != expected:
        raise ValueError(
            f"metadata {name!r} has {count} entries, but the network has "
            f"{expected} {what}"
        )


def _is_list_of(value, types) -> bool:
    return isinstance(value, list) and all(isinstance(v, types) for v in value)


_METADATA_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "task": _check_task,
    "target": _check_text,
    "source": _check_text,
    "feature_names": _check_feature_names,
    "classes": _check_classes,
    "scaling": _check_scaling,
    "target_scaling": _check_target_scaling,
    "metrics": _check_metrics,
    "table": _check_table,
    "kept_epoch": _check_kept_epoch,
    "tokenizer": _check_tokenizer,
}
