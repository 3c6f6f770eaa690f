"""A stack of small products shared among threads (``ops.stacked_matmul``):
the bits of one ``np.matmul``, on two threads where the stack is large and
each product small, and errors and forks handled; and the NumPy path's other
passes over a batch shared by samples (``stacks.by_samples``)."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from plainnet.backend import CPU, stacks

# (a, b) shapes: one matrix times a stack, a stack times a stack, a stack
# times one matrix; 128 (and an odd 37) per-sample products of LeNet-5's
# second layer, 240,000 multiply-adds each
SHAPES = [
    ((16, 150), (128, 150, 100)),
    ((37, 150, 100), (37, 100, 16)),
    ((128, 100, 150), (150, 16)),
]


def operands(a_shape, b_shape, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(a_shape).astype("float32")
    b = rng.standard_normal(b_shape).astype("float32")
    return a, b


def recording_matmul(monkeypatch) -> list[str]:
    """The names of the threads each part's ``np.matmul`` runs on."""
    names, matmul = [], np.matmul

    def recorded(a, b, out):
        names.append(threading.current_thread().name)
        return matmul(a, b, out=out)

    monkeypatch.setattr(stacks, "np", type("np", (), {"matmul": recorded}))
    return names


@pytest.mark.parametrize("a_shape, b_shape", SHAPES)
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_a_stack_gives_the_bits_of_one_matmul(a_shape, b_shape, threads):
    a, b = operands(a_shape, b_shape)
    expected = np.matmul(a, b)
    out = np.full(expected.shape, np.nan, "float32")
    assert stacks.stacked_matmul(a, b, out, threads, False) is out
    np.testing.assert_array_equal(out.view("u4"), expected.view("u4"))


def test_a_large_stack_of_small_products_runs_on_every_thread(monkeypatch):
    a, b = operands(*SHAPES[0])
    names = recording_matmul(monkeypatch)
    stacks.stacked_matmul(a, b, np.empty((128, 16, 100), "float32"), 2, False)
    assert len(names) == 2 and len(set(names)) == 2
    assert threading.current_thread().name in names


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [
        ((16, 150), (8, 150, 100)),  # 8 x 240,000: too little to hand out
        ((16, 300), (128, 300, 100)),  # 480,000 each: BLAS threads those
        ((16, 150), (150, 100)),  # one product
    ],
)
def test_small_stacks_and_large_products_take_one_matmul(monkeypatch, a_shape, b_shape):
    a, b = operands(a_shape, b_shape)
    out = np.empty(np.matmul(a, b).shape, "float32")
    names = recording_matmul(monkeypatch)
    stacks.stacked_matmul(a, b, out, 2, False)
    assert names == [threading.current_thread().name]


def test_large_products_are_shared_while_blas_is_held_to_one_thread(monkeypatch):
    a, b = operands((16, 300), (128, 300, 100))  # 480,000 each
    names = recording_matmul(monkeypatch)
    stacks.stacked_matmul(a, b, np.empty((128, 16, 100), "float32"), 2, True)
    assert len(set(names)) == 2


def test_an_error_in_a_part_reaches_the_caller():
    a, b = operands((16, 149), (128, 150, 100))  # inner sizes differ
    with pytest.raises(ValueError, match="matmul"):
        stacks.stacked_matmul(a, b, np.empty((128, 16, 100), "float32"), 2, False)


def test_the_backend_takes_the_blas_threads_from_the_environment():
    code = (
        "from plainnet.backend.numpy_backend import NumpyBackend\n"
        "print(NumpyBackend()._stack_threads)"
    )
    for value, expected in (("1", "1"), ("3", "3")):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": value}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True
        )
        assert result.stdout.strip() == expected, result.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_process_makes_its_own_helper_threads():
    """The parent's helper threads do not exist in a forked child: waiting
    for them would hang it."""
    code = (
        "import os, numpy as np\n"
        "from plainnet.backend import stacks\n"
        "a = np.ones((16, 150), 'float32'); b = np.ones((128, 150, 100), 'float32')\n"
        "out = np.empty((128, 16, 100), 'float32')\n"
        "stacks.stacked_matmul(a, b, out, 2, False)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    out[...] = 0\n"
        "    stacks.stacked_matmul(a, b, out, 2, False)\n"
        "    os._exit(0 if (out == 150).all() else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "0", result.stderr


def test_the_cpu_shares_a_stack_of_large_products_only_on_one_blas_thread(
    monkeypatch,
):
    pytest.importorskip("threadpoolctl")
    a, b = operands((16, 300), (128, 300, 100))  # 480,000 each
    out = np.empty((128, 16, 100), "float32")
    monkeypatch.setattr(CPU, "_stack_threads", 2)
    names = recording_matmul(monkeypatch)
    CPU.stacked_matmul(a, b, out)
    assert len(set(names)) == 1  # BLAS shares each product itself
    names.clear()
    with CPU.single_threaded():
        CPU.stacked_matmul(a, b, out)
    assert len(set(names)) == 2
    assert not CPU._blas_one  # as it was, after the block
    np.testing.assert_array_equal(out, np.matmul(a, b))


def test_by_samples_runs_each_part_once_the_first_on_the_callers_thread():
    seen, lock = [], threading.Lock()

    def work(rows):
        with lock:
            seen.append((rows, threading.current_thread().name))

    stacks.by_samples(work, 7, 3)
    assert sorted((r.start, r.stop) for r, _ in seen) == [(0, 2), (2, 4), (4, 7)]
    # the caller takes the first part, helpers the others
    main = threading.current_thread().name
    assert [name for r, name in seen if r.start == 0] == [main]
    assert all(name != main for r, name in seen if r.start > 0)
    seen.clear()
    stacks.by_samples(work, 7, 1)
    assert [(r.start, r.stop) for r, _ in seen] == [(0, 7)]


@pytest.mark.parametrize("one_matrix", [False, True])
def test_the_numpy_paths_passes_give_the_same_bits_shared_or_not(
    monkeypatch, one_matrix
):
    """im2col's copy and max-pooling each way, on a batch above SHARED_PASS,
    on two threads and on one."""
    from plainnet.backend import numpy_backend, numpy_windows

    x = np.random.default_rng(0).standard_normal((64, 2, 64, 40)).astype("float32")
    x[0, 0, :2, :2] = 0.5  # a tie in a window
    grad = np.random.default_rng(1).standard_normal((64, 2, 32, 20)).astype("float32")
    results = []
    for threads in (2, 1):
        ops = numpy_backend.NumpyBackend(kernels="numpy")
        monkeypatch.setattr(ops, "_stack_threads", threads)
        shape = (2, 3, 3, 64, 62, 38) if one_matrix else (64, 2, 3, 3, 62, 38)
        cols = np.empty(shape, "float32")
        ops.im2col(x, (3, 3), (1, 1), cols, one_matrix)
        y = np.empty((64, 2, 32, 20), "float32")
        argmax = np.empty(y.shape, "uint8")
        ops.max_pool(x, (2, 2), (2, 2), y, argmax)
        dx = np.full(x.shape, 7, "float32")
        ops.max_pool_backward(grad, argmax, (2, 2), (2, 2), dx)
        results.append((cols, y, argmax, dx))
    assert x.size >= numpy_windows.SHARED_PASS
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_array_equal(ours, theirs)
