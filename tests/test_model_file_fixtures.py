"""Model files written by plainnet 0.1.0 (format 1) still load: their weights
bit for bit, and predictions as when saved; ``tests/data/make_fixtures.py``
says how they were made.

Predictions are compared to a few units in the last place, not bit for bit:
the matrix products come from the machine's BLAS, whose kernels (picked per CPU,
or by ``OPENBLAS_CORETYPE``) may sum in another order than the machine that
wrote the fixtures. Labels are compared exactly.
"""

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


def assert_as_saved(actual: np.ndarray, saved: np.ndarray, computed_in=None) -> None:
    """Equal for labels; for floats within 64 units in the last place of the
    dtype they were ``computed_in`` (theirs unless given), at the array's
    largest magnitude."""
    assert actual.dtype == saved.dtype and actual.shape == saved.shape
    if saved.dtype.kind != "f":
        np.testing.assert_array_equal(actual, saved)
        return
    eps = np.finfo(computed_in or saved.dtype).eps
    ulp = eps * max(float(np.abs(saved).max()), 1e-30)
    np.testing.assert_allclose(actual, saved, rtol=0, atol=64 * ulp)


def assert_weights_as_stored(model, path: Path) -> None:
    """The network's weights are the arrays of the file, bit for bit."""
    with np.load(path, allow_pickle=False) as archive:
        stored = {
            name.removeprefix("weights/"): archive[name]
            for name in archive.files
            if name.startswith("weights/")
        }
    network = getattr(model, "model_", None) or getattr(model, "network", model)
    loaded = network.named_parameters()
    assert sorted(loaded) == sorted(stored)
    for name, array in stored.items():
        np.testing.assert_array_equal(loaded[name], array.astype(loaded[name].dtype))


@pytest.mark.parametrize("name", ["sequential_float64", "sequential_float32"])
def test_sequential_predicts_as_when_saved(name):
    net = pn.load(DATA / f"{name}.npz")
    X = expected(name, "X")
    assert isinstance(net, pn.Sequential)
    assert_weights_as_stored(net, DATA / f"{name}.npz")
    assert_as_saved(net.predict(X), expected(name, "predict"))
    assert_as_saved(net.predict_proba(X), expected(name, "predict_proba"))


@pytest.mark.parametrize("name", ["sequential_float64", "sequential_float32"])
def test_sequential_resumes_its_optimizer_and_generator(name):
    net = pn.load(DATA / f"{name}.npz")
    X = expected(name, "X")
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # the labels make_fixtures trained on
    net.fit(X, y, epochs=1, batch_size=8)
    assert_as_saved(net.predict(X), expected(name, "resumed"))


@pytest.mark.parametrize("name", ["neural_network_3_1", "neural_network_2_4_1"])
def test_neural_network_thinks_as_when_saved(name):
    model = pn.load(DATA / f"{name}.npz")
    assert isinstance(model, pn.NeuralNetwork)
    assert_weights_as_stored(model, DATA / f"{name}.npz")
    assert_as_saved(model.think(expected(name, "X")), expected(name, "think"))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimators_predict_as_when_saved():
    classifier = pn.load(DATA / "classifier.npz")
    regressor = pn.load(DATA / "regressor.npz")
    assert isinstance(classifier, pn.NeuralNetClassifier)
    assert isinstance(regressor, pn.NeuralNetRegressor)
    assert_weights_as_stored(classifier, DATA / "classifier.npz")
    X = expected("classifier", "X")
    assert_as_saved(classifier.predict(X), expected("classifier", "predict"))
    assert_as_saved(
        classifier.predict_proba(X), expected("classifier", "predict_proba")
    )
    assert_as_saved(
        regressor.predict(expected("regressor", "X")),
        expected("regressor", "predict"),
        computed_in=regressor.model_.dtype,
    )


def test_cli_model_reads_as_when_saved():
    contents = read_model_file(DATA / "cli_moons.npz")
    assert contents.kind == DESCRIBED["cli_moons"]["kind"]
    assert contents.metadata == DESCRIBED["cli_moons"]["metadata"]
    assert_as_saved(
        contents.network.predict(expected("cli_moons", "X")),
        expected("cli_moons", "predict"),
    )
