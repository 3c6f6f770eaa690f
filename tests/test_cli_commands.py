"""The commands as a newcomer meets them: ``train --optimizer lbfgs``, a signal
during the final save, ``think`` and ``predict`` given values in the wrong
order or a CNN estimator, formulas in predicted CSV cells, and the note on a
mostly empty number column."""

import csv
import io
import signal

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import plainnet_cli, start_until, write_flowers
from plainnet import cli, model_files
from plainnet.errors import DataError
from titanic import write_titanic


def run(capsys, *args) -> tuple[int, str, str]:
    """``plainnet ARGS`` in this process: exit status, stdout and stderr."""
    status = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- train --optimizer lbfgs -------------------------------------------------------
def test_train_with_lbfgs_trains_and_says_the_learning_rate_does_not_apply(
    tmp_path, monkeypatch, capsys
):
    pytest.importorskip("scipy")
    monkeypatch.chdir(tmp_path)
    status, out, err = run(
        capsys, "train", "--dataset", "moons", "--optimizer", "lbfgs", "--quiet"
    )
    assert status == 0, err
    assert "note:" not in out  # no learning-rate option was given
    network = pn.load("model.npz")
    assert isinstance(network.optimizer, pn.optimizers.LBFGS)
    assert network.optimizer.state["step"] == len(network.history.loss) > 1
    assert "validation: accuracy 0.9" in out or "validation: accuracy 1" in out

    status, out, err = run(
        capsys,
        "train",
        "--dataset",
        "moons",
        "--optimizer",
        "lbfgs",
        "--lr",
        "0.1",
        "--batch-size",
        "16",
        "--quiet",
    )
    assert status == 0, err
    notes = [line for line in out.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "--lr, --batch-size do not apply" in notes[0], notes


# -- a signal during the final save ------------------------------------------------
def start_saving(folder, *extra):
    """``plainnet train`` on flowers.csv, returned while its final save waits
    between writing the temporary file and renaming it."""
    write_flowers(folder / "flowers.csv")
    return start_until(
        "train",
        "flowers.csv",
        "--target",
        "species",
        "--epochs",
        3,
        "--quiet",
        "--out",
        "model.npz",
        *extra,
        cwd=folder,
        line="pausing before rename",
        PLAINNET_TEST_PAUSE_BEFORE_RENAME="2",
    )


@pytest.mark.parametrize(
    "number, status, by",
    [(signal.SIGTERM, 143, "by SIGTERM "), (signal.SIGINT, 130, "")],
)
def test_a_signal_during_the_final_save_lets_it_finish(tmp_path, number, status, by):
    process = start_saving(tmp_path)
    assert [p.name for p in tmp_path.iterdir() if ".plainnet-tmp-" in p.name]
    process.send_signal(number)
    out, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert f"interrupted {by}while saving" in err and "model.npz" in err, err
    assert "Traceback" not in err
    assert "saved to model.npz" in out
    assert pn.load(tmp_path / "model.npz").history.loss  # the new model, whole
    assert not [p for p in tmp_path.iterdir() if ".plainnet-tmp-" in p.name]


def test_a_second_signal_abandons_the_save_and_says_nothing_was_saved(tmp_path):
    old = pn.Sequential([pn.Dense(2, 3)], seed=0)
    model_files.save(old, tmp_path / "model.npz")
    before = (tmp_path / "model.npz").read_bytes()
    process = start_saving(tmp_path)
    process.send_signal(signal.SIGTERM)
    process.send_signal(signal.SIGINT)  # pending ones are handled SIGINT first
    _, err = process.communicate(timeout=60)
    assert process.returncode in (130, 143), err
    assert "nothing was saved to model.npz" in err and "Traceback" not in err, err
    assert (tmp_path / "model.npz").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if ".plainnet-tmp-" in p.name]


def test_an_unsignalled_save_still_says_where_the_model_is(tmp_path):
    result = plainnet_cli(
        "train", "--dataset", "moons", "--epochs", 2, "--quiet", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "saved to model.npz" in result.stdout
    assert np.isfinite(pn.load(tmp_path / "model.npz").parameters).all()


# -- values in the wrong order -------------------------------------------------------
@pytest.fixture(scope="module")
def titanic(tmp_path_factory):
    """A folder holding titanic.csv and titanic.npz, trained on it."""
    folder = tmp_path_factory.mktemp("titanic")
    write_titanic(folder / "titanic.csv")
    result = plainnet_cli(
        "train",
        "titanic.csv",
        "--target",
        "Survived",
        "--epochs",
        5,
        "--quiet",
        "--out",
        "titanic.npz",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    return folder


def test_think_with_values_in_the_wrong_order_names_the_value_and_column(
    titanic, capsys
):
    model = titanic / "titanic.npz"
    status, _, err = run(
        capsys, "think", "--model", model, "female", 3, 22, 1, 0, 7.25, "S"
    )
    assert status == 1 and "Traceback" not in err
    assert err.startswith("plainnet think: error: column 'Pclass': 'female' is not a")
    assert "Pclass, Sex, Age, SibSp, Parch, Fare, Embarked" in err  # the order
    status, _, err = run(
        capsys, "think", "--model", model, 3, "female", "unknown", 1, 0, 7.25, "S"
    )
    assert status == 1 and "column 'Age': 'unknown' is not a number" in err, err
    status, out, err = run(
        capsys, "think", "--model", model, 3, "female", "NA", 1, 0, 7.25, "S"
    )
    assert status == 0 and out.startswith("Considering new situation: Pclass=3")


def test_predictor_with_values_in_the_wrong_order_says_what_predict_says(titanic):
    predictor = pn.Predictor.load(titanic / "titanic.npz")
    columns = predictor.input_columns
    good = [3, "female", 22, 1, 0, 7.25, "S"]
    wrong = ["female", 3, 22, 1, 0, 7.25, "S"]
    with pytest.raises(DataError, match=r"^column 'Pclass': 'female' is not a number$"):
        predictor.predict(dict(zip(columns, [[v] for v in wrong], strict=True)))
    with pytest.raises(DataError, match=r"^column 'Pclass': 'female' is not a number$"):
        predictor.predict([wrong])
    by_name = dict(zip(columns, [[v] for v in good], strict=True))
    with pytest.raises(DataError, match="column 'Age': 'unknown' is not a number"):
        predictor.predict(by_name | {"Age": ["unknown"]})
    # a row of raw values in the columns' order is what the dict of them is
    np.testing.assert_array_equal(
        predictor.predict_proba([good]), predictor.predict_proba(by_name)
    )
    # and a file with the same mistake gives the same words
    rows = [",".join(columns), ",".join(map(str, good)), ",".join(map(str, wrong))]
    (titanic / "wrong.csv").write_text("\n".join(rows) + "\n")
    result = plainnet_cli("predict", "titanic.npz", "wrong.csv", cwd=titanic)
    assert result.returncode == 1
    assert "line 3, column 'Pclass': 'female' is not a number" in result.stderr


def test_predictor_of_numbers_names_a_text_value_and_its_column(tmp_path):
    net = pn.Sequential([pn.Dense(2, 1)], seed=0)
    predictor = pn.Predictor(net, {"feature_names": ["size", "age"]})
    with pytest.raises(DataError, match=r"^column 'age': 'old' is not a number$"):
        predictor.predict([["3.5", "old"]])
    with pytest.raises(DataError, match=r"^column 'size': 'big' is not a number$"):
        predictor.predict({"size": ["big"], "age": [3]})
    assert predictor.predict([["3.5", "2"]]).shape == (1,)


# -- an estimator whose first layer is a convolution ---------------------------------
def test_predict_and_evaluate_with_a_cnn_estimator_read_flat_rows(
    tmp_path, monkeypatch, capsys
):
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16, y[:200]
    cnn = pn.NeuralNetClassifier(
        layers=[pn.Conv2D(1, 4, 3), pn.ReLU(), pn.Flatten()],
        input_shape=(1, 8, 8),
        max_epochs=3,
        random_state=0,
    )
    with pytest.warns(UserWarning):  # not converged in 3 epochs
        cnn.fit(X, y)
    monkeypatch.chdir(tmp_path)
    cnn.save("cnn.npz")
    header = ",".join(f"pixel{i}" for i in range(64))
    rows = [",".join(f"{v:g}" for v in row) for row in X[:20]]
    (tmp_path / "digits.csv").write_text("\n".join([header, *rows]) + "\n")
    labelled = [f"{row},{label}" for row, label in zip(rows, y[:20], strict=True)]
    (tmp_path / "labelled.csv").write_text(
        "\n".join([header + ",digit", *labelled]) + "\n"
    )

    status, out, err = run(capsys, "predict", "cnn.npz", "digits.csv")
    assert status == 0, err
    predicted = [int(line) for line in out.splitlines()[1:]]
    assert predicted == cnn.predict(X[:20]).tolist()
    status, out, err = run(
        capsys, "evaluate", "cnn.npz", "labelled.csv", "--target", "digit"
    )
    assert status == 0, err
    right = int((cnn.predict(X[:20]) == y[:20]).sum())
    assert f"({right} of 20)" in out

    (tmp_path / "narrow.csv").write_text(
        "\n".join(
            [",".join(header.split(",")[:60])] + [r.rsplit(",", 4)[0] for r in rows]
        )
    )
    status, _, err = run(capsys, "predict", "cnn.npz", "narrow.csv")
    assert status == 1 and "60 feature columns, but the model expects 64" in err, err


# -- cells a spreadsheet would run ----------------------------------------------------
FORMULAS = ['=HYPERLINK("http://example.com","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]


def test_predict_writes_formulas_inert_and_numbers_as_they_are(
    tmp_path, monkeypatch, capsys
):
    rng = np.random.default_rng(0)
    notes = ["=1+1", "-2.5", "-x", "plain", "@x", "+3", "-1e5"]
    rows = [["id", "note", "x", "@label"]]
    for i in range(60):
        x = rng.random()
        rows.append([i, notes[i % 7], f"{x:.3f}", FORMULAS[int(x * 3)]])
    with open(tmp_path / "cells.csv", "w", newline="") as file:
        csv.writer(file).writerows(rows)
    monkeypatch.chdir(tmp_path)
    status, _, err = run(
        capsys,
        "train",
        "cells.csv",
        "--target",
        "@label",
        "--features",
        "x",
        "--epochs",
        5,
        "--out",
        "cells.npz",
        "--quiet",
    )
    assert status == 0, err
    expected = {
        "=1+1": "'=1+1",
        "-2.5": "-2.5",
        "-x": "'-x",
        "plain": "plain",
        "@x": "'@x",
        "+3": "+3",
        "-1e5": "-1e5",
    }
    for out in (["--out", "predicted.csv"], []):
        status, printed, err = run(
            capsys,
            "predict",
            "cells.npz",
            "cells.csv",
            "--keep",
            "note",
            "--proba",
            *out,
        )
        assert status == 0, err
        text = (tmp_path / "predicted.csv").read_text() if out else printed
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:2] == ["note", "'@label"]  # the header too
        for row, i in zip(rows[1:], range(60), strict=True):
            assert row[0] == expected[notes[i % 7]]
            assert row[1] in ["'" + f for f in FORMULAS]
            assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row[2:])


# -- a number column that is mostly missing -----------------------------------------
def test_training_notes_how_many_cells_of_a_mostly_missing_column_are_filled(
    tmp_path, monkeypatch, capsys
):
    rng = np.random.default_rng(0)
    lines = ["a,b,c,d,y"]
    for i in range(300):
        a = rng.normal()
        b = f"{rng.normal():.3f}" if i in (5, 6, 7) else ""  # 99% missing
        c = f"{rng.normal():.2f}" if i % 3 == 0 else ""  # 66% missing
        d = f"{rng.normal():.2f}" if i % 2 == 0 else ""  # half: no note
        lines.append(f"{a:.3f},{b},{c},{d},{int(a > 0)}")
    (tmp_path / "sparse.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    status, out, err = run(
        capsys, "train", "sparse.csv", "--target", "y", "--epochs", 2, "--quiet"
    )
    assert status == 0, err
    notes = [line for line in out.splitlines() if "is missing in" in line]
    assert len(notes) == 2, notes
    assert notes[0].startswith("note: column 'b' is missing in 297 of 300 rows (99%)")
    assert "those 297 cells are filled with its median" in notes[0]
    assert notes[1].startswith("note: column 'c' is missing in 200 of 300 rows (66%)")
