"""Convolution and pooling: hand-worked cases, a loop reference, errors,
gradients of a batch of one, parity with PyTorch (when installed) and a LeNet-5.

The generic checks (shapes, dtypes, finite differences, config and model-file
round trips) run for every layer in ``test_layer_harness.py``.
"""

import itertools
import math

import numpy as np
import pytest

import plainnet as pn
from plainnet.gradcheck import check_model
from plainnet.initializers import _fans
from plainnet.layers import ShapeError, conv


@pytest.fixture(params=["per sample", "one matrix", "rows"])
def conv_layout(request, monkeypatch):
    """A test with this runs three times, every convolution (1-D or 2-D)
    computing with its columns laid out per sample, with the columns of the
    whole batch as one matrix, and with rows, channels last."""
    rows, one = request.param == "rows", request.param == "one matrix"
    for kind in (pn.Conv1D, pn.Conv2D):
        monkeypatch.setattr(kind, "AS_ROWS", rows)
    monkeypatch.setattr(conv, "ONE_MATRIX_ROWS", 0 if one else 10**9)
    monkeypatch.setattr(conv, "ONE_MATRIX_POSITIONS", 10**9)
    monkeypatch.setattr(conv, "ONE_MATRIX_PRODUCT", 10**9 if one else 0)
    return request.param


def layer_net(layer, input_shape, W=None, b=None):
    """``layer`` alone in a float64 Sequential, with the given weights."""
    net = pn.Sequential([layer], seed=0, input_shape=input_shape)
    if W is not None:
        layer.params["W"][...] = W
    if b is not None:
        layer.params["b"][...] = b
    return net


# -- references: loops over every output position, as in a textbook -------------


def conv2d_reference(x, W, b, stride=(1, 1), padding=((0, 0), (0, 0))):
    """``Y[n, o, r, s] = b[o] + sum_{c,i,j} W[o,c,i,j] * Xp[n, c, r*sh+i, s*sw+j]``."""
    (pt, pb), (pl, pr) = padding
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, _, H, Wd = xp.shape
    out_c, _, kh, kw = W.shape
    sh, sw = stride
    Ho, Wo = (H - kh) // sh + 1, (Wd - kw) // sw + 1
    y = np.zeros((n, out_c, Ho, Wo))
    for s, o, r, c in itertools.product(range(n), range(out_c), range(Ho), range(Wo)):
        window = xp[s, :, r * sh : r * sh + kh, c * sw : c * sw + kw]
        y[s, o, r, c] = np.sum(window * W[o]) + b[o]
    return y


def pool2d_reference(x, size, stride, reduce):
    """``reduce`` (np.max or np.mean) of every window, no padding."""
    (kh, kw), (sh, sw) = size, stride
    n, C, H, Wd = x.shape
    Ho, Wo = (H - kh) // sh + 1, (Wd - kw) // sw + 1
    y = np.zeros((n, C, Ho, Wo))
    for s, c, r, q in itertools.product(range(n), range(C), range(Ho), range(Wo)):
        y[s, c, r, q] = reduce(x[s, c, r * sh : r * sh + kh, q * sw : q * sw + kw])
    return y


def random(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# -- hand-worked cases ---------------------------------------------------------


@pytest.mark.usefixtures("conv_layout")
def test_conv1d_by_hand():
    # W = [1, 0, -1], b = 0.5: y[t] = x[t] - x[t + 2] + 0.5
    layer = pn.Conv1D(1, 1, 3)
    net = layer_net(layer, (1, 5), W=[[[1, 0, -1]]], b=[0.5])
    x = np.array([[[1.0, 2.0, 4.0, 8.0, 16.0]]])
    np.testing.assert_array_equal(net.predict(x), [[[-2.5, -5.5, -11.5]]])
    # dL/dx for dL/dy = 1: x[t] gets W[t - t'] summed over the windows holding it
    net.forward(x)
    dx = net.backward(np.ones((1, 1, 3)), need_input_grad=True)
    np.testing.assert_array_equal(dx, [[[1, 1, 0, -1, -1]]])
    np.testing.assert_array_equal(layer.grads["W"], [[[7, 14, 28]]])  # sums of x
    np.testing.assert_array_equal(layer.grads["b"], [3])


@pytest.mark.usefixtures("conv_layout")
def test_conv2d_by_hand_with_stride_and_padding():
    # a 2x2 kernel of ones, stride 2, padding 1: each output sums one 2x2 block
    # of the zero-padded 3x3 input [[1,2,3],[4,5,6],[7,8,9]]
    layer = pn.Conv2D(1, 1, 2, stride=2, padding=1, bias=False)
    net = layer_net(layer, (1, 3, 3), W=np.ones((1, 1, 2, 2)))
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    np.testing.assert_array_equal(
        net.predict(x), [[[[1, 2 + 3], [4 + 7, 5 + 6 + 8 + 9]]]]
    )


@pytest.mark.usefixtures("conv_layout")
def test_same_padding_puts_the_extra_zero_after():
    # kernel 2, 'same': 1 zero in all, after the input: y[t] = x[t] + x[t + 1]
    net = layer_net(pn.Conv1D(1, 1, 2, padding="same"), (1, 4), W=[[[1, 1]]], b=[0])
    np.testing.assert_array_equal(
        net.predict(np.array([[[1.0, 2, 3, 4]]])), [[[3, 5, 7, 4]]]
    )
    net = layer_net(pn.Conv2D(1, 1, (3, 4), padding="same"), (1, 5, 6))
    assert net.output_shape == (1, 5, 6)


def test_max_pool_by_hand_and_its_tie_rule():
    x = np.array([[[[1.0, 3.0, 2.0, 2.0], [3.0, 0.0, 2.0, 2.0]]]])  # (1, 1, 2, 4)
    net = pn.Sequential([pn.MaxPool2D(2)], input_shape=(1, 2, 4))
    np.testing.assert_array_equal(net.predict(x), [[[[3, 2]]]])
    net.forward(x)
    dx = net.backward(np.array([[[[10.0, 20.0]]]]), need_input_grad=True)
    # ties: the first maximum in row-major order takes the whole gradient
    np.testing.assert_array_equal(dx, [[[[0, 10, 20, 0], [0, 0, 0, 0]]]])


def test_avg_and_global_pools_by_hand():
    x = np.arange(8.0).reshape(1, 1, 8)
    net = pn.Sequential([pn.AvgPool1D(4)], input_shape=(1, 8))
    np.testing.assert_array_equal(net.predict(x), [[[1.5, 5.5]]])
    net = pn.Sequential([pn.GlobalAvgPool()], input_shape=(1, 8))
    np.testing.assert_array_equal(net.predict(x), [[3.5]])
    net.forward(x)
    np.testing.assert_array_equal(
        net.backward(np.array([[8.0]]), need_input_grad=True), np.ones((1, 1, 8))
    )


# -- against the loop reference ------------------------------------------------

CONV_CASES = [
    # kernel, stride, padding (constructor form), padding (before, after) per axis
    ((3, 3), 1, 0, ((0, 0), (0, 0))),
    ((3, 2), (2, 1), 1, ((1, 1), (1, 1))),
    ((2, 3), 2, (0, 2), ((0, 0), (2, 2))),
    ((1, 1), 3, 0, ((0, 0), (0, 0))),
    ((4, 4), 4, 0, ((0, 0), (0, 0))),  # stride = kernel: windows do not overlap
    ((2, 2), 3, 1, ((1, 1), (1, 1))),  # stride > kernel: some inputs unused
    ((4, 3), 1, "same", ((1, 2), (1, 1))),
    ((5, 5), 1, "valid", ((0, 0), (0, 0))),
]


@pytest.mark.usefixtures("conv_layout")
@pytest.mark.parametrize("kernel, stride, padding, pads", CONV_CASES)
def test_conv2d_matches_the_loop_reference(kernel, stride, padding, pads):
    layer = pn.Conv2D(3, 2, kernel, stride=stride, padding=padding)
    W, b, x = random((2, 3, *kernel), 1), random(2, 2), random((2, 3, 9, 8), 3)
    net = layer_net(layer, (3, 9, 8), W, b)
    strides = (stride, stride) if isinstance(stride, int) else stride
    expected = conv2d_reference(x, W, b, strides, pads)
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.forward(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.usefixtures("conv_layout")
@pytest.mark.parametrize(
    "kernel, stride, padding", [(3, 1, 0), (3, 2, 1), (2, 1, "same")]
)
def test_conv1d_is_conv2d_of_height_one(kernel, stride, padding):
    W, b, x = random((4, 2, kernel), 1), random(4, 2), random((3, 2, 11), 3)
    net = layer_net(
        pn.Conv1D(2, 4, kernel, stride=stride, padding=padding), (2, 11), W, b
    )
    pads = {0: (0, 0), 1: (1, 1), "same": (0, 1)}[padding]
    expected = conv2d_reference(
        x[:, :, None], W[:, :, None], b, (1, stride), ((0, 0), pads)
    )
    np.testing.assert_allclose(
        net.predict(x), expected[:, :, 0], rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(
    "size, stride", [((2, 2), None), ((3, 2), (1, 2)), ((3, 3), 2)]
)
def test_pools_match_the_loop_reference(size, stride):
    x = random((2, 3, 7, 6))
    strides = (
        size
        if stride is None
        else (stride, stride)
        if isinstance(stride, int)
        else stride
    )
    for layer, reduce in (
        (pn.MaxPool2D(size, stride), np.max),
        (pn.AvgPool2D(size, stride), np.mean),
    ):
        net = pn.Sequential([layer], input_shape=(3, 7, 6))
        expected = pool2d_reference(x, size, strides, reduce)
        np.testing.assert_allclose(net.predict(x), expected, rtol=1e-12)
        np.testing.assert_allclose(net.forward(x), expected, rtol=1e-12)


# -- gradients of a batch of one ------------------------------------------------

ONE_SAMPLE = [
    (lambda: pn.Conv1D(2, 3, 4, stride=3, padding=2), (2, 9)),
    (lambda: pn.Conv2D(2, 2, 3, stride=2, padding=1), (2, 5, 5)),
    (lambda: pn.Conv2D(1, 2, 2, padding="same"), (1, 4, 3)),
    (lambda: pn.Conv2D(2, 2, 2, stride=2, bias=False), (2, 4, 6)),
    # more output channels than rows in X_col: dW's products as written
    (lambda: pn.Conv1D(1, 4, 3, padding="same"), (1, 6)),
    (lambda: pn.Conv2D(1, 5, 2), (1, 4, 3)),
    (lambda: pn.MaxPool2D(3, stride=2, padding=1), (2, 5, 5)),
    (lambda: pn.MaxPool1D(2), (2, 6)),
    (lambda: pn.AvgPool1D(3, stride=1, padding=1), (2, 5)),
    (lambda: pn.AvgPool2D(2, stride=3), (1, 7, 5)),
    (lambda: pn.GlobalAvgPool(), (3, 2, 2)),
]


@pytest.mark.usefixtures("conv_layout")
@pytest.mark.parametrize("make, shape", ONE_SAMPLE)
def test_gradients_of_a_batch_of_one(make, shape):
    net = pn.Sequential([make()], seed=0, input_shape=shape)
    errors = check_model(net, random((1, *shape), 4))
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.usefixtures("conv_layout")
def test_a_small_cnn_passes_the_gradient_check():
    net = pn.Sequential(
        [
            pn.Conv2D(1, 2, 3, padding=1),
            pn.ReLU(),
            pn.MaxPool2D(2),
            pn.Conv2D(2, 2, 2),
            pn.Tanh(),
            pn.Flatten(),
            pn.Dense(3),
        ],
        seed=0,
        input_shape=(1, 6, 6),
    )
    errors = check_model(
        net, random((2, 1, 6, 6), 5), np.array([0, 2]), "cross_entropy"
    )
    assert max(errors.values()) < 1e-6, errors


# -- initialisation, errors ----------------------------------------------------


def test_he_normal_uses_the_kernel_fan_in():
    assert _fans((16, 6, 5, 5)) == (150, 400)  # (out, in, kh, kw)
    assert _fans((25, 1, 5)) == (5, 125)
    assert _fans((784, 10)) == (784, 10)  # Dense: (n_in, n_out)
    net = pn.Sequential([pn.Conv2D(64, 64, 3)], seed=0, input_shape=(64, 5, 5))
    std = net.layers[0].params["W"].std()
    assert abs(std / np.sqrt(2 / (64 * 9)) - 1) < 0.02
    np.testing.assert_array_equal(net.layers[0].params["b"], 0)


@pytest.mark.parametrize(
    "layers, shape, message",
    [
        ([pn.Conv2D(1, 4, 3)], (784,), "expects (n, channels, height, width)"),
        ([pn.Conv1D(1, 4, 3)], (1, 8, 8), "expects (n, channels, length)"),
        ([pn.Conv2D(3, 4, 3)], (1, 8, 8), "expects 3 channels"),
        ([pn.Conv2D(1, 4, 5, padding=1)], (1, 2, 8), "at least 3 x 3 (kernel_size=5"),
        ([pn.MaxPool2D(2)], (4,), "expects (n, channels, height, width)"),
        ([pn.MaxPool2D((3, 2))], (4, 2, 9), "at least 3 x 2 (pool_size=[3, 2]"),
        ([pn.GlobalAvgPool()], (4,), "expects (n, channels, *spatial axes)"),
    ],
)
def test_shape_errors_name_the_layer_and_what_it_expects(layers, shape, message):
    with pytest.raises(ShapeError, match="layer 0") as error:
        pn.Sequential(layers, input_shape=shape)
    assert message in str(error.value)


def test_shape_error_names_the_layer_inside_a_network():
    layers = [pn.Conv2D(1, 4, 3), pn.ReLU(), pn.Conv2D(3, 4, 3)]
    with pytest.raises(
        ShapeError, match=r"layer 2 .* expects 3 channels, .*\(n, 4, 6, 6\)"
    ):
        pn.Sequential(layers, input_shape=(1, 8, 8))


@pytest.mark.parametrize(
    "make, named",
    [
        (lambda: pn.Conv2D(0, 4, 3), "in_channels"),
        (lambda: pn.Conv2D(1, 4.0, 3), "out_channels"),
        (lambda: pn.Conv2D(1, 4, (3, 3, 3)), "kernel_size"),
        (lambda: pn.Conv1D(1, 4, 3, stride=0), "stride"),
        (lambda: pn.Conv2D(1, 4, 3, padding=-1), "padding"),
        (lambda: pn.Conv2D(1, 4, 3, padding="full"), "'full'"),
        (lambda: pn.Conv2D(1, 4, 3, stride=2, padding="same"), "stride 1"),
        (lambda: pn.Conv2D(1, 4, 3, init="nope"), "nope"),
        (lambda: pn.MaxPool2D(True), "pool_size"),
        (lambda: pn.AvgPool1D(2, padding=2), "half the pool size"),
    ],
)
def test_bad_constructor_values_raise_value_error(make, named):
    with pytest.raises(ValueError, match=named):
        make()


def test_config_keeps_the_constructor_arguments():
    layer = pn.Conv2D(3, 8, (3, 1), stride=2, padding=(1, 0))
    assert layer.get_config() == {
        "in_channels": 3,
        "out_channels": 8,
        "kernel_size": [3, 1],
        "stride": 2,
        "padding": [1, 0],
        "bias": True,
        "init": "he_normal",
    }
    assert pn.MaxPool2D(2).get_config() == {
        "pool_size": 2,
        "stride": None,
        "padding": 0,
    }


# -- PyTorch parity ------------------------------------------------------------


def torch_pair(ours, theirs, shape, seed=0):
    """Our output and input gradient (and weight gradients) next to PyTorch's,
    in float64, for the same weights and a random output gradient."""
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    net = pn.Sequential([ours], seed=seed, input_shape=shape)
    x, grad = random((3, *shape), seed + 1), None
    y = net.forward(x)
    grad = random(y.shape, seed + 2)
    dx = net.backward(grad, need_input_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    theirs = theirs.double()
    with torch.no_grad():
        for name, param in theirs.named_parameters():
            param.copy_(torch.from_numpy(ours.params["W" if name == "weight" else "b"]))
    yt = theirs(xt)
    yt.backward(torch.from_numpy(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, param in theirs.named_parameters():
        ours_grad = ours.grads["W" if name == "weight" else "b"]
        np.testing.assert_allclose(
            ours_grad, param.grad.numpy(), rtol=1e-10, atol=1e-12
        )


def torch_nn():
    return pytest.importorskip("torch", reason="PyTorch parity needs torch").nn


@pytest.mark.usefixtures("conv_layout")
@pytest.mark.parametrize(
    "args",
    [
        dict(kernel_size=3),
        dict(kernel_size=5, stride=2, padding=1),
        dict(kernel_size=4, padding="same"),
        dict(kernel_size=2, stride=2, bias=False),
    ],
)
def test_conv1d_matches_pytorch(args):
    nn = torch_nn()
    torch_pair(pn.Conv1D(3, 4, **args), nn.Conv1d(3, 4, **args), (3, 13))


@pytest.mark.usefixtures("conv_layout")
@pytest.mark.parametrize(
    "args",
    [
        dict(kernel_size=3),
        dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 2)),
        dict(kernel_size=(2, 4), padding="same"),
        dict(kernel_size=3, stride=3, bias=False),
        dict(kernel_size=5, padding=2),
    ],
)
def test_conv2d_matches_pytorch(args):
    nn = torch_nn()
    torch_pair(pn.Conv2D(2, 3, **args), nn.Conv2d(2, 3, **args), (2, 9, 8))


POOL_PAIRS = [
    # (our layer, PyTorch's with the same arguments, one sample's shape)
    (lambda: pn.MaxPool1D(3, 2, 1), lambda nn: nn.MaxPool1d(3, 2, 1), (2, 11)),
    (lambda: pn.MaxPool2D(2), lambda nn: nn.MaxPool2d(2), (2, 8, 6)),
    (
        lambda: pn.MaxPool2D((3, 2), (1, 2), 1),
        lambda nn: nn.MaxPool2d((3, 2), (1, 2), 1),
        (2, 7, 5),
    ),
    (lambda: pn.AvgPool1D(2), lambda nn: nn.AvgPool1d(2), (2, 9)),
    (lambda: pn.AvgPool2D(3, 2, 1), lambda nn: nn.AvgPool2d(3, 2, 1), (2, 7, 8)),
]


@pytest.mark.parametrize("ours, theirs, shape", POOL_PAIRS)
def test_pools_match_pytorch(ours, theirs, shape):
    torch_pair(ours(), theirs(torch_nn()), shape)


def test_max_pool_ties_go_where_pytorch_sends_them():
    torch = pytest.importorskip("torch", reason="PyTorch parity needs torch")
    x = np.random.default_rng(0).integers(0, 3, (4, 2, 6, 6)).astype(float)  # ties
    for ours, theirs in (
        (pn.MaxPool2D(2), torch.nn.MaxPool2d(2)),
        (pn.MaxPool2D(3, 1), torch.nn.MaxPool2d(3, 1)),
    ):
        net = pn.Sequential([ours], input_shape=(2, 6, 6))
        y = net.forward(x)
        dx = net.backward(np.ones_like(y), need_input_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        theirs(xt).sum().backward()
        np.testing.assert_array_equal(dx, xt.grad.numpy())


# -- LeNet-5 ---------------------------------------------------------------------


def lenet5(seed=0, dtype="float32"):
    return pn.Sequential(
        [
            pn.Conv2D(1, 6, 5, padding=2),
            pn.ReLU(),
            pn.MaxPool2D(2),
            pn.Conv2D(6, 16, 5),
            pn.ReLU(),
            pn.MaxPool2D(2),
            pn.Flatten(),
            pn.Dense(400, 120),
            pn.ReLU(),
            pn.Dense(120, 84),
            pn.ReLU(),
            pn.Dense(84, 10),
        ],
        seed=seed,
        dtype=dtype,
        input_shape=(1, 28, 28),
    )


@pytest.mark.usefixtures("conv_layout")
def test_lenet5_builds_trains_and_saves_bit_identically(tmp_path):
    net = lenet5()
    table = net.summary()
    assert "(n, 6, 28, 28)" in table and "(n, 16, 5, 5)" in table
    assert net.n_parameters == 156 + 2416 + 48120 + 10164 + 850 == 61706
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 150)
    history = net.fit(
        X, y, loss="cross_entropy", optimizer=pn.Adam(lr=1e-3), epochs=3, batch_size=64
    )
    assert np.all(np.isfinite(history.loss)) and history.loss[-1] < history.loss[0]
    net.save(tmp_path / "lenet.npz")
    loaded = pn.load(tmp_path / "lenet.npz")
    np.testing.assert_array_equal(loaded.parameters, net.parameters)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert net.predict(X).dtype == np.float32


@pytest.mark.usefixtures("conv_layout")
def test_predict_in_blocks_equals_one_forward(monkeypatch):
    import plainnet.network

    net = lenet5(dtype="float64")
    X = random((7, 1, 28, 28))
    whole = net.forward(X, training=False)
    monkeypatch.setattr(plainnet.network, "PREDICT_ROWS", 3)
    np.testing.assert_allclose(net.predict(X), whole, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: pn.Conv2D(2, 3, 3, stride=2, padding=1), (2, 7, 6)),
        (lambda: pn.Conv1D(2, 4, 3, padding="same"), (2, 9)),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_prediction_makes_the_columns_a_block_of_samples_at_a_time(
    monkeypatch, conv_layout, make, shape, dtype
):
    """The columns of a few samples at a time (``PREDICT_BYTES``): what
    training's forward gives from the whole batch's columns; the same bits
    where each sample has its own product (one matrix's product may round
    differently for another number of columns)."""
    net = pn.Sequential([make()], seed=0, dtype=dtype, input_shape=shape)
    X = random((10, *shape)).astype(dtype)
    whole = net.forward(X, training=True)
    layer, blocks = net.layers[0], []
    copy = "im2row" if conv_layout == "rows" else "im2col"
    windows = getattr(layer.ops, copy)
    window = layer.in_channels * math.prod(layer._kernel) * math.prod(
        net.output_shape[1:]
    )
    monkeypatch.setattr(conv, "PREDICT_BYTES", 3 * window * np.dtype(dtype).itemsize)
    monkeypatch.setattr(
        layer.ops, copy, lambda x, *args: blocks.append(len(x)) or windows(x, *args)
    )
    predicted = net.predict(X)
    assert blocks == [3, 3, 3, 1]
    if conv_layout == "per sample":
        np.testing.assert_array_equal(predicted.view(f"u{predicted.itemsize}"),
                                      whole.view(f"u{whole.itemsize}"))  # fmt: skip
    else:
        tolerance = 1e-6 if dtype == "float32" else 1e-14
        np.testing.assert_allclose(predicted, whole, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize(
    "make, shape, one",
    [
        (lambda: pn.Conv1D(25, 25, 3, stride=2, padding=1), (25, 19), True),
        (lambda: pn.Conv1D(3, 25, 5, stride=2, padding=1), (3, 40), False),
        (lambda: pn.Conv2D(6, 16, 5), (6, 14, 14), False),  # 100 positions
        (lambda: pn.Conv2D(16, 8, 3, padding=1), (16, 6, 6), True),
        # 25 x 5 x 19 = 2,375 multiply-adds a sample: too small a product
        (lambda: pn.Conv1D(1, 25, 5, stride=2, padding=1), (1, 40), True),
        (lambda: pn.Conv2D(1, 8, 3, padding=1), (1, 8, 8), False),  # 4,608
    ],
)
def test_the_columns_are_one_matrix_for_many_rows_and_few_positions_or_tiny_products(
    monkeypatch, make, shape, one
):
    """The layout of the columns each layer chooses, and their shape: ``(C,
    *kernel, n, *out)`` as one matrix, else ``(n, C, *kernel, *out)`` (a
    Conv1D made to take columns: it takes rows)."""
    monkeypatch.setattr(pn.Conv1D, "AS_ROWS", False)
    net = pn.Sequential([make()], seed=0, input_shape=shape)
    layer = net.layers[0]
    net.forward(random((3, *shape)), training=True)
    kernel, out = layer._kernel, net.output_shape[1:]
    expected = (
        (layer.in_channels, *kernel, 3, *out) if one
        else (3, layer.in_channels, *kernel, *out)
    )  # fmt: skip
    assert layer._one_matrix is one
    assert layer.saved["cols"].shape == expected


def test_a_conv1d_computes_with_rows_channels_last_and_the_layers_after_keep_them():
    """Conv1D's rows ``(n, *out, *kernel, C)``; its output, its input's
    gradient and a ReLU's arrays between two of them lie channels last in
    memory (views of ``(n, C, L)`` shape); Flatten copies forward and hands
    its gradient back channels last; and all of it is the arithmetic of the
    same network on columns."""
    layers = lambda: [  # noqa: E731
        pn.Conv1D(3, 4, 3, stride=2, padding=1), pn.ReLU(),
        pn.Conv1D(4, 5, 2), pn.ReLU(), pn.Flatten(), pn.Dense(2),
    ]  # fmt: skip
    X, y = random((6, 3, 11)), random((6, 2), 1)
    net = pn.Sequential(layers(), seed=0, input_shape=(3, 11))
    out = net.forward(X, training=True)
    net.backward(out - y)
    columns = pn.Sequential(layers(), seed=0, input_shape=(3, 11))
    for layer in columns.layers[0], columns.layers[2]:
        layer.AS_ROWS = False
    expected = columns.forward(X, training=True)
    columns.backward(expected - y)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    for ours, theirs in zip(net.layers, columns.layers, strict=True):
        for name in ours.grads:
            np.testing.assert_allclose(ours.grads[name], theirs.grads[name],
                                       rtol=1e-12, atol=1e-12)  # fmt: skip

    first, relu, second, _, flatten, _ = net.layers
    assert first.saved["rows"].shape == (6, 6, 3, 3)
    assert second.saved["rows"].shape == (6, 5, 2, 4)

    def channels_last(array):
        return array.transpose(0, 2, 1).flags.c_contiguous and array.shape[1] > 1

    y1 = first.forward(X)
    for array in (y1, relu.forward(y1), relu.backward(y1), first.backward(y1)):
        assert channels_last(array) and not array.flags.c_contiguous
    dx = flatten.backward(np.ones((6, 25)))
    assert channels_last(dx) and dx.shape == (6, 5, 5)
