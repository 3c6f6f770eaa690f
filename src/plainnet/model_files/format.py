"""The model file's format: its name and version, and the document's fields."""

FORMAT = "plainnet.model"
FORMAT_VERSION = 1
#: The member holding the JSON document (``plainnet.npy``).
DOCUMENT = "plainnet"
#: Limits on the document, checked before its JSON is parsed (parsing costs
#: Python hundreds of bytes per object or list). A real model's document is
#: kilobytes: a table of 20,000 columns makes about 3 MB and 40,000 objects.
MAX_DOCUMENT_BYTES = 16 * 2**20
MAX_JSON_CONTAINERS = 200_000
#: The most layers a model file may hold (and ``save`` writes).
MAX_LAYERS = 10_000
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


def document_limits_problem(raw: bytes) -> str | None:
    """What makes the document ``raw`` (its UTF-8 bytes) too large to read,
    from its bytes alone (before parsing; the counts are upper bounds), or
    None. Saving checks the same, so that a saved model always loads."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        return (
            f"the plainnet document is too large ({len(raw)} bytes; plainnet "
            f"reads documents of at most {MAX_DOCUMENT_BYTES} bytes)"
        )
    layers = raw.count(b'"class"')
    if layers > MAX_LAYERS:
        return (
            f"the plainnet document declares about {layers} layers; plainnet "
            f"reads models of at most {MAX_LAYERS} layers"
        )
    containers = raw.count(b"{") + raw.count(b"[")
    if containers > MAX_JSON_CONTAINERS:
        return (
            f"the plainnet document holds about {containers} JSON objects and "
            f"lists; plainnet reads documents of at most {MAX_JSON_CONTAINERS}"
        )
    return None
