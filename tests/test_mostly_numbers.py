"""A column of numbers with a typo stays a column of numbers: its few text
cells are treated as missing, with a note naming how many and the first one,
at training and at prediction alike."""

import warnings

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import plainnet_cli
from plainnet.data import MIN_NUMBER_FRACTION, read_columns, read_csv
from plainnet.errors import DataError
from plainnet.tables import NotNumbersWarning, TablePreprocessor

NOTE = "column 'b': 1 cell is not a number ('oops', line 59): treated as missing"


def write_table(path, n=300, typos=(57,), seed=0):
    """Columns a and b (numbers) and a 0/1 label following a + b; ``typos``
    are the rows whose b reads ``oops`` (row 57 is on line 59)."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, n), rng.normal(0, 1, n)
    lines = ["a,b,label"]
    for i in range(n):
        cell = "oops" if i in typos else f"{b[i]:.4f}"
        lines.append(f"{a[i]:.4f},{cell},{int(a[i] + b[i] > 0)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_typo_among_300_numbers_leaves_a_column_of_numbers(tmp_path):
    columns = read_columns(write_table(tmp_path / "t.csv"))
    b = columns["b"]
    assert not b.is_text and b.has_text
    assert np.isnan(b.numbers[57]) and np.isfinite(np.delete(b.numbers, 57)).all()
    assert b.n_text == 1 and b.not_numbers_note() == NOTE
    assert columns["a"].not_numbers_note() is None


def test_several_typos_are_counted_and_the_first_named(tmp_path):
    path = write_table(tmp_path / "t.csv", typos=(57, 100, 200))
    note = read_columns(path)["b"].not_numbers_note()
    assert note == (
        "column 'b': 3 cells are not numbers (the first 'oops', line 59): "
        "treated as missing"
    )


def test_a_column_with_more_text_than_the_threshold_is_text(tmp_path):
    n_text = round(300 * (1 - MIN_NUMBER_FRACTION)) + 1  # 16 of 300: 5.3%
    path = write_table(tmp_path / "t.csv", typos=range(0, 16 * n_text, 16))
    b = read_columns(path)["b"]
    assert b.is_text and b.first_text_cell == "oops"
    assert "oops" in b.categories and (b.codes >= 0).all()  # numbers are text too


def test_read_csv_still_refuses_any_text_in_a_feature(tmp_path):
    with pytest.raises(DataError, match="line 59, column 'b': 'oops' is not a number"):
        read_csv(write_table(tmp_path / "t.csv"), target="label")


def test_the_preprocessor_keeps_the_column_and_fills_the_typo():
    b = [str(v) for v in np.linspace(0, 1, 300)]
    b[57] = "oops"
    prep = TablePreprocessor().fit({"a": np.arange(300) % 7, "b": b})
    assert [e["kind"] for e in prep.columns_] == ["number", "number"]
    new = {"a": [1] * 30, "b": ["0.5"] * 29 + ["oops"]}
    with pytest.warns(NotNumbersWarning, match="1 cell is not a number \\('oops'\\)"):
        X = prep.transform(new)
    np.testing.assert_allclose(X[-2:, 1], [0.5, prep.columns_[1]["fill"]])
    new["b"][0] = "typo"  # 2 of 30: not mostly numbers
    with pytest.raises(DataError, match="column 'b': 'typo' is not a number"):
        prep.transform(new)


def test_train_keeps_the_column_and_predict_applies_the_same_rule(tmp_path):
    write_table(tmp_path / "train.csv")
    result = plainnet_cli(
        "train", "train.csv", "--target", "label", "--epochs", "5", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert f"note: {NOTE}" in result.stdout.splitlines()
    assert NOTE not in result.stderr  # said once
    assert "left out column 'b'" not in result.stdout
    table = pn.Predictor.load(tmp_path / "model.npz").table
    assert table.input_columns_ == ["a", "b"]
    assert [e["kind"] for e in table.columns_] == ["number", "number"]

    write_table(tmp_path / "new.csv", n=100, typos=(57,), seed=1)
    result = plainnet_cli("predict", "model.npz", "new.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 101
    assert NOTE in result.stderr

    write_table(tmp_path / "text.csv", n=10, typos=(1, 2), seed=1)
    result = plainnet_cli("predict", "model.npz", "text.csv", cwd=tmp_path)
    assert result.returncode != 0
    assert "line 3, column 'b': 'oops' is not a number" in result.stderr


def test_a_typo_in_a_number_target_leaves_its_row_out_with_a_note(tmp_path):
    lines = ["x,y"] + [f"{i % 50 / 10},{i % 50 / 5}" for i in range(300)]
    lines[100] = "9.9,oops"
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    result = plainnet_cli(
        "train", "t.csv", "--target", "y", "--epochs", "2", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    note = "column 'y': 1 cell is not a number ('oops', line 101): treated as missing"
    assert note in result.stdout
    assert "left out 1 row(s) with no 'y' value" in result.stdout


def test_python_values_follow_the_same_rule():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prep = TablePreprocessor().fit({"b": [1.5, 2.5, 3.5] * 10 + ["x", 4.5]})
    assert prep.columns_[0]["kind"] == "number"
    prep = TablePreprocessor().fit({"b": ["1", "x", "y"] * 10})
    assert prep.columns_[0]["kind"] == "category"
