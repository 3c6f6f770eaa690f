"""The estimators' learning-rate schedules and solvers (RMSprop, Adagrad and
scikit-learn's ``solver="lbfgs"``, here ``optimizer="lbfgs"``)."""

import math
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning

import plainnet as pn
from plainnet import NeuralNetClassifier, NeuralNetRegressor

FAST = {"hidden_layer_sizes": (8,), "batch_size": 20, "max_epochs": 5}


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def blobs():
    return make_blobs(n_samples=100, centers=3, n_features=4, random_state=0)


@pytest.mark.parametrize("name", ["constant", "step", "exponential", "cosine"])
def test_a_named_schedule_spans_max_epochs(name):
    X, y = blobs()
    model = NeuralNetClassifier(
        **FAST, learning_rate=0.01, learning_rate_schedule=name, tol=0, random_state=0
    ).fit(X, y)
    schedule = model.model_.optimizer.lr
    assert schedule.name == name
    steps = 5 * math.ceil(100 / 20)  # max_epochs x updates per epoch
    assert model.model_.history.lr == [schedule(s) for s in range(4, steps, 5)]
    assert clone(model).get_params()["learning_rate_schedule"] == name


def test_a_schedule_object_is_used_as_given_and_cloned():
    X, y = blobs()
    cosine = pn.CosineDecay(0.05, steps=25, warmup=5)
    model = NeuralNetRegressor(**FAST, learning_rate_schedule=cosine, random_state=0)
    model.fit(X, y.astype(float))
    assert repr(model.model_.optimizer.lr) == repr(cosine)
    copy = clone(model)
    assert repr(copy.get_params()["learning_rate_schedule"]) == repr(cosine)


def test_a_plateau_schedule_and_the_estimator_file(tmp_path):
    X, y = blobs()
    model = NeuralNetClassifier(
        **FAST, learning_rate_schedule="plateau", random_state=0
    ).fit(X, y)
    model.save(tmp_path / "m.npz")
    loaded = pn.load(tmp_path / "m.npz")
    assert loaded.get_params() == model.get_params()
    state, saved = model.model_.optimizer.state, loaded.model_.optimizer.state
    assert {k for k in state if k.startswith("lr_")} == {
        "lr_best",
        "lr_wait",
        "lr_reductions",
    }
    for key, value in state.items():
        np.testing.assert_array_equal(saved[key], value)


def test_an_unknown_schedule_is_named_at_fit():
    X, y = blobs()
    with pytest.raises(ValueError, match="unknown learning-rate schedule 'warm'"):
        NeuralNetClassifier(**FAST, learning_rate_schedule="warm").fit(X, y)


@pytest.mark.parametrize("optimizer", ["rmsprop", "adagrad", "sgd", "adam"])
def test_every_first_order_solver_learns_the_blobs(optimizer):
    X, y = blobs()
    model = NeuralNetClassifier(
        hidden_layer_sizes=(8,),
        optimizer=optimizer,
        learning_rate=0.05,
        batch_size=20,
        max_epochs=40,
        random_state=0,
    )
    assert model.fit(X, y).score(X, y) > 0.95


def test_lbfgs_learns_the_blobs_full_batch_in_few_iterations():
    pytest.importorskip("scipy")
    X, y = blobs()
    model = NeuralNetClassifier(
        hidden_layer_sizes=(8,), optimizer="lbfgs", max_epochs=200, random_state=0
    ).fit(X, y)
    assert model.score(X, y) == 1.0
    assert model.n_iter_ == len(model.loss_curve_) < 200
    assert isinstance(model.model_.optimizer, pn.LBFGS)
    assert model.model_.optimizer.state["step"] == model.n_iter_


def test_the_first_partial_fit_uses_the_chosen_optimizer():
    X, y = blobs()
    model = NeuralNetClassifier(**FAST, optimizer="rmsprop", learning_rate=0.02)
    model.partial_fit(X, y, classes=[0, 1, 2])
    assert isinstance(model.model_.optimizer, pn.RMSprop)
    assert model.model_.optimizer.lr == 0.02
