"""The exceptions plainnet raises on purpose.

Every error plainnet raises for bad input is a ``ValueError`` (or ``TypeError``)
that says what was expected and what was given. The classes below let callers
catch plainnet's own failures apart from everything else.
"""


class PlainnetError(Exception):
    """Base class of every exception defined by plainnet."""


class DataError(PlainnetError, ValueError):
    """Input data (arrays or a CSV file) that plainnet cannot use as given."""


class ModelFileError(PlainnetError, ValueError):
    """A model file that is missing, damaged, foreign, too new or unsafe."""


class TrainingDivergedError(PlainnetError, FloatingPointError):
    """The cost became NaN or infinite; the last finite weights are kept."""


class ExportError(PlainnetError, ValueError):
    """A model that cannot be exported (to ONNX): the message names the layer
    or the part of the model, and why."""
