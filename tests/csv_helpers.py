"""What the CSV tests share: cells that readers might take otherwise, and
a snapshot of the columns read, comparable bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

#: Cells that one reader might take otherwise than the other: numbers as
#: ``float`` reads them and pyarrow may not (``1_0``, ``\xa01``, spaces), what
#: pyarrow reads and ``float`` does not (``nan(1)``), missing values in any
#: case, quotes, separators inside quotes, text that looks like a number.
CELLS = st.one_of(
    st.sampled_from(
        [
            "1",
            "-2.5",
            " 3e2 ",
            "1_0",
            "\xa01",
            "\u0661",
            "\x1c1",
            "1.5\t",
            "nan(1)",
            "+nan",
            "-NaN",
            "+-nan",
            "inf",
            "-Infinity",
            "1e400",
            "0x10",
            "007",
            "7",
            "NA",
            "n/a",
            "NULL",
            " none ",
            "?",
            "",
            " ",
            "oops",
            "caf\u00e9",
            '"q,r"',
            '"a""b"',
            '"x\ny"',
            '"2"',
            '" 4 "',
            'a"b',
            '"a"b',
            "x;y",
        ]
    ),
    st.text(alphabet="0123456789.-+eE ,\"'\tNnAaIifx;", max_size=6),
    st.floats(allow_nan=False).map(repr),
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


def bits(values) -> list[int] | None:
    """float64 values as their bit patterns: equal only if bit for bit."""
    return None if values is None else np.asarray(values).view(np.uint64).tolist()


def snapshot(columns) -> tuple:
    """Everything a Columns holds, comparable with ``==`` (numbers bit for
    bit)."""
    parts = []
    for name, column in columns.columns.items():
        numbers = bits(column.numbers)
        codes = None if column.codes is None else column.codes.tolist()
        parts.append(
            (
                name,
                numbers,
                codes,
                column.categories,
                column.first_text,
                column.first_text_cell,
                column.n_text,
                column.first_text_line,
            )
        )
    return (columns.header, columns.lines.tolist(), columns.header_line, parts)
