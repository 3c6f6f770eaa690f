"""``pn.train_table``, the Python home of ``plainnet train``: the same model as
the command bit for bit, its notes returned and never printed, and bad input
refused with an error naming what was wrong."""

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import write_prices
from plainnet import cli
from plainnet.errors import DataError
from plainnet.tabular import SettingError
from titanic import write_titanic


def cli_model(capsys, *args) -> tuple[pn.Predictor, str]:
    assert cli.main(["train", *args, "--quiet"]) == 0
    return pn.Predictor.load(args[args.index("--out") + 1]), capsys.readouterr().out


def test_a_table_trains_to_the_model_the_command_saves(tmp_path, capsys):
    csv = write_titanic(tmp_path / "titanic.csv", n=300)
    out = str(tmp_path / "model.npz")
    options = {"epochs": 15, "hidden": [16], "seed": 3}
    saved, printed = cli_model(
        capsys, str(csv), "--target", "Survived", "--epochs", "15",
        "--hidden", "16", "--seed", "3", "--out", out,
    )  # fmt: skip
    trained = pn.train_table(csv, target="Survived", **options)
    assert capsys.readouterr().out == ""  # nothing printed: the notes are returned
    assert np.array_equal(trained.network.parameters, saved.network.parameters)
    rows = saved.read_rows(csv)
    assert np.array_equal(
        trained.predictor.predict_proba(rows.features),
        saved.predict_proba(rows.features),
    )
    assert trained.predictor.metadata["kept_epoch"] == saved.metadata["kept_epoch"]
    # the notes are the lines the command printed before its progress
    announced = [line for line in trained.notes if line.startswith("training a ")]
    assert len(announced) == 1 and announced[0] + " (Ctrl-C" in printed
    task = "task: classify 'Survived' into 2 classes: '0', '1'"
    assert task in trained.notes and task in printed
    # a setting is named as the caller names it: an argument, or an option
    left_out = [line for line in trained.notes if "'PassengerId'" in line]
    assert left_out[0].endswith("; name it in features to keep it")
    assert left_out[0].replace("in features", "in --features") in printed
    assert trained.summary in printed


def test_regression_and_class_weights_match_the_command(tmp_path, capsys):
    csv = write_prices(tmp_path / "prices.csv")
    out = str(tmp_path / "model.npz")
    saved, _ = cli_model(capsys, str(csv), "--target", "price", "--epochs", "8",
                         "--out", out)  # fmt: skip
    trained = pn.train_table(str(csv), target="price", epochs=8)
    rows = saved.read_rows(csv)
    assert trained.predictor.task == "regress"
    assert np.array_equal(trained.predictor.predict(rows.X), saved.predict(rows.X))


def test_a_built_in_data_set_matches_the_command(tmp_path, capsys):
    out = str(tmp_path / "moons.npz")
    saved, _ = cli_model(capsys, "--dataset", "moons", "--epochs", "5",
                         "--class-weight", "balanced", "--out", out)  # fmt: skip
    trained = pn.train_table(dataset="moons", epochs=5, class_weight="balanced")
    X = np.linspace(-1, 2, 20).reshape(10, 2)
    assert np.array_equal(trained.predictor.predict_proba(X), saved.predict_proba(X))
    assert len(trained.X) == len(trained.y) == 200


def test_notes_go_to_say_as_they_come(tmp_path):
    csv = write_titanic(tmp_path / "titanic.csv", n=100)
    said = []
    trained = pn.train_table(
        csv, target="Survived", epochs=1, notes=pn.tabular.Notes(say=said.append)
    )
    assert said == trained.notes and said[-1].startswith("training a classify")
    assert "task: classify 'Survived' into 2 classes: '0', '1'" in said


BAD = {
    "no such target": ({"target": "species"}, DataError, "'species'", "'a', 'b'"),
    "text to regress": ({"target": "label", "task": "regress"}, DataError, "text"),
    "unknown feature": ({"target": "label", "features": ["zz"]}, SettingError, "'zz'"),
    "target a feature": ({"target": "label", "features": ["label"]}, SettingError),
    "weights to regress": ({"target": "a", "class_weight": "balanced"}, SettingError),
    "unknown weights": ({"target": "a", "class_weight": "yes"}, ValueError, "'yes'"),
    "unknown task": ({"target": "a", "task": "cluster"}, ValueError, "'cluster'"),
    "no target": ({}, ValueError, "target is needed"),
    "file and data set": ({"target": "label", "dataset": "moons"}, ValueError),
    "unknown setting": ({"target": "label", "epoch": 3}, TypeError, "'epoch'"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_names_what_was_wrong(tmp_path, case):
    options, error, *words = BAD[case]
    csv = tmp_path / "data.csv"
    rows = "".join(f"{i},{i % 7 * 1.5},{'yes' if i % 2 else 'no'}\n" for i in range(30))
    csv.write_text("a,b,label\n" + rows)
    with pytest.raises(error) as raised:
        pn.train_table(csv, **options)
    for word in words:
        assert word in str(raised.value)


def test_a_single_class_is_a_data_error(tmp_path):
    csv = tmp_path / "one.csv"
    csv.write_text("a,label\n" + "".join(f"{i},yes\n" for i in range(12)))
    with pytest.raises(DataError, match=r"one.csv: column 'label'.*single class"):
        pn.train_table(csv, target="label")
