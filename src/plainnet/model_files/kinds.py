"""Kinds of model: how each class of model is saved and rebuilt, found by name.

The module that owns a class registers its kind (``classic`` registers
``NeuralNetwork``'s); ``Sequential``'s is registered here, since every model
file holds one.
"""

import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..network import Sequential


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
    network: Callable[[Any], Sequential]
    get_config: Callable[[Any], dict]
    from_config: Callable[[dict, Sequential], Any]


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


_PLUGIN_MODULES = ("plainnet.estimators",)


def import_plugins() -> None:
    """Import the modules that register more kinds (fixed names, never from a file)."""
    for module in _PLUGIN_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


register_kind(
    ModelKind(
        "sequential", Sequential, lambda net: net, lambda net: {}, lambda c, net: net
    )
)
