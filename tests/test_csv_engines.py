"""The two ways of splitting a CSV file into cells, pyarrow's reader and the
csv module, give the same columns, the same tables and the same errors; files
that pyarrow cannot read line for line are read by the csv module."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_helpers import environment
from csv_helpers import CELLS, ENDINGS, bits, snapshot
from plainnet.data import read_columns, read_csv
from plainnet.errors import DataError

pytest.importorskip("pyarrow")


def table_snapshot(table) -> tuple:
    y = table.y
    if y is not None:
        y = bits(y) if y.dtype == np.float64 else y.tolist()
    y_text = None if table.y_text is None else table.y_text.tolist()
    return (table.feature_names, bits(table.X.ravel()), y, y_text)


def outcome(read, path: str, **kwargs):
    """What reading ``path`` gives: a snapshot and the engine, or the error."""
    try:
        result = read(path, **kwargs)
    except DataError as exc:
        return ("error", str(exc)), None
    if read is read_csv:
        return table_snapshot(result), None
    return snapshot(result), result.engine


def both(text: str, read=read_columns, **kwargs):
    """Read ``text`` with each engine; returns the two outcomes."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "table.csv")
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        fast = outcome(read, path, engine="pyarrow", **kwargs)
        careful = outcome(read, path, engine="python", **kwargs)
    return fast, careful


@settings(max_examples=400, deadline=None)
@given(
    header=st.lists(st.sampled_from(["a", "b", "y", '"c d"']), min_size=1, max_size=4),
    data=st.data(),
    ending=ENDINGS,
    last=st.sampled_from(["", "\n", "\n\n"]),
    sep=st.sampled_from([",", ";", "\t"]),
)
def test_random_tables_read_alike_by_pyarrow_and_the_csv_module(
    header, data, ending, last, sep
):
    header = list(dict.fromkeys(header))
    width = st.integers(1, 4) if data.draw(st.booleans()) else st.just(len(header))
    row = width.flatmap(lambda n: st.lists(CELLS, min_size=n, max_size=n))
    rows = data.draw(st.lists(row, max_size=8))
    lines = [sep.join(header)] + [sep.join(cells) for cells in rows]
    text = ending.join(lines) + last
    (fast, _), (careful, _) = both(text, spelled=["y"], sep=sep)
    assert fast == careful


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=8),
    target=st.sampled_from([None, "y"]),
    drop_missing=st.booleans(),
)
def test_random_tables_give_the_same_table_or_error(rows, target, drop_missing):
    text = "\n".join(["a,b,y"] + [",".join(row) for row in rows]) + "\n"
    fast, careful = both(text, read_csv, target=target, drop_missing=drop_missing)
    assert fast == careful


def write_numbers(path, n_rows: int, seed: int = 0, text_at: int | None = None):
    """A table of numbers in the forms files hold them, with missing cells,
    labels spelled ``007``, and a text cell at row ``text_at``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, 3)) * 10.0 ** rng.integers(-5, 6, (n_rows, 3))
    lines = ["x0,x1,x2,label,city"]
    for i, row in enumerate(X.tolist()):
        cells = [repr(row[0]), f"{row[1]:.6g}", f" {row[2]:.3e} "]
        if i % 7 == 3:
            cells[1] = ["", "NA", "nan", " null "][i % 4]
        if i == text_at:
            cells[0] = "oops"
        label = ["007", "7", "0010"][i % 3]
        lines.append(",".join([*cells, label, f"c{i % 13}"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return X


def test_a_clean_file_is_read_by_pyarrow_exactly_as_by_the_csv_module(tmp_path):
    path = tmp_path / "numbers.csv"
    X = write_numbers(path, 30_000, text_at=20_000)
    fast = read_columns(path, spelled=["label"], engine="pyarrow")
    careful = read_columns(path, spelled=["label"], engine="python")
    assert (fast.engine, careful.engine) == ("pyarrow", "python")
    assert snapshot(fast) == snapshot(careful)
    np.testing.assert_array_equal(fast["x0"].numbers[:20_000], X[:20_000, 0])
    assert fast["x0"].n_text == 1 and fast["x0"].first_text_line == 20_002
    assert fast["label"].spellings()[:3].tolist() == ["007", "7", "0010"]
    assert fast["city"].is_text and len(fast["city"].categories) == 13


def test_read_csv_gives_the_same_table_from_either_engine(tmp_path):
    path = tmp_path / "numbers.csv"
    write_numbers(path, 5000)
    kwargs = {"target": "label", "drop_missing": True, "ignore_columns": ["city"]}
    fast = read_csv(path, engine="pyarrow", **kwargs)
    careful = read_csv(path, engine="python", **kwargs)
    assert table_snapshot(fast) == table_snapshot(careful)
    assert fast.y_text[:3].tolist() == ["007", "7", "0010"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a,b\n1,2\n\n3,4\n", "a blank line between rows"),
        ('a,b\n1,"x\ny"\n3,4\n', "a row spanning two lines"),
        ("a,b\n1,2\n3\n", "a ragged row"),
        ('a,b\n1,"2\n3,4\n', "a quote left open"),
        ("a,b\n1,2\n  \n3,4\n", "a line of spaces"),
    ],
)
def test_files_pyarrow_cannot_read_line_for_line_go_to_the_csv_module(
    tmp_path, text, reason
):
    (fast, engine), (careful, _) = both(text)
    assert fast == careful, reason
    assert engine in (None, "python"), reason


def test_an_error_names_the_same_line_whichever_engine(tmp_path):
    path = tmp_path / "ragged.csv"
    rows = [f"{i},{i}" for i in range(50_000)] + ["1,2,3"]
    path.write_text("a,b\n" + "\n".join(rows) + "\n")
    for engine in ("pyarrow", "python"):
        with pytest.raises(DataError, match="line 50002 has 3 fields"):
            read_columns(path, engine=engine)


@pytest.mark.parametrize("size", [100, 131_072, 131_073, 200_000])
def test_a_cell_past_the_csv_modules_field_limit_reads_alike(size):
    """pyarrow takes fields of any length, the csv module refuses those
    longer than its limit (131,072 characters): a long cell goes to the csv
    module, whose answer both engines give."""
    text = "a,b\n" + "1,x\n" * 10 + f"2,{'y' * size}\n" + "3,z\n"
    (fast, _), (careful, _) = both(text)
    assert fast == careful
    assert (fast[0] == "error") == (size > 131_072)


def test_an_unknown_engine_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n")
    with pytest.raises(ValueError, match="engine must be one of"):
        read_columns(path, engine="c")


def test_numbers_parse_exactly_as_float_does(tmp_path):
    """Round trips of every float's repr, and decimal strings of 17-25 digits
    (pyarrow's parser rounds correctly, as ``float`` does)."""
    rng = np.random.default_rng(1)
    values = rng.standard_normal(2000) * 10.0 ** rng.integers(-300, 300, 2000)
    digits = ["".join(map(str, rng.integers(0, 10, 25))) for _ in range(2000)]
    cells = [repr(v) for v in values.tolist()] + [
        f"0.{d}e{i % 40 - 20}" for i, d in enumerate(digits)
    ]
    path = tmp_path / "floats.csv"
    path.write_text("x\n" + "\n".join(cells) + "\n")
    columns = read_columns(path, engine="pyarrow")
    numbers = columns["x"].numbers
    assert columns.engine == "pyarrow"
    assert [float(c) for c in cells] == numbers.tolist()
    assert not any(math.isnan(v) for v in numbers)


def test_missing_cells_are_one_nan_bit_for_bit(tmp_path):
    """``float("-nan")`` has its sign bit set; every missing cell is the same
    NaN whichever engine reads it."""
    path = tmp_path / "nans.csv"
    cells = ["-nan", "1.5", "NaN", "", "+nan", " NA ", "-NAN", "2"]
    path.write_text("a,b\n" + "\n".join(f"{c},{c}x" for c in cells) + "\n")
    fast = read_columns(path, engine="pyarrow")
    careful = read_columns(path, engine="python")
    assert snapshot(fast) == snapshot(careful)
    nan = int(np.array(np.nan).view(np.uint64))
    for columns in (fast, careful):
        assert set(bits(columns["a"].numbers)) == {nan, *bits(np.array([1.5, 2.0]))}


def test_a_later_cell_that_is_not_a_plain_number_is_read_as_the_csv_module_does(
    tmp_path, monkeypatch
):
    """pyarrow parses the columns whose first rows are plain numbers as it
    splits the rows; a later typo, a number in spaces or a missing value in
    another spelling makes it read the file again as text."""
    from plainnet._csv import arrow_chunks

    monkeypatch.setattr(arrow_chunks, "BLOCK_BYTES", 1 << 12)
    monkeypatch.setattr(arrow_chunks, "SAMPLE_BYTES", 1 << 12)
    n = 3000
    rows = [[f"{i * 0.25}", str(i % 7), f"{-i}e-3", f"c{i % 5}"] for i in range(n)]
    rows[2000][0] = "oops"
    rows[2100][1] = " 4 "
    rows[2200][2] = "n/A"
    path = tmp_path / "late.csv"
    path.write_text("a,b,c,d\n" + "\n".join(map(",".join, rows)) + "\n")
    fast = read_columns(path, engine="pyarrow")
    careful = read_columns(path, engine="python")
    assert fast.engine == "pyarrow"
    assert snapshot(fast) == snapshot(careful)
    assert fast["a"].n_text == 1 and fast["a"].first_text_line == 2002
    assert fast["b"].numbers[2100] == 4.0 and np.isnan(fast["c"].numbers[2200])


@pytest.mark.parametrize("late", ["oops", "nan(1)"])
def test_a_late_typo_is_read_again_with_only_its_column_as_text(
    tmp_path, monkeypatch, late
):
    """A typo deep in one column of numbers makes the file be read again
    with that column as text and the others still parsed as they are split
    (each column as text would cost twice the time on a large file); a typo
    in every column ends, after two such reads, in one with all as text."""
    from plainnet._csv import arrow_chunks, reading

    monkeypatch.setattr(arrow_chunks, "BLOCK_BYTES", 1 << 12)
    monkeypatch.setattr(arrow_chunks, "SAMPLE_BYTES", 1 << 12)
    passes = []
    read_arrow = reading._Plan._read_arrow

    def counted(plan, layout, sep, numbers):
        passes.append(list(numbers))
        return read_arrow(plan, layout, sep, numbers)

    monkeypatch.setattr(reading._Plan, "_read_arrow", counted)
    rows = [[f"{i / 4}", f"{i % 7}", f"{-i}e-3", f"c{i % 5}"] for i in range(3000)]
    rows[2500][1] = late
    path = tmp_path / "late.csv"
    path.write_text("a,b,c,d\n" + "\n".join(map(",".join, rows)) + "\n")
    fast = read_columns(path, engine="pyarrow")
    assert passes == [[0, 1, 2], [0, 2]]
    assert fast.engine == "pyarrow"
    assert snapshot(fast) == snapshot(read_columns(path, engine="python"))
    assert fast["b"].n_text == 1 and fast["b"].first_text_line == 2502

    passes.clear()
    for j in range(3):
        rows[2000 + 100 * j][j] = late
    path.write_text("a,b,c,d\n" + "\n".join(map(",".join, rows)) + "\n")
    fast = read_columns(path, engine="pyarrow")
    assert passes == [[0, 1, 2], [1, 2], [2], []]
    assert snapshot(fast) == snapshot(read_columns(path, engine="python"))


def test_reading_with_pyarrow_does_not_import_pandas(tmp_path):
    """pyarrow's ``to_numpy``, ``pa.array`` and ``pa.scalar`` import pandas
    (a second or so): the reader does without them."""
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n" + "1,x, NA \n2,y,oops\n" * 50)
    code = (
        "import sys\n"
        "from plainnet.data import read_columns\n"
        f"columns = read_columns({str(path)!r}, engine='pyarrow')\n"
        "assert columns.engine == 'pyarrow', columns.engine\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=environment(),
    )
    assert result.stdout.strip() == "False"


def test_a_late_nan_with_a_payload_is_text_as_float_says(tmp_path, monkeypatch):
    """pyarrow's parser reads ``nan(1)`` as NaN, ``float`` refuses it: a
    column parsed while split is read again as text when one comes late."""
    from plainnet._csv import arrow_chunks

    monkeypatch.setattr(arrow_chunks, "SAMPLE_BYTES", 1 << 10)
    cells = [f"{i / 8}" for i in range(3000)]
    cells[2500] = "nan(1)"
    path = tmp_path / "nan.csv"
    path.write_text("x,y\n" + "\n".join(f"{c},{i % 3}" for i, c in enumerate(cells)))
    fast = read_columns(path, engine="pyarrow")
    careful = read_columns(path, engine="python")
    assert snapshot(fast) == snapshot(careful)
    assert fast["x"].n_text == 1 and fast["x"].first_text_cell == "nan(1)"


@pytest.mark.parametrize("sep", [None, ";"])
def test_a_messy_file_reads_alike_notes_included(tmp_path, sep):
    """A BOM, CRLF line ends, semicolons, quoted cells holding the separator,
    empty cells and a typo among numbers: the same columns and the same notes
    from either engine (a quoted line break is in a test above)."""
    rows = []
    for i in range(4000):
        x = "" if i % 11 == 0 else f"{i / 7:.5g}"
        label = '"a;b"' if i % 5 == 0 else ('"x"' if i == 77 else "c")
        rows.append(";".join([x, "oops" if i == 3000 else str(i % 9), label]))
    path = tmp_path / "messy.csv"
    path.write_bytes(("\ufeffx;n;label\r\n" + "\r\n".join(rows) + "\r\n").encode())
    fast = read_columns(path, engine="pyarrow", sep=sep)
    careful = read_columns(path, engine="python", sep=sep)
    assert (fast.engine, careful.engine) == ("pyarrow", "python")
    assert snapshot(fast) == snapshot(careful)
    assert fast.header == ["x", "n", "label"] and fast.sep == ";"
    note = "column 'n': 1 cell is not a number ('oops', line 3002): treated as missing"
    assert fast["n"].not_numbers_note() == careful["n"].not_numbers_note() == note
    assert fast["label"].categories == ["a;b", "c", "x"]
