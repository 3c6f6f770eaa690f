"""BatchNorm and LayerNorm: exact small cases, the running statistics and the
state slot they live in (optimizer, gradient hook, predict, model files), a
training run, float32, and parity with PyTorch where it is installed.

The generic checks (shapes, finite differences, config and model-file round
trips, a training step) run in ``test_layer_harness.py``.
"""

import numpy as np
import pytest

import plainnet as pn
from plainnet.gradcheck import check_model


def normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def alone(layer, shape, dtype="float64") -> pn.Sequential:
    """A network of the one layer, built for samples of ``shape``."""
    return pn.Sequential([layer], seed=0, dtype=dtype, input_shape=shape)


def momentum_rule(batches, momentum=0.1, axes=(0,)):
    """Running mean and variance after ``batches``, by PyTorch's rule."""
    mean, var = 0.0, 1.0
    for x in batches:
        m = x.size // x.shape[1]
        mean = (1 - momentum) * mean + momentum * x.mean(axis=axes)
        var = (1 - momentum) * var + momentum * x.var(axis=axes) * m / (m - 1)
    return mean, var


# -- BatchNorm: the numbers -------------------------------------------------------
def test_batchnorm_hand_worked_two_samples():
    net = alone(pn.BatchNorm(), (1,))
    y = net.forward(np.array([[1.0], [3.0]]), training=True)
    # mean 2, biased variance 1: x_hat = (x - 2) / sqrt(1 + 1e-5)
    np.testing.assert_allclose(y, [[-1 / np.sqrt(1 + 1e-5)], [1 / np.sqrt(1 + 1e-5)]])
    # running_mean = 0.9 * 0 + 0.1 * 2; running_var = 0.9 * 1 + 0.1 * 2 (unbiased)
    np.testing.assert_allclose(net.named_state()["layers.0.running_mean"], [0.2])
    np.testing.assert_allclose(net.named_state()["layers.0.running_var"], [1.1])


@pytest.mark.parametrize("shape, axes", [((4,), (0,)), ((3, 5, 2), (0, 2, 3))])
def test_batchnorm_training_output_has_mean_0_variance_1_per_channel(shape, axes):
    net = alone(pn.BatchNorm(eps=1e-12), shape)
    x = 3 + 2 * normal(6, *shape)
    y = net.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=axes), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=axes), 1, atol=1e-9)


@pytest.mark.parametrize("shape, axes", [((4,), (0,)), ((3, 5, 2), (0, 2, 3))])
def test_batchnorm_running_statistics_follow_the_momentum_rule(shape, axes):
    net = alone(pn.BatchNorm(momentum=0.25), shape)
    batches = [1 + i + (i + 1) * normal(5, *shape, seed=i) for i in range(4)]
    for x in batches:
        net.forward(x, training=True)
    mean, var = momentum_rule(batches, 0.25, axes)
    state = net.named_state()
    np.testing.assert_allclose(state["layers.0.running_mean"], mean, rtol=1e-12)
    np.testing.assert_allclose(state["layers.0.running_var"], var, rtol=1e-12)


def test_batchnorm_predict_uses_the_running_statistics_and_keeps_nothing():
    net = alone(pn.BatchNorm(eps=1e-3), (2, 3))
    layer = net.layers[0]
    layer.state["running_mean"][...] = [1.0, -2.0]
    layer.state["running_var"][...] = [4.0, 0.25]
    layer.params["gamma"][...] = [2.0, 3.0]
    layer.params["beta"][...] = [0.5, -1.0]
    state, x = net.state.copy(), normal(4, 2, 3)
    mean, var = np.array([[1.0], [-2.0]]), np.array([[4.0], [0.25]])
    gamma, beta = np.array([[2.0], [3.0]]), np.array([[0.5], [-1.0]])
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-13)
    np.testing.assert_array_equal(net.state, state)
    assert layer.saved == {}


def test_batchnorm_without_affine_has_no_parameters():
    net = alone(pn.BatchNorm(affine=False), (3,))
    assert net.n_parameters == 0
    assert set(net.named_state()) == {"layers.0.running_mean", "layers.0.running_var"}
    y = net.forward(normal(5, 3), training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    errors = check_model(net, normal(4, 3, seed=1))
    assert errors["input"] < 1e-6


def test_batchnorm_refuses_a_training_batch_of_one_sample_without_spatial_axes():
    net = alone(pn.BatchNorm(), (3,))
    with pytest.raises(ValueError, match=r"more than one value per channel.*batch"):
        net.forward(normal(1, 3), training=True)
    assert net.predict(normal(1, 3)).shape == (1, 3)  # running statistics: fine
    images = alone(pn.BatchNorm(), (2, 3, 3))
    images.forward(normal(1, 2, 3, 3), training=True)  # 9 values per channel
    with pytest.raises(ValueError, match="batch_size"):  # one sample in all
        pn.Sequential([pn.Dense(3), pn.BatchNorm(), pn.Dense(1)], seed=0).fit(
            normal(1, 2), normal(1, 1)
        )


def test_a_last_batch_of_one_joins_the_batch_before_it_under_batchnorm():
    seen = []

    def record(grads):
        seen.append(len(net.layers[0].saved["x"]))

    net = pn.Sequential([pn.Dense(3), pn.BatchNorm(), pn.Dense(1)], seed=0)
    for shuffle in (False, True):
        net.fit(
            normal(9, 2), normal(9, 1), batch_size=4, shuffle=shuffle, grad_hook=record
        )
    assert seen == [4, 5, 4, 5]  # 4 + 4 + 1 rows: the last two batches as one
    # without a layer that needs two samples, the batches stay as they were
    plain = pn.Sequential([pn.Dense(3), pn.Dense(1)], seed=0)
    sizes = []
    plain.fit(
        normal(9, 2),
        normal(9, 1),
        batch_size=4,
        grad_hook=lambda g: sizes.append(len(plain.layers[0].saved["x"])),
    )
    assert sizes == [4, 4, 1]


def test_an_estimator_with_batchnorm_fits_201_rows_at_its_default_batch():
    sklearn = pytest.importorskip("sklearn")  # noqa: F841
    X = normal(201, 4)
    y = (X[:, 0] > 0).astype(int)
    model = pn.NeuralNetClassifier(
        layers=[pn.Dense(8), pn.BatchNorm(), pn.ReLU()],
        input_shape=(4,),
        max_epochs=3,
        random_state=0,
    )
    model.fit(X, y)  # batches of 200 and 1: one batch of 201
    assert model.predict(X).shape == (201,)


@pytest.mark.parametrize(
    "kwargs", [{"momentum": 1.5}, {"momentum": True}, {"eps": 0}, {"affine": "yes"}]
)
def test_batchnorm_checks_its_arguments(kwargs):
    with pytest.raises(ValueError, match="BatchNorm"):
        pn.BatchNorm(**kwargs)


# -- BatchNorm: the state slot ------------------------------------------------------
def test_optimizer_and_gradient_hook_never_touch_the_running_statistics():
    X, y = normal(12, 3), normal(12, 2, seed=1)
    net = pn.Sequential([pn.BatchNorm(), pn.Dense(2)], seed=0)
    hooked = []

    def hook(gradients):
        hooked.append(gradients.size)
        gradients *= 100.0  # whatever a hook does, the state is not a gradient

    net.fit(
        X,
        y,
        optimizer=pn.Adam(lr=0.1),
        epochs=5,
        shuffle=False,
        grad_hook=hook,
        validation_data=(normal(4, 3, seed=2), normal(4, 2, seed=3)),
    )
    assert hooked == [net.n_parameters] * 5
    assert net.n_parameters == 2 * 3 + 3 * 2 + 2  # gamma, beta, W, b: no state
    assert not any("running" in name for name in net.named_parameters())
    assert net.optimizer.state["m"].shape == net.parameters.shape
    # the BatchNorm sees X itself, whole, five times (validation changes nothing)
    mean, var = momentum_rule([X] * 5)
    np.testing.assert_allclose(net.state[:3], mean, rtol=1e-12)
    np.testing.assert_allclose(net.state[3:], var, rtol=1e-12)


def test_gradient_check_leaves_the_running_statistics_as_they_were():
    net = alone(pn.BatchNorm(), (2, 2, 2))
    net.forward(normal(3, 2, 2, 2), training=True)
    state = net.state.copy()
    check_model(net, normal(3, 2, 2, 2, seed=1))
    np.testing.assert_array_equal(net.state, state)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_and_load_restore_the_running_statistics_bit_identically(dtype, tmp_path):
    net = pn.Sequential(
        [pn.Dense(6), pn.BatchNorm(), pn.ReLU(), pn.Dense(2)], seed=0, dtype=dtype
    )
    X = normal(20, 4).astype(dtype)
    net.fit(X, normal(20, 2, seed=1), epochs=3, batch_size=8)
    net.save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz") as archive:
        stored = archive["state/layers.1.running_var.npy"]
    np.testing.assert_array_equal(stored, net.named_state()["layers.1.running_var"])
    loaded = pn.load(tmp_path / "model.npz")
    assert loaded.state.dtype == dtype
    np.testing.assert_array_equal(loaded.state, net.state)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    loaded.fit(X, normal(20, 2, seed=1), epochs=1, batch_size=8)  # views, not copies
    assert not np.array_equal(loaded.state, net.state)


def test_a_wide_batchnorm_with_its_optimizer_state_loads(tmp_path):
    # The reader's size check once counted the state once per optimizer array.
    net = pn.Sequential([pn.Dense(2000), pn.BatchNorm(), pn.Dense(1)], seed=0)
    net.fit(normal(8, 1), normal(8, 1, seed=1), optimizer=pn.Adam(), epochs=2)
    net.save(tmp_path / "model.npz")
    np.testing.assert_array_equal(pn.load(tmp_path / "model.npz").state, net.state)


def test_float32_is_kept_end_to_end():
    net = alone(pn.BatchNorm(), (2, 3, 3), dtype="float32")
    x = normal(4, 2, 3, 3).astype(np.float32)
    y = net.forward(x, training=True)
    dx = net.backward(np.ones_like(y), need_input_grad=True)
    assert y.dtype == dx.dtype == net.state.dtype == np.float32
    assert all(a.dtype == np.float32 for a in net.layers[0].saved.values())
    assert net.predict(x).dtype == np.float32
    copy = net.astype("float64")
    assert copy.state.dtype == np.float64
    np.testing.assert_array_equal(copy.state, net.state)


def test_an_mlp_with_batchnorm_learns_a_classification_task():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 4.0], [4.0, -2.0], [-4.0, -2.0]])
    labels = rng.integers(0, 3, 300)
    # far from zero mean and unit scale: the BatchNorm does the standardising
    X = 50 + 10 * (centres[labels] + rng.standard_normal((300, 2)))
    net = pn.Sequential([pn.Dense(16), pn.BatchNorm(), pn.ReLU(), pn.Dense(3)], seed=0)
    net.fit(
        X,
        labels,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.01),
        epochs=30,
        batch_size=32,
    )
    accuracy = np.mean(net.predict(X).argmax(axis=1) == labels)
    assert accuracy > 0.95, accuracy


# -- LayerNorm ----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4)])
def test_layernorm_normalises_each_sample_the_same_way_in_training_and_predict(shape):
    net = alone(pn.LayerNorm(eps=1e-12), shape)
    assert net.state.size == 0
    assert {a.shape for a in net.layers[0].params.values()} == {shape}
    x = 3 + 2 * normal(4, *shape)
    axes = tuple(range(1, x.ndim))
    y = net.forward(x, training=True).copy()
    np.testing.assert_allclose(y.mean(axis=axes), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=axes), 1, atol=1e-9)
    np.testing.assert_array_equal(net.predict(x), y)


def test_layernorm_without_affine_matches_finite_differences():
    net = alone(pn.LayerNorm(affine=False), (2, 3))
    assert net.n_parameters == 0
    assert check_model(net, normal(3, 2, 3, seed=1))["input"] < 1e-6


# -- parity with PyTorch (float64) ----------------------------------------------
def torch_step(module, torch, x, dy):
    """Forward in training mode and backward; outputs as NumPy arrays."""
    x = torch.tensor(x, requires_grad=True)
    y = module(x)
    y.backward(torch.tensor(dy))
    grads = {
        "gamma": module.weight.grad.numpy().copy(),
        "beta": module.bias.grad.numpy().copy(),
    }
    module.weight.grad = module.bias.grad = None
    return y.detach().numpy(), x.grad.numpy(), grads


def ours_step(net, x, dy):
    y = net.forward(x, training=True).copy()
    dx = net.backward(dy, need_input_grad=True).copy()
    return y, dx, {name: g.copy() for name, g in net.layers[0].grads.items()}


def assert_same_steps(net, module, torch, shape, n):
    layer = net.layers[0]
    for name, torch_name in (("gamma", "weight"), ("beta", "bias")):
        value = normal(*layer.params[name].shape, seed=len(name))
        layer.params[name][...] = value
        with torch.no_grad():
            getattr(module, torch_name).copy_(torch.tensor(value))
    module.train()
    for step in range(2):
        x, dy = 2 + 3 * normal(n, *shape, seed=step), normal(n, *shape, seed=10 + step)
        ours, theirs = ours_step(net, x, dy), torch_step(module, torch, x, dy)
        for a, b in zip(ours[:2], theirs[:2], strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
        for name in ("gamma", "beta"):
            np.testing.assert_allclose(ours[2][name], theirs[2][name], atol=1e-10)
    module.eval()
    x = normal(n, *shape, seed=99)
    expected = module(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(net.predict(x), expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    "shape, torch_class",
    [((4,), "BatchNorm1d"), ((3, 5), "BatchNorm1d"), ((3, 4, 5), "BatchNorm2d")],
)
def test_batchnorm_matches_pytorch(shape, torch_class):
    torch = pytest.importorskip("torch")
    net = alone(pn.BatchNorm(momentum=0.1, eps=1e-5), shape)
    module = getattr(torch.nn, torch_class)(
        shape[0], momentum=0.1, eps=1e-5, dtype=torch.float64
    )
    assert_same_steps(net, module, torch, shape, n=6)
    state = net.named_state()
    np.testing.assert_allclose(
        state["layers.0.running_mean"], module.running_mean.numpy(), atol=1e-10
    )
    np.testing.assert_allclose(
        state["layers.0.running_var"], module.running_var.numpy(), atol=1e-10
    )


@pytest.mark.parametrize("shape", [(7,), (3, 4, 5)])
def test_layernorm_matches_pytorch(shape):
    torch = pytest.importorskip("torch")
    net = alone(pn.LayerNorm(eps=1e-5), shape)
    module = torch.nn.LayerNorm(shape, eps=1e-5, dtype=torch.float64)
    assert_same_steps(net, module, torch, shape, n=4)


def test_early_stopping_restores_the_running_statistics_of_the_kept_epoch():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 4)) * 3 + 1, rng.integers(0, 2, 64)
    X_val, y_val = rng.standard_normal((32, 4)), rng.integers(0, 2, 32)
    net = pn.Sequential(
        [pn.Dense(4, 8), pn.BatchNorm(), pn.ReLU(), pn.Dense(8, 2)], seed=0
    )
    kept = {}

    def remember(epoch, logs):
        kept[epoch] = (net.parameters.copy(), net.state.copy())

    stopper = pn.EarlyStopping(patience=3, min_delta=0.0)
    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.05),
        epochs=30,
        batch_size=16,
        validation_data=(X_val, y_val),
        early_stopping=stopper,
        callbacks=[remember],
    )
    best = stopper.best_epoch
    assert best < len(net.history.loss)  # a later epoch was trained, then undone
    np.testing.assert_array_equal(net.parameters, kept[best][0])
    np.testing.assert_array_equal(net.state, kept[best][1])


def test_divergence_keeps_finite_running_statistics():
    X = np.random.default_rng(1).standard_normal((32, 3))
    net = pn.Sequential([pn.Dense(3, 4), pn.BatchNorm(), pn.Dense(4, 1)], seed=0)
    with pytest.raises(pn.TrainingDivergedError), np.errstate(all="ignore"):
        net.fit(
            X * 1e150,
            np.ones(32) * 1e150,
            loss="mse",
            optimizer=pn.SGD(lr=1e10),
            epochs=5,
            batch_size=8,
        )
    assert np.isfinite(net.state).all() and np.isfinite(net.parameters).all()
