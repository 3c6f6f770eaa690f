"""The engine on another device: array-api-strict's simulated ``device1``.

array-api-strict refuses everything the array API standard leaves out (NumPy
calls, ``out=``, NumPy scalars, boolean arithmetic, mixing devices), so a
network that trains there names no array library. It computes with NumPy
underneath, so where NumPy is deterministic the two give the same bits: every
comparison here is exact, against the CPU backend with its NumPy twins.

``PLAINNET_TEST_DEVICE=cuda`` runs the same tests on a GPU
(``benchmarks/gpu_check.py`` does): there the comparisons allow float rounding,
since cuBLAS and OpenBLAS sum in other orders.
"""

import os

import numpy as np
import pytest

import plainnet as pn
from plainnet import backend
from plainnet.backend import DeviceError
from plainnet.backend.cupy_backend import CupyBackend
from plainnet.gradcheck import check_model
from plainnet.layers import Flatten
from test_layer_harness import EXAMPLES, inputs, make, sample, takes_ids

DEVICE = os.environ.get("PLAINNET_TEST_DEVICE", "array_api_strict:device1")
EXACT = DEVICE.startswith("array_api_strict")
xp = pytest.importorskip("array_api_strict")
strict_only = pytest.mark.skipif(not EXACT, reason="array-api-strict's devices")
CPU = "cpu"
CASES = [(name, EXAMPLES[name][1][0]) for name in sorted(EXAMPLES)]


@pytest.fixture(autouse=True)
def numpy_twins():
    """The CPU's fused steps as NumPy passes (the compiled softmax
    cross-entropy sums in another order), as the standard's backends run them."""
    before = backend.CPU.choice
    backend.CPU.use_kernels("numpy")
    yield
    backend.CPU.use_kernels(before)


def host(array) -> np.ndarray:
    return backend.of(array).to_numpy(array)


def with_head(name, shape, device, dtype="float64") -> pn.Sequential:
    return pn.Sequential(
        [make(name), Flatten(), pn.Dense(2)],
        seed=0,
        dtype=dtype,
        input_shape=shape,
        device=device,
    )


def assert_same_bits(a, b) -> None:
    """The same bits on array-api-strict; within float rounding elsewhere."""
    a, b = host(a), host(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    if not EXACT:
        tolerance = 1e-4 if a.dtype == np.float32 else 1e-9
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)
        return
    np.testing.assert_array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}"))


@pytest.mark.parametrize("name, shape", CASES)
def test_forward_and_backward_give_the_cpus_bits(name, shape):
    X = inputs(name, shape)
    results = []
    for device in (CPU, DEVICE):
        net = with_head(name, shape, device)
        output = net.forward(net.check_input(X), training=True)
        grad_in = net.backward(net.ops.asarray(np.ones((4, 2))), need_input_grad=True)
        kept = [output, net.gradients, net.state]
        results.append(kept if grad_in is None else [*kept, grad_in])
    assert len(results[0]) == len(results[1]) == (3 if takes_ids(name) else 4)
    for ours, theirs in zip(*results, strict=True):
        assert_same_bits(ours, theirs)


@pytest.mark.parametrize("name, shape", CASES)
def test_gradients_match_finite_differences_on_the_device(name, shape):
    net = pn.Sequential([make(name)], seed=0, input_shape=shape, device=DEVICE)
    errors = check_model(net, inputs(name, shape, n=3, seed=1))
    assert set(errors) == {*(() if takes_ids(name) else ("input",)), *net.layout}
    assert all(error < 1e-6 for error in errors.values()), errors


@pytest.mark.parametrize("name, shape", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_saving_and_loading_give_the_cpus_bits(name, shape, dtype, tmp_path):
    X, y = inputs(name, shape, n=16, seed=2, dtype=dtype), sample((2,), n=16, seed=3)
    nets = []
    for device in (CPU, DEVICE):
        net = with_head(name, shape, device, dtype)
        net.fit(X, y, loss="mse", optimizer=pn.Adam(lr=0.01), epochs=2, batch_size=5)
        nets.append(net)
    cpu, device = nets
    assert_same_bits(np.array(cpu.history.loss), np.array(device.history.loss))
    for name_ in ("parameters", "state"):
        assert_same_bits(getattr(cpu, name_), getattr(device, name_))
    assert_same_bits(cpu.optimizer.state["m"], device.optimizer.state["m"])
    assert isinstance(device.predict(X), np.ndarray)  # NumPy in, NumPy out
    assert_same_bits(cpu.predict(X), device.predict(X))
    device.save(tmp_path / "m.npz")  # a model file holds host arrays
    assert_same_bits(pn.load(tmp_path / "m.npz").predict(X), cpu.predict(X))
    again = pn.load(tmp_path / "m.npz", device=DEVICE)
    assert again.device == DEVICE
    assert_same_bits(again.predict(X), cpu.predict(X))


@pytest.mark.parametrize(
    "loss, y",
    [
        ("sse", np.linspace(-1, 1, 12).reshape(6, 2)),
        ("mse", np.linspace(-1, 1, 12).reshape(6, 2)),
        ("binary_cross_entropy", np.eye(2)[[0, 1, 1, 0, 1, 0]]),
        ("cross_entropy", np.array([0, 1, 1, 0, 1, 0])),
        ("cross_entropy", np.eye(2)[[0, 1, 1, 0, 1, 0]]),
    ],
)
@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: pn.SGD(lr=0.1, momentum=0.9, nesterov=True),
        lambda: pn.Adam(lr=0.01, weight_decay=0.01),
        lambda: pn.RMSprop(lr=0.01, centered=True, momentum=0.5),
        lambda: pn.Adagrad(lr=0.1),
    ],
)
def test_every_loss_and_optimizer_gives_the_cpus_bits(loss, y, optimizer):
    X = sample((3,), n=6, seed=4)
    weight = np.linspace(0.5, 1.5, 6)
    hooks = [pn.hooks.clip_by_global_norm(0.5)]
    nets = []
    for device in (CPU, DEVICE):
        net = pn.Sequential(
            [pn.Dense(3, 4), pn.Tanh(), pn.Dropout(0.2), pn.Dense(4, 2)],
            seed=0,
            device=device,
        )
        net.fit(
            X,
            y,
            loss=loss,
            optimizer=optimizer(),
            epochs=3,
            batch_size=4,
            sample_weight=weight,
            grad_hook=hooks,
            validation_data=(X, y),
        )
        nets.append(net)
    for name in ("loss", "val_loss"):
        assert_same_bits(*(np.array(net.history[name]) for net in nets))
    assert_same_bits(nets[0].parameters, nets[1].parameters)


@pytest.mark.parametrize(
    "shape", [(5, 3), (5, 3, 1), (7, 4, 9), (6, 2, 5, 7), (128, 16, 10, 10)]
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_channel_sums_add_every_axis_but_the_channels(shape, dtype):
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    axes = (0, *range(2, len(shape)))
    expected = a.astype(np.float64).sum(axis=axes)
    tolerance = 1e-5 * np.sqrt(a.size) if dtype == "float32" else 1e-12 * a.size
    cpu = backend.get(CPU)
    out = cpu.empty((shape[1],), dtype)
    assert cpu.channel_sum(a, out=out) is out
    np.testing.assert_allclose(out, expected, rtol=0, atol=tolerance)
    channels_last = np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, -1)), -1, 1)
    assert_same_bits(cpu.channel_sum(channels_last), out)  # a strided view too
    device = backend.get(DEVICE)
    assert_same_bits(device.channel_sum(device.asarray(a)), out)


@strict_only
def test_outputs_follow_the_inputs_array_type():
    net = pn.Sequential([pn.Dense(3, 2)], seed=0, device=DEVICE)
    X = sample((3,))
    on_device = xp.asarray(X, device=xp.Device("device1"))
    assert isinstance(net.predict(X), np.ndarray)
    out = net.predict(on_device)
    assert not isinstance(out, np.ndarray) and out.device == xp.Device("device1")
    assert_same_bits(out, net.predict(X))
    net.fit(on_device, on_device[:, :2] * 1.0, epochs=2)  # a device array trains too


@strict_only
def test_arrays_of_another_device_are_refused_naming_both():
    net = pn.Sequential([pn.Dense(3, 2)], seed=0, device=DEVICE)
    elsewhere = xp.asarray(sample((3,)), device=xp.Device("device2"))
    with pytest.raises(DeviceError, match=r"device2.*array_api_strict:device1"):
        net.predict(elsewhere)
    with pytest.raises(DeviceError, match=r"device1.*cpu"):
        pn.Sequential([pn.Dense(3, 2)], seed=0).predict(
            xp.asarray(sample((3,)), device=xp.Device("device1"))
        )


def test_to_moves_weights_state_and_optimizer_and_training_continues():
    X, y = sample((3,), n=20, seed=5), sample((2,), n=20, seed=6)
    nets = []
    for move in (False, True):
        net = pn.Sequential(
            [pn.Dense(3, 4), pn.BatchNorm(), pn.Dense(4, 2)], seed=0, device=CPU
        )
        net.fit(X, y, optimizer=pn.Adam(lr=0.01), epochs=2, batch_size=8)
        if move:
            assert net.to(DEVICE) is net and net.device == DEVICE
            assert backend.of(net.optimizer.state["m"]).name == DEVICE
            assert backend.of(net.layers[0].params["W"]).name == DEVICE
        net.fit(X, y, epochs=2, batch_size=8)
        nets.append(net)
    assert_same_bits(nets[0].parameters, nets[1].parameters)
    assert_same_bits(nets[0].state, nets[1].state)
    nets[1].to("cpu")
    assert isinstance(nets[1].parameters, np.ndarray)


@strict_only
def test_a_gpu_without_cupy_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy fails
    with pytest.raises(ImportError, match=r'pip install "\.\[cuda\]"'):
        pn.Sequential([pn.Dense(3, 2)], device="cuda")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        pn.Sequential([pn.Dense(3, 2)], device="tpu")


@pytest.mark.parametrize("name, shape", CASES)
def test_the_cupy_backends_code_trains_with_numpy_standing_in(name, shape):
    """CuPy follows NumPy's API: with NumPy in CuPy's place, the CuPy backend's
    own code (allocation, transfers, scatter-add, masks) gives the CPU's bits."""
    stand_in = CupyBackend(0, module=np)
    X, y = inputs(name, shape, n=16, seed=2), sample((2,), n=16, seed=3)
    nets = []
    for device in (CPU, stand_in):
        net = with_head(name, shape, device)
        net.fit(X, y, loss="mse", optimizer=pn.Adam(lr=0.01), epochs=2, batch_size=5)
        nets.append(net)
    assert_same_bits(nets[0].parameters, nets[1].parameters)
    assert_same_bits(nets[0].predict(X), nets[1].predict(X))


def test_an_estimator_trains_on_the_device_and_its_file_loads_anywhere(tmp_path):
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    fitted = []
    for device in (None, DEVICE):
        model = pn.NeuralNetClassifier(
            hidden_layer_sizes=(8,),
            max_epochs=5,
            batch_size=16,
            random_state=0,
            device=device,
            alpha=1e-3,
        )
        fitted.append(model.fit(X, y))
    cpu, on_device = fitted
    assert on_device.model_.device == DEVICE
    assert_same_bits(cpu.predict_proba(X), on_device.predict_proba(X))
    assert (cpu.predict(X) == on_device.predict(X)).all()
    on_device.save(tmp_path / "m.npz")
    loaded = pn.load(tmp_path / "m.npz")
    assert loaded.device is None and loaded.model_.device == "cpu"
    assert_same_bits(loaded.predict_proba(X), cpu.predict_proba(X))
