"""Model files of the scikit-learn estimators: the kinds ``neural_net_classifier``
and ``neural_net_regressor`` (see :mod:`plainnet.model_files`), registered by
:mod:`plainnet.sklearn`.

It reads and sets only the estimators' parameters and public fitted attributes
(``model_``, ``architecture_``, ``classes_``, ``multilabel_``, ``y_ndim_``, ...)
and uses their ``check_params``, ``architecture``, ``build_layers`` and
``loss_name``.

The file's network is the estimator's ``model_``, with its weights, loss,
optimizer state, random generator state and history. The kind's config holds
the rest of the estimator, as JSON:

``params``
    ``get_params()``: each value None, a boolean, a finite number, a string, or
    a list or tuple of them (a tuple is written ``{"tuple": [...]}``).
``built_from``
    ``architecture_``: the architecture parameters the network was built with
    (``set_params`` may have changed them since).
``feature_names``
    ``feature_names_in_``, or null when it was fitted without column names.
``loss_curve``, ``validation_scores``, ``best_loss``, ``n_iter``
    The fitted attributes of the same names (NaN and inf written as null, and
    read back as NaN, as in the history).
``target``
    The classifier's ``classes`` (JSON scalars, with the name of their NumPy
    dtype) and whether it is multi-label; for the regressor, whether ``y`` was
    1-D (``y_ndim_``).

``n_features_in_`` and ``n_outputs_`` are the network's sizes. Loading checks
every field, and the network against ``built_from`` and the targets, raising
``ValueError``, which the loader reports as a ``ModelFileError`` naming the file.

The file's metadata (``task``, ``classes``, ``feature_names``) describes the
model to other readers, such as ``plainnet info``, ``predict`` and
``evaluate``; loading the estimator does not use it.
"""

import math
import numbers
import os
from collections.abc import Callable

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from .._messages import shown
from ..layers import Dense, Layer, layer_entries, layer_from_config
from ..layers.shapes import check_shapes
from ..model_files import ModelKind, register_kind, save
from ..model_files.values import finite_or_none, is_number_list
from ..network import Sequential

_LABEL_DTYPES = {
    name: np.dtype(name)
    for name in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    )
} | {"str": np.dtype(str)}
_LABEL_TYPES = {"b": bool, "i": int, "u": int, "f": float, "U": str}
_ARCHITECTURE = (
    "hidden_layer_sizes",
    "activation",
    "dropout",
    "dtype",
    "layers",
    "input_shape",
)
#: Parameters that files written before they existed do not hold (their defaults).
_NEWER_PARAMS = {"layers": None, "input_shape": None}
_CONFIG_FIELDS = (
    "params",
    "built_from",
    "feature_names",
    "loss_curve",
    "validation_scores",
    "best_loss",
    "n_iter",
    "target",
)


def register_kinds(classifier: type, regressor: type) -> None:
    """Make the two estimator classes savable and loadable as model files."""
    register_kind(
        _kind("neural_net_classifier", classifier, _classes_config, _set_classes)
    )
    register_kind(
        _kind("neural_net_regressor", regressor, _outputs_config, _set_outputs)
    )


def save_estimator(
    estimator, path: "str | os.PathLike[str]", *, include_optimizer: bool
) -> None:
    """Write a fitted estimator to ``path``, described by its metadata; see
    ``NeuralNetClassifier.save``."""
    check_is_fitted(estimator, "model_")
    save(
        estimator,
        path,
        metadata=_description(estimator),
        include_optimizer=include_optimizer,
    )


def _kind(
    name: str,
    cls: type,
    target_config: Callable[[object], dict],
    set_target: Callable[[object, object, Sequential], None],
) -> ModelKind:
    return ModelKind(
        name,
        cls,
        network=_fitted_network,
        get_config=lambda estimator: _config(estimator, target_config(estimator)),
        from_config=lambda config, network: _estimator(
            cls, config, network, set_target
        ),
    )


def _fitted_network(estimator) -> Sequential:
    check_is_fitted(estimator, "model_")
    return estimator.model_


def _description(estimator) -> dict:
    """The metadata: the task, the class labels and the feature names, as far as
    ``plainnet predict`` and ``evaluate`` can use them."""
    description = {}
    if hasattr(estimator, "feature_names_in_"):
        description["feature_names"] = estimator.feature_names_in_.tolist()
    if is_classifier(estimator):
        if not estimator.multilabel_:
            description["task"] = "classify"
            description["classes"] = estimator.classes_.tolist()
    elif estimator.n_outputs_ == 1:
        description["task"] = "regress"
    return description


# -- writing -------------------------------------------------------------------
def _config(estimator, target: dict) -> dict:
    """The kind's config: everything but the network, as JSON values."""
    _check_settings(estimator)
    sizes, activation, dropout, dtype, layers, shape = estimator.architecture_
    names = getattr(estimator, "feature_names_in_", None)
    scores = estimator.validation_scores_
    return {
        "params": {
            # a file holds host arrays and loads on any device: not the device
            name: None if name == "device" else _param_to_json(name, value)
            for name, value in estimator.get_params().items()
        },
        "built_from": dict(
            zip(
                _ARCHITECTURE,
                (
                    list(sizes),
                    activation,
                    dropout,
                    dtype,
                    layers,
                    None if shape is None else list(shape),
                ),
                strict=True,
            )
        ),
        "feature_names": None if names is None else names.tolist(),
        "loss_curve": _numbers(estimator.loss_curve_),
        "validation_scores": None if scores is None else _numbers(scores),
        "best_loss": finite_or_none(estimator.best_loss_),
        "n_iter": int(estimator.n_iter_),
        "target": target,
    }


def _numbers(values) -> list[float | None]:
    """Floats as JSON numbers, NaN and inf as null."""
    return [finite_or_none(value) for value in values]


def _param_to_json(name: str, value):
    """``value`` as JSON; a tuple becomes ``{"tuple": [...]}``, ``layers`` a list
    of ``{"class", "config"}`` entries."""
    if name == "layers" and value is not None:
        return layer_entries(value)
    if isinstance(value, (tuple, list)):
        items = [_scalar_to_json(name, item) for item in value]
        return {"tuple": items} if isinstance(value, tuple) else items
    return _scalar_to_json(name, value)


def _scalar_to_json(name: str, value):
    if isinstance(value, np.generic):
        value = value.item()
    if not _is_scalar(value):
        raise ValueError(
            f"cannot save the parameter {name}={shown(value)}: a model file holds "
            "None, booleans, finite numbers and strings, or lists or tuples of them"
        )
    return value


def _is_scalar(value) -> bool:
    """Whether ``value`` is None, a bool, an int, a finite float or a str."""
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (bool, int, str))


def _classes_config(classifier) -> dict:
    classes = classifier.classes_
    name = "str" if classes.dtype.kind == "U" else classes.dtype.name
    if name not in _LABEL_DTYPES:
        raise ValueError(
            f"cannot save class labels of dtype {classes.dtype}; a model file holds "
            "booleans, numbers or strings"
        )
    return {
        "classes": classes.tolist(),
        "dtype": name,
        "multilabel": classifier.multilabel_,
    }


def _outputs_config(regressor) -> dict:
    return {"y_1d": regressor.y_ndim_ == 1}


def _check_settings(estimator) -> None:
    """Raise ``ValueError`` for parameters that a model file cannot hold (the
    same check when saving and when loading)."""
    estimator.check_params()
    seed = estimator.random_state
    if not (seed is None or (isinstance(seed, numbers.Integral) and 0 <= seed < 2**32)):
        raise ValueError(
            "random_state must be None or an int in [0, 2**32) in a model file, "
            f"got {shown(seed)}"
        )


# -- reading -------------------------------------------------------------------
def _estimator(cls: type, config, network: Sequential, set_target):
    """A fitted ``cls`` around ``network``, from the kind's ``config``."""
    config = _fields(config, _CONFIG_FIELDS, "they")
    estimator = cls(**_params(cls, config["params"]))
    _check_settings(estimator)
    estimator.architecture_ = _built_from(cls, config["built_from"], network)
    _check_settings_size(estimator, network)
    estimator.model_ = network
    estimator.n_features_in_ = math.prod(network.input_shape)
    estimator.n_outputs_ = network.n_outputs
    names = _feature_names(config["feature_names"], network)
    if names is not None:
        estimator.feature_names_in_ = names
    set_target(estimator, config["target"], network)
    if network.loss is None or network.loss.name != estimator.loss_name:
        raise ValueError(f"the network's loss must be {estimator.loss_name!r}")
    _set_curves(estimator, config)
    return estimator


#: The settings of a loaded estimator (which its next ``fit`` builds, after
#: ``set_params`` perhaps) may describe a network at most this many times the
#: stored one's size, or ``MIN_SETTINGS_LIMIT`` parameters, whichever is larger.
SETTINGS_GROWTH_LIMIT = 100
MIN_SETTINGS_LIMIT = 2**24


def _check_settings_size(estimator, network: Sequential) -> None:
    """Refuse settings that would make the next ``fit`` allocate a network far
    larger than the stored one (a file is never trusted with that)."""
    if estimator.architecture() == estimator.architecture_:
        return
    n_features = math.prod(network.input_shape)
    layers = estimator.build_layers(n_features, math.prod(network.output_shape))
    shape = network.input_shape if estimator.input_shape else (n_features,)
    check_shapes(layers, shape)  # shapes only: nothing is allocated
    wanted = sum(
        math.prod(s) for layer in layers for s in layer.param_shapes().values()
    )
    limit = max(SETTINGS_GROWTH_LIMIT * network.n_parameters, MIN_SETTINGS_LIMIT)
    if wanted > limit:
        raise ValueError(
            f"its settings describe a network of {wanted} parameters, which its "
            f"next fit would build; the stored one has {network.n_parameters}"
        )


def _fields(section, names, what: str) -> dict:
    """``section`` if it is a dict of exactly the keys ``names``."""
    if not isinstance(section, dict) or set(section) != set(names):
        raise ValueError(f"{what} must hold exactly {sorted(names)}")
    return section


#: Parameters added after the first estimator files: files without them get
#: their defaults.
_LATER_PARAMS = ("learning_rate_schedule", "device")


def _params(cls: type, section) -> dict:
    defaults = cls().get_params()
    later = {k: defaults[k] for k in _LATER_PARAMS}
    section = _with_newer(section, {**_NEWER_PARAMS, **later})
    section = _fields(section, defaults, "'params'")
    return {name: _param_from_json(name, value) for name, value in section.items()}


def _with_newer(section, defaults: dict):
    """``section`` with the defaults of the fields that older files lack."""
    if not isinstance(section, dict):
        return section
    return {**{k: v for k, v in defaults.items() if k not in section}, **section}


def _param_from_json(name: str, value):
    """The inverse of :func:`_param_to_json`."""
    if name == "layers" and value is not None:
        return _layers_from_json(value)
    if isinstance(value, dict) and set(value) == {"tuple"}:
        return tuple(_param_items(name, value["tuple"]))
    if isinstance(value, list):
        return _param_items(name, value)
    return _param_items(name, [value])[0]


def _param_items(name: str, items) -> list:
    if not isinstance(items, list) or not all(_is_scalar(item) for item in items):
        raise ValueError(
            f"parameter {name!r} must be None, a boolean, a finite number, a "
            "string, or a list or tuple of them"
        )
    return items


def _layers_from_json(entries) -> list[Layer]:
    """``layers`` from ``{"class", "config"}`` entries, by the layer registry."""
    if not isinstance(entries, list):
        raise ValueError(f"parameter 'layers' must be a list, got {shown(entries)}")
    return [layer_from_config(entry) for entry in entries]


def _built_from(cls: type, section, network: Sequential) -> tuple:
    """The architecture parameters, checked to describe ``network``."""
    section = _with_newer(section, _NEWER_PARAMS)
    section = _fields(section, _ARCHITECTURE, "'built_from'")
    probe = cls(**{**section, "layers": _param_from_json("layers", section["layers"])})
    dtype = probe.check_params()  # types, ranges, names only from the registries
    architecture = probe.architecture()
    dense = [layer for layer in network.layers if isinstance(layer, Dense)]
    # compared before building layers, whose sizes the file declares
    if probe.layers is None and len(architecture[0]) + 1 != len(dense):
        raise ValueError("'built_from' does not describe the stored layers")
    if dtype != network.dtype:
        raise ValueError("'built_from' does not describe the stored layers")
    n_features = math.prod(network.input_shape)
    expected = probe.build_layers(n_features, math.prod(network.output_shape))
    if _layer_configs(expected) != _layer_configs(network.layers):
        raise ValueError("'built_from' does not describe the stored layers")
    return architecture


def _layer_configs(layers) -> list[tuple[str, dict]]:
    return [(type(layer).__name__, layer.get_config()) for layer in layers]


def _feature_names(names, network: Sequential) -> np.ndarray | None:
    if names is None:
        return None
    if (
        not isinstance(names, list)
        or not all(isinstance(name, str) for name in names)
        or len(set(names)) != len(names)
        or len(names) != network.n_features_in
    ):
        raise ValueError(
            "'feature_names' must be null or a list of distinct strings, one "
            "per input of the network"
        )
    return np.asarray(names, dtype=object)


def _set_classes(classifier, section, network: Sequential) -> None:
    section = _fields(section, ("classes", "dtype", "multilabel"), "'target'")
    multilabel = section["multilabel"]
    if not isinstance(multilabel, bool):
        raise ValueError("'target.multilabel' must be a boolean")
    classes = _labels(section["classes"], section["dtype"], network.n_outputs)
    if multilabel and not (
        classes.dtype.kind in "iu" and np.array_equal(classes, np.arange(len(classes)))
    ):
        raise ValueError("multi-label classes must be the label indices 0, 1, ...")
    if not multilabel and len(classes) < 2:
        raise ValueError("a classifier needs 2 or more classes")
    classifier.multilabel_, classifier.classes_ = multilabel, classes


def _labels(values, dtype_name, n_outputs: int) -> np.ndarray:
    """The class labels: one per output, JSON values of the dtype's kind,
    exactly representable in it, finite and strictly increasing."""
    if not isinstance(values, list) or len(values) != n_outputs:
        raise ValueError(
            f"'target.classes' must be a list of {n_outputs} labels, one per output"
        )
    if not isinstance(dtype_name, str) or dtype_name not in _LABEL_DTYPES:
        raise ValueError(
            f"the dtype of the classes must be one of {sorted(_LABEL_DTYPES)}, "
            f"got {shown(dtype_name)}"
        )
    dtype = _LABEL_DTYPES[dtype_name]
    if not all(type(value) is _LABEL_TYPES[dtype.kind] for value in values):
        raise ValueError(
            f"class labels of dtype {dtype_name} must be JSON "
            f"{_LABEL_TYPES[dtype.kind].__name__} values"
        )
    try:
        labels = np.array(values, dtype=dtype)
    except OverflowError:
        raise ValueError(f"class labels out of range for {dtype_name}") from None
    if labels.tolist() != values or (
        dtype.kind == "f" and not np.isfinite(labels).all()
    ):
        raise ValueError(f"class labels not exactly representable as {dtype_name}")
    if not np.all(labels[1:] > labels[:-1]):
        raise ValueError("class labels must be distinct and sorted")
    return labels


def _set_outputs(regressor, section, network: Sequential) -> None:
    y_1d = _fields(section, ("y_1d",), "'target'")["y_1d"]
    if not isinstance(y_1d, bool) or (y_1d and network.n_outputs != 1):
        raise ValueError(
            "'target.y_1d' must be a boolean, true only for a network of one output"
        )
    regressor.y_ndim_ = 1 if y_1d else 2


def _set_curves(estimator, config: dict) -> None:
    """``loss_curve_``, ``validation_scores_``, ``best_loss_`` and ``n_iter_``."""
    curve, scores = config["loss_curve"], config["validation_scores"]
    best, n_iter = config["best_loss"], config["n_iter"]
    if not is_number_list(curve):
        raise ValueError("'loss_curve' must be a list of numbers")
    if not (scores is None or is_number_list(scores)):
        raise ValueError("'validation_scores' must be null or a list of numbers")
    if not is_number_list([best]):
        raise ValueError("'best_loss' must be a number")
    if type(n_iter) is not int or n_iter < 0:
        raise ValueError("'n_iter' must be a non-negative integer")
    estimator.loss_curve_ = _floats(curve)
    estimator.validation_scores_ = None if scores is None else _floats(scores)
    estimator.best_loss_ = _floats([best])[0]
    estimator.n_iter_ = n_iter


def _floats(values: list) -> list[float]:
    """JSON numbers as floats, null as NaN."""
    return [math.nan if value is None else float(value) for value in values]
