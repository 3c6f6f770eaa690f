"""Tests of plainnet.data: CSV reading, scaling, labels and built-in data sets."""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainnet.data import Table, read_csv
from plainnet.datasets import DATASETS, make_dataset
from plainnet.errors import DataError
from plainnet.preprocessing import Standardizer, decode_labels, encode_labels


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    """Write ``text`` to a file under ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_error(path: Path, **kwargs) -> str:
    """The message of the DataError that reading ``path`` raises."""
    with pytest.raises(DataError) as info:
        read_csv(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message, "messages are one line"
    assert str(path) in message, "messages name the file"
    return message


# --------------------------------------------------------------------------
# read_csv: files that read
# --------------------------------------------------------------------------


def test_read_csv_numbers_and_string_target(tmp_path):
    path = write(tmp_path, "x1,x2,species\n1,2.5,cat\n 1e3 , -0.25 ,dog\n3,4, cat \n")
    table = read_csv(path, target="species")
    assert isinstance(table, Table)
    assert table.feature_names == ["x1", "x2"]
    assert table.X.dtype == np.float64
    np.testing.assert_array_equal(table.X, [[1, 2.5], [1000, -0.25], [3, 4]])
    assert table.y.tolist() == ["cat", "dog", "cat"]  # spaces stripped
    assert table.y.dtype.kind == "U"
    assert table.target == "species"
    assert table.path == str(path)
    assert (table.n_samples, table.n_features) == (3, 2)
    assert "n_samples=3" in repr(table)


def test_read_csv_numeric_target_is_float(tmp_path):
    path = write(tmp_path, "a,y,b\n1,0,2\n3,1,4\n")
    table = read_csv(path, target="y")
    assert table.y.dtype == np.float64
    np.testing.assert_array_equal(table.y, [0.0, 1.0])
    assert table.feature_names == ["a", "b"]
    np.testing.assert_array_equal(table.X, [[1, 2], [3, 4]])


def test_read_csv_without_target_reads_every_column(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n3,4\n")
    table = read_csv(path)
    assert table.y is None and table.target is None
    assert table.feature_names == ["a", "b"]
    np.testing.assert_array_equal(table.X, [[1, 2], [3, 4]])


def test_read_csv_round_trip_of_random_floats(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4)) * 10.0 ** rng.integers(-5, 6, (50, 4))
    labels = rng.choice(["a", "b", "c"], 50)
    lines = ["f0,f1,f2,f3,label"]
    lines += [
        ",".join([*map(repr, row), lab])
        for row, lab in zip(X.tolist(), labels, strict=True)
    ]
    path = write(tmp_path, "\n".join(lines) + "\n")
    table = read_csv(path, target="label")
    np.testing.assert_array_equal(table.X, X)  # repr round-trips exactly
    np.testing.assert_array_equal(table.y, labels)


def test_read_csv_accepts_pathlib_bom_crlf_quotes_and_blank_lines(tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes(b'\xef\xbb\xbf"a","b"\r\n"1",2\r\n\r\n3,"4"\r\n\r\n')
    table = read_csv(path)
    assert table.feature_names == ["a", "b"]  # no BOM in the first name
    np.testing.assert_array_equal(table.X, [[1, 2], [3, 4]])


def test_read_csv_single_feature_column(tmp_path):
    path = write(tmp_path, "x,y\n1,a\n2,b\n")
    table = read_csv(path, target="y")
    assert table.X.shape == (2, 1)
    np.testing.assert_array_equal(table.X[:, 0], [1, 2])


# --------------------------------------------------------------------------
# read_csv: the file itself
# --------------------------------------------------------------------------


def test_missing_file(tmp_path):
    message = read_error(tmp_path / "nope.csv")
    assert "file not found" in message


def test_directory_instead_of_file(tmp_path):
    assert "is a directory" in read_error(tmp_path)


@pytest.mark.parametrize("text", ["", "\n\n", "  \n"])
def test_empty_file(tmp_path, text):
    assert "the file is empty" in read_error(write(tmp_path, text))


def test_header_only(tmp_path):
    message = read_error(write(tmp_path, "a,b,y\n\n"), target="y")
    assert "no data rows" in message


def test_no_header(tmp_path):
    message = read_error(write(tmp_path, "0,0,1\n1,1,1\n"))
    assert "no header row" in message
    assert "line 1" in message
    assert "add a first line naming the columns" in message


def test_header_with_empty_or_duplicate_names(tmp_path):
    message = read_error(write(tmp_path, "a,,c\n1,2,3\n"))
    assert "column 2 of the header has no name" in message
    message = read_error(write(tmp_path, "a,b,a\n1,2,3\n"))
    assert "duplicate column names" in message and "'a'" in message


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"name,x\nok,1\ncaf\xe9,2\n")
    message = read_error(path)
    assert "not UTF-8" in message
    assert "line 3" in message


def test_malformed_csv_field_too_large(tmp_path):
    path = write(tmp_path, 'a,b\n1,"' + "9" * 200_000 + '"\n')
    message = read_error(path)
    assert "malformed CSV" in message and "line 2" in message


# --------------------------------------------------------------------------
# read_csv: rows and columns
# --------------------------------------------------------------------------


def test_ragged_row_names_its_line(tmp_path):
    # blank line 3 and a quoted line break (lines 4-5) still count as lines
    path = write(tmp_path, 'a,b,c\n1,2,3\n\n"4\n",5,6\n7,8\n')
    message = read_error(path)
    assert "line 6 has 2 fields" in message
    assert "header (line 1) has 3 columns" in message


def test_row_spanning_lines_is_named_by_its_first_line(tmp_path):
    message = read_error(write(tmp_path, 'a,b\n1,2\n"x\ny",3\n'))
    assert "line 3, column 'a': 'x\\ny' is not a number" in message


def test_too_many_fields(tmp_path):
    message = read_error(write(tmp_path, "a,b\n1,2\n1,2,3\n"))
    assert "line 3 has 3 fields" in message


def test_target_absent_lists_the_columns(tmp_path):
    message = read_error(write(tmp_path, "a,b,c\n1,2,3\n"), target="label")
    assert "no target column 'label'" in message
    assert "'a', 'b', 'c'" in message


def test_target_absent_suggests_a_close_name(tmp_path):
    message = read_error(write(tmp_path, "a,Species\n1,x\n"), target="species")
    assert "did you mean 'Species'?" in message


def test_only_a_target_column(tmp_path):
    message = read_error(write(tmp_path, "y\n1\n"), target="y")
    assert "no feature columns" in message


def test_non_numeric_feature_names_line_and_column(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n3,4,y\n5,five,z\n")
    message = read_error(path, target="label")
    assert "line 4, column 'b'" in message
    assert "'five' is not a number" in message


def test_string_column_without_target_is_an_error(tmp_path):
    message = read_error(write(tmp_path, "a,label\n1,cat\n"))
    assert "line 2, column 'label': 'cat' is not a number" in message


def test_semicolon_file_gets_a_hint(tmp_path):
    message = read_error(write(tmp_path, "a;b\n1;2\n"))
    assert "semicolons" in message


@pytest.mark.parametrize("token", ["", "NA", "n/a", "NaN", "nan", "null", "NULL", " "])
def test_missing_value_tokens(tmp_path, token):
    path = write(tmp_path, f"a,b\n1,2\n3,{token}\n")
    message = read_error(path)
    assert "missing values in 1 row(s)" in message
    assert "line(s) 3" in message
    assert "column(s) 'b'" in message
    assert "drop_missing=True" in message


def test_missing_values_list_first_lines_and_count(tmp_path):
    rows = [f"{i},{'NA' if i % 2 else i}" for i in range(30)]
    path = write(tmp_path, "a,b\n" + "\n".join(rows) + "\n")
    message = read_error(path)
    assert "missing values in 15 row(s)" in message
    assert "line(s) 3, 5, 7, 9, 11, ... (15 in all)" in message


def test_missing_target_values(tmp_path):
    path = write(tmp_path, "a,y\n1,cat\n2,NA\n3,dog\n")
    message = read_error(path, target="y")
    assert "line(s) 3" in message and "column(s) 'y'" in message


def test_drop_missing(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,cat\n,4,dog\n5,6,\n7,NaN,cat\n9,10,dog\n")
    table = read_csv(path, target="y", drop_missing=True)
    np.testing.assert_array_equal(table.X, [[1, 2], [9, 10]])
    assert table.y.tolist() == ["cat", "dog"]


def test_drop_missing_numeric_target(tmp_path):
    path = write(tmp_path, "a,y\n1,0.5\n2,null\n3,1.5\n")
    table = read_csv(path, target="y", drop_missing=True)
    np.testing.assert_array_equal(table.X, [[1], [3]])
    np.testing.assert_array_equal(table.y, [0.5, 1.5])


def test_drop_missing_with_every_row_missing(tmp_path):
    message = read_error(write(tmp_path, "a,b\n1,NA\n,2\n"), drop_missing=True)
    assert "every data row has a missing value" in message


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity"])
def test_infinite_feature(tmp_path, value):
    path = write(tmp_path, f"a,b\n1,2\n3,{value}\n")
    message = read_error(path, drop_missing=True)  # not a missing value
    assert "line 3, column 'b'" in message
    assert "infinite value" in message and "finite numbers" in message


def test_infinite_target(tmp_path):
    message = read_error(write(tmp_path, "a,y\n1,2\n3,-inf\n"), target="y")
    assert "line 3, column 'y'" in message and "infinite value -inf" in message


def test_expected_columns_reorders(tmp_path):
    path = write(tmp_path, "c,label,a,b\n3,x,1,2\n6,y,4,5\n")
    table = read_csv(path, target="label", expected_columns=["a", "b", "c"])
    assert table.feature_names == ["a", "b", "c"]
    np.testing.assert_array_equal(table.X, [[1, 2, 3], [4, 5, 6]])
    assert table.y.tolist() == ["x", "y"]


def test_expected_columns_may_list_the_target(tmp_path):
    path = write(tmp_path, "b,a,y\n2,1,0\n")
    table = read_csv(path, target="y", expected_columns=["a", "y", "b"])
    assert table.feature_names == ["a", "b"]
    np.testing.assert_array_equal(table.X, [[1, 2]])


def test_expected_columns_without_target_in_file(tmp_path):
    path = write(tmp_path, "b,a\n2,1\n")
    table = read_csv(path, expected_columns=["a", "b"])
    np.testing.assert_array_equal(table.X, [[1, 2]])


def test_columns_differ_from_expected(tmp_path):
    path = write(tmp_path, "a,extra1,c,extra2\n1,2,3,4\n")
    message = read_error(path, expected_columns=["a", "b", "c", "d"])
    assert "columns differ from the expected ones" in message
    assert "missing 'b', 'd'" in message
    assert "unexpected 'extra1', 'extra2'" in message


def test_expected_columns_as_a_string_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="not a str"):
        read_csv(write(tmp_path, "a\n1\n"), expected_columns="a")


# --------------------------------------------------------------------------
# read_csv: anything at all gives a Table or a DataError
# --------------------------------------------------------------------------

CELLS = st.one_of(
    st.sampled_from(["1", "-2.5", " 3e2 ", "NA", "", "nan", "inf", "x", '"q,r"']),
    st.text(alphabet="0123456789.-+eE ,\"'\n\r\tNnAaIifx;", max_size=6),
)


def check_read(text: str, target: str | None, drop_missing: bool) -> None:
    """Read ``text`` as a CSV file: a valid Table or a DataError, nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "random.csv")
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        try:
            table = read_csv(path, target, drop_missing=drop_missing)
        except DataError as exc:
            assert str(exc).startswith(path)
            return
    assert table.X.ndim == 2 and table.X.dtype == np.float64
    assert table.X.shape == (table.n_samples, len(table.feature_names))
    assert table.n_samples > 0
    assert np.isfinite(table.X).all()
    if target is None:
        assert table.y is None
    else:
        assert table.y.shape == (table.n_samples,)
        assert target not in table.feature_names


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=120) | st.text(alphabet='0123456789,.\n"a-NA ', max_size=120),
    target=st.sampled_from([None, "a", "b"]),
    drop_missing=st.booleans(),
)
def test_random_text_reads_or_raises_data_error(text, target, drop_missing):
    check_read(text, target, drop_missing)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.sampled_from(["a", "b", "y", "1", ""]), min_size=1, max_size=4),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=6),
    target=st.sampled_from([None, "y", "b"]),
    drop_missing=st.booleans(),
)
def test_random_tables_read_or_raise_data_error(header, rows, target, drop_missing):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    check_read("\n".join(lines) + "\n", target, drop_missing)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=200))
def test_random_bytes_read_or_raise_data_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bytes.csv")
        with open(path, "wb") as file:
            file.write(data)
        with contextlib.suppress(DataError):
            read_csv(path)


# --------------------------------------------------------------------------
# Standardizer
# --------------------------------------------------------------------------


def test_standardizer_mean_and_scale():
    X = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
    scaler = Standardizer().fit(X)
    np.testing.assert_allclose(scaler.mean_, [3.0, 20.0])
    np.testing.assert_allclose(scaler.scale_, [math.sqrt(8 / 3), math.sqrt(200 / 3)])
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)
    np.testing.assert_array_equal(Standardizer().fit_transform(X), Z)


def test_standardizer_constant_columns_warn_once_and_keep_scale_one():
    X = np.array([[1.0, 0.1, 7.0, 2.0], [2.0, 0.1, 7.0, 2.0], [3.0, 0.1, 7.0, 2.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scaler = Standardizer().fit(X, feature_names=["age", "c1", "c2", "c3"])
    assert len(caught) == 1
    assert issubclass(caught[0].category, UserWarning)
    assert "'c1', 'c2', 'c3'" in str(caught[0].message)
    assert "'age'" not in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller
    np.testing.assert_array_equal(scaler.scale_[1:], [1.0, 1.0, 1.0])
    Z = scaler.transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, 1:], 0.0)  # exactly, despite rounding


def test_standardizer_constant_columns_without_names():
    with pytest.warns(UserWarning, match=r"constant column\(s\) 0, 2"):
        Standardizer().fit_transform(np.array([[1, 1, 5], [1, 2, 5]]))


def test_standardizer_no_warning_without_constant_columns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Standardizer().fit(np.array([[0.0, 1.0], [1e-300, 2.0]]))


def test_standardizer_dtypes_and_caller_array():
    X = np.array([[1, 2], [3, 5]], dtype=np.int64)
    copy = X.copy()
    scaler = Standardizer().fit(X)
    assert scaler.transform(X).dtype == np.float64
    np.testing.assert_array_equal(X, copy)
    X32 = X.astype(np.float32)
    Z32 = scaler.transform(X32)
    assert Z32.dtype == np.float32
    np.testing.assert_allclose(Z32, scaler.transform(X), rtol=1e-6)


def test_standardizer_dict_round_trip_through_json():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 3)) * [1.0, 100.0, 1e-3]
    scaler = Standardizer().fit(X, ["a", "b", "c"])
    state = json.loads(json.dumps(scaler.to_dict()))
    assert set(state) == {"mean", "scale", "feature_names"}
    loaded = Standardizer.from_dict(state)
    assert loaded.feature_names_ == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded.transform(X), scaler.transform(X))
    no_names = Standardizer.from_dict({"mean": [1], "scale": [2]})
    np.testing.assert_array_equal(no_names.transform([[5.0]]), [[2.0]])


@pytest.mark.parametrize(
    ("state", "match"),
    [
        ([1, 2], "must be a dict"),
        ({"mean": [0.0]}, "'scale' must be a non-empty list"),
        ({"mean": [], "scale": []}, "'mean' must be a non-empty list"),
        ({"mean": [0.0, 1.0], "scale": [1.0]}, "'mean' has 2 values but 'scale' has 1"),
        ({"mean": [float("nan")], "scale": [1.0]}, "finite numbers"),
        ({"mean": [0.0], "scale": [float("inf")]}, "finite numbers"),
        ({"mean": ["0"], "scale": [1.0]}, "finite numbers"),
        ({"mean": [True], "scale": [1.0]}, "finite numbers"),
        ({"mean": [0.0], "scale": [0.0]}, "must be > 0"),
        ({"mean": [0.0], "scale": [-1.0]}, "must be > 0"),
        ({"mean": [0.0], "scale": [1.0], "code": "os.system"}, "unknown field"),
        ({"mean": [0.0], "scale": [1.0], "feature_names": ["a", "b"]}, "2 names"),
        ({"mean": [0.0], "scale": [1.0], "feature_names": [1]}, "list of strings"),
    ],
)
def test_standardizer_from_dict_validates(state, match):
    with pytest.raises(DataError, match=match):
        Standardizer.from_dict(state)


def test_standardizer_bad_input():
    scaler = Standardizer()
    with pytest.raises(RuntimeError, match="not fitted"):
        scaler.transform([[1.0]])
    with pytest.raises(DataError, match="reshape"):
        scaler.fit(np.array([1.0, 2.0]))
    with pytest.raises(DataError, match="NaN or inf in column"):
        scaler.fit(np.array([[1.0, np.nan]]))
    with pytest.raises(DataError, match="no rows"):
        scaler.fit(np.empty((0, 2)))
    with pytest.raises(DataError, match="2 names, but X has 3 columns"):
        scaler.fit(np.ones((2, 3)) * [1, 2, 3] + np.arange(2)[:, None], ["a", "b"])
    scaler.fit(np.array([[1.0, 2.0], [3.0, 1.0]]))
    with pytest.raises(DataError, match="X has 3 features, but the Standardizer"):
        scaler.transform(np.ones((1, 3)))
    assert repr(scaler) == "Standardizer(n_features=2)"
    assert repr(Standardizer()) == "Standardizer()"


# --------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------


def test_encode_string_labels():
    codes, classes = encode_labels(["dog", "cat", "dog", "bird"])
    assert classes == ["bird", "cat", "dog"]
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes, [2, 1, 2, 0])
    np.testing.assert_array_equal(
        decode_labels(codes, classes), ["dog", "cat", "dog", "bird"]
    )


def test_encode_numbers_numerically_keeping_their_type():
    codes, classes = encode_labels(np.array([10, 9, 100, 9]))
    assert classes == [9, 10, 100]  # not "10" < "100" < "9"
    assert all(type(c) is int for c in classes)
    np.testing.assert_array_equal(codes, [1, 0, 2, 0])
    codes, classes = encode_labels([2.5, -1.0, 2.5])
    assert classes == [-1.0, 2.5] and all(type(c) is float for c in classes)
    json.dumps(classes)


def test_encode_labels_column_bool_and_object():
    codes, classes = encode_labels(np.array([[1], [0], [1]]))
    np.testing.assert_array_equal(codes, [1, 0, 1])
    assert encode_labels(np.array([True, False]))[1] == [False, True]
    codes, classes = encode_labels(np.array(["b", "a"], dtype=object))
    assert classes == ["a", "b"]
    np.testing.assert_array_equal(codes, [1, 0])
    codes, classes = encode_labels(np.array([3, 1.5], dtype=object))
    assert classes == [1.5, 3] and type(classes[1]) is int


def test_encode_labels_round_trip_through_json():
    y = np.array(["yes", "no", "no", "maybe"])
    codes, classes = encode_labels(y)
    np.testing.assert_array_equal(
        decode_labels(codes, json.loads(json.dumps(classes))), y
    )


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (["spam", "spam"], "single class \\('spam'\\)"),
        ([7, 7, 7], "single class \\(7\\)"),
        ([], "empty"),
        ([0.0, float("nan")], "NaN or inf in 1 row"),
        (np.array([1, "a"], dtype=object), "all numbers or all strings"),
        (np.array([None, "a"], dtype=object), "all numbers or all strings"),
        (np.ones((2, 2)), "shape"),
    ],
)
def test_encode_labels_errors(y, match):
    with pytest.raises(DataError, match=match):
        encode_labels(y)


def test_decode_labels_errors():
    with pytest.raises(DataError, match="code 3 is out of range for 2 classes"):
        decode_labels([0, 3], ["a", "b"])
    with pytest.raises(DataError, match="code -1"):
        decode_labels([-1], ["a", "b"])
    with pytest.raises(DataError, match="integers"):
        decode_labels([0.5], ["a", "b"])
    with pytest.raises(DataError, match="empty"):
        decode_labels([0], [])


# --------------------------------------------------------------------------
# Built-in data sets
# --------------------------------------------------------------------------


def test_datasets_names():
    assert DATASETS == ("seed", "xor", "moons", "circles", "spirals")


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown data set 'blobs'") as info:
        make_dataset("blobs")
    for name in DATASETS:
        assert repr(name) in str(info.value)


def test_seed_dataset_is_the_seed_table():
    X, y = make_dataset("seed", n_samples=1000, seed=5)
    np.testing.assert_array_equal(X, [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float64 and y.dtype == np.int64


def test_xor_four_points_exactly():
    X, y = make_dataset("xor", 4, noise=0.5, seed=3)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_xor_clouds_without_noise_sit_on_the_corners():
    X, y = make_dataset("xor", 10, noise=0.0)
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))
    corners, counts = np.unique(X, axis=0, return_counts=True)
    np.testing.assert_array_equal(corners, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert sorted(counts.tolist()) == [2, 2, 3, 3]


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "spirals"])
@pytest.mark.parametrize("n_samples", [7, 200])
def test_dataset_shapes_balance_and_determinism(name, n_samples):
    X, y = make_dataset(name, n_samples, seed=11)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert counts.size == 2 and counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()
    X2, y2 = make_dataset(name, n_samples, seed=11)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make_dataset(name, n_samples, seed=12)
    assert not np.array_equal(X, X3)


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "spirals"])
def test_dataset_rows_are_shuffled(name):
    _, y = make_dataset(name, 200)
    assert 0 < y[:100].sum() < 100


def test_circles_radii_without_noise():
    X, y = make_dataset("circles", 100, noise=0.0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.5)


def test_moons_without_noise_lie_on_their_arcs():
    X, y = make_dataset("moons", 100, noise=0.0)
    upper = X[y == 0] + [0.5, 0.25]  # undo the centring
    lower = X[y == 1] + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    assert (upper[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5).all()


def test_spirals_with_three_classes():
    X, y = make_dataset("spirals", 301, n_classes=3, noise=0.0, seed=2)
    assert sorted(np.bincount(y).tolist()) == [100, 100, 101]
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1.0
    # a point at radius t sits at angle 2 pi (1.5 t + k / 3) on arm k
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * (1.5 * radius + y / 3)
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-9)


def test_noise_moves_points():
    X0, _ = make_dataset("circles", 50, noise=0.0, seed=4)
    X1, _ = make_dataset("circles", 50, noise=0.2, seed=4)
    assert not np.allclose(np.hypot(*X1.T)[np.hypot(*X0.T) > 0.75], 1.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("xor", 3), {}, "n_samples must be an integer >= 4"),
        (("moons", 1), {}, "n_samples must be an integer >= 2"),
        (("spirals", 2), {"n_classes": 3}, ">= 3"),
        (("moons", 10.0), {}, "n_samples"),
        (("moons", 10), {"noise": -0.1}, "noise must be a finite number >= 0"),
        (("moons", 10), {"noise": float("nan")}, "noise"),
        (("moons", 10), {"n_classes": 3}, "only to 'spirals'"),
        (("spirals", 10), {"n_classes": 1}, "at least 2"),
    ],
)
def test_make_dataset_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_dataset(*args, **kwargs)


def test_encode_labels_against_known_classes():
    codes, classes = encode_labels(np.array(["b", "b"]), classes=["a", "b", "c"])
    np.testing.assert_array_equal(codes, [1, 1])
    assert classes == ["a", "b", "c"]
    with pytest.raises(DataError, match=r"labels 9 are not among the classes 1, 2"):
        encode_labels([1, 9, 2], classes=np.array([1, 2]))
    with pytest.raises(DataError, match="labels 'a' are not among the classes 1, 2"):
        encode_labels(["a"], classes=[1, 2])
    with pytest.raises(DataError, match="cannot be classes"):
        encode_labels(np.array(["a"], dtype=object), classes=np.array([1, 2], object))


def test_decode_labels_keeps_the_dtype_of_class_arrays():
    classes = np.array([3, 7], dtype=np.uint8)
    decoded = decode_labels([1, 0], classes)
    assert decoded.dtype == np.uint8 and decoded.tolist() == [7, 3]
