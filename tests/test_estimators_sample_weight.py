"""Sample weights, from the losses through Sequential.fit to the estimators: a
weighted mean over samples, so integer weights act as repeated rows."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning

import plainnet as pn
from plainnet.gradcheck import numeric_gradient, relative_error

RNG = np.random.default_rng(0)
OUTPUT = RNG.standard_normal((6, 3))
WEIGHT = np.array([0.0, 1.0, 2.0, 0.5, 3.0, 1.0])
TARGETS = {
    "sse": RNG.standard_normal((6, 3)),
    "mse": RNG.standard_normal((6, 3)),
    "binary_cross_entropy": RNG.random((6, 3)),
    "cross_entropy": np.array([0, 2, 1, 1, 0, 2]),
}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_weighted_gradient_matches_finite_differences(name):
    loss = pn.losses.get(name)
    target = TARGETS[name]
    output = OUTPUT.copy()
    analytic = loss.gradient(output, target, WEIGHT)
    numeric = numeric_gradient(lambda: loss.value(output, target, WEIGHT), output)
    assert relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_weights_of_one_change_nothing(name):
    loss = pn.losses.get(name)
    target = TARGETS[name]
    plain = loss.value(OUTPUT, target), loss.gradient(OUTPUT, target)
    ones = np.ones(6)
    ones = loss.value(OUTPUT, target, ones), loss.gradient(OUTPUT, target, ones)
    assert ones[0] == pytest.approx(plain[0], rel=1e-12)
    np.testing.assert_allclose(ones[1], plain[1], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_integer_weights_act_as_repeated_rows(name):
    loss = pn.losses.get(name)
    target = TARGETS[name]
    counts = np.array([0, 1, 2, 1, 3, 1])
    repeated_output = np.repeat(OUTPUT, counts, axis=0)
    repeated_target = np.repeat(target, counts, axis=0)
    assert loss.value(OUTPUT, target, counts) == pytest.approx(
        loss.value(repeated_output, repeated_target), rel=1e-12
    )
    summed = np.zeros_like(OUTPUT)  # each row's gradient, added over its copies
    np.add.at(
        summed,
        np.repeat(np.arange(6), counts),
        loss.gradient(repeated_output, repeated_target),
    )
    np.testing.assert_allclose(
        loss.gradient(OUTPUT, target, counts), summed, rtol=1e-12, atol=1e-15
    )


def test_a_batch_of_zero_weights_gives_a_zero_gradient():
    loss = pn.CrossEntropy()
    value, grad = loss.value_and_gradient(OUTPUT, TARGETS["cross_entropy"], np.zeros(6))
    assert value == 0 and not grad.any()


def _network():
    return pn.Sequential([pn.Dense(3, 5), pn.Tanh(), pn.Dense(5, 2)], seed=0)


def test_fit_with_weights_equals_fit_on_repeated_rows():
    X = RNG.standard_normal((8, 3))
    y = RNG.integers(0, 2, 8)
    counts = np.array([1, 0, 2, 1, 3, 1, 0, 2])
    weighted, repeated = _network(), _network()
    weighted.fit(X, y, loss="cross_entropy", epochs=20, sample_weight=counts)
    repeated.fit(
        np.repeat(X, counts, axis=0),
        np.repeat(y, counts),
        loss="cross_entropy",
        epochs=20,
    )
    np.testing.assert_allclose(weighted.parameters, repeated.parameters, rtol=1e-10)
    np.testing.assert_allclose(weighted.history.loss, repeated.history.loss, rtol=1e-10)


def test_epoch_cost_is_the_weighted_mean_over_batches():
    X = RNG.standard_normal((10, 3))
    y = RNG.integers(0, 2, 10)
    weight = np.arange(10.0)
    net = _network()
    before = net.parameters.copy()
    # SGD with a zero-ish step: every batch sees the same weights
    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.SGD(lr=1e-300),
        epochs=1,
        batch_size=3,
        shuffle=False,
        sample_weight=weight,
    )
    np.testing.assert_allclose(net.parameters, before, rtol=1e-12, atol=1e-200)
    expected = pn.CrossEntropy().value(net.predict(X), y, weight)
    assert net.history.loss[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "weight, message",
    [
        (np.ones(7), r"one number per sample, of shape \(8,\); got shape \(7,\)"),
        (np.ones((8, 1)), r"got shape \(8, 1\)"),
        (np.array(["a"] * 8), "dtype <U1"),
        (np.r_[np.ones(7), -1.0], "non-negative and not all zero"),
        (np.zeros(8), "non-negative and not all zero"),
        (np.r_[np.ones(7), np.nan], r"sample_weight contains NaN"),
    ],
)
def test_bad_sample_weights_are_named(weight, message):
    X = RNG.standard_normal((8, 3))
    with pytest.raises(pn.DataError, match=message):
        _network().fit(X, np.zeros(8, int), loss="cross_entropy", sample_weight=weight)


# -- the estimators --------------------------------------------------------------
@pytest.fixture
def blobs():
    X, y = make_blobs(n_samples=150, centers=3, n_features=2, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


PARAMS = {
    "hidden_layer_sizes": (16,),
    "batch_size": 32,
    "max_epochs": 40,
    "random_state": 0,
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_heavier_class_weights_move_predictions_towards_that_class(blobs):
    X, y = blobs
    plain = pn.NeuralNetClassifier(**PARAMS).fit(X, y)
    weight = np.where(y == 2, 20.0, 1.0)
    weighted = pn.NeuralNetClassifier(**PARAMS).fit(X, y, sample_weight=weight)
    assert (weighted.predict(X) == 2).sum() > (plain.predict(X) == 2).sum()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_zero_weights_ignore_samples_and_early_stopping_splits_weights(blobs):
    X, y = blobs
    wrong = (y + 1) % 3
    noisy = np.r_[wrong[:60], y[60:]]  # mislabelled rows, weighted out
    weight = np.r_[np.zeros(60), np.ones(90)]
    params = {**PARAMS, "max_epochs": 200, "early_stopping": True}
    model = pn.NeuralNetClassifier(**params).fit(X, noisy, sample_weight=weight)
    assert model.score(X, y) > 0.9
    unweighted = pn.NeuralNetClassifier(**params).fit(X, noisy)
    assert unweighted.score(X, y) < model.score(X, y)


def test_regressor_starts_from_the_weighted_mean(blobs):
    X, _ = blobs
    y = np.r_[np.zeros(75), np.full(75, 10.0)]
    weight = np.r_[np.full(75, 3.0), np.ones(75)]
    model = pn.NeuralNetRegressor(
        hidden_layer_sizes=(4,),
        learning_rate=1e-300,
        optimizer="sgd",
        max_epochs=1,
        alpha=0.0,
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(model.model_.layers[-1].params["b"], [2.5])
