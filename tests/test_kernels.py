"""The compiled kernels against their NumPy twins, on the same inputs, and the
switch between them."""

import os
import subprocess
import sys

import numpy as np
import pytest

import plainnet as pn
from plainnet import kernels
from plainnet.kernels import adam as adam_kernel


def inputs(dtype, n=1001, seed=0):
    rng = np.random.default_rng(seed)
    w, g, m = (rng.standard_normal(n).astype(dtype) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(dtype)
    return w, g, m, v


@pytest.fixture
def numpy_kernels():
    before = kernels._choice
    kernels.use("numpy")
    yield
    kernels.use(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_the_compiled_adam_step_equals_the_numpy_one_bit_for_bit(dtype, weight_decay):
    pytest.importorskip("numba")
    ours, theirs = inputs(dtype), inputs(dtype)
    work = np.empty_like(ours[0])
    for t in range(1, 4):
        g = inputs(dtype, seed=t)[1]
        args = adam_kernel.constants(1e-3, 0.9, 0.999, 1e-8, weight_decay, t, dtype)
        adam_kernel.adam_numpy(ours[0], g, ours[2], ours[3], work, *args)
        adam_kernel._compiled()(theirs[0], g, theirs[2], theirs[3], *args)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


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


def test_training_gives_the_same_weights_with_either_kernel():
    pytest.importorskip("numba")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    results = []
    for name in ("numpy", "numba"):
        kernels.use(name)
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
            kernels.use("auto")
    np.testing.assert_array_equal(*results)


def test_the_switch_and_the_environment_variable():
    kernels.use("numpy")
    try:
        assert kernels.backend() == "numpy"
    finally:
        kernels.use("auto")
    with pytest.raises(ValueError, match="numpy"):
        kernels.use("fortran")
    code = (
        "import plainnet, sys; "
        "print(plainnet.kernels.backend(), 'numba' in sys.modules)"
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
