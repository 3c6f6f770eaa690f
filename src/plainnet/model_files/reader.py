"""Loading a model: the network, optimizer, generator, history and metadata
rebuilt from a model file, each checked before it is trusted."""

import math
import os
import stat
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import losses, optimizers
from .._messages import shown
from ..errors import ModelFileError
from ..layers import Layer, layer_from_config
from ..layers.shapes import check_shapes, input_shape_of
from .archive import Archive
from .format import DOCUMENT, FORMAT_VERSION, MAX_LAYERS
from .kinds import KINDS, OPTIONAL_KINDS, ModelKind, import_optional_kind
from .metadata import check_metadata
from .values import is_number_list

_BIT_GENERATORS = {
    cls.__name__: cls
    for cls in (
        np.random.PCG64,
        np.random.PCG64DXSM,
        np.random.MT19937,
        np.random.Philox,
        np.random.SFC64,
    )
}


@dataclass
class ModelFile:
    """A model file's contents, as returned by :func:`read_model_file`.

    Attributes
    ----------
    model : Sequential, NeuralNetwork or another registered kind
    kind : str
    metadata : dict
        ``task``, ``target``, ``classes``, ``feature_names``, ``scaling``,
        ``target_scaling``, ``metrics``, as far as they were saved.
    format_version : int
    plainnet_version : str
    path : str
    """

    model: Any
    kind: str
    metadata: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    plainnet_version: str = ""
    path: str = ""

    @property
    def network(self):
        """The ``Sequential`` holding the model's weights."""
        return KINDS[self.kind].network(self.model)


def load(path: "str | os.PathLike[str]", device: "str | None" = None):
    """Read a model written by :func:`~plainnet.model_files.save`.

    Parameters
    ----------
    path : str or path-like
    device : str, optional
        Where the network's arrays go (``"cpu"``, the default, ``"cuda"``, ...;
        see :mod:`plainnet.backend`). A file holds host arrays, whatever the
        device it was saved from, and loads on any.

    Returns
    -------
    Sequential, NeuralNetwork or another registered kind
        With its weights, loss, optimizer state, random generator state and
        history as saved; it predicts bit-identically to the saved model.

    Raises
    ------
    ModelFileError
        Naming the file and the problem: missing, not a model file, truncated
        or damaged, written by a newer plainnet, or unsafe (unknown names, an
        array not matching the architecture, non-float data, NaN weights).

    Example
    -------
    >>> net = load("model.npz")
    >>> net.predict(X)
    """
    contents = read_model_file(path)
    if device is not None:
        contents.network.to(device)
    return contents.model


def read_model_file(path: "str | os.PathLike[str]") -> ModelFile:
    """Read a model file with its metadata; see :func:`load`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    ModelFile
        The model, its kind and metadata, and the versions that wrote it.

    Example
    -------
    >>> contents = read_model_file("model.npz")
    >>> contents.metadata["classes"]
    """
    name = os.fspath(path)
    _check_regular_file(name)
    try:
        file = open(name, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise ModelFileError(f"{name}: no such model file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{name}: is a folder, not a model file") from None
    except OSError as error:
        raise ModelFileError(f"{name}: cannot read it ({error.strerror})") from None
    try:
        with file, Archive(name, file) as archive:
            return _ModelReader(archive).model_file()
    except MemoryError:  # a last resort: the checks refuse large files first
        raise ModelFileError(
            f"{name}: the model it declares does not fit in memory"
        ) from None


def _check_regular_file(name: str) -> None:
    """Refuse, without opening it, anything but a regular file: opening a FIFO
    blocks, and a pipe (``<(cat m.npz)``) or a device cannot be read twice."""
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise ModelFileError(f"{name}: no such model file") from None
    except OSError as error:
        raise ModelFileError(f"{name}: cannot read it ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise ModelFileError(f"{name}: is a folder, not a model file")
    if not stat.S_ISREG(mode):
        what = "a FIFO or pipe" if stat.S_ISFIFO(mode) else "a device or socket"
        raise ModelFileError(
            f"{name}: is {what}, not a regular file; plainnet reads model files "
            "from disk (save it to a file first)"
        )


#: Optimizer counters above this are refused (2**53: exact as a float).
MAX_COUNTER = 2**53


class _ModelReader:
    """Builds the model of one archive, checking each part of its document."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.fail = archive.fail

    def model_file(self) -> ModelFile:
        document = self.archive.document()
        kind = self._kind(document["kind"])
        layers, dtype, input_shape = self._layers(document["network"])
        optimizer, state = self._optimizer(document["optimizer"], dtype)
        self._check_arrays_fit(layers, dtype, state)
        rng = self._rng(document["rng"])
        network = self._network(layers, dtype, rng, input_shape)
        self._set_rng_state(rng, document["rng"]["state"])  # as before initializing
        self._check_member_names(network, state)
        self._read_arrays(network, optimizer, state)
        network.loss = self._loss(document["loss"])
        self._history(document["history"], network.history)
        metadata = self._metadata(document["metadata"], network)
        config = document["config"]
        try:
            if not isinstance(config, dict):
                raise TypeError("expected a dict")
            model = kind.from_config(config, network)
        except (TypeError, ValueError) as error:
            raise self.fail(f"invalid {kind.name} settings ({error})") from None
        return ModelFile(
            model,
            kind.name,
            metadata,
            document["format_version"],
            document["plainnet_version"],
            self.archive.path,
        )

    def _kind(self, name) -> ModelKind:
        if isinstance(name, str) and name not in KINDS and name in OPTIONAL_KINDS:
            try:
                import_optional_kind(name)
            except ImportError as error:
                raise self.fail(str(error)) from error
        if not isinstance(name, str) or name not in KINDS:
            raise self.fail(
                f"unknown kind of model {shown(name)}; this plainnet "
                f"knows {sorted(KINDS.keys() | OPTIONAL_KINDS.keys())}"
            )
        return KINDS[name]

    def _layers(self, network) -> tuple[list[Layer], np.dtype, tuple[int, ...]]:
        """The layers, built for the input shape; the dtype; the input shape
        (files written before input shapes were saved have none: the first
        layer's then decides, as it did then)."""
        if not isinstance(network, dict) or set(network) - {"input_shape"} != {
            "layers",
            "dtype",
        }:
            raise self.fail(
                "'network' must hold 'layers', 'dtype' and, when the layers do not "
                "fix it, 'input_shape', and nothing else"
            )
        if network["dtype"] not in ("float32", "float64"):
            raise self.fail(
                f"dtype must be float32 or float64, got {shown(network['dtype'])}"
            )
        entries = network["layers"]
        if not isinstance(entries, list) or not entries:
            raise self.fail("'network.layers' must be a non-empty list")
        if len(entries) > MAX_LAYERS:
            raise self.fail(
                f"{len(entries)} layers; plainnet reads models of at most "
                f"{MAX_LAYERS} layers"
            )
        layers = []
        for index, entry in enumerate(entries):
            try:
                layers.append(layer_from_config(entry))
            except (TypeError, ValueError) as error:
                raise self.fail(f"layer {index}: {error}") from None
            except RecursionError:  # blocks inside blocks, hundreds deep
                raise self.fail(f"layer {index}: nested too deeply") from None
        return layers, np.dtype(network["dtype"]), self._input_shape(layers, network)

    def _input_shape(self, layers: list[Layer], network: dict) -> tuple[int, ...]:
        """One sample's input shape, with every layer built for it."""
        try:
            input_shape = input_shape_of(layers, network.get("input_shape"))
            if input_shape is None:
                raise ValueError("no input shape, and no layer fixes one")
            check_shapes(layers, input_shape)
        except (TypeError, ValueError) as error:
            raise self.fail(f"invalid architecture ({error})") from None
        except RecursionError:
            raise self.fail("invalid architecture (layers nested too deeply)") from None
        return input_shape

    def _optimizer(self, section, dtype: np.dtype):
        """The optimizer (or None) and the template of its state."""
        if section is None:
            return None, {}
        if not isinstance(section, dict) or set(section) != {"name", "config", "state"}:
            raise self.fail("'optimizer' must hold exactly 'name', 'config', 'state'")
        name, config = section["name"], section["config"]
        if not isinstance(name, str) or name not in optimizers.OPTIMIZERS:
            raise self.fail(
                f"unknown optimizer {shown(name)}; expected one of "
                f"{sorted(optimizers.OPTIMIZERS)}"
            )
        try:
            if not isinstance(config, dict):
                raise TypeError("expected a dict")
            optimizer = optimizers.OPTIMIZERS[name].from_config(config)
        except (TypeError, ValueError) as error:
            raise self.fail(f"invalid {name} optimizer settings ({error})") from None
        template = optimizer.init_state(np.empty(0, dtype))
        scalars = section["state"]
        expected = {k for k, v in template.items() if not isinstance(v, np.ndarray)}
        if not isinstance(scalars, dict) or set(scalars) != expected:
            raise self.fail(
                f"the optimizer state must hold the counters {sorted(expected)}"
            )
        for key in expected:
            template[key] = self._state_scalar(key, scalars[key], template[key])
        return optimizer, template

    def _state_scalar(self, key: str, value, fresh):
        """A counter (a non-negative int), or a schedule's float (a number, or
        null for inf: the best cost before the first epoch)."""
        if isinstance(fresh, float):
            if value is None:
                return math.inf
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        elif type(value) is int and 0 <= value <= MAX_COUNTER:
            return value
        kind = (
            "a number"
            if isinstance(fresh, float)
            else f"an integer from 0 to {MAX_COUNTER}"
        )
        raise self.fail(f"the optimizer state's counters: {key!r} must be {kind}")

    def _check_arrays_fit(self, layers: list[Layer], dtype: np.dtype, state) -> None:
        """Refuse an architecture larger than the file before allocating it."""

        def count(shapes: str) -> int:
            return sum(
                math.prod(shape)
                for layer in layers
                for shape in getattr(layer, shapes)().values()
            )

        n_parameters, n_state = count("param_shapes"), count("state_shapes")
        # the weights and each optimizer array hold n_parameters values; the
        # non-trainable state is stored once
        n_arrays = 1 + sum(isinstance(v, np.ndarray) for v in state.values())
        needed = (n_parameters * n_arrays + n_state) * dtype.itemsize
        held = sum(
            info.file_size
            for name, info in self.archive.members.items()
            if name.startswith(("weights/", "state/", "optimizer/"))
        )
        if needed > min(held, self.archive.size):
            raise self.fail(
                f"the architecture declares {n_parameters} parameters and "
                f"{n_state} non-trainable values ({needed} bytes of arrays), "
                f"more than the file's arrays hold ({held} bytes)"
            )

    def _network(self, layers: list[Layer], dtype: np.dtype, rng, input_shape):
        try:
            sequential = KINDS["sequential"].cls
            return sequential(layers, seed=rng, dtype=dtype, input_shape=input_shape)
        except (TypeError, ValueError) as error:
            raise self.fail(f"invalid architecture ({error})") from None

    def _check_member_names(self, network, state: dict) -> None:
        expected = {DOCUMENT} | {f"weights/{name}" for name in network.layout}
        expected |= {f"state/{name}" for name in network.state_layout}
        expected |= {
            f"optimizer/{k}" for k, v in state.items() if isinstance(v, np.ndarray)
        }
        present = {name.removesuffix(".npy") for name in self.archive.members}
        if present != expected:
            missing, extra = sorted(expected - present), sorted(present - expected)
            raise self.fail(
                f"the arrays do not match the architecture: missing "
                f"{missing}, unexpected {extra}"[:300]
            )

    def _read_arrays(self, network, optimizer, state: dict) -> None:
        """Fill the weights, the layers' state and the optimizer state, refusing
        NaN and inf, and state its layer cannot hold."""
        for name, (part, shape) in network.layout.items():
            network.parameters[part] = self._finite(
                f"weights/{name}", shape, network.dtype
            ).ravel()
        for name, (part, shape) in network.state_layout.items():
            network.state[part] = self._finite(
                f"state/{name}", shape, network.dtype
            ).ravel()
        self._check_layer_state(network)
        if optimizer is None:
            return
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                state[key] = self._finite(
                    f"optimizer/{key}", network.parameters.shape, network.dtype
                ).copy()
        optimizer.state = state
        network.optimizer = optimizer

    def _check_layer_state(self, network) -> None:
        """Refuse state that its layer cannot hold (a negative variance)."""
        for index, layer in enumerate(network.layers):
            for key, problem in layer.invalid_state().items():
                raise self.fail(
                    f"layer {index} ({type(layer).__name__}): array "
                    f"'state/layers.{index}.{key}' holds {problem}"
                )

    def _finite(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        array = self.archive.array(name, tuple(shape), dtype)
        if not np.isfinite(array).all():
            raise self.fail(f"array {name!r} holds NaN or inf")
        return array

    def _loss(self, name) -> "losses.Loss | None":
        if name is None:
            return None
        if not isinstance(name, str) or name not in losses.LOSSES:
            raise self.fail(
                f"unknown loss {shown(name)}; expected one of {sorted(losses.LOSSES)}"
            )
        return losses.LOSSES[name]()

    def _rng(self, section):
        """A new random generator of the saved kind, in the saved state."""
        if not isinstance(section, dict) or set(section) != {"type", "state"}:
            raise self.fail("'rng' must hold exactly 'type' and 'state'")
        state = section["state"]
        name = state.get("bit_generator") if isinstance(state, dict) else None
        if (
            not isinstance(name, str)
            or name not in _BIT_GENERATORS
            or (section["type"] == "RandomState" and name != "MT19937")
            or section["type"] not in ("Generator", "RandomState")
        ):
            raise self.fail(
                f"unknown random generator {shown(section['type'])} / {shown(name)}"
            )
        if section["type"] == "RandomState":
            rng = np.random.RandomState()
        else:
            rng = np.random.Generator(_BIT_GENERATORS[name]())
        self._set_rng_state(rng, state)
        return rng

    def _set_rng_state(self, rng, state: dict) -> None:
        try:
            if isinstance(rng, np.random.RandomState):
                rng.set_state(state)
            else:
                rng.bit_generator.state = state
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as error:
            raise self.fail(f"invalid random generator state ({error})") from None

    def _history(self, section, history) -> None:
        if not isinstance(section, dict) or set(section) - {"lr"} != {
            "loss",
            "val_loss",
            "interrupted",
        }:
            raise self.fail(
                "'history' must hold exactly 'loss', 'val_loss', 'interrupted' "
                "and optionally 'lr'"
            )
        lr = section.get("lr", [])
        if not (is_number_list(lr) and None not in lr):
            raise self.fail("'history.lr' must be a list of numbers")
        history.lr = [float(v) for v in lr]
        if not (
            is_number_list(section["loss"])
            and is_number_list(section["val_loss"])
            and isinstance(section["interrupted"], bool)
        ):
            raise self.fail("'history' must hold lists of numbers and a boolean")
        history.loss = [math.nan if v is None else float(v) for v in section["loss"]]
        history.val_loss = [
            math.nan if v is None else float(v) for v in section["val_loss"]
        ]
        history.interrupted = section["interrupted"]

    def _metadata(self, metadata, network) -> dict:
        try:
            check_metadata(metadata, network)
        except ValueError as error:
            raise self.fail(f"invalid metadata: {error}") from None
        return metadata
