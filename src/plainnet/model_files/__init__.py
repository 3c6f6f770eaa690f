"""Model files: one ``.npz`` archive of named arrays plus one JSON document.

A model file is a zip archive of uncompressed ``.npy`` members, readable with
``np.load(path)`` (no pickles needed)::

    plainnet.npy              the JSON document, as UTF-8 bytes in a uint8 array
    weights/layers.0.W.npy    every parameter, named as in ``net.layout``
    state/layers.2.running_mean.npy   every non-trainable array (running
                              statistics), named as in ``net.state_layout``
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

The modules: ``format`` (the format's name, version and fields), ``kinds``
(the classes of model a file may hold), ``writer`` (``save``), ``atomic``
(``atomic_write``), ``archive`` (the zip members and ``.npy`` headers, read
without trust), ``reader`` (``load``, ``read_model_file``), ``metadata``
(``check_metadata``) and ``values`` (JSON values shared by them).
"""

from .atomic import atomic_write
from .format import (
    DOCUMENT,
    DOCUMENT_FIELDS,
    FORMAT,
    FORMAT_VERSION,
    MAX_DOCUMENT_BYTES,
    MAX_JSON_CONTAINERS,
    MAX_LAYERS,
)
from .kinds import KINDS, ModelKind, register_kind
from .metadata import check_metadata
from .reader import ModelFile, load, read_model_file
from .writer import save

__all__ = [
    "DOCUMENT",
    "DOCUMENT_FIELDS",
    "FORMAT",
    "FORMAT_VERSION",
    "KINDS",
    "MAX_DOCUMENT_BYTES",
    "MAX_JSON_CONTAINERS",
    "MAX_LAYERS",
    "ModelFile",
    "ModelKind",
    "atomic_write",
    "check_metadata",
    "load",
    "read_model_file",
    "register_kind",
    "save",
]
