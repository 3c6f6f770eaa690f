"""Optimizer steps in closed form, and convergence on a quadratic."""

import numpy as np
import pytest

import plainnet as pn
from plainnet import optimizers


def steps(optimizer, grads, w0=1.0):
    w = np.array([w0])
    for g in grads:
        optimizer.step(w, np.array([g]))
    return w[0]


def test_sgd_is_w_minus_lr_g():
    assert steps(pn.SGD(lr=0.1), [2.0, -1.0]) == pytest.approx(1 - 0.2 + 0.1)


def test_sgd_momentum_and_nesterov_in_closed_form():
    # v1 = g1 = 2; w1 = 1 - 0.1*2 = 0.8;  v2 = 0.9*2 + 1 = 2.8; w2 = 0.8 - 0.28
    assert steps(pn.SGD(lr=0.1, momentum=0.9), [2.0, 1.0]) == pytest.approx(0.52)
    # nesterov: w1 = 1 - 0.1*(2 + 0.9*2) = 0.62; v2 = 2.8; w2 = 0.62 - 0.1*(1 + 2.52)
    assert steps(
        pn.SGD(lr=0.1, momentum=0.9, nesterov=True), [2.0, 1.0]
    ) == pytest.approx(0.62 - 0.352)


def test_adam_first_steps_in_closed_form():
    # after bias correction the first step is lr * g / (|g| + eps) = lr * sign(g)
    assert steps(pn.Adam(lr=0.01), [4.0]) == pytest.approx(1 - 0.01, abs=1e-9)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    g1, g2 = 4.0, -1.0
    m = (1 - b1) * g1 * b1 + (1 - b1) * g2
    v = (1 - b2) * g1**2 * b2 + (1 - b2) * g2**2
    first = 1 - lr * g1 / (abs(g1) + eps)
    expected = first - lr * (m / (1 - b1**2)) / (np.sqrt(v / (1 - b2**2)) + eps)
    assert steps(pn.Adam(lr=lr), [g1, g2]) == pytest.approx(expected, rel=1e-12)


def test_adamw_decays_the_weights_apart_from_the_gradient():
    assert steps(pn.Adam(lr=0.1, weight_decay=0.5), [0.0], w0=2.0) == pytest.approx(
        2.0 * (1 - 0.1 * 0.5)
    )


def test_adam_state_is_visible_and_resumable():
    adam = pn.Adam(lr=0.05)
    w = np.array([1.0, -2.0])
    adam.step(w, np.array([0.5, 0.5]))
    assert adam.state["step"] == 1
    assert set(adam.state) >= {"m", "v"}
    copy = pn.Adam(lr=0.05)
    copy.state = {
        k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in adam.state.items()
    }
    w2 = w.copy()
    adam.step(w, np.array([1.0, -1.0]))
    copy.step(w2, np.array([1.0, -1.0]))
    np.testing.assert_array_equal(w, w2)


@pytest.mark.parametrize(
    "optimizer",
    [
        pn.SGD(lr=0.1),
        pn.SGD(lr=0.05, momentum=0.9),
        pn.SGD(lr=0.05, momentum=0.9, nesterov=True),
        pn.Adam(lr=0.1),
    ],
)
def test_optimizers_minimise_a_quadratic(optimizer):
    target = np.array([3.0, -1.0, 0.5])
    w = np.zeros(3)
    for _ in range(500):
        optimizer.step(w, 2 * (w - target))
    np.testing.assert_allclose(w, target, atol=1e-3)


@pytest.mark.parametrize(
    "make",
    [
        lambda: pn.SGD(lr=0),
        lambda: pn.SGD(lr=-1),
        lambda: pn.SGD(momentum=1.5),
        lambda: pn.SGD(nesterov=True),
        lambda: pn.Adam(beta1=1.0),
        lambda: pn.Adam(eps=0),
        lambda: pn.Adam(weight_decay=-1),
        lambda: optimizers.get("nadam"),
    ],
)
def test_bad_settings_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_repr_shows_the_settings():
    assert repr(pn.SGD(lr=0.5)) == "SGD(lr=0.5, momentum=0.0, nesterov=False)"


def test_numpy_scalars_are_accepted_as_settings():
    adam = pn.Adam(lr=np.float32(0.01), beta1=np.float64(0.8))
    assert adam.lr == pytest.approx(0.01) and type(adam.lr) is float
    assert pn.SGD(lr=np.int64(1)).lr == 1.0
