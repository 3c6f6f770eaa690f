"""pyarrow reads a large file without quotes in two halves side by side, the
second half's columns joined to the first's: the same columns as one reader
from the top, bit for bit (categories in their order of first appearance,
text cells counted and placed, columns turning to text in the second half).
The size from which it does so is lowered here so that small files take it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csv_helpers import CELLS, ENDINGS, snapshot
from plainnet._csv import reading
from plainnet._csv.builder import MAX_SPELLINGS
from plainnet.data import read_columns, read_csv
from plainnet.errors import DataError

pytest.importorskip("pyarrow")


@pytest.fixture
def halves(monkeypatch):
    """Every file without quotes read in halves; counts the reads that were."""
    monkeypatch.setattr(reading, "HALVES_MIN_BYTES", 0)
    calls = []
    feed = reading._Plan._feed_halves

    def counted(self, *args):
        calls.append(self.path)
        return feed(self, *args)

    monkeypatch.setattr(reading._Plan, "_feed_halves", counted)
    return calls


def read_alike(path, halves, **kwargs):
    """The columns read in halves, checked against the csv module's."""
    fast = read_columns(path, engine="pyarrow", **kwargs)
    careful = read_columns(path, engine="python", **kwargs)
    assert fast.engine == "pyarrow" and halves, "the halves were not read"
    assert snapshot(fast) == snapshot(careful)
    return fast


def write(path, rows, header="a,b,c") -> None:
    path.write_text(header + "\n" + "\n".join(map(",".join, rows)) + "\n")


def test_numbers_and_categories_join_in_order(tmp_path, halves):
    """Categories new in the second half come after the first half's, in the
    order they appear; numbers land in their rows; a typo in the second half
    is counted and named by its line."""
    n = 2000
    rows = [[f"{i / 4}", f"c{i % 7}" if i < n // 2 else f"d{i % 5}", str(i % 3)]
            for i in range(n)]  # fmt: skip
    rows[1500][0] = "oops"
    path = tmp_path / "t.csv"
    write(path, rows)
    columns = read_alike(path, halves, spelled=["c"])
    assert columns["b"].categories[:7] == [f"c{i}" for i in range(7)]
    assert columns["b"].categories[7:] == [f"d{i}" for i in (0, 1, 2, 3, 4)]
    assert columns["a"].n_text == 1 and columns["a"].first_text_line == 1502
    np.testing.assert_array_equal(columns["a"].numbers[1499:1501], [374.75, np.nan])


@pytest.mark.parametrize(
    "first, second",
    [
        ("number", "text"),  # text only in the second half: a text column
        ("missing", "text"),  # the first half's rows all missing
        ("text", "number"),  # codes from the first half on, numbers after
        ("text", "missing"),
        ("missing", "missing"),
        ("number", "number"),
    ],
)
def test_a_column_whose_halves_differ(tmp_path, halves, first, second):
    cell = {"number": lambda i: f"{i}.5", "text": lambda i: f"w{i % 4}",
            "missing": lambda i: ["", "NA"][i % 2]}  # fmt: skip
    n = 600
    rows = [[cell[first if i < n // 2 else second](i), str(i)] for i in range(n)]
    path = tmp_path / "t.csv"
    write(path, rows, header="x,i")
    read_alike(path, halves)


def test_read_csv_writes_both_halves_into_one_matrix(tmp_path, halves):
    """The features go straight into one matrix: the second half's rows
    through a view of its columns."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((700, 3))
    rows = [[repr(v) for v in row] + [str(i % 2)] for i, row in enumerate(X.tolist())]
    path = tmp_path / "t.csv"
    write(path, rows, header="a,b,c,y")
    fast = read_csv(path, target="y", engine="pyarrow")
    careful = read_csv(path, target="y", engine="python")
    assert halves
    np.testing.assert_array_equal(fast.X, X)
    np.testing.assert_array_equal(fast.X, careful.X)
    np.testing.assert_array_equal(fast.y, careful.y)


@pytest.mark.parametrize("sample", [1 << 18, 1 << 8])
def test_a_few_typos_in_each_half_keep_a_number_column(
    tmp_path, halves, monkeypatch, sample
):
    """Also when the first rows alone choose the column to be parsed as
    numbers while split (a small sample): the half that meets a typo stops,
    and the file is read again with the column as text."""
    from plainnet._csv import arrow_chunks

    monkeypatch.setattr(arrow_chunks, "SAMPLE_BYTES", sample)
    monkeypatch.setattr(arrow_chunks, "PART_BLOCK_BYTES", 1 << 10)
    rows = [[f"{i}", "7"] for i in range(1000)]
    for i in (10, 400, 700, 990):
        rows[i][0] = f"typo{i}"
    path = tmp_path / "t.csv"
    write(path, rows, header="x,y")
    columns = read_alike(path, halves)
    assert columns["x"].n_text == 4 and columns["x"].first_text_cell == "typo10"


@pytest.mark.parametrize("typo_row", [100, 900])
def test_a_read_again_does_not_keep_the_first_reads_arrays(
    tmp_path, halves, monkeypatch, typo_row
):
    """A typo in either half stops the first read; its arrays are freed
    (by reference counting alone) before the second read makes its own, so
    that a large file does not hold two sets of columns at once."""
    import gc
    import weakref

    monkeypatch.setattr(reading.arrow, "SAMPLE_BYTES", 1 << 8)
    monkeypatch.setattr(reading.arrow, "PART_BLOCK_BYTES", 1 << 10)
    made = []
    builders = reading._Plan.builders

    def watched(plan, capacity):
        alive = [ref() is not None for ref in made]
        columns, M = builders(plan, capacity)
        made.append(weakref.ref(columns["x"].numbers))
        watched.alive_before.append(alive)
        return columns, M

    watched.alive_before = []
    monkeypatch.setattr(reading._Plan, "builders", watched)
    rows = [[f"{i}", f"{i % 3}"] for i in range(1000)]
    rows[typo_row][0] = "oops"
    path = tmp_path / "t.csv"
    write(path, rows, header="x,y")
    gc.disable()
    try:
        columns = read_columns(path, engine="pyarrow")
    finally:
        gc.enable()
    assert columns.engine == "pyarrow" and halves
    assert watched.alive_before == [[], [False]]
    assert columns["x"].n_text == 1


def test_spellings_past_the_limit_are_dropped_as_when_read_whole(tmp_path, halves):
    n = MAX_SPELLINGS + 400
    rows = [[f"{i:06d}", "1"] for i in range(n)]
    path = tmp_path / "t.csv"
    write(path, rows, header="label,y")
    columns = read_alike(path, halves, spelled=["label"])
    assert columns["label"].categories is None


def test_blank_lines_in_the_first_half_send_the_file_to_the_csv_module(
    tmp_path, halves
):
    """Rows that do not meet the lines counted: the halves are not joined,
    and the file is read as pyarrow reads no file line for line."""
    lines = ["a,b"] + [f"{i},{i % 3}" for i in range(300)]
    lines[50] = ""
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    fast = read_columns(path, engine="pyarrow")
    assert halves and fast.engine == "python"
    assert snapshot(fast) == snapshot(read_columns(path, engine="python"))


@pytest.mark.parametrize("sep, ending", [("\t", "\r\n"), (";", "\n")])
def test_other_separators_and_line_ends_read_in_halves(tmp_path, halves, sep, ending):
    rows = [[f"{i * 0.5}", ["x", "y", "NA"][i % 3], f"{i % 4}"] for i in range(500)]
    lines = [sep.join(["a", "b", "c"]), *(sep.join(row) for row in rows)]
    path = tmp_path / "t.csv"
    path.write_bytes((ending.join(lines) + ending).encode())
    read_alike(path, halves, sep=sep)


def test_a_file_with_a_quote_is_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "HALVES_MIN_BYTES", 0)
    rows = [[str(i), '"a,b"' if i == 250 else "c"] for i in range(300)]
    path = tmp_path / "t.csv"
    write(path, rows, header="x,y")
    layout = reading.scan_lines(str(path), 1)
    assert layout.middle is None and layout.size == path.stat().st_size
    fast = read_columns(path, engine="pyarrow")
    assert snapshot(fast) == snapshot(read_columns(path, engine="python"))


def outcome(path, **kwargs):
    """The snapshot of the columns read, or the error's message."""
    try:
        return snapshot(read_columns(path, **kwargs))
    except DataError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(CELLS.filter(lambda c: '"' not in c), min_size=3,
                           max_size=3), min_size=1, max_size=12),
    ending=ENDINGS,
)  # fmt: skip
def test_random_tables_read_alike_where_halves_are_allowed(
    rows, ending, tmp_path_factory
):
    path = tmp_path_factory.mktemp("halves") / "t.csv"
    path.write_bytes(ending.join(["a,b,y", *map(",".join, rows)]).encode() + b"\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "HALVES_MIN_BYTES", 0)
        fast = outcome(path, engine="pyarrow", spelled=["y"])
    assert fast == outcome(path, engine="python", spelled=["y"])
