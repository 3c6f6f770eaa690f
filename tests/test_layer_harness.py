"""One harness for every registered layer: shapes, dtypes, gradients, config and
model-file round trips, a training step, and prediction keeping nothing.

The harness loops over the registry (``plainnet.layers.LAYERS``). A registered
layer without an entry in ``EXAMPLES`` fails ``test_every_registered_layer_has_
an_example``: adding that entry (how to make one, and two input shapes it
takes) is all it takes to run it through every check below. A layer with a
setting that changes its arithmetic gets another entry, named by its class
and the setting (``"LayerNorm last"``).
"""

import json

import numpy as np
import pytest

import plainnet as pn
from plainnet.gradcheck import check_model
from plainnet.layers import LAYERS, Flatten
from plainnet.layers.base import walk

#: class name -> (a function making a fresh layer, two sample input shapes).
#: Dropout's rate is above zero: the gradient check holds its mask fixed.
EXAMPLES = {
    "Dense": (lambda: pn.Dense(4), [(3,), (2, 7)]),
    "Dropout": (lambda: pn.Dropout(0.3), [(5,), (2, 3, 4)]),
    "Flatten": (lambda: Flatten(), [(2, 3), (2, 3, 4)]),
    "Identity": (lambda: pn.Identity(), [(3,), (2, 5)]),
    "Sigmoid": (lambda: pn.Sigmoid(), [(3,), (2, 5)]),
    "Tanh": (lambda: pn.Tanh(), [(3,), (2, 5)]),
    "ReLU": (lambda: pn.ReLU(), [(3,), (2, 5)]),
    "LeakyReLU": (lambda: pn.LeakyReLU(0.1), [(3,), (2, 5)]),
    "Softmax": (lambda: pn.Softmax(), [(3,), (4,)]),
    "BatchNorm": (lambda: pn.BatchNorm(), [(5,), (3, 4, 4)]),
    "LayerNorm": (lambda: pn.LayerNorm(), [(6,), (2, 3, 3)]),
    "LayerNorm last": (lambda: pn.LayerNorm(axes="last"), [(3, 5), (2, 3, 4)]),
    "GELU": (lambda: pn.GELU(), [(3,), (2, 5)]),
    # convolution and pooling: stride > 1, padding, odd sizes, small kernels
    "Conv1D": (lambda: pn.Conv1D(2, 3, 3, stride=2, padding=1), [(2, 7), (2, 4)]),
    "Conv2D": (
        lambda: pn.Conv2D(2, 3, (3, 2), stride=(2, 1), padding=1),
        [(2, 5, 4), (2, 2, 3)],
    ),
    # 66 and 72 rows in X_col: the batch's columns as one matrix
    "Conv1D one matrix": (
        lambda: pn.Conv1D(22, 2, 3, stride=2, padding=1), [(22, 5), (22, 2)]
    ),
    "Conv2D one matrix": (lambda: pn.Conv2D(8, 2, 3, padding=1), [(8, 3, 4)]),
    "MaxPool1D": (lambda: pn.MaxPool1D(3, stride=2, padding=1), [(2, 7), (3, 4)]),
    "MaxPool2D": (lambda: pn.MaxPool2D(2), [(2, 4, 6), (1, 5, 3)]),
    "AvgPool1D": (lambda: pn.AvgPool1D(2), [(2, 7), (3, 4)]),
    "AvgPool2D": (
        lambda: pn.AvgPool2D((2, 3), stride=(1, 2), padding=1),
        [(2, 4, 5), (1, 3, 3)],
    ),
    "GlobalAvgPool": (lambda: pn.GlobalAvgPool(), [(3, 5), (2, 3, 4)]),
    # takes integer ids (input_kind "ids"): the inputs below are ids, and no
    # padding_idx, whose row's gradient is zero by definition, not by calculus
    "Embedding": (lambda: pn.Embedding(7, 3), [(5,), (2, 3)]),
    "SwapAxes": (lambda: pn.SwapAxes(), [(2, 5), (4, 1)]),
    # recurrent: (steps, features); between them, both directions, every
    # step's output or the last, and learned initial states (two steps at
    # least: with one, h_prev is the zero start and W_hh gets no gradient)
    "SimpleRNN": (lambda: pn.SimpleRNN(4), [(5, 3), (2, 1)]),
    "GRU": (
        lambda: pn.GRU(3, return_sequences=True, bidirectional=True),
        [(4, 2), (2, 3)],
    ),
    "LSTM": (
        lambda: pn.LSTM(3, bidirectional=True, learn_initial_state=True),
        [(4, 2), (2, 1)],
    ),
    # attention on (steps, dim), heads of 2 features (dropout: test_attention)
    "MultiHeadAttention": (lambda: pn.MultiHeadAttention(2), [(3, 4), (5, 6)]),
    "MultiHeadAttention causal": (
        lambda: pn.MultiHeadAttention(2, causal=True),
        [(4, 4), (1, 2)],
    ),
    "PositionalEmbedding": (lambda: pn.PositionalEmbedding(5, 3), [(5, 3), (2, 3)]),
    # blocks: the inner layers' parameters named by their path; Dropout inside
    # gets the network's generator through the block
    "Residual": (
        lambda: pn.Residual([pn.Dense(3), pn.Tanh(), pn.Dense(4)]),
        [(4,), (2, 4)],
    ),
    "Residual nested": (
        lambda: pn.Residual(
            [
                pn.LayerNorm(axes="last"),
                pn.Residual([pn.Dense(4), pn.Dropout(0.3)]),
                pn.GELU(),
            ]
        ),
        [(4,), (3, 4)],
    ),
}

NAMES = sorted(EXAMPLES)
CASES = [(name, shape) for name in NAMES for shape in EXAMPLES[name][1]]


def class_of(name: str) -> str:
    """The layer class an example makes: ``"LayerNorm last"`` makes a LayerNorm."""
    return name.split(" ", 1)[0]


def make(name: str):
    return EXAMPLES[name][0]()


def sample(shape, n=4, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(dtype)


def takes_ids(name: str) -> bool:
    """Whether the layer takes integer ids rather than values."""
    return LAYERS[class_of(name)].input_kind == "ids"


def inputs(name: str, shape, n=4, seed=0, dtype=np.float64):
    """``n`` samples the layer takes: values of ``dtype``, or integer ids over
    the layer's whole range for a layer that takes ids."""
    if takes_ids(name):
        high = make(name).n_ids
        return np.random.default_rng(seed).integers(0, high, (n, *shape))
    return sample(shape, n, seed, dtype)


def with_head(name: str, shape, dtype="float64", seed=0) -> pn.Sequential:
    """The layer, then ``Flatten`` and a ``Dense`` so that every layer ends in
    parameters a loss can train."""
    return pn.Sequential(
        [make(name), Flatten(), pn.Dense(2)], seed=seed, dtype=dtype, input_shape=shape
    )


def test_every_registered_layer_has_an_example():
    covered = {class_of(name) for name in EXAMPLES}
    assert set(LAYERS) <= covered, sorted(set(LAYERS) - covered)
    for name in EXAMPLES:
        assert type(make(name)).__name__ == class_of(name), name


@pytest.mark.parametrize("name, shape", CASES)
def test_output_shape_is_what_forward_gives(name, shape):
    net = pn.Sequential([make(name)], seed=0, input_shape=shape)
    layer = net.layers[0]
    expected = layer.output_shape(shape)
    assert net.output_shape == expected
    for training in (True, False):
        assert layer.forward(inputs(name, shape), training).shape == (4, *expected)
    grad = layer.backward(np.ones((4, *expected)))
    if takes_ids(name):  # ids have no gradient
        assert grad is None
    else:
        assert grad.shape == (4, *shape)


@pytest.mark.parametrize("name, shape", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept_end_to_end(name, shape, dtype):
    net = with_head(name, shape, dtype)
    X = inputs(name, shape, dtype=dtype)
    output = net.forward(X, training=True)
    assert output.dtype == dtype
    grad_in = net.backward(np.ones_like(output), need_input_grad=True)
    assert grad_in is None if takes_ids(name) else grad_in.dtype == dtype
    for array in (*net.layers[0].params.values(), *net.layers[0].grads.values()):
        assert array.dtype == dtype
    assert net.predict(X).dtype == dtype


@pytest.mark.parametrize("name, shape", CASES)
def test_gradients_match_finite_differences(name, shape):
    net = pn.Sequential([make(name)], seed=0, input_shape=shape)
    errors = check_model(net, inputs(name, shape, n=3, seed=1))
    input_error = set() if takes_ids(name) else {"input"}
    assert set(errors) == {*input_error, *net.layout}
    for key, error in errors.items():
        assert error < 1e-6, (key, error)


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip(name):
    layer = make(name)
    config = layer.get_config()
    assert json.loads(json.dumps(config)) == config
    again = type(layer).from_config(config)
    assert type(again) is type(layer)
    assert again.get_config() == config
    assert repr(again) == repr(layer)


@pytest.mark.parametrize("name, shape", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_model_file_round_trip_is_bit_identical(name, shape, dtype, tmp_path):
    net = with_head(name, shape, dtype)
    X = inputs(name, shape, dtype=dtype)
    net.fit(X, np.arange(8.0).reshape(4, 2), loss="mse", epochs=2)
    net.save(tmp_path / "model.npz")
    loaded = pn.load(tmp_path / "model.npz")
    assert loaded.input_shape == net.input_shape
    np.testing.assert_array_equal(loaded.parameters, net.parameters)
    np.testing.assert_array_equal(loaded.state, net.state)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


@pytest.mark.parametrize("name, shape", CASES)
def test_one_training_step_lowers_the_loss(name, shape):
    net = with_head(name, shape)
    X, y = inputs(name, shape, n=16, seed=2), sample((2,), n=16, seed=3)
    before = net.parameters.copy()
    first = net.fit(X, y, loss="mse", optimizer=pn.SGD(lr=0.01), epochs=1).loss[-1]
    assert net.fit(X, y, epochs=1).loss[-1] < first
    own = [name for name in net.layout if name.startswith("layers.0.")]
    for key in own:  # the layer's own parameters were trained too
        part = net.layout[key][0]
        assert not np.array_equal(net.parameters[part], before[part]), key


@pytest.mark.parametrize("name, shape", CASES)
def test_predict_keeps_nothing_for_backward(name, shape):
    net = with_head(name, shape)
    layers = [layer for _, layer in walk(net.layers)]  # inside blocks too
    net.predict(inputs(name, shape))
    assert all(layer.saved == {} for layer in layers)
    net.forward(inputs(name, shape), training=True)
    kept = [dict(layer.saved) for layer in layers]
    net.predict(inputs(name, shape, seed=5))
    for layer, before in zip(layers, kept, strict=True):
        assert layer.saved.keys() == before.keys()
        assert all(layer.saved[k] is before[k] for k in before)


def in_reversed_memory(a: np.ndarray) -> np.ndarray:
    """``a``'s values in memory whose axes lie in reverse order (Fortran
    order): what a channels-last layer hands on is such a view."""
    return np.asfortranarray(a)


@pytest.mark.parametrize("name, shape", CASES)
def test_an_input_and_gradient_in_another_memory_order_give_the_same_results(
    name, shape
):
    """A layer's forward, input gradient and parameter gradients from arrays
    whose memory is in another order (as after a Conv1D, which computes
    channels last) are those from C-contiguous ones."""
    results = []
    for lay_out in (np.ascontiguousarray, in_reversed_memory):
        net = pn.Sequential([make(name)], seed=0, input_shape=shape)
        layer = net.layers[0]
        y = layer.forward(lay_out(inputs(name, shape, n=3, seed=1)), training=True)
        grad = lay_out(sample(y.shape[1:], n=3, seed=2))
        dx = layer.backward(grad)
        results.append([y.copy(), *(() if dx is None else (dx.copy(),)),
                        *(g.copy() for g in layer.grads.values())])  # fmt: skip
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
