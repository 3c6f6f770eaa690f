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
    ("optimizer", "steps", "atol"),
    [
        (pn.SGD(lr=0.1), 500, 1e-3),
        (pn.SGD(lr=0.05, momentum=0.9), 500, 1e-3),
        (pn.SGD(lr=0.05, momentum=0.9, nesterov=True), 500, 1e-3),
        (pn.Adam(lr=0.1), 500, 1e-3),
        (pn.RMSprop(lr=0.01), 3000, 1e-2),
        (pn.RMSprop(lr=0.01, momentum=0.5, centered=True), 3000, 1e-2),
        (pn.Adagrad(lr=0.5), 3000, 1e-2),
    ],
)
def test_optimizers_minimise_a_quadratic(optimizer, steps, atol):
    target = np.array([3.0, -1.0, 0.5])
    w = np.zeros(3)
    for _ in range(steps):
        optimizer.step(w, 2 * (w - target))
    np.testing.assert_allclose(w, target, atol=atol)


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


def test_rmsprop_first_steps_in_closed_form():
    lr, alpha, eps = 0.01, 0.9, 1e-8
    # v1 = 0.1 * 16 = 1.6; w1 = 1 - 0.01 * 4 / (sqrt(1.6) + eps)
    v1 = (1 - alpha) * 16.0
    w1 = 1 - lr * 4.0 / (np.sqrt(v1) + eps)
    assert steps(pn.RMSprop(lr=lr, alpha=alpha), [4.0]) == pytest.approx(w1, rel=1e-14)
    v2 = alpha * v1 + (1 - alpha) * 1.0
    w2 = w1 - lr * -1.0 / (np.sqrt(v2) + eps)
    assert steps(pn.RMSprop(lr=lr, alpha=alpha), [4.0, -1.0]) == pytest.approx(
        w2, rel=1e-14
    )


def test_rmsprop_centered_with_momentum_in_closed_form():
    lr, alpha, mu = 0.01, 0.9, 0.5
    # one step: v = 1.6, g_avg = 0.4, d = sqrt(1.6 - 0.16); b = 4 / d
    d = np.sqrt(1.6 - 0.16) + 1e-8
    w1 = 1 - lr * 4.0 / d
    opt = pn.RMSprop(lr=lr, alpha=alpha, momentum=mu, centered=True)
    assert steps(opt, [4.0]) == pytest.approx(w1, rel=1e-14)
    assert set(opt.state) == {"step", "v", "g_avg", "b"}


def test_adagrad_first_steps_in_closed_form():
    lr, decay, s0 = 0.1, 0.5, 0.25
    # s1 = 0.25 + 16; w1 = 1 - 0.1 * 4 / sqrt(16.25)
    w1 = 1 - lr * 4.0 / (np.sqrt(s0 + 16.0) + 1e-10)
    # step 2: lr_t = 0.1 / (1 + 0.5); s2 = 16.25 + 1
    w2 = w1 - lr / 1.5 * -1.0 / (np.sqrt(s0 + 17.0) + 1e-10)
    opt = pn.Adagrad(lr=lr, lr_decay=decay, initial_accumulator_value=s0)
    assert steps(opt, [4.0, -1.0]) == pytest.approx(w2, rel=1e-14)


def test_lbfgs_solves_least_squares():
    pytest.importorskip("scipy")
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.01 * rng.standard_normal((50, 1))
    net = pn.Sequential([pn.Dense(3, 1)], seed=0)
    history = net.fit(X, y, loss="mse", optimizer=pn.LBFGS(), epochs=100)
    A = np.hstack([X, np.ones((50, 1))])
    exact = np.linalg.lstsq(A, y, rcond=None)[0].ravel()
    np.testing.assert_allclose(net.parameters, exact, atol=1e-5)
    assert 1 <= len(history.loss) < 20  # converged early
    assert history.lr == []  # no learning rate
    assert net.optimizer.state["step"] == len(history.loss)
    assert net.optimizer.state["evaluations"] >= net.optimizer.state["step"]


def test_lbfgs_is_not_stepped_by_hand():
    with pytest.raises(TypeError, match="fit"):
        pn.LBFGS().step(np.zeros(2), np.zeros(2))


def _fitted_with(name: str, tmp_path):
    if name == "lbfgs":
        pytest.importorskip("scipy")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int)
    net = pn.Sequential([pn.Dense(3, 4), pn.Tanh(), pn.Dense(4, 2)], seed=0)
    net.fit(X, y, loss="cross_entropy", optimizer=name, epochs=3, batch_size=16)
    path = tmp_path / f"{name}.npz"
    net.save(path)
    return net, pn.load(path)


@pytest.mark.parametrize("name", sorted(optimizers.OPTIMIZERS))
def test_every_registered_optimizer_round_trips_through_a_model_file(name, tmp_path):
    net, loaded = _fitted_with(name, tmp_path)
    assert type(loaded.optimizer) is type(net.optimizer)
    assert loaded.optimizer.get_config() == net.optimizer.get_config()
    assert set(loaded.optimizer.state) == set(net.optimizer.state)
    for key, value in net.optimizer.state.items():
        np.testing.assert_array_equal(loaded.optimizer.state[key], value)
        assert type(loaded.optimizer.state[key]) is type(value)


@pytest.mark.parametrize("name", sorted(optimizers.OPTIMIZERS))
def test_every_registered_optimizer_shows_its_equations_and_state(name):
    cls = optimizers.OPTIMIZERS[name]
    assert "State" in cls.__doc__
    state = cls().init_state(np.zeros(3))
    assert state["step"] == 0
    assert all(isinstance(v, (int, float, np.ndarray)) for v in state.values())
    assert repr(cls()).startswith(cls.__name__ + "(")
