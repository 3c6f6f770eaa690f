"""The table preprocessing of a ``plainnet train`` model file as ONNX nodes:
one graph input per raw column, then what :meth:`TablePreprocessor.transform`
does (imputation, missing indicators, one-hot encoding), in its order.

Each column is an input of shape ``(batch, 1)``, as skl2onnx takes the
columns of a column transformer: the network's float type for a number column
(NaN where a cell is missing), ``tensor(string)`` for a text column (each cell
as written, spaces around it stripped). A number column is
``Where(IsNaN(x), median, x)``, with ``Cast(IsNaN(x))`` as its missing
indicator. A text column's cells are matched against its categories and the
spellings of a missing cell: opset 17 has no string ``Equal`` (it came in
opset 19), so ``Unique`` (in order of first occurrence) gives each cell the
index of its spelling in that list; a missing cell's index leads to the most
frequent category, an unseen one to the "other" column if the column has one,
else to no column (all zeros), and ``Equal`` on those indices one-hot encodes
them. Like ``translations``, this module needs
only NumPy, so that ``plainnet info`` can tell whether a table exports.
"""

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .._messages import shown
from ..data import MISSING_VALUES, _is_missing
from ..errors import DataError, ExportError
from ..tables import TablePreprocessor


def _cases(word: str) -> set[str]:
    """Every spelling that ``str.lower`` turns into ``word`` (only ASCII letters
    lower to ASCII letters, which a test checks over all of Unicode)."""
    return {"".join(c) for c in itertools.product(*({c, c.upper()} for c in word))}


#: The cells of a text column that mean "no value", as the reader sees them
#: (:data:`~plainnet.data.MISSING_VALUES` in any case), and NaN with one sign
#: as ``float`` writes it. The reader also takes a run of signs (``+-nan``),
#: which the graph sees as an unseen category.
MISSING_CELLS = tuple(
    sorted(set().union(*map(_cases, [*MISSING_VALUES, "+nan", "-nan"])))
)
_INT64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True)
class ColumnInput:
    """A raw column as a graph input: the column's name in the table, the
    input's name in the graph, and ``"number"`` or ``"category"``."""

    column: str
    name: str
    kind: str

    def describe(self) -> dict:
        """As stored in the model's metadata."""
        return {"input": self.name, "column": self.column, "kind": self.kind}


def stored_table(
    metadata: Mapping, n_features: int | None = None
) -> TablePreprocessor | None:
    """The table preprocessing stored in ``metadata`` (None without one),
    checked to translate into a graph that computes what it does.

    Raises
    ------
    ExportError
        Naming what cannot be translated and why: a damaged state, a category
        that is not text ONNX can hold, or a width other than the network's
        ``n_features``.
    """
    if "table" not in metadata:
        return None
    try:
        prep = TablePreprocessor.from_dict(metadata["table"])
    except DataError as error:
        raise ExportError(
            f"cannot export the stored table preprocessing: {error}"
        ) from None
    for entry in prep.columns_:
        for category in entry.get("categories", ()):
            try:
                category.encode("utf-8")
            except UnicodeEncodeError:
                raise ExportError(
                    f"cannot export the stored table preprocessing: column "
                    f"{shown(entry['name'])} has the category {shown(category)}, "
                    "which is not Unicode text (a lone surrogate), and ONNX "
                    "strings are UTF-8"
                ) from None
    width = len(prep.feature_names_out_)
    if n_features is not None and width != n_features:
        raise ExportError(
            f"cannot export the stored table preprocessing: it makes {width} "
            f"features, but the network takes {n_features}"
        )
    return prep


def input_name(column: str) -> str:
    """``column`` as an identifier (letters, digits and ``_``, not starting
    with a digit), as ONNX asks of names: ``Home port`` -> ``Home_port``."""
    name = re.sub(r"\W", "_", column, flags=re.ASCII)
    return name if name[:1].isalpha() or name[:1] == "_" else f"_{name}"


def table_inputs(prep: TablePreprocessor, g) -> list[ColumnInput]:
    """One input per column ``prep`` reads, in order, named after it (made
    unique among the names ``g`` gave out: ``label`` becomes ``label_2``)."""
    return [
        ColumnInput(entry["name"], g.name(input_name(entry["name"])), entry["kind"])
        for entry in prep.columns_
    ]


def encode_table(prep: TablePreprocessor, g, inputs: list[ColumnInput]) -> str:
    """Write what ``prep.transform`` does to the inputs; returns the name of
    its result, of shape ``(batch, len(prep.feature_names_out_))``."""
    pieces = []
    for index, (entry, column) in enumerate(zip(prep.columns_, inputs, strict=True)):
        encode = numbers if entry["kind"] == "number" else categories
        with g.scope(f"table.{index}"):
            pieces.extend(encode(entry, g, column.name))
    return g.node("Concat", pieces, "table", axis=1)


def numbers(entry: dict, g, x: str) -> list[str]:
    """The training median where a cell is NaN; then, if kept, the 0/1 column
    saying where."""
    missing = g.node("IsNaN", [x], "missing")
    fill = g.constant("fill", np.array([entry["fill"]]))
    filled = g.node("Where", [missing, fill, x], "filled")
    if not entry["indicator"]:
        return [filled]
    return [filled, g.cast(missing, g.dtype, "indicator")]


def categories(entry: dict, g, x: str) -> list[str]:
    """One 0/1 column per category (a missing cell as the most frequent one,
    an unseen one as "other" or none); then, if kept, the 0/1 column of missing
    cells."""
    names = entry["categories"]
    position = {c: i for i, c in enumerate(names)}
    fill = position[entry["fill"]]
    width = len(names) + bool(entry.get("other"))  # "other": the last column
    # every spelling the graph knows: each cell gets its index in this list
    # (or an index past it, unseen); a category that is also a missing
    # spelling appears once, and stays missing, as in transform
    known = [*MISSING_CELLS, *(c for c in names if c not in MISSING_CELLS)]
    unseen = len(names) if entry.get("other") else -1
    column_of = [fill if _is_missing(c) else position[c] for c in known] + [unseen]
    missing_of = [_is_missing(c) for c in known] + [False]

    int64 = np.int64
    flat, axis = np.array([-1], int64), np.array([1], int64)
    start, end = np.array([len(known)], int64), np.array([_INT64_MAX], int64)

    cells = g.node("Reshape", [x, g.constant("flat", flat)], "cells")
    spellings = g.constant("known", np.array(known, dtype=object))
    every = g.node("Concat", [spellings, cells], "known_and_cells", axis=0)
    _, _, first = g.node_outputs("Unique", [every], ["distinct", "", "index"], sorted=0)
    start = g.constant("n_known", start)
    index = g.node("Slice", [first, start, g.constant("end", end)], "cell_index")
    index = g.node("Min", [index, start], "unseen_last")  # every unseen: len(known)
    index = g.node("Unsqueeze", [index, g.constant("axis", axis)], "code")
    column_of = g.constant("column_of", np.array(column_of, int64))
    column = g.node("Gather", [column_of, index], "column")
    columns = g.constant("columns", np.arange(width, dtype=int64))
    pieces = [g.cast(g.node("Equal", [column, columns]), g.dtype, "one_hot")]
    if entry["indicator"]:
        missing_of = g.constant("missing_of", np.array(missing_of, bool))
        missing = g.node("Gather", [missing_of, index], "missing")
        pieces.append(g.cast(missing, g.dtype, "indicator"))
    return pieces
