"""Tables separated by semicolons or tabs: the separator detected from the
header (or given with ``sep=`` and ``--sep``), and a header that reads as one
column holding another separator said so."""

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import plainnet_cli
from plainnet.data import read_columns, read_csv
from plainnet.errors import DataError


def write_flowers(path, sep: str, n: int = 60) -> None:
    """Two well separated classes, the label quoted and holding a comma."""
    rng = np.random.default_rng(0)
    lines = [sep.join(["length", "width", "kind"])]
    for i in range(n):
        c = i % 2
        x = rng.normal([1 + 3 * c, 2 - c], 0.2)
        kind = '"tall, thin"' if c else "short"
        lines.append(sep.join([f"{x[0]:.3f}", f"{x[1]:.3f}", kind]))
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_the_separator_is_detected_from_the_header(tmp_path, sep):
    write_flowers(tmp_path / "f.csv", sep)
    table = read_csv(tmp_path / "f.csv", target="kind", sep=None)
    assert table.feature_names == ["length", "width"]
    assert table.X.shape == (60, 2)
    assert sorted(set(table.y)) == ["short", "tall, thin"]
    columns = read_columns(tmp_path / "f.csv", sep=None)
    assert columns.sep == sep


def test_a_separator_given_is_used(tmp_path):
    (tmp_path / "t.csv").write_text("a;b|c\n1;2|3\n")
    assert read_columns(tmp_path / "t.csv", sep="|").header == ["a;b", "c"]
    assert read_columns(tmp_path / "t.csv", sep=None).header == ["a", "b|c"]


def test_a_header_read_as_one_column_holding_semicolons_says_so(tmp_path):
    (tmp_path / "t.csv").write_text("a;b;y\n1;2;x\n")
    with pytest.raises(DataError) as info:
        read_csv(tmp_path / "t.csv", target="y")
    assert str(info.value) == (
        f"{tmp_path / 't.csv'}: line 1: the header reads as one column, 'a;b;y', "
        "which holds semicolons: the file seems separated by semicolons, not "
        "commas; read it with sep=';' (--sep ';' on the command line)"
    )
    (tmp_path / "t.tsv").write_text("a\tb\n1\t2\n")
    with pytest.raises(DataError, match="one column, 'a\\\\tb', which holds tabs"):
        read_columns(tmp_path / "t.tsv")


def test_a_bad_separator_is_refused(tmp_path):
    (tmp_path / "t.csv").write_text("a\n1\n")
    for sep in ("", ";;", '"', "\n", 1):
        with pytest.raises(ValueError, match="sep must be one character"):
            read_csv(tmp_path / "t.csv", sep=sep)


def test_train_predict_and_evaluate_read_semicolons_and_tabs(tmp_path):
    write_flowers(tmp_path / "train.csv", ";")
    result = plainnet_cli(
        "train", "train.csv", "--target", "kind", "--epochs", "3", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert pn.Predictor.load(tmp_path / "model.npz").feature_names == [
        "length",
        "width",
    ]
    write_flowers(tmp_path / "new.tsv", "\t", n=10)
    result = plainnet_cli("predict", "model.npz", "new.tsv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 11
    result = plainnet_cli(
        "evaluate", "model.npz", "new.tsv", "--sep", "tab", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "10 rows of new.tsv" in result.stdout


def test_sep_given_on_the_command_line_wins(tmp_path):
    write_flowers(tmp_path / "train.csv", ";")
    result = plainnet_cli(
        "train", "train.csv", "--target", "kind", "--sep", ",", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "the header reads as one column" in result.stderr
    assert "--sep ';'" in result.stderr
    result = plainnet_cli(
        "train", "train.csv", "--target", "kind", "--sep", "ab", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "expected one character" in result.stderr
