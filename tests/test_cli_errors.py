"""Bad input to the ``plainnet`` command: a one-line message naming the file, row
and column, a non-zero exit status, no traceback and no partial output file."""

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import plainnet_cli, write_flowers

HEADER = "a,b,label\n"
GOOD_ROWS = "".join(f"{i},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(20))


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A model trained by the command on columns a, b and target label."""
    folder = tmp_path_factory.mktemp("model")
    (folder / "train.csv").write_text(HEADER + GOOD_ROWS)
    result = plainnet_cli(
        "train",
        "train.csv",
        "--target",
        "label",
        "--epochs",
        2,
        "--out",
        "model.npz",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    return folder / "model.npz"


CASES = {
    "missing file": (
        None,
        ["train", "{csv}", "--target", "label"],
        1,
        ["data.csv: file not found"],
    ),
    "empty file": (
        "",
        ["train", "{csv}", "--target", "label"],
        1,
        ["data.csv: the file is empty"],
    ),
    "no header": (
        "1,2,3\n4,5,6\n",
        ["train", "{csv}", "--target", "label"],
        1,
        ["no header row: line 1 holds only numbers"],
    ),
    "target absent": (
        HEADER + GOOD_ROWS,
        ["train", "{csv}", "--target", "species"],
        1,
        ["no target column 'species'", "the columns are: 'a', 'b', 'label'"],
    ),
    # a text cell makes a column categories, a missing one is filled in (see
    # test_tables.py); --features makes the column choice explicit
    "unknown feature": (
        HEADER + GOOD_ROWS,
        ["train", "{csv}", "--target", "label", "--features", "a,zz"],
        2,
        ["--features/--drop name column(s) 'zz'"],
    ),
    "single class": (
        HEADER + "".join(f"{i},{i},yes\n" for i in range(12)),
        ["train", "{csv}", "--target", "label"],
        1,
        ["column 'label'", "single class ('yes')"],
    ),
    "ragged row": (
        HEADER + GOOD_ROWS + "1,2\n",
        ["train", "{csv}", "--target", "label"],
        1,
        ["line 22 has 2 fields, but the header (line 1) has 3 columns"],
    ),
    "text target for regress": (
        HEADER + GOOD_ROWS,
        ["train", "{csv}", "--target", "label", "--task", "regress"],
        1,
        ["holds text", "--task regress"],
    ),
    "no target option": (
        HEADER + GOOD_ROWS,
        ["train", "{csv}"],
        2,
        ["--target COLUMN"],
    ),
    "bad epochs": (
        HEADER + GOOD_ROWS,
        ["train", "{csv}", "--target", "label", "--epochs", "0"],
        2,
        ["--epochs: expected a positive integer, got '0'"],
    ),
    "bad hidden": (
        HEADER + GOOD_ROWS,
        ["train", "{csv}", "--target", "label", "--hidden", "64,x"],
        2,
        ["expected layer widths like 64,32"],
    ),
    "out folder missing": (
        HEADER + GOOD_ROWS,
        ["train", "{csv}", "--target", "label", "--out", "nowhere/model.npz"],
        2,
        ["cannot write nowhere/model.npz", "does not exist"],
    ),
    "predict columns differ": (
        "a,c\n1,2\n",
        ["predict", "{model}", "{csv}", "--out", "{output}"],
        1,
        ["missing column(s) 'b' that the model reads", "(the file has 'a', 'c')"],
    ),
    "predict non-numeric": (
        "a,b\n1,2\n3,x\n",
        ["predict", "{model}", "{csv}", "--out", "{output}"],
        1,
        ["line 3, column 'b': 'x' is not a number"],
    ),
    "evaluate unseen label": (
        "a,b,label\n1,2,maybe\n",
        ["evaluate", "{model}", "{csv}"],
        1,
        ["label(s) the model was not trained on: 'maybe'"],
    ),
    "not a model file": (
        "a,b\n1,2\n",
        ["predict", "{csv}", "{csv}"],
        1,
        ["data.csv: not a plainnet model file"],
    ),
    "think wrong count": (
        None,
        ["think", "--model", "{model}", "1"],
        2,
        ["the model expects 2 inputs (a, b), got 1"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_one_clear_line(tmp_path, model, case):
    contents, args, status, words = CASES[case]
    if contents is not None:
        (tmp_path / "data.csv").write_text(contents)
    names = {"csv": "data.csv", "model": model, "output": "out.csv"}
    result = plainnet_cli(*[str(a).format(**names) for a in args], cwd=tmp_path)
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "model.npz").exists()
    if status == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_drop_missing_trains_on_the_complete_rows(tmp_path):
    (tmp_path / "data.csv").write_text(HEADER + GOOD_ROWS + "7,,yes\n8,NA,no\n")
    result = plainnet_cli(
        "train",
        "data.csv",
        "--target",
        "label",
        "--drop-missing",
        "--epochs",
        2,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "16 training rows, 4 validation rows" in result.stdout


def test_a_truncated_model_file(tmp_path, model):
    (tmp_path / "cut.npz").write_bytes(model.read_bytes()[:500])
    write_flowers(tmp_path / "data.csv")
    result = plainnet_cli("info", "cut.npz", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "plainnet info: error: cut.npz: damaged or truncated"
    )
    assert "Traceback" not in result.stderr


def test_predict_ignores_the_target_column_and_keeps_the_training_order(
    tmp_path, model
):
    rows = "label,b,a\nyes,1,2\nno,0,3\n"
    (tmp_path / "data.csv").write_text(rows)
    result = plainnet_cli("predict", model, "data.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "label"
    assert len(result.stdout.splitlines()) == 3
    assert pn.load(model).n_features_in == 2
    assert np.isin(result.stdout.splitlines()[1:], ["yes", "no"]).all()


# -- mistyped command lines ------------------------------------------------------
TYPOS = {
    "a misspelled option": (
        ["train", "data.csv", "--traget", "label"],
        "plainnet train: error: unrecognized arguments: --traget label "
        "(did you mean --target?)",
    ),
    "an abbreviated option": (
        ["train", "--dataset", "moons", "--epoch", "5"],
        "plainnet train: error: unrecognized arguments: --epoch (did you mean "
        "--epochs?)",
    ),
    "an abbreviated option with =": (
        ["evaluate", "m.npz", "d.csv", "--targ=label"],
        "plainnet evaluate: error: unrecognized arguments: --targ=label (did you "
        "mean --target?)",
    ),
    "hidden widths as separate words after a file": (
        ["train", "data.csv", "--target", "label", "--hidden", "64", "32"],
        "plainnet train: error: --hidden takes one value, its layer widths "
        "separated by commas: write --hidden 64,32",
    ),
    "hidden widths taken for the file": (
        ["train", "--dataset", "moons", "--hidden", "64", "32"],
        "plainnet train: error: --hidden takes one value, its layer widths "
        "separated by commas: write --hidden 64,32",
    ),
    "columns as separate words": (
        ["predict", "m.npz", "d.csv", "--keep", "Name", "Age"],
        "plainnet predict: error: --keep takes one value, its column names "
        "separated by commas: write --keep Name,Age",
    ),
}


@pytest.mark.parametrize("case", TYPOS, ids=str)
def test_a_mistyped_option_gets_the_commands_usage_and_a_hint(tmp_path, case):
    args, message = TYPOS[case]
    result = plainnet_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    command = args[0]
    assert result.stderr.startswith(f"usage: plainnet {command} [-h]")
    assert result.stderr.splitlines()[-1] == message
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_every_command_refuses_abbreviations():
    from plainnet.cli import build_parser

    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--vers"])
    commands = parser._subparsers._group_actions[0].choices
    assert len(commands) == 11  # the playground, train-text and write too
    assert not any(command.allow_abbrev for command in commands.values())
