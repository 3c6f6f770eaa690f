"""Without pyarrow, blocks of plain lines are split by ``str`` methods and
the rest of the file by the csv module: both give the same columns, lines
and errors as the csv module alone."""

from __future__ import annotations

import os
import tempfile
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csv_helpers import CELLS, snapshot
from plainnet._csv import text_chunks
from plainnet.data import read_columns
from plainnet.errors import DataError


def outcome(path: str, **kwargs):
    try:
        return snapshot(read_columns(path, engine="python", **kwargs))
    except DataError as exc:
        return ("error", str(exc))


def split_and_csv(text: str, block_chars: int = 1 << 20, **kwargs):
    """``text`` read with blocks of ``block_chars`` split by ``str`` methods,
    and by the csv module alone."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "table.csv")
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        with mock.patch.object(text_chunks, "BLOCK_CHARS", block_chars):
            split = outcome(path, **kwargs)
        with mock.patch.object(text_chunks, "SPLIT_PLAIN_LINES", False):
            careful = outcome(path, **kwargs)
    return split, careful


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.one_of(
            st.lists(CELLS, min_size=3, max_size=3),
            st.lists(CELLS, min_size=1, max_size=3),
            st.just([""]),  # a blank line
        ),
        max_size=12,
    ),
    ending=st.sampled_from(["\n", "\r\n"]),
    last=st.sampled_from(["", "\n", "\n\n", "\n \n"]),
    sep=st.sampled_from([",", ";", "\t"]),
    block_chars=st.sampled_from([1, 7, 64, 1 << 20]),
    bom=st.booleans(),
)
def test_random_tables_read_alike_split_by_str_and_by_the_csv_module(
    rows, ending, last, sep, block_chars, bom
):
    lines = [sep.join(["a", "b", "y"])] + [sep.join(cells) for cells in rows]
    text = ("\ufeff" if bom else "") + ending.join(lines) + last
    split, careful = split_and_csv(text, block_chars, spelled=["y"], sep=None)
    assert split == careful


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("a,b\n1,2\n\n3,4\n\n\n5,6\n", "blank lines between rows"),
        ("a,b\n1,2\n3,4\n\n\n5,6\n7,x\n", "blank lines ending a block"),
        ("a,b\n1,2\n3,4\n5,6", "no line break at the end"),
        ("a,b\n1,2\n3,4\n" + "5,6\n" * 30 + '7,"x\ny"\n8,9\n', "a quote later on"),
        ("a,b\n1,2\n3,4\n" + "5,6\n" * 30 + "7,8,9\n", "a ragged row later on"),
        ("a,b\r\n1,2\r\n3,4\r\n", "CRLF"),
        ("a;b\n1;2\n3;x\n", "semicolons"),
        ("\ufeffa,b\n 1 , NA \n2,oops\n", "a BOM, spaces and text"),
    ],
)
def test_files_split_by_str_read_as_by_the_csv_module(text, what):
    split, careful = split_and_csv(text, block_chars=9, sep=None)
    assert split == careful, what


def test_an_error_after_the_switch_to_the_csv_module_names_its_line(tmp_path):
    path = tmp_path / "t.csv"
    rows = [f"{i},{i}" for i in range(5000)] + ['"q",1', "1,2,3"]
    path.write_text("a,b\n" + "\n".join(rows) + "\n")
    with (
        mock.patch.object(text_chunks, "BLOCK_CHARS", 1000),
        pytest.raises(DataError, match="line 5003 has 3 fields"),
    ):
        read_columns(path, engine="python")
