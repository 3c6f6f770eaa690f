"""Every layer, activation, loss and a whole network against finite differences."""

import numpy as np
import pytest

import plainnet as pn
from plainnet import activations, losses
from plainnet.gradcheck import check_loss, check_model, numeric_gradient, relative_error

TOLERANCE = 1e-6


def inputs(shape, seed=0):
    """Random inputs kept away from the kinks of ReLU and LeakyReLU."""
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.where(np.abs(x) < 0.05, 0.1, x)


def assert_all_small(errors):
    assert errors, "no gradient was checked"
    bad = {name: error for name, error in errors.items() if not error < TOLERANCE}
    assert not bad, f"gradients off: {bad}"


@pytest.mark.parametrize(
    "name", sorted(set(activations.ACTIVATIONS) - {"linear", "logistic"})
)
def test_every_activation(name):
    assert_all_small(check_model(activations.get(name), inputs((5, 4))))


def test_leaky_relu_with_another_slope():
    assert_all_small(check_model(pn.LeakyReLU(alpha=0.2), inputs((5, 4))))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("init", ["uniform", "glorot_uniform", "he_normal"])
def test_dense(bias, init):
    errors = check_model(pn.Dense(4, 3, bias=bias, init=init), inputs((6, 4)))
    assert set(errors) == {"input", "layers.0.W"} | ({"layers.0.b"} if bias else set())
    assert_all_small(errors)


def test_the_seeds_network():
    network = pn.NeuralNetwork([3, 1]).network
    X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=float)
    assert_all_small(check_model(network, X, np.array([0, 1, 1, 0]), "sse"))


@pytest.mark.parametrize(
    "loss, target",
    [
        ("sse", lambda rng: rng.standard_normal((6, 3))),
        ("mse", lambda rng: rng.standard_normal((6, 3))),
        ("binary_cross_entropy", lambda rng: rng.random((6, 3))),
        ("cross_entropy", lambda rng: rng.integers(0, 3, 6)),
        ("cross_entropy", lambda rng: np.eye(3)[rng.integers(0, 3, 6)]),
        ("cross_entropy", lambda rng: rng.dirichlet(np.ones(3), 6)),
    ],
)
def test_every_loss(loss, target):
    rng = np.random.default_rng(1)
    assert check_loss(loss, 3 * rng.standard_normal((6, 3)), target(rng)) < TOLERANCE


@pytest.mark.parametrize(
    "loss, y, last",
    [
        ("cross_entropy", np.array([0, 2, 1, 1, 0, 2, 2]), 3),
        ("binary_cross_entropy", np.array([[0, 1], [1, 1], [0, 0], [1, 0]] * 2)[:7], 2),
        ("mse", np.linspace(-1, 1, 7), 1),
    ],
)
def test_a_whole_multilayer_network(loss, y, last):
    net = pn.Sequential(
        [
            pn.Dense(4, 6),
            pn.Tanh(),
            pn.Dense(6, 5, init="he_normal"),
            pn.LeakyReLU(),
            pn.Dense(5, 5),
            pn.Sigmoid(),
            pn.Dense(5, last),
        ],
        seed=3,
    )
    net.parameters += 0.1 * np.random.default_rng(0).standard_normal(net.n_parameters)
    errors = check_model(net, inputs((7, 4)), y, loss)
    assert len(errors) == 1 + 8  # the input, and W and b of four Dense layers
    assert_all_small(errors)


def test_a_network_with_a_softmax_layer_and_sse():
    net = pn.Sequential(
        [pn.Dense(3, 4), pn.ReLU(), pn.Dense(4, 3), pn.Softmax()], seed=0
    )
    assert_all_small(
        check_model(net, inputs((5, 3)), np.eye(3)[[0, 1, 2, 1, 0]], "sse")
    )


def test_the_checker_catches_a_wrong_gradient():
    class BrokenTanh(pn.Tanh):
        def gradient(self, y, grad_out, out):
            return np.multiply(grad_out, 1 - y, out=out)  # should be 1 - y**2

    errors = check_model(BrokenTanh(), inputs((4, 3)))
    assert errors["input"] > 1e-2


def test_numeric_gradient_of_a_quadratic():
    x = np.array([1.0, -2.0, 3.0])
    grad = numeric_gradient(lambda: float(np.sum(x**2)), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-8)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_a_float32_network_is_checked_through_a_float64_copy_and_says_so():
    # not refused: the check runs on a float64 copy
    X = np.random.default_rng(0).standard_normal((5, 3))
    net = pn.Sequential([pn.Dense(3, 4), pn.Tanh(), pn.Dense(4, 2)], seed=0,
                        dtype="float32")
    before = net.parameters.copy()
    with pytest.warns(UserWarning, match="float64 copy of this float32 network"):
        errors = check_model(net, X, np.array([0, 1, 1, 0, 1]), loss="cross_entropy")
    assert set(errors) == {"input", *net.layout}
    assert max(errors.values()) < 1e-6
    assert net.dtype == np.float32
    np.testing.assert_array_equal(net.parameters, before)


def test_every_registered_loss_is_covered():
    assert set(losses.LOSSES) == {"sse", "mse", "binary_cross_entropy", "cross_entropy"}
