"""Model files written by plainnet 0.1.0 (format 1) still load and predict
bit-identically; ``tests/data/make_fixtures.py`` says how they were made."""

import json
from pathlib import Path

import numpy as np
import pytest

import plainnet as pn
from plainnet.model_files import read_model_file

DATA = Path(__file__).resolve().parent / "data"
with np.load(DATA / "expected.npz", allow_pickle=False) as archive:
    EXPECTED = dict(archive)
DESCRIBED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def expected(name: str, what: str) -> np.ndarray:
    return EXPECTED[f"{name}.{what}"]


@pytest.mark.parametrize("name", ["sequential_float64", "sequential_float32"])
def test_sequential_predicts_as_when_saved(name):
    net = pn.load(DATA / f"{name}.npz")
    X = expected(name, "X")
    assert isinstance(net, pn.Sequential)
    np.testing.assert_array_equal(net.predict(X), expected(name, "predict"))
    np.testing.assert_array_equal(net.predict_proba(X), expected(name, "predict_proba"))


@pytest.mark.parametrize("name", ["sequential_float64", "sequential_float32"])
def test_sequential_resumes_its_optimizer_and_generator(name):
    net = pn.load(DATA / f"{name}.npz")
    X = expected(name, "X")
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # the labels make_fixtures trained on
    net.fit(X, y, epochs=1, batch_size=8)
    np.testing.assert_array_equal(net.predict(X), expected(name, "resumed"))


@pytest.mark.parametrize("name", ["neural_network_3_1", "neural_network_2_4_1"])
def test_neural_network_thinks_as_when_saved(name):
    model = pn.load(DATA / f"{name}.npz")
    assert isinstance(model, pn.NeuralNetwork)
    np.testing.assert_array_equal(
        model.think(expected(name, "X")), expected(name, "think")
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimators_predict_as_when_saved():
    classifier = pn.load(DATA / "classifier.npz")
    regressor = pn.load(DATA / "regressor.npz")
    assert isinstance(classifier, pn.NeuralNetClassifier)
    assert isinstance(regressor, pn.NeuralNetRegressor)
    X = expected("classifier", "X")
    np.testing.assert_array_equal(
        classifier.predict(X), expected("classifier", "predict")
    )
    np.testing.assert_array_equal(
        classifier.predict_proba(X), expected("classifier", "predict_proba")
    )
    np.testing.assert_array_equal(
        regressor.predict(expected("regressor", "X")), expected("regressor", "predict")
    )


def test_cli_model_reads_as_when_saved():
    contents = read_model_file(DATA / "cli_moons.npz")
    assert contents.kind == DESCRIBED["cli_moons"]["kind"]
    assert contents.metadata == DESCRIBED["cli_moons"]["metadata"]
    np.testing.assert_array_equal(
        contents.network.predict(expected("cli_moons", "X")),
        expected("cli_moons", "predict"),
    )
