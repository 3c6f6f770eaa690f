"""SimpleRNN, GRU and LSTM: exact against PyTorch's nn.RNN, nn.GRU and
nn.LSTM (batch_first=True, one and two directions, every step or the last,
random non-zero biases, given initial states), and what they say of bad input.
The layer harness runs them through the generic checks."""

import numpy as np
import pytest

import plainnet as pn
from plainnet import backend
from plainnet.errors import DataError
from plainnet.layers import ShapeError

PAIRS = {"SimpleRNN": "RNN", "GRU": "GRU", "LSTM": "LSTM"}
NAMES = {"W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0"}
NAMES["b_hh"] = "bias_hh_l0"


def twins(name, bidirectional, return_sequences, steps=5, features=4, units=6):
    """Our layer (built, in a float64 network) and PyTorch's, with the same
    random weights and biases: two biases that differ, both far from zero."""
    torch = pytest.importorskip("torch")
    layer = getattr(pn, name)(
        units, return_sequences=return_sequences, bidirectional=bidirectional
    )
    pn.Sequential([layer], seed=0, input_shape=(steps, features))
    theirs = getattr(torch.nn, PAIRS[name])(
        features, units, batch_first=True, bidirectional=bidirectional
    ).double()
    rng = np.random.default_rng(7)
    for d in layer.directions:
        for ours, torch_name in NAMES.items():
            parameter = getattr(theirs, torch_name + d)
            value = rng.uniform(-0.6, 0.6, parameter.shape)
            layer.params[ours + d][...] = value
            with torch.no_grad():
                parameter.copy_(torch.from_numpy(value))
    return layer, theirs


def torch_output(theirs, out, h_n, return_sequences: bool):
    """PyTorch's counterpart of our output: every step's, or each
    direction's final state (h_n) side by side."""
    if return_sequences:
        return out
    h_n = h_n[0] if isinstance(h_n, tuple) else h_n
    return h_n.transpose(0, 1).reshape(h_n.shape[1], -1)


@pytest.fixture(params=["numpy", "numba"])
def kernels(request):
    """The CPU's recurrent cells as NumPy passes, then as compiled loops."""
    if request.param == "numba":
        pytest.importorskip("numba")
    before = backend.CPU.choice
    backend.CPU.use_kernels(request.param)
    yield request.param
    backend.CPU.use_kernels(before)


@pytest.mark.parametrize("name", sorted(PAIRS))
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("given_start", [False, True])
def test_forward_and_every_gradient_match_pytorch(
    name, bidirectional, return_sequences, given_start, kernels
):
    torch = pytest.importorskip("torch")
    layer, theirs = twins(name, bidirectional, return_sequences)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 5, 4))
    directions = len(layer.directions)
    starts = [rng.standard_normal((directions, 3, 6)) for _ in layer.STATES]
    start = None
    if given_start:
        start = tuple(starts) if name == "LSTM" else starts[0]
    y = layer.forward(x, training=True, initial_state=start)

    x_t = torch.from_numpy(x).requires_grad_()
    starts_t = [torch.from_numpy(s).requires_grad_() for s in starts]
    hx = None
    if given_start:
        hx = tuple(starts_t) if name == "LSTM" else starts_t[0]
    out, h_n = theirs(x_t, hx)
    expected = torch_output(theirs, out, h_n, return_sequences)
    np.testing.assert_allclose(y, expected.detach().numpy(), rtol=0, atol=1e-10)

    grad = rng.standard_normal(y.shape)
    expected.backward(torch.from_numpy(grad))
    dx = layer.backward(grad, need_input_grad=True)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-10)
    for d in layer.directions:
        for ours, torch_name in NAMES.items():
            np.testing.assert_allclose(
                layer.grads[ours + d],
                getattr(theirs, torch_name + d).grad.numpy(),
                rtol=0,
                atol=1e-10,
                err_msg=ours + d,
            )
    if given_start:
        given = layer.initial_state_grad
        given = given if isinstance(given, tuple) else (given,)
        for ours, theirs_start in zip(given, starts_t, strict=True):
            np.testing.assert_allclose(
                ours, theirs_start.grad.numpy(), rtol=0, atol=1e-10
            )
    else:
        assert layer.initial_state_grad is None


@pytest.mark.parametrize("name", ["GRU", "LSTM"])
def test_layers_beyond_the_cell_loops_size_match_pytorch(name, kernels):
    """Steps of more than CELL_LOOP_SIZE values take NumPy's tanh passes (and,
    for the LSTM, the compiled loop between them)."""
    torch = pytest.importorskip("torch")
    from plainnet.backend.numpy_backend import CELL_LOOP_SIZE

    n, units = 40, 32
    assert n * units > CELL_LOOP_SIZE
    layer, theirs = twins(name, False, True, steps=3, features=5, units=units)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((n, 3, 5))
    y = layer.forward(x, training=True)
    x_t = torch.from_numpy(x).requires_grad_()
    out, _ = theirs(x_t)
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=0, atol=1e-10)
    grad = rng.standard_normal(y.shape)
    out.backward(torch.from_numpy(grad))
    dx = layer.backward(grad, need_input_grad=True)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=0, atol=1e-10)
    for ours, torch_name in NAMES.items():
        expected = getattr(theirs, torch_name).grad.numpy()
        np.testing.assert_allclose(layer.grads[ours], expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_float32_follows_float64(name):
    X = np.random.default_rng(0).standard_normal((8, 6, 3))
    nets = [
        pn.Sequential(
            [getattr(pn, name)(5, bidirectional=True), pn.Dense(2)],
            seed=1,
            dtype=dtype,
            input_shape=(6, 3),
        )
        for dtype in ("float64", "float32")
    ]
    outputs = [net.predict(X.astype(net.dtype)) for net in nets]
    assert outputs[1].dtype == np.float32
    np.testing.assert_allclose(outputs[1], outputs[0], rtol=1e-5, atol=1e-6)


def test_prediction_in_blocks_equals_one_pass(monkeypatch):
    from plainnet.layers import recurrent

    net = pn.Sequential(
        [pn.LSTM(4, return_sequences=True, bidirectional=True)],
        seed=0,
        input_shape=(7, 2),
    )
    X = np.random.default_rng(0).standard_normal((50, 7, 2))
    whole = net.predict(X)
    monkeypatch.setattr(recurrent, "PREDICT_BYTES", 1)  # one row at a time
    # the same up to BLAS's rounding (a product of one row takes another path)
    np.testing.assert_allclose(net.predict(X), whole, rtol=1e-13, atol=1e-15)


def test_learned_initial_state_is_trained_and_starts_every_sequence():
    net = pn.Sequential(
        [pn.GRU(3, learn_initial_state=True), pn.Dense(1)],
        seed=0,
        input_shape=(4, 2),
    )
    assert "layers.0.h0" in net.layout
    X = np.random.default_rng(0).standard_normal((32, 4, 2))
    y = X.sum(axis=(1, 2))[:, None] + 3.0
    net.fit(X, y, optimizer=pn.Adam(lr=0.05), epochs=20, batch_size=8)
    h0 = net.layers[0].params["h0"]
    assert np.abs(h0).max() > 0.01  # moved away from zero
    given = np.broadcast_to(h0, (1, 5, 3)).copy()
    layer = net.layers[0]
    np.testing.assert_array_equal(
        layer.forward(X[:5], training=False),
        layer.forward(X[:5], training=False, initial_state=given),
    )


def test_a_convolution_feeds_a_gru_through_swap_axes():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 1, 20))
    y = (X[:, 0, :10].sum(axis=1) > X[:, 0, 10:].sum(axis=1)).astype(int)
    net = pn.Sequential(
        [pn.Conv1D(1, 4, 3), pn.ReLU(), pn.SwapAxes(), pn.GRU(8), pn.Dense(2)],
        seed=0,
        input_shape=(1, 20),
    )
    assert net.layers[3].input_shape == (18, 4)
    history = net.fit(
        X, y, loss="cross_entropy", optimizer=pn.Adam(lr=0.02), epochs=15,
        batch_size=16,
    )  # fmt: skip
    assert history.loss[-1] < 0.6 * history.loss[0]


# -- bad input --------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_a_sequence_without_a_features_axis_says_how_to_add_one(name):
    net = pn.Sequential([getattr(pn, name)(6)], seed=0)
    with pytest.raises(
        ShapeError,
        match=rf"layer 0 \({name}\(units=6.*\)\) expects \(n, steps, features\); "
        r"got shape \(n, 40\): add a features axis with X\[\.\.\., None\]",
    ):
        net.predict(np.zeros((5, 40)))
    built = pn.Sequential([getattr(pn, name)(6)], seed=0, input_shape=(40, 1))
    with pytest.raises(DataError, match=r"3-D of shape \(n_samples, 40, 1\), got 2-D"):
        built.predict(np.zeros((5, 40)))


def test_zero_steps_and_zero_units_are_refused_naming_them():
    with pytest.raises(ValueError, match="GRU units must be a positive int, got 0"):
        pn.GRU(0)
    with pytest.raises(ValueError, match="LSTM units must be a positive int, got -2"):
        pn.LSTM(-2)
    with pytest.raises(ValueError, match="GRU bidirectional must be True or False"):
        pn.GRU(3, bidirectional="yes")
    with pytest.raises(DataError, match=r"X is empty \(shape \(4, 0, 2\)\)"):
        pn.Sequential([pn.GRU(3)], seed=0).predict(np.zeros((4, 0, 2)))
    layer = pn.Sequential([pn.GRU(3)], seed=0, input_shape=(5, 2)).layers[0]
    with pytest.raises(
        ShapeError,
        match=r"GRU\(units=3, .*\) expects \(n, steps, features\) with at least "
        r"one step; got shape \(4, 0, 2\)",
    ):
        layer.forward(np.zeros((4, 0, 2)))


def test_an_initial_state_of_the_wrong_shape_names_the_layer_and_shapes():
    layer = pn.Sequential(
        [pn.GRU(6, bidirectional=True)], seed=0, input_shape=(40, 1)
    ).layers[0]
    X = np.zeros((100, 40, 1))
    with pytest.raises(
        ShapeError,
        match=r"GRU\(units=6, .*\) takes an initial state h0 of shape \(2, 100, 6\) "
        r"\(directions, n, units\) for this batch of 100, got shape \(100, 6\)",
    ):
        layer.forward(X, initial_state=np.zeros((100, 6)))
    lstm = pn.Sequential([pn.LSTM(6)], seed=0, input_shape=(40, 1)).layers[0]
    with pytest.raises(ShapeError, match=r"LSTM.*as a pair \(h0, c0\) of arrays"):
        lstm.forward(X, initial_state=np.zeros((1, 100, 6)))
    with pytest.raises(ShapeError, match=r"initial state c0 of shape \(1, 100, 6\)"):
        lstm.forward(X, initial_state=(np.zeros((1, 100, 6)), np.zeros((1, 6))))


def test_summary_counts_the_mnist1d_grus_parameters():
    """The MNIST-1D paper's GRU: bidirectional, 6 units, one value per step,
    every step's output into one linear layer; 5,134 parameters."""
    net = pn.Sequential(
        [pn.GRU(6, return_sequences=True, bidirectional=True), pn.Flatten(),
         pn.Dense(10)],
        input_shape=(40, 1),
    )  # fmt: skip
    lines = net.summary().splitlines()
    assert lines[3].split() == ["0", "GRU", "(n,", "40,", "12)", "324"]
    assert net.n_parameters == 5134
    assert "trainable parameters: 5,134" in net.summary()


def test_the_small_products_of_the_steps_run_on_one_blas_thread(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads() -> set[int]:
        """The threads of NumPy's BLAS (numba may load SciPy's, unused here)."""
        info = threadpoolctl.threadpool_info()
        return {
            i["num_threads"]
            for i in info
            if i["user_api"] == "blas" and "numpy" in i["filepath"]
        }

    net = pn.Sequential([pn.GRU(4)], seed=0, input_shape=(3, 2))
    layer, seen = net.layers[0], []
    step = layer._step
    monkeypatch.setattr(
        layer, "_step", lambda *args: seen.append(blas_threads()) or step(*args)
    )
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        net.predict(np.zeros((5, 3, 2)))
        assert blas_threads() == {2}  # as it was, after the loop
    assert seen == [{1}] * 3
