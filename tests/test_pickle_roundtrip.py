"""What Dask and joblib do to an estimator between two ``partial_fit`` calls,
without Dask: a pickle round trip must continue training bit for bit, and
``clone`` must give an unfitted copy with the same parameters. (A pickling
problem does not raise on a Dask cluster: it hangs it.)"""

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from plainnet import NeuralNetClassifier, NeuralNetRegressor

CLASSES = ["ash", "birch", "cedar"]
SETTINGS = {"hidden_layer_sizes": (8,), "batch_size": 10, "random_state": 0}


def chunks(multilabel: bool = False, regression: bool = False):
    """Three chunks of 30 samples: X of shape (30, 4) and y of shape (30,)
    (text labels or numbers) or (30, 3) (0/1 labels)."""
    rng = np.random.default_rng(0)
    for _ in range(3):
        X = rng.standard_normal((30, 4))
        if multilabel:
            y = (X[:, :3] > 0).astype(int)
        elif regression:
            y = X[:, 0] - X[:, 1]
        else:
            y = np.array(CLASSES)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
        yield X, y


CASES = {
    "classifier": (NeuralNetClassifier, {}, {"classes": CLASSES}),
    "with dropout": (NeuralNetClassifier, {"dropout": 0.2}, {"classes": CLASSES}),
    "multi-label": (NeuralNetClassifier, {}, {"classes": [0, 1, 2]}),
    "regressor": (NeuralNetRegressor, {}, {}),
}


def case(name: str):
    Estimator, settings, fit_params = CASES[name]
    data = list(chunks(name == "multi-label", Estimator is NeuralNetRegressor))
    return Estimator(**SETTINGS, **settings), data, fit_params


@pytest.mark.parametrize("name", CASES)
def test_a_pickle_round_trip_after_every_partial_fit_changes_nothing(name):
    direct, data, fit_params = case(name)
    travelling = clone(direct)
    for X, y in data * 2:
        direct.partial_fit(X, y, **fit_params)
        travelling.partial_fit(X, y, **fit_params)
        travelling = pickle.loads(pickle.dumps(travelling))
    assert travelling.model_.parameters.tobytes() == direct.model_.parameters.tobytes()
    assert travelling.loss_curve_ == direct.loss_curve_
    X = data[0][0]
    assert np.array_equal(travelling.predict(X), direct.predict(X))


@pytest.mark.parametrize("name", CASES)
def test_clone_after_partial_fit_is_unfitted_with_the_same_parameters(name):
    model, data, fit_params = case(name)
    model.partial_fit(*data[0], **fit_params)
    learned = {key for key in vars(model) if key not in model.get_params()}
    assert all(key.endswith("_") or key.startswith("_") for key in learned)
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    assert not learned & set(vars(twin))
    with pytest.raises(NotFittedError):
        check_is_fitted(twin)
    twin.partial_fit(*data[0], **fit_params)
    assert twin.model_.parameters.tobytes() == model.model_.parameters.tobytes()


@pytest.mark.parametrize("name", CASES)
def test_a_deep_copy_continues_like_the_original(name):
    model, data, fit_params = case(name)
    model.partial_fit(*data[0], **fit_params)
    twin = copy.deepcopy(model)
    for estimator in (model, twin):
        estimator.partial_fit(*data[1], **fit_params)
    assert twin.model_.parameters.tobytes() == model.model_.parameters.tobytes()


@pytest.mark.parametrize("name", CASES)
def test_one_row_of_zeros_predicts(name):
    """Dask learns the shape and dtype of an output from one row of zeros."""
    model, data, fit_params = case(name)
    model.partial_fit(*data[0], **fit_params)
    zeros = np.zeros((1, 4))
    expected = model.predict(data[0][0])
    predicted = model.predict(zeros)
    assert predicted.shape == (1, *expected.shape[1:])
    assert predicted.dtype == expected.dtype
    if isinstance(model, NeuralNetClassifier):
        assert model.predict_proba(zeros).shape == (1, 3)


def test_classes_may_come_with_every_partial_fit_call_in_any_order():
    model, data, _ = case("classifier")
    spellings = (CLASSES, CLASSES[::-1], np.array(CLASSES))
    for (X, y), classes in zip(data, spellings, strict=True):
        model.partial_fit(X, y, classes=classes)
    assert model.classes_.tolist() == CLASSES
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        model.partial_fit(*data[0], classes=[*CLASSES, "dogwood"])
