"""Saving a model: its arrays and its JSON document, written atomically."""

import json
import os
import zipfile
from typing import IO

import numpy as np

from .. import losses, optimizers, schedules
from .._version import __version__
from ..layers import LAYERS
from ..layers.base import walk
from .atomic import atomic_write
from .format import DOCUMENT, FORMAT, FORMAT_VERSION, document_limits_problem
from .kinds import ModelKind, kind_of
from .metadata import check_metadata, check_writable_text
from .values import finite_or_none, to_json


def save(
    model,
    path: "str | os.PathLike[str]",
    *,
    metadata: dict | None = None,
    include_optimizer: bool = True,
) -> None:
    """Write ``model`` to ``path`` as one ``.npz`` model file, atomically.

    Parameters
    ----------
    model : Sequential, NeuralNetwork, or any registered kind
    path : str or path-like
        Written exactly as given (no suffix is added).
    metadata : dict, optional
        JSON values describing the data: ``task`` ("classify" or "regress"),
        ``target`` (str), ``classes`` (list of str/int/float/bool, one per
        output), ``feature_names`` (list of str, one per input),
        ``scaling`` and ``target_scaling`` (``Standardizer.to_dict()``),
        ``metrics`` (dict of per-epoch lists of numbers).
    include_optimizer : bool, default True
        Also save the optimizer's settings and state (moments, step count),
        so that training resumes exactly where it stopped.

    Raises
    ------
    TypeError
        For a model of a kind that cannot be saved.
    ValueError
        For weights holding NaN or inf, layers, losses or optimizers that are
        not in plainnet's registries, invalid metadata, or a document beyond
        the limits that loading keeps (``format.MAX_LAYERS`` layers, ...).

    Example
    -------
    >>> save(net, "model.npz", metadata={"task": "regress"})
    >>> net2 = load("model.npz")
    """
    kind = kind_of(model)
    network = kind.network(model)
    if not network.built:
        raise ValueError(
            "the network is not built yet (its input shape is unknown): give "
            "Sequential(..., input_shape=...) or fit it before saving"
        )
    parameters, state = (
        network.ops.to_numpy(a) for a in (network.parameters, network.state)
    )
    if not all(np.isfinite(a).all() for a in (parameters, state)):
        raise ValueError("the weights hold NaN or inf; refusing to save them")
    arrays = {
        f"weights/{name}": parameters[part].reshape(shape)
        for name, (part, shape) in network.layout.items()
    }
    arrays.update(
        {
            f"state/{name}": state[part].reshape(shape)
            for name, (part, shape) in network.state_layout.items()
        }
    )
    optimizer_doc, optimizer_arrays = _optimizer_document(network, include_optimizer)
    arrays.update(optimizer_arrays)
    document = _document(model, kind, optimizer_doc, dict(metadata or {}))
    _check_layers_registered(network)
    check_metadata(document["metadata"], network)
    check_writable_text(document["metadata"])
    text = json.dumps(document, allow_nan=False, ensure_ascii=False)
    problem = document_limits_problem(text.encode("utf-8"))
    if problem is not None:
        raise ValueError(f"cannot save this model: {problem}")
    atomic_write(path, lambda file: _write_npz(file, text, arrays))


def _document(model, kind: ModelKind, optimizer_doc, metadata: dict) -> dict:
    """The JSON document describing ``model`` (all but its arrays)."""
    network = kind.network(model)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "plainnet_version": __version__,
        "kind": kind.name,
        "config": kind.get_config(model),
        "network": network.get_config(),
        "loss": _loss_name(network.loss),
        "optimizer": optimizer_doc,
        "rng": _rng_state(network.rng),
        "history": _history_document(network.history),
        "metadata": metadata,
    }


def _check_layers_registered(network) -> None:
    """Raise ``ValueError`` for a layer that loading could not rebuild (the
    layers inside a ``Residual`` too, named by their path, ``3.1``)."""
    for path, layer in walk(network.layers):
        if LAYERS.get(type(layer).__name__) is not type(layer):
            raise ValueError(
                f"layer {path} ({type(layer).__name__}) is not one of plainnet's "
                f"registered layers {sorted(LAYERS)}, so it cannot be saved"
            )


def _loss_name(loss) -> str | None:
    if loss is None:
        return None
    if losses.LOSSES.get(loss.name) is not type(loss):
        raise ValueError(
            f"loss {loss!r} is not one of plainnet's {sorted(losses.LOSSES)}"
        )
    return loss.name


def _optimizer_document(network, include: bool):
    """The optimizer's JSON part and its state arrays (empty when not saved)."""
    optimizer = network.optimizer
    if optimizer is None or not include:
        return None, {}
    names = [n for n, c in optimizers.OPTIMIZERS.items() if c is type(optimizer)]
    if not names:
        raise ValueError(
            f"optimizer {optimizer!r} is not one of plainnet's "
            f"{sorted(optimizers.OPTIMIZERS)}; save with include_optimizer=False"
        )
    schedules.check_registered(optimizer.lr)
    state = optimizer.state or optimizer.init_state(network.parameters)
    state = {
        k: network.ops.to_numpy(v) if hasattr(v, "shape") else v
        for k, v in state.items()
    }
    counters = optimizer.init_state(np.empty(0, network.dtype)).items()
    # a schedule given after the optimizer's first steps has not filled its own
    state = {k: v for k, v in counters if not isinstance(v, np.ndarray)} | state
    scalars, arrays = {}, {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            if not np.isfinite(value).all():
                raise ValueError(
                    f"the optimizer state {key!r} holds NaN or inf (after "
                    "divergence?); save with include_optimizer=False"
                )
            arrays[f"optimizer/{key}"] = value
        elif isinstance(value, float):  # a schedule's: best cost, inf at first
            scalars[key] = finite_or_none(value)
        else:
            scalars[key] = to_json(value)
    document = {"name": names[0], "config": optimizer.get_config(), "state": scalars}
    return document, arrays


def _rng_state(rng) -> dict:
    """The generator's state as JSON values."""
    if isinstance(rng, np.random.RandomState):
        return {"type": "RandomState", "state": to_json(rng.get_state(legacy=False))}
    return {"type": "Generator", "state": to_json(rng.bit_generator.state)}


def _history_document(history) -> dict:
    """The history's lists, with NaN/inf (not JSON) stored as null."""
    return {
        "loss": [finite_or_none(v) for v in history.loss],
        "val_loss": [finite_or_none(v) for v in history.val_loss],
        "lr": [float(v) for v in history.lr],
        "interrupted": bool(history.interrupted),
    }


def _write_npz(file: IO[bytes], text: str, arrays: dict[str, np.ndarray]) -> None:
    """The zip archive: the document first, then every array, uncompressed."""
    document = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in {DOCUMENT: document, **arrays}.items():
            little = array.astype(array.dtype.newbyteorder("<"), copy=False)
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, little, allow_pickle=False)
