"""The compiled kernels against their NumPy twins (the NumPy backend's own
methods), on the same inputs, and the choice between them. Every registered
kernel needs an entry in ``EXAMPLES``."""

import contextlib
import itertools
import os
import pkgutil
import subprocess
import sys

import numpy as np
import pytest

import plainnet as pn
from plainnet import backend
from plainnet.backend import kernels, numpy_windows
from plainnet.backend.kernels import KERNELS
from plainnet.backend.kernels import adam as adam_kernel
from plainnet.backend.numpy_backend import NumpyBackend, adam_constants_in

NUMPY = NumpyBackend(kernels="numpy")
COMPILED = NumpyBackend(kernels="numba")  # numba is imported when a loop runs


def inputs(dtype, n=1001, seed=0):
    rng = np.random.default_rng(seed)
    w, g, m = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(dtype)
    return w, g, m, v


def adam_example(dtype, twin):
    """Three Adam steps from the same state, the second with weight decay."""
    w, g, m, v = inputs(dtype)
    work = np.empty_like(w)
    for t, weight_decay in zip((1, 2, 3), (0.0, 0.01, 0.0), strict=True):
        g = inputs(dtype, seed=t)[1]
        settings = (1e-3, 0.9, 0.999, 1e-8, weight_decay, t)
        if twin == "numpy":
            names = ("lr", "beta1", "beta2", "eps", "weight_decay", "t")
            NUMPY.adam(w, g, m, v, work, **dict(zip(names, settings, strict=True)))
        else:
            args = adam_constants_in(dtype, *settings)
            KERNELS["adam"].compiled(w, g, m, v, *args)
    return w, m, v


def relu_forward_example(dtype, twin):
    """Inputs either side of 0, both zeros, both infinities and a NaN (kept),
    in samples of (2, 3); the same through a non-contiguous input, and with
    input and output in reversed memory order (as after a Conv1D: the loop
    runs on their memory)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((9, 2, 3)).astype(dtype)
    x[0] = [[np.nan, -0.0, 0.0], [np.inf, -np.inf, -1e-30]]
    results = []
    reversed_memory = np.asfortranarray(x)
    for source in (x, x[:, :, ::-1], reversed_memory):
        order = "F" if source is reversed_memory else "C"
        out = np.full(x.shape, 7, dtype, order=order)
        ops = NUMPY if twin == "numpy" else NumpyBackend(kernels="numba")
        ops.relu(source, out)
        results.append(out)
    return results


def relu_example(dtype, twin):
    """A batch with zeros, negative gradients (giving -0.0) and a NaN."""
    rng = np.random.default_rng(0)
    y = np.maximum(rng.standard_normal((33, 7)), 0).astype(dtype)
    grad_out = rng.standard_normal((33, 7)).astype(dtype)
    grad_out[0, :2] = np.nan, np.inf
    y[0, :2] = 0
    out = np.empty_like(y)
    if twin == "numpy":
        with np.errstate(invalid="ignore"):  # inf * 0 is NaN, both ways
            NUMPY.relu_gradient(y, grad_out, out)
    else:
        KERNELS["relu_gradient"].compiled(y.ravel(), grad_out.ravel(), out.ravel())
    return (out,)


def cross_entropy_example(dtype, twin):
    """Logits far apart (rows that would overflow unshifted) and close ones."""
    rng = np.random.default_rng(0)
    z = (rng.standard_normal((40, 5)) * np.linspace(0.1, 300, 40)[:, None]).astype(
        dtype
    )
    labels = rng.integers(0, 5, 40)
    grad = np.empty_like(z)
    if twin == "numpy":
        losses = NUMPY.softmax_cross_entropy(z, labels, grad)
    else:
        losses = np.empty(40, dtype)
        KERNELS["softmax_cross_entropy"].compiled(z, labels, grad, losses)
    return grad, losses


def erf_example(dtype, twin):
    """Every interval of Cody's approximation, both signs, zeros, the tails
    where erf rounds to +-1, infinities and NaN."""
    x = np.concatenate(
        [
            np.linspace(-7, 7, 2001),
            np.geomspace(1e-30, 30, 301),
            [0.0, -0.0, 0.46875, 4.0, np.inf, -np.inf, np.nan],
        ]
    ).astype(dtype)
    if twin == "numpy":
        return (NUMPY.erf(x),)
    out = np.empty_like(x)
    KERNELS["erf"].compiled(x, out)
    return (out,)


def recurrent_arrays(dtype, rows=37, units=5, gates=3, seed=0):
    """A step's arrays: pre-activations from large negative to large positive
    (saturated gates both ways), states and gradients of unit scale."""
    rng = np.random.default_rng(seed)
    spread = np.linspace(-40, 40, rows)[:, None]
    pre = (rng.standard_normal((rows, gates * units)) * spread / 10).astype(dtype)
    state = rng.standard_normal((rows, units)).astype(dtype)
    grad = rng.standard_normal((rows, units)).astype(dtype)
    return pre, state, grad


def gru_example(dtype, twin):
    """A GRU step forward, then backward from its own results."""
    gi, h_prev, dh = recurrent_arrays(dtype)
    gh = recurrent_arrays(dtype, seed=1)[0]
    rz, n, h = np.empty((37, 10), dtype), np.empty_like(h_prev), np.empty_like(h_prev)
    dgi, dgh = np.empty_like(gi), np.empty_like(gi)
    if twin == "numpy":
        NUMPY.gru_cell(gi, gh, h_prev, rz, n, h)
        NUMPY.gru_cell_backward(dh, h_prev, rz, n, gh, dgi, dgh)
    else:
        KERNELS["gru_cell"].compiled(gi, gh, h_prev, rz, n, h)
        KERNELS["gru_cell_backward"].compiled(dh, h_prev, rz, n, gh, dgi, dgh)
    return rz, n, h, dgi, dgh, dh


def gru_backward_example(dtype, twin):
    """The GRU's backward alone, from the same forward arrays either way."""
    rz, n, *_ = gru_example(dtype, "numpy")
    gi, h_prev, dh = recurrent_arrays(dtype)
    gh = recurrent_arrays(dtype, seed=1)[0]
    dgi, dgh = np.empty_like(gi), np.empty_like(gi)
    if twin == "numpy":
        NUMPY.gru_cell_backward(dh, h_prev, rz, n, gh, dgi, dgh)
    else:
        KERNELS["gru_cell_backward"].compiled(dh, h_prev, rz, n, gh, dgi, dgh)
    return dgi, dgh, dh


def lstm_example(dtype, twin):
    """An LSTM step forward, then backward from its own results."""
    gates, c_prev, dh = recurrent_arrays(dtype, gates=4)
    dc = recurrent_arrays(dtype, seed=2)[2]
    c, tanh_c, h = (np.empty_like(c_prev) for _ in range(3))
    dgates = np.empty_like(gates)
    if twin == "numpy":
        NUMPY.lstm_cell(gates, c_prev, c, tanh_c, h)
        work = np.empty_like(gates)
        NUMPY.lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, work)
    else:
        KERNELS["lstm_cell"].compiled(gates, c_prev, c, tanh_c, h)
        KERNELS["lstm_cell_backward"].compiled(dh, dc, gates, c_prev, tanh_c, dgates)
    return gates, c, tanh_c, h, dgates, dc


def lstm_cell_state_example(dtype, twin):
    """The middle of the LSTM step for the larger layers, from tanh values."""
    gates, c_prev, _ = recurrent_arrays(dtype, gates=4)
    gates = np.tanh(gates)
    c = np.empty_like(c_prev)
    if twin == "numpy":
        NUMPY.lstm_cell_state(gates, c_prev, c, np.empty_like(c))
    else:
        KERNELS["lstm_cell_state"].compiled(gates, c_prev, c)
    return gates, c


def lstm_backward_example(dtype, twin):
    """The LSTM's backward alone, from the same forward arrays either way."""
    gates, _, tanh_c, *_ = lstm_example(dtype, "numpy")
    c_prev, dh = recurrent_arrays(dtype, gates=4)[1:]
    dc = recurrent_arrays(dtype, seed=2)[2]
    dgates = np.empty_like(gates)
    if twin == "numpy":
        work = np.empty_like(gates)
        NUMPY.lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, work)
    else:
        KERNELS["lstm_cell_backward"].compiled(dh, dc, gates, c_prev, tanh_c, dgates)
    return dgates, dc


@contextlib.contextmanager
def counted(name):
    """Count the calls of kernel ``name``'s compiled loop (on every core or
    on one) inside the block, so that an example knows the loop ran (rather
    than the NumPy fallback)."""
    kernel, calls = KERNELS[name], []
    loops = {"compiled": kernel.compiled, "serial": kernel.serial}

    def counting(loop):
        def count(*args):
            calls.append(1)
            return loop(*args)

        return count

    kernel.__dict__.update({key: counting(loop) for key, loop in loops.items()})
    try:
        yield calls
    finally:
        kernel.__dict__.update(loops)


@contextlib.contextmanager
def rows_on_every_core(parallel: bool):
    """im2row's and row2im's loops on every core (from any size) or on one."""
    saved = numpy_windows.PARALLEL_ROWS
    numpy_windows.PARALLEL_ROWS = 0 if parallel else 2**62
    try:
        yield
    finally:
        numpy_windows.PARALLEL_ROWS = saved


def through(twin, name, *args, **kwargs):
    """The backend's method ``name`` on ``args``, with the NumPy twins or with
    the compiled loops (whose loop ``name`` must then run)."""
    if twin == "numpy":
        return getattr(NUMPY, name)(*args, **kwargs)
    with counted(name) as calls:
        result = getattr(COMPILED, name)(*args, **kwargs)
    assert calls, f"{name}'s compiled loop did not run"
    return result


def windows_input(shape, dtype, seed=0):
    """Normal values with ties, both zeros, NaN and infinities here and there."""
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    flat[::7] = 0.5  # ties inside windows
    flat[3::11] = -0.0
    flat[5::13] = 0.0
    flat[17 % flat.size] = np.nan
    flat[29 % flat.size], flat[31 % flat.size] = np.inf, -np.inf
    return x


# (x's shape, window, stride): 2-D overlapping, tiling, leaving inputs out,
# 1-D overlapping and tiling, 2-D tiling with a 3 x 3 window
WINDOWS = [
    ((3, 2, 9, 8), (3, 2), (2, 1)),
    ((2, 3, 8, 6), (2, 2), (2, 2)),
    ((2, 3, 9, 7), (2, 2), (3, 2)),
    ((3, 2, 11), (4,), (1,)),
    ((2, 4, 10), (2,), (2,)),
    ((2, 2, 9, 9), (3, 3), (3, 3)),
]


def out_size(size, window, stride, padding=None):
    padding = padding or [(0, 0)] * len(size)
    return tuple(
        (n + b + a - k) // s + 1
        for n, k, s, (b, a) in zip(size, window, stride, padding, strict=True)
    )


def paddings(d):
    """No padding, and padding wider than some windows (a window row of
    padding alone) and uneven."""
    return [None, ((2, 1), (1, 3))[:d] if d == 2 else ((3, 2),)]


def as_one_matrix(cols, d):
    """Per-sample columns ``(n, C, *kernel, *out)`` laid out as one matrix,
    ``(C, *kernel, n, *out)`` (a new array)."""
    order = (1, *range(2, 2 + d), 0, *range(2 + d, 2 + 2 * d))
    return np.ascontiguousarray(cols.transpose(order))


def im2col_example(dtype, twin):
    """Every window of WINDOWS into one matrix, and the images' into each
    sample's own columns (an unpadded sequence's take NumPy's copy either
    way), each from a strided view too, unpadded and padded."""
    results = []
    for shape, kernel, stride in WINDOWS:
        for padding in paddings(len(kernel)):
            for x in (windows_input(shape, dtype), windows_input(shape, dtype)[::2]):
                n, channels, *size = x.shape
                outs = out_size(size, kernel, stride, padding)
                out = np.full((n, channels, *kernel, *outs), 7, dtype)
                if len(kernel) == 2 or padding:
                    args = (x, kernel, stride, out, False, padding)
                    results.append(through(twin, "im2col", *args))
                one = as_one_matrix(out, len(kernel))
                args = (x, kernel, stride, one, True, padding)
                results.append(through(twin, "im2col", *args))
    return results


def col2im_example(dtype, twin):
    """Every window of WINDOWS, from the columns in both layouts, unpadded
    and padded."""
    results = []
    for shape, kernel, stride in WINDOWS:
        n, channels, *size = shape
        for padding in paddings(len(kernel)):
            outs = out_size(size, kernel, stride, padding)
            cols = windows_input((n, channels, *kernel, *outs), dtype)
            for layout in (cols, as_one_matrix(cols, len(kernel))):
                out = np.full(shape, 7, dtype)  # every entry must be written
                one = layout is not cols
                with np.errstate(invalid="ignore"):  # inf - inf
                    args = (layout, stride, out, one, padding)
                    results.append(through(twin, "col2im", *args))
    return results


# (x's shape, kernel, stride) of sequences for rows: overlapping, tiling,
# leaving inputs out, one channel
SEQUENCES = [
    ((3, 2, 11), (4,), (1,)),
    ((2, 4, 10), (2,), (2,)),
    ((2, 3, 9), (2,), (3,)),
    ((4, 1, 12), (5,), (2,)),
]


def channels_last(shape):
    """``(n, C, L)`` as ``(n, L, C)``."""
    return (shape[0], *shape[2:], shape[1])


def im2row_example(dtype, twin):
    """Every window of SEQUENCES as rows, from a channels-last input and from
    a channels-first one seen channels last (a strided view), unpadded and
    padded, the loop on every core and on one."""
    results = []
    for shape, kernel, stride in SEQUENCES:
        for padding in paddings(1):
            x = windows_input(shape, dtype)
            outs = out_size(shape[2:], kernel, stride, padding)
            sources = np.ascontiguousarray(x.transpose(0, 2, 1)), x.transpose(0, 2, 1)
            for source, parallel in itertools.product(sources, (True, False)):
                out = np.full((shape[0], *outs, *kernel, shape[1]), 7, dtype)
                with rows_on_every_core(parallel):
                    args = (source, kernel, stride, out, padding)
                    results.append(through(twin, "im2row", *args))
    return results


def row2im_example(dtype, twin):
    """Every window of SEQUENCES added back from rows, unpadded and padded,
    the loop on every core and on one."""
    results = []
    for shape, kernel, stride in SEQUENCES:
        for padding in paddings(1):
            outs = out_size(shape[2:], kernel, stride, padding)
            rows = windows_input((shape[0], *outs, *kernel, shape[1]), dtype)
            for parallel in (True, False):
                out = np.full(channels_last(shape), 7, dtype)  # every entry written
                with np.errstate(invalid="ignore"), rows_on_every_core(parallel):
                    args = (rows, stride, out, padding)
                    results.append(through(twin, "row2im", *args))
    return results


def max_pool_example(dtype, twin):
    """The maximum and its first offset, and the maximum alone (predicting)."""
    results = []
    for shape, pool, stride in WINDOWS:
        x = windows_input(shape, dtype)
        outs = (*shape[:2], *out_size(shape[2:], pool, stride))
        y, argmax, alone = (np.empty(outs, kind) for kind in (dtype, "uint8", dtype))
        with np.errstate(invalid="ignore"):
            through(twin, "max_pool", x, pool, stride, y, argmax)
            through(twin, "max_pool", x, pool, stride, alone)
        results += [y, argmax, alone]
    return results


def max_pool_backward_example(dtype, twin):
    """Gradients with NaN, infinities and negatives (``g * 0`` is -0.0 or NaN
    where a window's input is not its maximum)."""
    results = []
    for shape, pool, stride in WINDOWS:
        outs = (*shape[:2], *out_size(shape[2:], pool, stride))
        y, argmax = np.empty(outs, dtype), np.empty(outs, "uint8")
        grad, out = windows_input(outs, dtype, seed=2), np.full(shape, 7, dtype)
        with np.errstate(invalid="ignore"):
            NUMPY.max_pool(windows_input(shape, dtype), pool, stride, y, argmax)
            through(twin, "max_pool_backward", grad, argmax, pool, stride, out)
        results.append(out)
    return results


def avg_pool_example(dtype, twin):
    results = []
    for shape, pool, stride in WINDOWS:
        x = windows_input(shape, dtype)
        y = np.empty((*shape[:2], *out_size(shape[2:], pool, stride)), dtype)
        with np.errstate(invalid="ignore"):
            results.append(through(twin, "avg_pool", x, pool, stride, y))
    return results


def avg_pool_backward_example(dtype, twin):
    results = []
    for shape, pool, stride in WINDOWS:
        grad = windows_input((*shape[:2], *out_size(shape[2:], pool, stride)), dtype)
        out = np.full(shape, 7, dtype)
        with np.errstate(invalid="ignore"):
            results.append(through(twin, "avg_pool_backward", grad, pool, stride, out))
    return results


def transpose_batch_example(dtype, twin):
    """One matrix's product into the samples' layout with a bias (NaN and
    infinities included), and an output gradient back, as a plain copy (-0.0
    kept)."""
    results = []
    for shape in ((3, 5, 7), (4, 2, 1)):
        a = windows_input(shape, dtype)
        bias = windows_input(shape[:1], dtype, seed=1)
        for added in (bias, None):
            out = np.full((shape[1], shape[0], shape[2]), 7, dtype)
            with np.errstate(invalid="ignore"):  # inf - inf
                results.append(through(twin, "transpose_batch", a, out, added))
    return results


# kernel: (example, whether the twins agree to the last bit, or "values": in value)
EXAMPLES = {
    "adam": (adam_example, True),
    "relu": (relu_forward_example, True),
    "relu_gradient": (relu_example, True),
    "erf": (erf_example, False),  # the C library's erf against Cody's
    "softmax_cross_entropy": (cross_entropy_example, False),  # another sum order
    # the loops take sigmoid and tanh from exp, NumPy's passes from tanh
    "gru_cell": (gru_example, False),
    "gru_cell_backward": (gru_backward_example, False),
    "lstm_cell": (lstm_example, False),
    # NumPy's pass turns a g of -0 into +0 (g * 1 + 0): equal values, not bits
    "lstm_cell_state": (lstm_cell_state_example, "values"),
    "lstm_cell_backward": (lstm_backward_example, False),
    "im2col": (im2col_example, True),
    "col2im": (col2im_example, True),
    "im2row": (im2row_example, True),
    "row2im": (row2im_example, True),
    "transpose_batch": (transpose_batch_example, True),
    "max_pool": (max_pool_example, True),
    "max_pool_backward": (max_pool_backward_example, True),
    "avg_pool": (avg_pool_example, True),
    "avg_pool_backward": (avg_pool_backward_example, True),
}


def test_every_kernel_module_is_registered_with_an_example():
    modules = {
        module.name
        for module in pkgutil.iter_modules(kernels.__path__)
        if not module.name.startswith("_")
    }
    registered = {k.loop.__module__.rsplit(".", 1)[-1] for k in KERNELS.values()}
    assert registered == modules
    assert set(EXAMPLES) == set(KERNELS)
    for name in KERNELS:  # each stands in for the NumPy backend's method
        assert callable(getattr(NUMPY, name))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(KERNELS))
def test_each_compiled_kernel_equals_its_numpy_twin(name, dtype):
    pytest.importorskip("numba")
    example, exact = EXAMPLES[name]
    ours, theirs = example(dtype, "numpy"), example(dtype, "compiled")
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype and a.dtype in (dtype, np.uint8)
        if exact == "values":  # -0 == +0
            np.testing.assert_array_equal(a, b)
        elif exact:
            np.testing.assert_array_equal(
                a.view(f"u{a.itemsize}"), b.view(f"u{a.itemsize}")
            )
        else:  # within float rounding: a few units in the last place
            tol = 8 * np.finfo(dtype).eps
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_the_backends_methods_take_either_twin():
    pytest.importorskip("numba")
    rng = np.random.default_rng(1)
    z = rng.standard_normal((16, 3)).astype("float32")
    labels = rng.integers(0, 3, 16)
    y = np.maximum(z, 0)
    results = {}
    for name in ("numpy", "numba"):
        ops = NumpyBackend(kernels=name)
        grad = np.empty_like(z)
        losses = ops.softmax_cross_entropy(z, labels, grad)
        dx = ops.relu_gradient(y, z, np.empty_like(z))
        results[name] = grad, losses, dx
    for a, b in zip(*results.values(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # probabilities as targets always take the NumPy reference
    soft = np.full((16, 3), 1 / 3, "float32")
    grad = np.empty_like(z)
    losses = NumpyBackend(kernels="numba").softmax_cross_entropy(z, soft, grad)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-6)
    assert losses.shape == (16,)


def test_the_numpy_relu_gradient_in_place_or_broadcast_is_the_product():
    rng = np.random.default_rng(2)
    y = np.maximum(rng.standard_normal((6, 4)), 0)
    g = rng.standard_normal((6, 4))
    in_place = g.copy()  # out is grad_out: the mask must not overwrite it first
    assert NUMPY.relu_gradient(y, in_place, in_place) is in_place
    np.testing.assert_array_equal(in_place, g * (y > 0))
    out = np.empty_like(g)
    NUMPY.relu_gradient(y[:1], g, out)  # one row of outputs against every row
    np.testing.assert_array_equal(out, g * (y[:1] > 0))


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_the_loops_never_reach_outside_their_arrays(name):
    if name == "numba":
        pytest.importorskip("numba")
    ops = NumpyBackend(kernels=name)
    z = np.zeros((4, 3), "float32")
    for labels in ([0, 1, 2, 3], [0, -1, 2, 1]):
        with pytest.raises(IndexError, match="class label"):
            ops.softmax_cross_entropy(z, np.array(labels), z.copy())
    y = np.ones((4, 3), "float32")
    with pytest.raises(ValueError, match="broadcast"):  # NumPy's own message
        ops.relu_gradient(y, np.ones((2, 3), "float32"), np.empty_like(y))


@pytest.fixture
def numpy_kernels():
    before = backend.CPU.choice
    backend.CPU.use_kernels("numpy")
    yield
    backend.CPU.use_kernels(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_numpy_adam_step_is_the_formula_in_the_buffers_dtype(dtype, numpy_kernels):
    w, g, m, v = inputs(dtype)
    expected_w = w.copy()
    adam = pn.Adam(lr=1e-2)
    adam.state = {"step": 4, "m": m.copy(), "v": v.copy()}
    adam.step(w, g)
    # the reference: the docstring's formula with every constant in dtype
    one = dtype(1)
    b1, b2, lr, eps = dtype(0.9), dtype(0.999), dtype(1e-2), dtype(1e-8)
    m_ref = b1 * m + (one - b1) * g
    v_ref = b2 * v + (one - b2) * g * g
    c1, c2 = one - b1**5, one - b2**5
    expected_w -= lr * (m_ref / c1) / (np.sqrt(v_ref / c2) + eps)
    tol = 4 * np.finfo(dtype).eps
    np.testing.assert_allclose(adam.state["m"], m_ref, rtol=tol, atol=tol)
    np.testing.assert_allclose(adam.state["v"], v_ref, rtol=tol, atol=tol)
    np.testing.assert_allclose(w, expected_w, rtol=tol, atol=tol)
    assert w.dtype == dtype and adam.state["m"].dtype == dtype


def test_training_gives_the_same_weights_up_to_rounding_with_either_kernel():
    pytest.importorskip("numba")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    results = []
    for name in ("numpy", "numba"):
        backend.CPU.use_kernels(name)
        try:
            net = pn.Sequential(
                [pn.Dense(5, 7), pn.ReLU(), pn.Dense(7, 2)], seed=0, dtype="float32"
            )
            net.fit(
                X,
                y,
                loss="cross_entropy",
                optimizer=pn.Adam(lr=0.01, weight_decay=0.01),
                epochs=3,
                batch_size=16,
            )
            results.append(net.parameters.copy())
        finally:
            backend.CPU.use_kernels("auto")
    # the cross-entropy twins may differ in the last bit (another summation order)
    np.testing.assert_allclose(*results, rtol=1e-5, atol=1e-6)


def test_the_choice_and_the_environment_variable():
    ops = NumpyBackend(kernels="numpy")
    assert ops.kernels == "numpy"
    with pytest.raises(ValueError, match="numpy"):
        NumpyBackend(kernels="fortran")
    code = (
        "import plainnet, sys; "
        "print(plainnet.backend.CPU.kernels, 'numba' in sys.modules)"
    )
    env = {**os.environ, "PLAINNET_KERNELS": "numpy"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["numpy", "False"]


def test_a_missing_numba_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba fails
    with pytest.raises(ImportError, match=r"pip install \"\.\[fast\]\""):
        kernels.compile_loop(adam_kernel.adam_loop)


def test_erf_is_within_a_few_ulps_of_the_c_librarys():
    """Cody's approximation (the backends' erf) against Python's math.erf, in
    float64 over the three intervals and the tails; odd, with erf(-0.0) = -0.0
    and NaN kept."""
    import math

    x = np.concatenate([np.linspace(-30, 30, 60001), np.geomspace(1e-300, 30, 3001)])
    expected = np.array([math.erf(v) for v in x])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = NUMPY.erf(x)
    ulps = np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300)
    assert ulps.max() < 4 * np.finfo(np.float64).eps
    special = NUMPY.erf(np.array([-0.0, np.inf, -np.inf, np.nan]))
    assert np.signbit(special[0]) and special[0] == 0
    np.testing.assert_array_equal(special[1:3], [1.0, -1.0])
    assert np.isnan(special[3])


WINDOWED_LAYERS = [
    (lambda: pn.Conv2D(2, 3, 5, padding=2), (2, 9, 8)),
    (lambda: pn.Conv2D(2, 3, (3, 2), stride=(2, 1), padding=1), (2, 7, 6)),
    (lambda: pn.Conv1D(2, 3, 4, padding="same"), (2, 9)),
    (lambda: pn.Conv1D(2, 3, 3, stride=2, padding=1, bias=False), (2, 9)),
    # 75 rows in X_col, 42 positions: the batch's columns as one matrix
    (lambda: pn.Conv2D(3, 4, 5, padding=2), (3, 7, 6)),
    (lambda: pn.Conv1D(25, 4, 3, stride=2, padding=1), (25, 9)),
    (lambda: pn.MaxPool2D(2), (2, 6, 7)),
    (lambda: pn.MaxPool2D(3, stride=2, padding=1), (2, 7, 6)),
    (lambda: pn.MaxPool1D(3, stride=2, padding=1), (2, 9)),
    (lambda: pn.AvgPool2D((2, 3), stride=(1, 2), padding=1), (2, 5, 7)),
    (lambda: pn.AvgPool1D(2), (2, 9)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("index", range(len(WINDOWED_LAYERS)))
def test_windowed_layers_give_the_same_bits_with_either_kernel(index, dtype):
    """Convolution and pooling, forward (training and predicting) and
    backward, on a network's own buffers."""
    pytest.importorskip("numba")
    make, shape = WINDOWED_LAYERS[index]
    X = np.random.default_rng(0).standard_normal((5, *shape)).astype(dtype)
    X[0, 0, ...] = 0.5  # ties in the pools' windows
    results = []
    for name in ("numpy", "numba"):
        backend.CPU.use_kernels(name)
        try:
            net = pn.Sequential(
                [make(), pn.Flatten(), pn.Dense(2)], seed=0, dtype=dtype,
                input_shape=shape,
            )  # fmt: skip
            output = net.forward(X, training=True).copy()
            grad_in = net.backward(np.ones((5, 2), dtype), need_input_grad=True)
            results.append((output, grad_in, net.gradients.copy(), net.predict(X)))
        finally:
            backend.CPU.use_kernels("auto")
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_array_equal(ours.view(f"u{ours.itemsize}"),
                                      theirs.view(f"u{ours.itemsize}"))  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_process_runs_the_kernels_its_parent_ran():
    """GNU OpenMP kills a forked child that starts a parallel loop: the
    parallel loops run only on TBB's threads, which survive a fork."""
    pytest.importorskip("numba")
    code = (
        "import os, numpy as np\n"
        "from plainnet.backend.numpy_backend import NumpyBackend\n"
        "ops = NumpyBackend(kernels='numba')\n"
        "x = np.arange(96, dtype='float32').reshape(2, 3, 4, 4)\n"
        "y = np.empty((2, 3, 2, 2), 'float32')\n"
        "ops.max_pool(x, (2, 2), (2, 2), y)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    ops.max_pool(x, (2, 2), (2, 2), y)\n"
        "    os._exit(0 if y[1, 2, 1, 1] == 95 else 3)\n"
        "print(os.waitpid(pid, 0)[1])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
        check=True,
    )  # fmt: skip
    assert out.stdout.split() == ["0"], out.stderr


def test_parallel_loops_only_on_tbb(monkeypatch):
    numba = pytest.importorskip("numba")
    from plainnet.backend.kernels._registry import parallel_loops_ready

    for layer in ("omp", "workqueue", "threadsafe"):
        monkeypatch.setattr(numba.config, "THREADING_LAYER", layer)
        assert not parallel_loops_ready(numba)
