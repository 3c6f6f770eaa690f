"""Estimators built from a list of layers: a CNN on flat rows reshaped to
images, in a Pipeline and a grid search, saved and loaded like any model."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import plainnet as pn
from plainnet import NeuralNetClassifier, NeuralNetRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def small_cnn():
    return [pn.Conv2D(1, 4, 3, padding=1), pn.ReLU(), pn.MaxPool2D(2)]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, random_state=0, stratify=y)


def test_a_cnn_on_digits_learns_and_gets_its_output_layer(digits):
    X_train, X_test, y_train, y_test = digits
    model = NeuralNetClassifier(
        layers=small_cnn(), input_shape=(1, 8, 8), learning_rate=3e-3,
        max_epochs=15, batch_size=32, random_state=0,
    )
    model.fit(X_train, y_train)
    kinds = [type(layer).__name__ for layer in model.model_.layers]
    assert kinds == ["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense"]
    assert model.model_.input_shape == (1, 8, 8)
    assert model.n_features_in_ == 64
    assert model.score(X_test, y_test) > 0.95
    # the layers given were copied, never built or trained themselves
    assert all(layer.input_shape is None for layer in model.layers)


def test_a_list_ending_in_the_output_layer_is_kept_as_it_is():
    X = np.random.default_rng(0).standard_normal((40, 6))
    y = X[:, 0] - X[:, 1]
    layers = [pn.Dense(8), pn.Tanh(), pn.Dense(1)]
    model = NeuralNetRegressor(layers=layers, max_epochs=5, random_state=0).fit(X, y)
    assert [type(layer).__name__ for layer in model.model_.layers] == [
        "Dense", "Tanh", "Dense"
    ]


def test_clone_get_params_and_a_grid_search_in_a_pipeline(digits):
    X_train, _, y_train, _ = digits
    model = NeuralNetClassifier(layers=small_cnn(), input_shape=(1, 8, 8),
                                max_epochs=5, batch_size=16, random_state=0)
    copy = clone(model)
    assert copy.get_params()["input_shape"] == (1, 8, 8)
    assert [repr(layer) for layer in copy.layers] == [repr(la) for la in model.layers]
    assert copy.layers[0] is not model.layers[0]
    pipe = make_pipeline(FunctionTransformer(), model)
    grid = GridSearchCV(
        pipe, {"neuralnetclassifier__learning_rate": [1e-3, 1e-2]}, cv=2
    ).fit(X_train[:300], y_train[:300])
    assert grid.best_score_ > 0.5


def test_save_and_load_predict_bit_identically(digits, tmp_path):
    X_train, X_test, y_train, _ = digits
    model = NeuralNetClassifier(layers=small_cnn(), input_shape=(1, 8, 8),
                                max_epochs=2, random_state=0).fit(X_train, y_train)
    model.save(tmp_path / "cnn.npz")
    loaded = pn.load(tmp_path / "cnn.npz")
    assert loaded.architecture_ == model.architecture_
    np.testing.assert_array_equal(loaded.predict_proba(X_test),
                                  model.predict_proba(X_test))
    loaded.partial_fit(X_train[:50], y_train[:50])  # and training goes on


@pytest.mark.parametrize(
    "params, message",
    [
        ({"layers": ["relu"]}, "layers must be a list of plainnet layers"),
        ({"layers": pn.ReLU()}, "layers must be a list of plainnet layers"),
        ({"input_shape": (1, 8, 8)}, "input_shape reshapes the rows of X for layers="),
        ({"layers": [pn.ReLU()], "input_shape": (8, 0)}, "positive ints"),
    ],
)
def test_bad_layers_and_shapes_are_refused(params, message):
    X, y = np.ones((10, 64)), np.arange(10) % 2
    with pytest.raises(ValueError, match=message):
        NeuralNetClassifier(**params).fit(X, y)


def test_rows_of_the_wrong_width_name_both_shapes():
    model = NeuralNetClassifier(layers=small_cnn(), input_shape=(1, 8, 8))
    message = r"X has 63 features, but input_shape=\(1, 8, 8\) takes rows of 64 = 1 x 8"
    with pytest.raises(ValueError, match=message):
        model.fit(np.ones((10, 63)), np.arange(10) % 2)


def shifted_waves(n, seed=0, steps=32):
    """Two kinds of wave (sine, square) at random shifts and periods: rows of
    ``steps`` values, labels 0 or 1."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    phase = (np.arange(steps) / rng.uniform(8, 16, (n, 1)) + rng.random((n, 1))) % 1
    waves = np.where(y[:, None] == 0, np.sin(2 * np.pi * phase), np.sign(phase - 0.5))
    return waves + rng.normal(0, 0.2, waves.shape), y


def test_recurrent_layers_take_flat_rows_as_steps_and_features(tmp_path):
    X, y = shifted_waves(300)
    model = NeuralNetClassifier(
        layers=[pn.GRU(8, bidirectional=True)], input_shape=(32, 1),
        learning_rate=1e-2, max_epochs=10, batch_size=32, random_state=0,
    )  # fmt: skip
    model.fit(X[:200], y[:200])
    assert [type(layer).__name__ for layer in model.model_.layers] == ["GRU", "Dense"]
    assert model.model_.input_shape == (32, 1)
    assert model.score(X[200:], y[200:]) > 0.9
    model.save(tmp_path / "gru.npz")
    np.testing.assert_array_equal(
        pn.load(tmp_path / "gru.npz").predict_proba(X), model.predict_proba(X)
    )
    regressor = NeuralNetRegressor(
        layers=[pn.LSTM(4, return_sequences=True)], input_shape=(16, 2),
        max_epochs=3, random_state=0,
    ).fit(X[:, :32], X[:, 0])  # fmt: skip
    kinds = [type(layer).__name__ for layer in regressor.model_.layers]
    assert kinds == ["LSTM", "Flatten", "Dense"]


def test_an_embedding_takes_the_rows_of_ids():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 20, (300, 12))
    y = (ids == 3).any(axis=1).astype(int)  # does id 3 occur?
    model = NeuralNetClassifier(
        layers=[pn.Embedding(20, 8), pn.GRU(8)], input_shape=(12,),
        learning_rate=1e-2, max_epochs=30, random_state=0,
    ).fit(ids[:200], y[:200])  # fmt: skip
    assert model.score(ids[200:], y[200:]) > 0.75
    with pytest.raises(pn.DataError, match=r"X holds 20 at position \(0, 0\)"):
        model.predict(np.full((1, 12), 20))
