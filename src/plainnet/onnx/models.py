"""Whole models as ONNX graphs: their inputs and outputs, and what lies between
the network's layers and the user (output functions, class labels, and the
preprocessing that ``plainnet train`` stores in a model file).

Each kind of model is one function ``f(model, g, output_function) -> Exported``
in :data:`MODELS`, found by the model's class:

* ``Sequential``: input ``input``, output ``output`` (the logits; with
  ``output_function=True`` the output function of the loss it was trained
  with: softmax for cross_entropy, sigmoid for binary_cross_entropy).
* ``NeuralNetwork``: input ``inputs``, output ``output``, what ``think`` gives.
* ``NeuralNetClassifier``: input ``X``, outputs ``label`` (``predict``: the
  class values, int64, float64, bool or string tensors; 0/1 int64 columns for
  a multi-label target) and ``probabilities`` (``predict_proba``), the names
  skl2onnx gives them.
* ``NeuralNetRegressor``: input ``X``, output ``variable`` of shape
  ``(batch, n_targets)``, as skl2onnx. The regressor keeps no target scaling
  (its output layer starts at the targets' mean), so its network's output is
  already in the target's units.
* ``Predictor`` (a ``plainnet train`` model file): the raw features, either
  one input per column (named after it) for a model of a table with its
  ``table`` preprocessing (imputation, one-hot encoding: :mod:`.tables`), or
  one input ``input`` with the columns in the order of ``feature_names``; the
  stored scaling (:data:`PREPROCESSING`) follows; then ``label`` and
  ``probabilities`` for a classifier, or ``variable`` in the target's units
  (``target_scaling`` undone) for a regression.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from onnx import TensorProto

from ..classic import NeuralNetwork
from ..errors import ExportError
from ..losses import Loss
from ..network import Sequential
from ..predictor import Predictor
from ..preprocessing import Standardizer
from .graph import GraphBuilder, Port
from .tables import encode_table, stored_table, table_inputs
from .translations import translate_layers


@dataclass
class Exported:
    """A model's graph around its nodes: the inputs, the outputs (the name of
    the value holding each, and its port) and the metadata to store."""

    inputs: list[Port]
    outputs: dict[str, Port]
    metadata: dict = field(default_factory=dict)


# -- pieces shared by the models -----------------------------------------------
#: A loss's output function as an ONNX operator (losses not listed have none).
OUTPUT_FUNCTIONS = {"cross_entropy": "Softmax", "binary_cross_entropy": "Sigmoid"}


def output_function(loss: Loss | None, g: GraphBuilder, x: str) -> tuple[str, str]:
    """Apply what ``loss.output_function`` does to ``x``; returns the output's name
    and the function's name (``"identity"`` for losses without one)."""
    if loss is None:
        raise ExportError(
            "the output function is the loss's, and this network has none: train "
            "it first (fit), or export its raw output"
        )
    op_type = OUTPUT_FUNCTIONS.get(loss.name)
    if op_type is not None:
        attributes = {"axis": 1} if op_type == "Softmax" else {}
        return g.node(op_type, [x], **attributes), op_type.lower()
    if type(loss).output_function is not Loss.output_function:
        raise ExportError(
            f"the loss {loss.name!r} has an output function that has no ONNX "
            f"translation (translated: {sorted(OUTPUT_FUNCTIONS)})"
        )
    return x, "identity"


def label_tensor(classes) -> tuple[np.ndarray, str]:
    """The class labels as a tensor, and its element type: whole numbers as
    int64, other numbers as float64, booleans as bool, text as string."""
    array = np.asarray(list(classes))
    kinds = {"i": "int64", "u": "int64", "f": "float64", "b": "bool", "U": "string"}
    if array.dtype.kind not in kinds and all(isinstance(c, str) for c in classes):
        array = array.astype(str)
    if array.dtype.kind not in kinds:
        raise ExportError(
            f"class labels must be all numbers or all strings to be an ONNX "
            f"tensor, got {list(classes)[:5]!r}"
        )
    dtype = kinds[array.dtype.kind]
    return (array if dtype == "string" else array.astype(dtype)), dtype


def labels_from_scores(g: GraphBuilder, scores: str, classes) -> tuple[str, str]:
    """The label of each row's highest score (the first of equal ones, as
    NumPy's ``argmax``); returns the value's name and its element type."""
    table, dtype = label_tensor(classes)
    index = g.node("ArgMax", [scores], axis=1, keepdims=0)
    return g.node("Gather", [g.constant("classes", table, cast=False), index]), dtype


def _built(network: Sequential, g: GraphBuilder) -> Sequential:
    """``network``, checked to be built and finite; the graph takes its dtype."""
    if not network.built:
        raise ExportError(
            "the network is not built yet (its input shape is unknown): fit it, "
            "predict once, or give Sequential(input_shape=...)"
        )
    arrays = {**network.named_parameters(), **network.named_state()}
    for name, values in arrays.items():
        if not np.isfinite(network.ops.to_numpy(values)).all():
            raise ExportError(
                f"{name} holds NaN or inf; refusing to export it (as save refuses "
                "to save it): train again, or load the last good model file"
            )
    g.dtype = network.dtype
    return network


def _fitted(estimator) -> Sequential:
    if not hasattr(estimator, "model_"):
        raise ExportError(
            f"this {type(estimator).__name__} is not fitted yet: call fit first"
        )
    return estimator.model_


def _samples(estimator, g: GraphBuilder, x: str) -> str:
    """The estimator's flat rows reshaped to its ``input_shape``, if it has one
    (a CNN built from ``layers=``)."""
    shape = estimator.model_.input_shape
    if len(shape) == 1:
        return x
    target = np.array([-1, *shape], dtype=np.int64)
    return g.node("Reshape", [x, g.constant("sample_shape", target, cast=False)])


def _input_dtype(net: Sequential) -> str:
    """int64 for a network that takes ids (``Embedding`` first), else its
    float dtype."""
    return "int64" if net.layers[0].input_kind == "ids" else net.dtype.name


# -- the models ------------------------------------------------------------------
def sequential(net: Sequential, g: GraphBuilder, add_output_function: bool):
    """The logits (or with ``add_output_function`` the loss's output function)."""
    net = _built(net, g)
    x = Port("input", _input_dtype(net), net.input_shape)
    y = Port("output", net.dtype.name, net.output_shape)
    g.reserve(x.name, y.name)
    out = translate_layers(net.layers, g, x.name)
    metadata = {"model": "Sequential"}
    if add_output_function:
        out, metadata["output_function"] = output_function(net.loss, g, out)
    return Exported([x], {out: y}, metadata)


def neural_network(model: NeuralNetwork, g: GraphBuilder, add_output_function):
    """``think``: the seed's network, its sigmoid output included."""
    net = _built(model.network, g)
    x = Port("inputs", net.dtype.name, net.input_shape)
    y = Port("output", net.dtype.name, net.output_shape)
    g.reserve(x.name, y.name)
    out = translate_layers(net.layers, g, x.name)
    return Exported([x], {out: y}, {"model": "NeuralNetwork"})


def classifier(model, g: GraphBuilder, add_output_function):
    """``label`` as ``predict``, ``probabilities`` as ``predict_proba``."""
    net = _built(_fitted(model), g)
    x = Port("X", net.dtype.name, (model.n_features_in_,))
    g.reserve(x.name, "label", "probabilities")
    logits = translate_layers(net.layers, g, _samples(model, g, x.name))
    n_outputs = net.output_shape[0]
    if net.loss.name == "binary_cross_entropy":  # multi-label: a sigmoid per label
        zero = g.constant("zero", np.zeros((), net.dtype))
        label = g.node(
            "Cast", [g.node("Greater", [logits, zero])], to=TensorProto.INT64
        )
        label_port = Port("label", "int64", (n_outputs,))
    else:
        label, dtype = labels_from_scores(g, logits, model.classes_)
        label_port = Port("label", dtype, ())
    probabilities, _ = output_function(net.loss, g, logits)
    return Exported(
        [x],
        {
            label: label_port,
            probabilities: Port("probabilities", net.dtype.name, (n_outputs,)),
        },
        {"model": type(model).__name__, "classes": np.asarray(model.classes_).tolist()},
    )


def regressor(model, g: GraphBuilder, add_output_function):
    """``variable``: ``predict``'s values, one column per target."""
    net = _built(_fitted(model), g)
    x = Port("X", net.dtype.name, (model.n_features_in_,))
    y = Port("variable", net.dtype.name, net.output_shape)
    g.reserve(x.name, y.name)
    out = translate_layers(net.layers, g, _samples(model, g, x.name))
    return Exported([x], {out: y}, {"model": type(model).__name__})


# -- a plainnet train model file: its stored preprocessing -------------------------
def standardize(state: dict, g: GraphBuilder, x: str) -> str:
    """``(X - mean) / scale``, the stored :class:`Standardizer`."""
    scaler = Standardizer.from_dict(state)
    shifted = g.node("Sub", [x, g.constant("mean", scaler.mean_)])
    return g.node("Div", [shifted, g.constant("scale", scaler.scale_)])


#: The preprocessing ``plainnet train`` stores in the metadata, by key, in the
#: order ``Predictor`` applies it: ``f(state, g, x) -> y`` writing its nodes.
#: The ``table`` preprocessing comes before them all; it makes the inputs
#: (one per column, numbers or text), so ``predictor`` applies it itself.
PREPROCESSING: dict[str, Callable[[dict, GraphBuilder, str], str]] = {
    "scaling": standardize,
}


def preprocess(metadata: dict, g: GraphBuilder, x: str) -> str:
    """Apply every stored preprocessing step of ``metadata`` to ``x``."""
    for key, translation in PREPROCESSING.items():
        if key in metadata:
            with g.scope(key):
                x = translation(metadata[key], g, x)
    return x


def predictor(model: Predictor, g: GraphBuilder, add_output_function):
    """Raw features in; labels and probabilities, or values in the target's
    units, out: what ``Predictor.predict``/``predict_proba`` give."""
    net, metadata = _built(model.network, g), model.metadata
    g.reserve("label", "probabilities", "variable")
    inputs, x, columns = _raw_inputs(model, g)
    out = translate_layers(net.layers, g, preprocess(metadata, g, x))
    described = {
        "model": "plainnet train",
        **{
            k: metadata[k] for k in ("task", "target", "feature_names") if k in metadata
        },
        **columns,
    }
    if model.task == "classify":
        outputs = _classes_out(model, g, out)
        described["classes"] = list(model.classes)
        return Exported(inputs, outputs, described)
    if "target_scaling" in metadata:
        scaler = Standardizer.from_dict(metadata["target_scaling"])
        with g.scope("target_scaling"):
            scaled = g.node("Mul", [out, g.constant("scale", scaler.scale_)])
            out = g.node("Add", [scaled, g.constant("mean", scaler.mean_)])
    return Exported(
        inputs, {out: Port("variable", net.dtype.name, net.output_shape)}, described
    )


def _raw_inputs(model: Predictor, g: GraphBuilder) -> tuple[list[Port], str, dict]:
    """The inputs, the name of the features they make (before scaling), and
    their description for the metadata: a table's columns one by one, encoded
    as ``TablePreprocessor.transform`` does; else one matrix ``input``."""
    net = model.network
    prep = stored_table(model.metadata, net.input_shape[0])
    if prep is None:
        g.reserve("input")
        return [Port("input", net.dtype.name, net.input_shape)], "input", {}
    columns = table_inputs(prep, g)
    inputs = [
        Port(c.name, net.dtype.name if c.kind == "number" else "string", (1,))
        for c in columns
    ]
    described = {"columns": [c.describe() for c in columns]}
    return inputs, encode_table(prep, g, columns), described


def _classes_out(model: Predictor, g: GraphBuilder, out: str) -> dict[str, Port]:
    """``label`` and ``probabilities`` as ``Predictor`` makes them (one sigmoid
    output becomes the two columns ``1 - p, p``)."""
    dtype = model.network.dtype.name
    proba = (
        out
        if model.network.loss is None
        else output_function(model.network.loss, g, out)[0]
    )
    if model.network.output_shape[0] == 1:
        one = g.constant("one", np.ones((), model.network.dtype))
        proba = g.node("Concat", [g.node("Sub", [one, proba]), proba], axis=1)
    label, label_dtype = labels_from_scores(g, proba, model.classes)
    n_classes = max(2, model.network.output_shape[0])
    return {
        label: Port("label", label_dtype, ()),
        proba: Port("probabilities", dtype, (n_classes,)),
    }


# -- finding a model's function ------------------------------------------------------
def _estimator_models() -> dict[type, Callable]:
    """The estimators' functions, when scikit-learn is loaded (else no model
    can be an estimator, and nothing is imported)."""
    if "sklearn" not in sys.modules:
        return {}
    from ..sklearn import NeuralNetClassifier, NeuralNetRegressor

    return {NeuralNetClassifier: classifier, NeuralNetRegressor: regressor}


#: The function of each kind of model, by class.
MODELS: dict[type, Callable] = {
    Sequential: sequential,
    NeuralNetwork: neural_network,
    Predictor: predictor,
}


def translate_model(model, g: GraphBuilder, add_output_function: bool) -> Exported:
    """``model``'s inputs, outputs and metadata, its nodes added to ``g``."""
    functions = {**MODELS, **_estimator_models()}
    for cls in type(model).__mro__:
        if cls in functions:
            return functions[cls](model, g, add_output_function)
    raise ExportError(
        f"cannot export a {type(model).__name__} to ONNX; plainnet exports "
        "Sequential, NeuralNetwork, NeuralNetClassifier, NeuralNetRegressor and "
        "Predictor (a plainnet train model file)"
    )
