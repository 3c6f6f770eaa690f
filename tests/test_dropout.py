"""Dropout: inverted scaling while training, the identity at inference, masks from
the network's seeded generator, and a gradient check with the mask held fixed."""

import copy
import pickle

import numpy as np
import pytest

import plainnet as pn
from plainnet.gradcheck import numeric_gradient, relative_error


def test_training_zeroes_about_rate_and_scales_the_rest():
    layer = pn.Dropout(0.25)
    layer.rng = np.random.default_rng(0)
    x = np.ones((400, 50))
    y = layer.forward(x, training=True)
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.01
    assert abs(y.mean() - 1) < 0.02  # inverted dropout keeps the expectation


def test_inference_is_the_identity():
    layer = pn.Dropout(0.5)
    x = np.arange(6.0).reshape(2, 3)
    assert layer.forward(x, training=False) is x


def test_backward_applies_the_forward_mask():
    layer = pn.Dropout(0.5)
    layer.rng = np.random.default_rng(1)
    x = np.ones((3, 4))
    y = layer.forward(x, training=True)
    dy = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(layer.backward(dy), dy * y)  # y is the mask here
    assert layer.backward(dy, need_input_grad=False) is None


def test_gradient_check_with_a_fixed_mask():
    net = pn.Sequential(
        [pn.Dense(4, 6), pn.Tanh(), pn.Dropout(0.4), pn.Dense(6, 2)], seed=0
    )
    dropout = net.layers[2]
    X = np.random.default_rng(2).standard_normal((5, 4))
    R = np.random.default_rng(3).standard_normal((5, 2))

    def objective():
        dropout.rng = np.random.default_rng(7)  # the same mask on every call
        return float(np.sum(net.forward(X, training=True) * R))

    objective()
    analytic_input = net.backward(R, need_input_grad=True).copy()
    analytic = net.gradients.copy()
    assert (dropout.forward(np.ones((5, 6))) == 0).any()  # some units are dropped
    assert relative_error(analytic_input, numeric_gradient(objective, X)) < 1e-7
    numeric = numeric_gradient(objective, net.parameters)
    for name, (part, _) in net.layout.items():
        assert relative_error(analytic[part], numeric[part]) < 1e-7, name


def test_masks_come_from_the_network_seed():
    def trained(seed):
        net = pn.Sequential(
            [pn.Dense(3, 8), pn.ReLU(), pn.Dropout(0.5), pn.Dense(8, 1)], seed=seed
        )
        X = np.random.default_rng(0).standard_normal((32, 3))
        net.fit(X, X.sum(axis=1), epochs=5, batch_size=8)
        return net.parameters

    np.testing.assert_array_equal(trained(1), trained(1))
    assert not np.array_equal(trained(1), trained(2))
    net = pn.Sequential([pn.Dense(3, 8), pn.Dropout(0.5)], seed=0)
    assert net.layers[1].rng is net.rng


@pytest.mark.parametrize("rate", [-0.1, 1.0, "0.5", True])
def test_rate_must_be_in_zero_one(rate):
    with pytest.raises(ValueError, match=r"Dropout rate must be a number in \[0, 1\)"):
        pn.Dropout(rate)


def test_a_lone_layer_without_a_generator_says_how_to_get_one():
    with pytest.raises(RuntimeError, match="inside a Sequential"):
        pn.Dropout(0.5).forward(np.ones((2, 2)), training=True)


def test_config_and_repr():
    layer = pn.Dropout(0.2)
    assert layer.get_config() == {"rate": 0.2}
    assert pn.Dropout.from_config(layer.get_config()).rate == 0.2
    assert repr(layer) == "Dropout(rate=0.2)"


@pytest.mark.parametrize("duplicate", [pickle.loads, copy.deepcopy])
def test_copied_network_trains_its_own_buffers(duplicate):
    net = pn.Sequential(
        [pn.Dense(3, 4), pn.ReLU(), pn.Dropout(0.3), pn.Dense(4, 1)], seed=0
    )
    X = np.random.default_rng(0).standard_normal((16, 3))
    net.fit(X, X[:, 0], epochs=2, batch_size=4)
    other = duplicate(pickle.dumps(net) if duplicate is pickle.loads else net)
    assert other.layers[2].rng is other.rng
    net.fit(X, X[:, 0], epochs=2, batch_size=4)
    other.fit(X, X[:, 0], epochs=2, batch_size=4)
    np.testing.assert_array_equal(other.parameters, net.parameters)
    np.testing.assert_array_equal(other.predict(X), net.predict(X))
