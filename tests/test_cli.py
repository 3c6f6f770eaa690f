"""The ``plainnet`` command as a user runs it: train, predict, evaluate, info,
think --model, plots, Ctrl-C and an interrupted save (real subprocesses)."""

import csv
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import (
    SPECIES,
    plainnet_cli,
    start_long_training,
    start_until,
    write_flowers,
    write_prices,
)
from plainnet import cli, model_files, optimizers
from plainnet.cli import train_fit
from plainnet.data import read_csv
from plainnet.preprocessing import Standardizer


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def read_rows(path) -> list[list[str]]:
    with open(path, newline="") as file:
        return list(csv.reader(file))


@pytest.fixture(scope="module")
def flowers(tmp_path_factory):
    """A CSV with string labels and the model ``plainnet train`` made of it."""
    folder = tmp_path_factory.mktemp("flowers")
    data = write_flowers(folder / "flowers.csv")
    out = ok(
        plainnet_cli(
            "train",
            "flowers.csv",
            "--target",
            "species",
            "--epochs",
            30,
            "--lr",  # the defaults (0.001, 200 rows) take more epochs than 30
            0.01,
            "--batch-size",
            32,
            "--out",
            "flowers.npz",
            cwd=folder,
        )
    )
    return folder, data, folder / "flowers.npz", out


def test_train_on_a_csv_with_string_labels(flowers):
    _, _, model, out = flowers
    assert (
        "classify 'species' into 3 classes: 'setosa', 'versicolor', 'virginica'" in out
    )
    assert "72 training rows, 18 validation rows" in out
    assert "validation: accuracy" in out
    assert "saved to flowers.npz" in out
    contents = model_files.read_model_file(model)
    assert contents.metadata["classes"] == list(SPECIES)
    assert contents.metadata["feature_names"] == [
        "sepal_length",
        "sepal_width",
        "petal_length",
    ]
    assert len(contents.network.history.loss) == 30
    assert len(contents.metadata["metrics"]["val_accuracy"]) == 30


def test_predict_writes_labels_as_they_were_in_training(flowers):
    folder, data, model, _ = flowers
    out = ok(
        plainnet_cli("predict", model, data, "--out", "predictions.csv", cwd=folder)
    )
    assert "90 predictions written to predictions.csv" in out
    rows = read_rows(folder / "predictions.csv")
    assert rows[0] == ["species"]
    truth = [row[3] for row in read_rows(data)[1:]]
    predicted = [row[0] for row in rows[1:]]
    assert np.mean(np.array(predicted) == np.array(truth)) > 0.9

    shown = ok(plainnet_cli("predict", model, data, "--proba", cwd=folder))
    table = list(csv.reader(shown.splitlines()))
    assert table[0] == [
        "species",
        "proba_setosa",
        "proba_versicolor",
        "proba_virginica",
    ]
    assert [row[0] for row in table[1:]] == predicted
    probabilities = np.array([[float(p) for p in row[1:]] for row in table[1:]])
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_predictions_are_those_of_the_loaded_model(flowers):
    """The command's predictions equal the model file's, loaded in Python."""
    folder, data, model, _ = flowers
    contents = model_files.read_model_file(model)
    table = read_csv(
        data,
        expected_columns=contents.metadata["feature_names"],
        ignore_columns=["species"],
    )
    scaler = Standardizer.from_dict(contents.metadata["scaling"])
    codes = pn.load(model).predict(scaler.transform(table.X)).argmax(axis=1)
    expected = np.array(contents.metadata["classes"])[codes]
    shown = ok(plainnet_cli("predict", model, data, cwd=folder)).splitlines()[1:]
    assert shown == expected.tolist()


def test_evaluate_shows_accuracy_and_the_confusion_matrix(flowers):
    folder, data, model, _ = flowers
    out = ok(plainnet_cli("evaluate", model, data, "--target", "species", cwd=folder))
    assert "90 rows of" in out
    assert "accuracy: " in out
    assert "confusion matrix (rows: true class, columns: predicted class):" in out
    header = out.splitlines()[-4].split()
    assert header == list(SPECIES)


def test_info_describes_the_model(flowers):
    folder, _, model, _ = flowers
    out = ok(plainnet_cli("info", model, cwd=folder))
    assert "plainnet model file (format 1, written by plainnet" in out
    assert "kind: sequential, dtype float64, 2435 parameters" in out
    assert "Dense(n_in=3, n_out=64" in out
    assert "optimizer: Adam(lr=0.01" in out
    assert "features (3): 'sepal_length', 'sepal_width', 'petal_length'" in out
    assert "training history: 30 epochs; loss " in out
    assert "validation loss" in out


def test_think_with_a_model(flowers):
    folder, _, model, _ = flowers
    out = ok(plainnet_cli("think", "--model", model, "5", "3", "1.5", cwd=folder))
    assert "Prediction: setosa (probabilities setosa: " in out


def test_regression_round_trip_is_exact(tmp_path):
    """Predictions printed with 17 digits are the loaded model's, bit for bit."""
    data = write_prices(tmp_path / "prices.csv")
    out = ok(
        plainnet_cli(
            "train",
            data,
            "--target",
            "price",
            "--epochs",
            40,
            "--lr",
            0.01,
            "--batch-size",
            32,
            "--hidden",
            "16",
            "--out",
            "prices.npz",
            cwd=tmp_path,
        )
    )
    assert "task: regress (predict the number 'price')" in out
    assert "validation: MSE" in out and "R^2" in out
    ok(plainnet_cli("predict", "prices.npz", data, "--out", "p.csv", cwd=tmp_path))
    shown = np.array([float(row[0]) for row in read_rows(tmp_path / "p.csv")[1:]])
    predictor = pn.Predictor.load(str(tmp_path / "prices.npz"))
    table = read_csv(data, target="price")
    assert np.array_equal(shown, predictor.predict(table.X))
    scores = ok(plainnet_cli("evaluate", "prices.npz", data, cwd=tmp_path))
    assert "MSE: " in scores and "MAE: " in scores and "R^2: " in scores
    r2 = float(scores.split("R^2: ")[1].split()[0])
    assert r2 > 0.9


def test_train_on_a_built_in_data_set_with_a_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out = ok(
        plainnet_cli(
            "train",
            "--dataset",
            "moons",
            "--epochs",
            20,
            "--quiet",
            "--plot",
            "moons.png",
            "--out",
            "moons.npz",
            cwd=tmp_path,
        )
    )
    assert "on the built-in 'moons' data" in out
    assert "plot saved to moons.png" in out
    assert (tmp_path / "moons.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pn.load(tmp_path / "moons.npz").n_features_in == 2


def test_a_missing_matplotlib_is_reported_before_training(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["train", "--dataset", "xor", "--plot", "xor.png"])
    assert status == 1
    assert 'pip install ".[plot]"' in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_saves_the_best_model_so_far(tmp_path):
    process = start_long_training(tmp_path)
    time.sleep(1.0)  # well into the epochs
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == cli.EXIT_INTERRUPTED, err
    assert "Traceback" not in err
    assert "training interrupted: the best model so far is in best.npz" in err
    assert "saved to best.npz" in out
    contents = model_files.read_model_file(tmp_path / "best.npz")
    history = contents.network.history
    assert history.interrupted and 0 < len(history.loss) < 100000
    info = ok(plainnet_cli("info", "best.npz", cwd=tmp_path))
    assert "stopped by Ctrl-C" in info


def test_a_save_killed_before_the_rename_leaves_the_old_file(tmp_path):
    data = write_flowers(tmp_path / "flowers.csv")
    old = pn.Sequential([pn.Dense(3, 3)], seed=0)
    old.save(tmp_path / "model.npz")
    before = (tmp_path / "model.npz").read_bytes()
    process = start_until(
        *("train", data, "--target", "species", "--epochs", 2, "--out", "model.npz"),
        cwd=tmp_path,
        line="pausing before rename",
        PLAINNET_TEST_PAUSE_BEFORE_RENAME="60",
    )
    temporary = [p for p in tmp_path.iterdir() if ".plainnet-tmp-" in p.name]
    assert len(temporary) == 1 and temporary[0].stat().st_size > 0  # written, synced
    process.kill()
    process.communicate(timeout=60)
    assert (tmp_path / "model.npz").read_bytes() == before
    assert np.array_equal(pn.load(tmp_path / "model.npz").parameters, old.parameters)


class _Exploding(pn.Adam):
    """Adam whose learning rate becomes absurd after 30 steps: divergence."""

    def _update(self, params, grads):
        if self.state["step"] > 30:
            self.lr = 1e300
        super()._update(params, grads)


def test_divergence_saves_the_best_epoch_and_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(optimizers.OPTIMIZERS, "exploding", _Exploding)
    monkeypatch.setitem(train_fit.OPTIMIZERS, "adam", _Exploding)
    write_prices(tmp_path / "prices.csv")
    monkeypatch.chdir(tmp_path)
    status = cli.main(["train", "prices.csv", "--target", "price", "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert "training diverged in epoch" in err
    assert "kept the weights of epoch" in err and "saved to model.npz" in err
    assert np.isfinite(pn.load(tmp_path / "model.npz").parameters).all()
