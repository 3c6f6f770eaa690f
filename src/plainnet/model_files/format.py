"""The model file's format: its name and version, and the document's fields."""

FORMAT = "plainnet.model"
FORMAT_VERSION = 1
#: The member holding the JSON document (``plainnet.npy``).
DOCUMENT = "plainnet"
MAX_DOCUMENT_BYTES = 64 * 2**20
#: The document's fields, all required and no others allowed.
DOCUMENT_FIELDS = (
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
