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
