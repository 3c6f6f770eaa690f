"""Export to ONNX: a model trained in plainnet runs in any ONNX runtime.

A plainnet model is plain data (layers by name and config, plus arrays), so an
export is a translation: every layer has one small function writing its ONNX
nodes (``translations``, the one registry), whole models add their inputs,
outputs and class labels around them (``models``), and ``graph`` builds and
checks the ONNX model (opset 17, a dynamic batch axis, float32 or float64,
standard operators only).

It needs the ``onnx`` package, an optional extra (``pip install ".[onnx]"``);
``import plainnet`` never imports it, and neither does importing this package:
only calling :func:`to_onnx` does. ``plainnet.onnx`` shadows nothing: every
module imports the real package as ``import onnx``.
"""

import contextlib
import os
from collections.abc import Mapping
from typing import Any

from ..errors import ExportError
from .tables import stored_table
from .translations import TRANSLATIONS, check_exportable, translates

__all__ = [
    "TRANSLATIONS",
    "ExportError",
    "check_exportable",
    "check_file_exportable",
    "model_from_file",
    "to_onnx",
    "translates",
]

#: What to install for an export (plainnet is on no public package index).
INSTALL_HINT = 'pip install ".[onnx]" (from a checkout of plainnet)'
#: The metadata keys that make a ``sequential`` model file a ``plainnet train``
#: model whose stored preprocessing and labels belong in the graph.
PREDICTOR_KEYS = ("task", "classes", "table", "scaling", "target_scaling")


def require_onnx():
    """The ``onnx`` module, or ``ImportError`` saying what to install."""
    try:
        import onnx
    except ImportError as error:
        raise ImportError(
            f"exporting to ONNX needs the onnx package: {INSTALL_HINT}"
        ) from error
    return onnx


def check_file_exportable(network, metadata: Mapping) -> None:
    """Raise :class:`ExportError` for what of a model file cannot be exported:
    a layer without a translation (naming it), or stored table preprocessing
    that cannot be translated exactly (naming what and why). Needs no onnx."""
    check_exportable(network.layers)
    stored_table(metadata, network.input_shape[0] if network.built else None)


def model_from_file(path: "str | os.PathLike[str]"):
    """The model a model file holds, as it is exported: a ``plainnet train``
    file (a network with a task, labels or scaling in its metadata) as a
    :class:`~plainnet.Predictor`, any other file as what ``plainnet.load``
    returns."""
    from ..model_files import read_model_file
    from ..predictor import Predictor

    contents = read_model_file(path)
    if contents.kind == "sequential" and any(
        key in contents.metadata for key in PREDICTOR_KEYS
    ):
        return Predictor(contents.model, contents.metadata)
    return contents.model


def to_onnx(
    model: Any,
    path: "str | os.PathLike[str] | None" = None,
    *,
    output_function: bool = False,
):
    """Export a model to ONNX, and write it to ``path`` (atomically).

    Parameters
    ----------
    model : Sequential, NeuralNetwork, NeuralNetClassifier, NeuralNetRegressor,
            Predictor, or the path of a model file
        A model file written by ``plainnet train`` is exported with its stored
        preprocessing, so that the graph takes the table's raw columns: one
        input per column, of shape ``(batch, 1)``, floats (NaN where missing)
        or strings (spaces around them stripped), named after the column (the
        ``columns`` entry of ``metadata_props`` maps them).
    path : str or path-like, optional
        Where to write the ``.onnx`` file; nothing is written when the export
        fails. ``None`` only returns the model.
    output_function : bool, default False
        For a ``Sequential``: end the graph in its loss's output function
        (softmax for cross_entropy, sigmoid for binary_cross_entropy), giving
        ``predict_proba`` instead of the logits of ``predict``.

    Returns
    -------
    onnx.ModelProto
        Checked with ``onnx.checker.check_model(full_check=True)``. Inputs and
        outputs have shape ``(batch, ...)`` with a dynamic batch axis, and are
        described (with the class labels) in ``metadata_props``, as JSON.

    Raises
    ------
    ImportError
        Without the ``onnx`` package, naming what to install.
    ExportError
        For a layer without a translation (naming it), stored preprocessing the
        graph could not compute exactly (naming what and why), non-finite
        weights, a model that cannot be exported, or a ``path`` that is the
        model file itself, before anything is written.
    ValueError
        For an empty ``path``.

    Example
    -------
    >>> pn.to_onnx(net, "net.onnx")
    >>> session = onnxruntime.InferenceSession("net.onnx")
    >>> session.run(None, {"input": X.astype("float32")})[0]   # net.predict(X)
    """
    require_onnx()
    from ..model_files import atomic_write
    from .graph import GraphBuilder
    from .models import translate_model

    if path is not None:
        _check_path(path, model)
    if isinstance(model, (str, os.PathLike)):
        model = model_from_file(model)
    g = GraphBuilder()
    exported = translate_model(model, g, output_function)
    proto = g.model(exported.inputs, exported.outputs, exported.metadata)
    if path is not None:
        data = proto.SerializeToString()
        atomic_write(path, lambda file: file.write(data))
    return proto


def _check_path(path: "str | os.PathLike[str]", model: Any) -> None:
    """Refuse an empty ``path``, or one naming the model file being exported."""
    if not os.fspath(path):
        raise ValueError("the ONNX file name is empty; give the path of a file")
    if not isinstance(model, (str, os.PathLike)):
        return
    same = os.path.realpath(path) == os.path.realpath(model)
    with contextlib.suppress(OSError):
        same = same or os.path.samefile(path, model)
    if same:
        raise ExportError(
            f"{os.fspath(path)} is the model file being exported; write the ONNX "
            "model to another file"
        )
