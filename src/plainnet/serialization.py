"""Model files: one ``.npz`` archive of named arrays plus one JSON document.

A model file is a zip archive of uncompressed ``.npy`` members, readable with
``np.load(path)`` (no pickles needed)::

    plainnet.npy              the JSON document, as UTF-8 bytes in a uint8 array
    weights/layers.0.W.npy    every parameter, named as in ``net.layout``
    optimizer/m.npy ...       the optimizer's state arrays (laid out like the
                              parameters), when saved

The document holds the format version, the plainnet version, the model's kind
(``"sequential"``, ``"neural_network"``, ...), the architecture (each layer's
class name and ``get_config()``), the dtype, the loss, the optimizer's name,
settings and step count, the random generator's state (so shuffling resumes
where it stopped), the training history and the metadata (task, target, class
labels, feature names, feature scaling).

Loading never runs code and never trusts the file: the document is parsed as
JSON and checked field by field; layer, activation, loss and optimizer names
are looked up only in plainnet's own registries; every array's ``.npy`` header
is read first and must match the architecture exactly (shape, float dtype, no
objects) and fit inside the file before any data is read; NaN or infinite
values are refused. Whatever is wrong gives one :class:`ModelFileError` naming
the file and the problem.

Saving is atomic: the file is written under a temporary name in the same
folder, flushed to disk, then renamed over the target, so an interrupted save
leaves the previous file intact.
"""

import contextlib
import importlib
import json
import math
import os
import secrets
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from . import losses, optimizers
from .classic import NeuralNetwork
from .errors import DataError, ModelFileError
from .layers import LAYERS, Dense, Layer, layer_from_config
from .network import Sequential
from .preprocessing import Standardizer

FORMAT = "plainnet.model"
FORMAT_VERSION = 1
DOCUMENT = "plainnet"
MAX_DOCUMENT_BYTES = 64 * 2**20

# The exceptions that the zip and npy readers raise on damaged bytes.
_DAMAGE = (
    zipfile.BadZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    zlib.error,
    OverflowError,
)
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
_TASKS = ("classify", "regress")
_PLUGIN_MODULES = ("plainnet.sklearn",)


# -- kinds of model ------------------------------------------------------------
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
    """Make ``kind`` known to :func:`save` and :func:`load`."""
    KINDS[kind.name] = kind


def _neural_network_from_config(config: dict, network: Sequential) -> NeuralNetwork:
    """A ``NeuralNetwork`` of ``config``'s settings using the loaded ``network``."""
    dense = [layer for layer in network.layers if isinstance(layer, Dense)]
    sizes = [layer.n_in for layer in dense[:1]] + [layer.n_out for layer in dense]
    if config.get("layers") != sizes:  # checked before NeuralNetwork allocates them
        raise ValueError(f"its layer sizes are not those of the stored layers {sizes}")
    model = NeuralNetwork(**config)
    if model.network.get_config() != network.get_config():
        raise ValueError("its settings do not describe the stored layers")
    model.network = network
    if network.optimizer is not None:
        model.optimizer = network.optimizer
    return model


register_kind(
    ModelKind(
        "sequential", Sequential, lambda net: net, lambda net: {}, lambda c, net: net
    )
)
register_kind(
    ModelKind(
        "neural_network",
        NeuralNetwork,
        lambda model: model.network,
        lambda model: {
            "layers": model.layers,
            "seed": model.seed,
            "bias": model.bias,
            "activation": model.activation,
            "learning_rate": model.learning_rate,
            "dtype": model.network.dtype.name,
        },
        _neural_network_from_config,
    )
)


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
    def network(self) -> Sequential:
        """The ``Sequential`` holding the model's weights."""
        return KINDS[self.kind].network(self.model)


# -- saving --------------------------------------------------------------------
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
        not in plainnet's registries, or invalid metadata.

    Example
    -------
    >>> save(net, "model.npz", metadata={"task": "regress"})
    >>> net2 = load("model.npz")
    """
    kind = _kind_of(model)
    network = kind.network(model)
    if not np.isfinite(network.parameters).all():
        raise ValueError("the weights hold NaN or inf; refusing to save them")
    arrays = {
        f"weights/{name}": value for name, value in network.named_parameters().items()
    }
    optimizer_doc, optimizer_arrays = _optimizer_document(network, include_optimizer)
    arrays.update(optimizer_arrays)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "plainnet_version": _plainnet_version(),
        "kind": kind.name,
        "config": kind.get_config(model),
        "network": network.get_config(),
        "loss": _loss_name(network.loss),
        "optimizer": optimizer_doc,
        "rng": _rng_state(network._rng),
        "history": _history_document(network.history),
        "metadata": dict(metadata or {}),
    }
    _check_layers_registered(network)
    check_metadata(document["metadata"], network)
    text = json.dumps(document, allow_nan=False, ensure_ascii=False)
    atomic_write(path, lambda file: _write_npz(file, text, arrays))


def _kind_of(model) -> ModelKind:
    for kind in KINDS.values():
        if type(model) is kind.cls:
            return kind
    known = ", ".join(kind.cls.__name__ for kind in KINDS.values())
    raise TypeError(f"cannot save a {type(model).__name__}; plainnet saves {known}")


def _plainnet_version() -> str:
    from . import __version__

    return __version__


def _check_layers_registered(network: Sequential) -> None:
    """Raise ``ValueError`` for a layer that loading could not rebuild."""
    for index, layer in enumerate(network.layers):
        if LAYERS.get(type(layer).__name__) is not type(layer):
            raise ValueError(
                f"layer {index} ({type(layer).__name__}) is not one of plainnet's "
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


def _optimizer_document(network: Sequential, include: bool):
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
    state = optimizer.state or optimizer.init_state(network.parameters)
    scalars, arrays = {}, {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            if not np.isfinite(value).all():
                raise ValueError(
                    f"the optimizer state {key!r} holds NaN or inf (after "
                    "divergence?); save with include_optimizer=False"
                )
            arrays[f"optimizer/{key}"] = value
        else:
            scalars[key] = _to_json(value)
    document = {"name": names[0], "config": optimizer.get_config(), "state": scalars}
    return document, arrays


def _rng_state(rng) -> dict:
    """The generator's state as JSON values."""
    if isinstance(rng, np.random.RandomState):
        return {"type": "RandomState", "state": _to_json(rng.get_state(legacy=False))}
    return {"type": "Generator", "state": _to_json(rng.bit_generator.state)}


def _to_json(value):
    """``value`` with NumPy arrays and scalars turned into lists and numbers."""
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    return value


def _history_document(history) -> dict:
    """The history's lists, with NaN/inf (not JSON) stored as null."""
    return {
        "loss": [_finite_or_none(v) for v in history.loss],
        "val_loss": [_finite_or_none(v) for v in history.val_loss],
        "interrupted": bool(history.interrupted),
    }


def _finite_or_none(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _write_npz(file: IO[bytes], text: str, arrays: dict[str, np.ndarray]) -> None:
    """The zip archive: the document first, then every array, uncompressed."""
    document = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in {DOCUMENT: document, **arrays}.items():
            little = array.astype(array.dtype.newbyteorder("<"), copy=False)
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, little, allow_pickle=False)


def atomic_write(
    path: "str | os.PathLike[str]", write: Callable[[IO[bytes]], None]
) -> None:
    """Call ``write(file)`` on a temporary file, then rename it to ``path``.

    The temporary file lives in the same folder (so the rename is atomic),
    and is flushed and fsync'ed before ``os.replace``; on any error it is
    removed and ``path`` is left as it was.
    """
    target = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(target))
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        _pause_for_tests()
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _pause_for_tests() -> None:
    """Test hook: ``PLAINNET_TEST_PAUSE_BEFORE_RENAME=seconds`` makes a save wait
    between writing and renaming, so that a test can kill it right there."""
    pause = os.environ.get("PLAINNET_TEST_PAUSE_BEFORE_RENAME")
    if pause:
        print("plainnet: pausing before rename", flush=True)
        time.sleep(float(pause))


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable, where the system allows it."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# -- metadata (checked when saving and when loading) ---------------------------
def check_metadata(metadata, network: Sequential) -> None:
    """Raise ``ValueError`` naming the first field of ``metadata`` that is wrong.

    See :func:`save` for the fields. Sizes are checked against ``network``:
    one feature name and scaling entry per input, one class per output.
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


def _check_task(value, network) -> None:
    if value not in _TASKS:
        raise ValueError(f"metadata 'task' must be one of {_TASKS}, got {value!r:.80}")


def _check_text(value, network) -> None:
    if not isinstance(value, str):
        raise ValueError(f"metadata text fields must be strings, got {value!r:.80}")


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
        isinstance(k, str) and _is_number_list(v) for k, v in value.items()
    ):
        raise ValueError("metadata 'metrics' must map names to lists of numbers")


def _check_count(name: str, count: int, expected: int | None, what: str) -> None:
    if expected is not None and count != expected:
        raise ValueError(
            f"metadata {name!r} has {count} entries, but the network has "
            f"{expected} {what}"
        )


def _is_list_of(value, types) -> bool:
    return isinstance(value, list) and all(isinstance(v, types) for v in value)


def _is_number_list(value) -> bool:
    return isinstance(value, list) and all(
        v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
        for v in value
    )


_METADATA_CHECKS: dict[str, Callable[[Any, Sequential], None]] = {
    "task": _check_task,
    "target": _check_text,
    "source": _check_text,
    "feature_names": _check_feature_names,
    "classes": _check_classes,
    "scaling": _check_scaling,
    "target_scaling": _check_target_scaling,
    "metrics": _check_metrics,
}


# -- loading -------------------------------------------------------------------
def load(path: "str | os.PathLike[str]"):
    """Read a model written by :func:`save`.

    Parameters
    ----------
    path : str or path-like

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
    return read_model_file(path).model


def read_model_file(path: "str | os.PathLike[str]") -> ModelFile:
    """Read a model file with its metadata; see :func:`load`."""
    name = os.fspath(path)
    try:
        file = open(name, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise ModelFileError(f"{name}: no such model file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{name}: is a folder, not a model file") from None
    except OSError as error:
        raise ModelFileError(f"{name}: cannot read it ({error.strerror})") from None
    with file:
        reader = _Reader(name, file)
        with reader.archive:
            return reader.model_file()


class _Reader:
    """Reads one model file, checking everything before trusting it."""

    def __init__(self, path: str, file: IO[bytes]) -> None:
        self.path = path
        self.size = os.fstat(file.fileno()).st_size
        self.archive = self._open_archive(file)
        self.members = self._check_members()

    def fail(self, problem: str) -> ModelFileError:
        """The error to raise: ``raise self.fail("...")``."""
        return ModelFileError(f"{self.path}: {problem}")

    @contextlib.contextmanager
    def reading(self, what: str) -> Iterator[None]:
        """Turn the zip and npy readers' exceptions into a ModelFileError."""
        try:
            yield
        except ModelFileError:
            raise
        except _DAMAGE as error:
            raise self.fail(f"damaged or truncated file ({what}: {error})") from None

    # -- the archive ---------------------------------------------------------------
    def _open_archive(self, file: IO[bytes]) -> zipfile.ZipFile:
        start = file.read(4)
        if not start:
            raise self.fail("the file is empty, not a model file")
        if start != b"PK\x03\x04":
            raise self.fail("not a plainnet model file (not a .npz archive)")
        file.seek(0)
        with self.reading("zip archive"):
            return zipfile.ZipFile(file)

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.archive.infolist()
        members = {info.filename: info for info in infos}
        if len(members) != len(infos):
            raise self.fail("the archive holds two members with the same name")
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                raise self.fail(
                    f"member {info.filename!r:.80} is compressed or "
                    "encrypted; plainnet stores arrays uncompressed"
                )
            if (
                info.file_size != info.compress_size
                or info.header_offset + info.compress_size > self.size
            ):
                raise self.fail(
                    f"truncated file: member {info.filename!r:.80} "
                    "ends past the end of the file"
                )
        if f"{DOCUMENT}.npy" not in members:
            raise self.fail(
                "not a plainnet model file (no plainnet document inside; "
                "is it a plain NumPy .npz?)"
            )
        return members

    def array(self, name: str, shape, dtype: np.dtype) -> np.ndarray:
        """The member ``name`` after checking its header against ``shape`` and
        ``dtype`` (``shape=None``: any 1-D length, bounded by the member's size)."""
        info = self.members[f"{name}.npy"]
        with self.reading(f"array {name!r}"), self.archive.open(info) as stream:
            header = self._header(name, stream)
            if shape is None:
                if len(header[0]) != 1:
                    raise self.fail(f"array {name!r} must be 1-D, got {header[0]}")
                shape = header[0]
            if header != (shape, False, dtype):
                raise self.fail(_mismatch(name, header, shape, dtype))
            nbytes = math.prod(shape) * dtype.itemsize
            if info.file_size != stream.tell() + nbytes:
                raise self.fail(
                    f"array {name!r} has {info.file_size - stream.tell()} "
                    f"bytes of data, expected {nbytes}"
                )
            data = stream.read(nbytes)
        if len(data) != nbytes:
            raise self.fail(f"truncated file: array {name!r} is incomplete")
        return np.frombuffer(data, dtype=dtype).reshape(shape)

    def _header(self, name: str, stream) -> tuple:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(stream)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(stream)
        raise self.fail(f"array {name!r} uses .npy format {version}, expected 1.0/2.0")

    # -- the document ----------------------------------------------------------------
    def document(self) -> dict:
        """The JSON document, parsed, with its format checked."""
        if self.members[f"{DOCUMENT}.npy"].file_size > MAX_DOCUMENT_BYTES:
            raise self.fail("the plainnet document is too large")
        raw = self.array(DOCUMENT, None, np.dtype(np.uint8)).tobytes()
        try:
            document = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
        except (ValueError, RecursionError) as error:
            raise self.fail(
                f"the plainnet document is not valid JSON ({error})"
            ) from None
        return self._check_header(document)

    def _check_header(self, document) -> dict:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise self.fail(
                "not a plainnet model file (its document does not "
                f"declare format {FORMAT!r})"
            )
        version = document.get("format_version")
        if type(version) is not int or version < 1:
            raise self.fail(f"invalid format_version {version!r:.40}")
        if version > FORMAT_VERSION:
            raise self.fail(
                f"written by a newer plainnet "
                f"({document.get('plainnet_version')!r:.40}, file format {version});"
                f" this is plainnet {_plainnet_version()}, "
                f"which reads format {FORMAT_VERSION}: upgrade plainnet to load it"
            )
        missing = [key for key in _DOCUMENT_FIELDS if key not in document]
        unknown = sorted(set(document) - set(_DOCUMENT_FIELDS))
        if missing or unknown:
            raise self.fail(
                f"the plainnet document has missing field(s) {missing} "
                f"or unknown field(s) {unknown}"[:300]
            )
        if not isinstance(document["plainnet_version"], str):
            raise self.fail("invalid plainnet_version")
        return document

    # -- the model ---------------------------------------------------------------------
    def model_file(self) -> ModelFile:
        document = self.document()
        kind = self._kind(document["kind"])
        layers, dtype = self._layers(document["network"])
        optimizer, state = self._optimizer(document["optimizer"], dtype)
        self._check_arrays_fit(layers, dtype, state)
        rng = self._rng(document["rng"])
        network = self._network(layers, dtype, rng)
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
            self.path,
        )

    def _kind(self, name) -> ModelKind:
        if isinstance(name, str) and name not in KINDS:
            _import_plugins()
        if not isinstance(name, str) or name not in KINDS:
            raise self.fail(
                f"unknown kind of model {name!r:.80}; this plainnet "
                f"knows {sorted(KINDS)}"
            )
        return KINDS[name]

    def _layers(self, network) -> tuple[list[Layer], np.dtype]:
        if not isinstance(network, dict) or set(network) != {"layers", "dtype"}:
            raise self.fail("'network' must hold exactly 'layers' and 'dtype'")
        if network["dtype"] not in ("float32", "float64"):
            raise self.fail(
                f"dtype must be float32 or float64, got {network['dtype']!r:.40}"
            )
        entries = network["layers"]
        if not isinstance(entries, list) or not entries:
            raise self.fail("'network.layers' must be a non-empty list")
        layers = []
        for index, entry in enumerate(entries):
            try:
                layers.append(layer_from_config(entry))
            except (TypeError, ValueError) as error:
                raise self.fail(f"layer {index}: {error}") from None
        return layers, np.dtype(network["dtype"])

    def _optimizer(self, section, dtype: np.dtype):
        """The optimizer (or None) and the template of its state."""
        if section is None:
            return None, {}
        if not isinstance(section, dict) or set(section) != {"name", "config", "state"}:
            raise self.fail("'optimizer' must hold exactly 'name', 'config', 'state'")
        name, config = section["name"], section["config"]
        if not isinstance(name, str) or name not in optimizers.OPTIMIZERS:
            raise self.fail(
                f"unknown optimizer {name!r:.80}; expected one of "
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
        if (
            not isinstance(scalars, dict)
            or set(scalars) != expected
            or any(type(scalars[k]) is not int or scalars[k] < 0 for k in expected)
        ):
            raise self.fail(
                f"the optimizer state must hold the counters {sorted(expected)}"
                " as non-negative integers"
            )
        template.update(scalars)
        return optimizer, template

    def _check_arrays_fit(self, layers: list[Layer], dtype: np.dtype, state) -> None:
        """Refuse an architecture larger than the file before allocating it."""
        n_parameters = sum(
            math.prod(shape)
            for layer in layers
            for shape in layer.param_shapes().values()
        )
        n_arrays = 1 + sum(isinstance(v, np.ndarray) for v in state.values())
        needed = n_parameters * n_arrays * dtype.itemsize
        if needed > self.size:
            raise self.fail(
                f"the architecture declares {n_parameters} parameters "
                f"({needed} bytes of arrays), more than the file's "
                f"{self.size} bytes"
            )

    def _network(self, layers: list[Layer], dtype: np.dtype, rng) -> Sequential:
        try:
            return Sequential(layers, seed=rng, dtype=dtype)
        except (TypeError, ValueError) as error:
            raise self.fail(f"invalid architecture ({error})") from None

    def _check_member_names(self, network: Sequential, state: dict) -> None:
        expected = {DOCUMENT} | {f"weights/{name}" for name in network.layout}
        expected |= {
            f"optimizer/{k}" for k, v in state.items() if isinstance(v, np.ndarray)
        }
        present = {name.removesuffix(".npy") for name in self.members}
        if present != expected:
            missing, extra = sorted(expected - present), sorted(present - expected)
            raise self.fail(
                f"the arrays do not match the architecture: missing "
                f"{missing}, unexpected {extra}"[:300]
            )

    def _read_arrays(self, network: Sequential, optimizer, state: dict) -> None:
        """Fill the weights and the optimizer state, refusing NaN and inf."""
        for name, (part, shape) in network.layout.items():
            network.parameters[part] = self._finite(
                f"weights/{name}", shape, network.dtype
            ).ravel()
        if optimizer is None:
            return
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                state[key] = self._finite(
                    f"optimizer/{key}", network.parameters.shape, network.dtype
                ).copy()
        optimizer.state = state
        network.optimizer = optimizer

    def _finite(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        array = self.array(name, tuple(shape), dtype)
        if not np.isfinite(array).all():
            raise self.fail(f"array {name!r} holds NaN or inf")
        return array

    def _loss(self, name) -> "losses.Loss | None":
        if name is None:
            return None
        if not isinstance(name, str) or name not in losses.LOSSES:
            raise self.fail(
                f"unknown loss {name!r:.80}; expected one of {sorted(losses.LOSSES)}"
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
                f"unknown random generator {section['type']!r:.40} / {name!r:.40}"
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
        if not isinstance(section, dict) or set(section) != {
            "loss",
            "val_loss",
            "interrupted",
        }:
            raise self.fail(
                "'history' must hold exactly 'loss', 'val_loss', 'interrupted'"
            )
        if not (
            _is_number_list(section["loss"])
            and _is_number_list(section["val_loss"])
            and isinstance(section["interrupted"], bool)
        ):
            raise self.fail("'history' must hold lists of numbers and a boolean")
        history.loss = [math.nan if v is None else float(v) for v in section["loss"]]
        history.val_loss = [
            math.nan if v is None else float(v) for v in section["val_loss"]
        ]
        history.interrupted = section["interrupted"]

    def _metadata(self, metadata, network: Sequential) -> dict:
        try:
            check_metadata(metadata, network)
        except ValueError as error:
            raise self.fail(f"invalid metadata: {error}") from None
        return metadata


_DOCUMENT_FIELDS = (
    "format",
    "format_version",
    "plainnet_version",
    "kind",
    "config",
    "network",
    "loss",
    "optimizer",
    "rng",
    "history",
    "metadata",
)


def _mismatch(name: str, header: tuple, shape: tuple, dtype: np.dtype) -> str:
    """Describe how an array's ``.npy`` header differs from what is expected."""
    found_shape, fortran, found_dtype = header
    if found_dtype != dtype:
        return f"array {name!r} has dtype {found_dtype}, expected {dtype}"
    if fortran:
        return f"array {name!r} is stored in Fortran order, expected C order"
    return (
        f"array {name!r} has shape {found_shape}, but the architecture declares {shape}"
    )


def _no_constants(name: str):
    raise ValueError(f"{name} is not allowed")


def _import_plugins() -> None:
    """Import the modules that register more kinds (fixed names, never from a file)."""
    for module in _PLUGIN_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
