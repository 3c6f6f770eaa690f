"""The layer registry: the only classes a saved configuration may name."""

from typing import Any

from .._messages import shown
from .base import Layer

#: Layer classes by class name.
LAYERS: dict[str, type[Layer]] = {}


def register_layer(cls: type[Layer]) -> type[Layer]:
    """Add ``cls`` to :data:`LAYERS` under its class name (usable as a decorator).

    Every registered layer is run through the generic layer tests, and only
    registered layers can be saved to and loaded from model files.
    """
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise TypeError(f"only Layer subclasses can be registered, got {cls!r}")
    known = LAYERS.get(cls.__name__)
    if known is not None and known is not cls:
        raise ValueError(f"another layer class is registered as {cls.__name__!r}")
    LAYERS[cls.__name__] = cls
    return cls


def layer_entries(layers) -> list[dict[str, Any]]:
    """Each layer as ``{"class": name, "config": {...}}``, the entries that
    :func:`layer_from_config` reads and model files hold."""
    return [
        {"class": type(layer).__name__, "config": layer.get_config()}
        for layer in layers
    ]


def layer_from_config(entry: dict[str, Any]) -> Layer:
    """A new layer from ``{"class": name, "config": {...}}``, the class looked up
    only in ``LAYERS``; anything else raises ``ValueError``."""
    if not isinstance(entry, dict) or set(entry) != {"class", "config"}:
        raise ValueError(
            f"a layer entry must be {{'class': ..., 'config': ...}}, got {shown(entry)}"
        )
    name, config = entry["class"], entry["config"]
    if not isinstance(name, str) or name not in LAYERS:
        raise ValueError(
            f"unknown layer class {shown(name)}; expected one of {sorted(LAYERS)}"
        )
    if not isinstance(config, dict):
        raise ValueError(f"a {name} layer's config must be a dict, got {shown(config)}")
    return LAYERS[name].from_config(config)
