"""pn.Predictor: what ``plainnet predict`` does, callable from Python."""

import csv

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import SPECIES, plainnet_cli, write_flowers, write_prices
from plainnet.preprocessing import Standardizer


def read_rows(path) -> list[list[str]]:
    with open(path, newline="") as file:
        return list(csv.reader(file))


def trained_by_the_command(folder, data, target, hidden="8", proba=()):
    """Train with ``plainnet train`` and predict with ``plainnet predict``;
    returns the model file and the rows the command wrote."""
    train = ("train", data, "--target", target, "--epochs", 10, "--hidden", hidden)
    train += ("--lr", 0.01, "--batch-size", 32)  # the old defaults: 10 epochs do
    predict = ("predict", "model.npz", data, "--out", "predicted.csv", *proba)
    for args in (train, predict):
        result = plainnet_cli(*args, cwd=folder)
        assert result.returncode == 0, result.stderr
    return folder / "model.npz", read_rows(folder / "predicted.csv")


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flowers")
    data = write_flowers(folder / "flowers.csv")
    return (*trained_by_the_command(folder, data, "species", proba=["--proba"]), data)


@pytest.fixture(scope="module")
def regressor(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prices")
    data = write_prices(folder / "prices.csv")
    return (*trained_by_the_command(folder, data, "price"), data)


def test_a_classifier_predicts_what_the_command_writes(classifier):
    path, rows, data = classifier
    predictor = pn.Predictor.load(path)
    assert predictor.task == "classify" and predictor.target == "species"
    assert predictor.classes == list(SPECIES)
    assert predictor.feature_names == ["sepal_length", "sepal_width", "petal_length"]
    X = predictor.read_features(data).X
    assert X.shape == (90, 3)
    assert predictor.predict(X).tolist() == [row[0] for row in rows[1:]]
    proba = predictor.predict_proba(X)
    assert proba.shape == (90, 3)
    assert rows[0] == ["species", *(f"proba_{name}" for name in SPECIES)]
    written = np.array([[float(p) for p in row[1:]] for row in rows[1:]])
    np.testing.assert_allclose(proba, written, rtol=1e-5, atol=1e-6)  # .6g text


def test_a_regressor_predicts_in_the_targets_units(regressor):
    path, rows, data = regressor
    predictor = pn.Predictor.load(str(path))
    assert predictor.task == "regress" and predictor.target == "price"
    table = predictor.read_features(data, target="price")
    values = predictor.predict(table.X)
    assert values.shape == (80,)
    assert rows[0] == ["price"]
    assert values.tolist() == [float(row[0]) for row in rows[1:]]  # .17g: exact
    assert np.corrcoef(values, table.y)[0, 1] > 0.9  # prices, not scaled values
    with pytest.raises(ValueError, match="applies to classifiers"):
        predictor.predict_proba(table.X)


def test_the_training_target_column_is_skipped_unless_asked_for(regressor):
    path, _, data = regressor
    predictor = pn.Predictor.load(path)
    without, with_target = (
        predictor.read_features(data),
        predictor.read_features(data, target="price"),
    )
    assert without.y is None and with_target.y.shape == (80,)
    assert np.array_equal(without.X, with_target.X)


def test_columns_that_differ_from_the_training_data_raise(classifier, tmp_path):
    path, _, _ = classifier
    (tmp_path / "other.csv").write_text("sepal_length,petal_width\n1,2\n")
    with pytest.raises(pn.DataError, match=r"missing column.s. 'sepal_width'"):
        pn.Predictor.load(path).read_features(tmp_path / "other.csv")


def test_a_network_saved_with_metadata_through_the_api(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(50, 10, size=(60, 2))
    labels = np.where(X[:, 0] > 50, "high", "low")
    scaler = Standardizer().fit(X, ["a", "b"])
    network = pn.Sequential([pn.Dense(2, 1)], seed=0)  # one sigmoid output
    network.fit(
        scaler.transform(X),
        (labels == "low").astype(float),
        epochs=30,
        loss="binary_cross_entropy",
        optimizer=pn.Adam(lr=0.1),
    )
    metadata = {
        "task": "classify",
        "classes": ["high", "low"],
        "feature_names": ["a", "b"],
        "scaling": scaler.to_dict(),
    }
    network.save(tmp_path / "model.npz", metadata=metadata)
    predictor = pn.Predictor.load(tmp_path / "model.npz")
    proba = predictor.predict_proba(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    low = network.predict_proba(scaler.transform(X))[:, 0]
    np.testing.assert_allclose(proba[:, 1], low)
    assert np.mean(predictor.predict(X) == labels) > 0.9


def test_a_network_without_metadata_gives_its_output():
    network = pn.Sequential([pn.Dense(3, 2)], seed=0)
    predictor = pn.Predictor(network)
    X = np.arange(12.0).reshape(4, 3)
    assert np.array_equal(predictor.predict(X), network.predict(X))
    assert predictor.task is None and predictor.target is None
    assert predictor.feature_names == ["x1", "x2", "x3"]
    assert predictor.classes == [0, 1]
    assert repr(predictor) == (
        "Predictor(task=None, target=None, features=3, outputs=2)"
    )
    with pytest.raises(ValueError, match="applies to classifiers"):
        predictor.predict_proba(X)


def test_a_missing_file_raises_model_file_error(tmp_path):
    with pytest.raises(pn.ModelFileError, match="no such model file"):
        pn.Predictor.load(tmp_path / "absent.npz")
