"""Kinds of model: how each class of model is saved and rebuilt, found by name.

The module that owns a class registers its kind (``network`` registers
``Sequential``'s, ``classic`` ``NeuralNetwork``'s), so that this package
imports no model class. The kinds of optional modules are listed in
:data:`OPTIONAL_KINDS`, so that loading one names the extra it needs.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class ModelKind:
    """How one class of model is written to and rebuilt from a model file.

    Parameters
    ----------
    name : str
        Stored in the file as ``kind``.
    cls : type
        The class saved under this kind (exact type match).
    network : callable ``model -> Sequential``
        The network holding the model's weights.
    get_config : callable ``model -> dict``
        The model's own settings (beyond the network), as JSON values.
    from_config : callable ``(config, network) -> model``
        Rebuild the model around a loaded network. ``config`` comes from the
        file: raise ``ValueError`` or ``TypeError`` if it is not acceptable,
        and allocate nothing that its sizes alone declare (compare them with
        ``network`` first: the network's size was checked against the file).

    Example
    -------
    A kind for scikit-learn style estimators holding a fitted ``network_``::

        register_kind(ModelKind(
            "neural_net_classifier", NeuralNetClassifier,
            network=lambda model: model.network_,
            get_config=lambda model: {"params": model.get_params(), ...},
            from_config=rebuild_classifier,   # (config, network) -> estimator
        ))
    """

    name: str
    cls: type
    network: Callable[[Any], Any]
    get_config: Callable[[Any], dict]
    from_config: Callable[[dict, Any], Any]


KINDS: dict[str, ModelKind] = {}


def register_kind(kind: ModelKind) -> None:
    """Make ``kind`` known to :func:`~plainnet.model_files.save` and
    :func:`~plainnet.model_files.load`."""
    KINDS[kind.name] = kind


def kind_of(model) -> ModelKind:
    """The kind registered for ``type(model)``; ``TypeError`` if there is none."""
    for kind in KINDS.values():
        if type(model) is kind.cls:
            return kind
    known = ", ".join(kind.cls.__name__ for kind in KINDS.values())
    raise TypeError(f"cannot save a {type(model).__name__}; plainnet saves {known}")


class OptionalKind(NamedTuple):
    """Where a kind of an optional module is registered, and what it needs."""

    module: str
    class_name: str
    needs: str
    extra: str


#: The module of the scikit-learn estimators (the one place naming it).
ESTIMATORS_MODULE = "plainnet.sklearn"
#: The kinds registered by modules that need an optional extra: loading one
#: imports its module, never a module named by the file.
OPTIONAL_KINDS = {
    "neural_net_classifier": OptionalKind(
        ESTIMATORS_MODULE, "NeuralNetClassifier", "scikit-learn", "sklearn"
    ),
    "neural_net_regressor": OptionalKind(
        ESTIMATORS_MODULE, "NeuralNetRegressor", "scikit-learn", "sklearn"
    ),
}


def import_optional_kind(name: str) -> None:
    """Import the module registering the kind ``name`` of :data:`OPTIONAL_KINDS`.

    Raises
    ------
    ImportError
        Naming the extra to install, when the module cannot be imported.
    """
    optional = OPTIONAL_KINDS[name]
    try:
        importlib.import_module(optional.module)
    except ImportError as error:
        # Installed from a checkout: plainnet is on no public package index.
        raise ImportError(
            f"this is a {optional.class_name} model file, which needs "
            f'{optional.needs}: pip install ".[{optional.extra}]" '
            "(from a checkout of plainnet)"
        ) from error

