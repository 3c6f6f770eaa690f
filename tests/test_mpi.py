"""Data-parallel training over MPI: real jobs of ``mpiexec -n 2`` and ``-n 3``
through ``python -m mpi4py``, each under a timeout (the MPI library comes from
the ``mpich`` wheel of the test extra)."""

import hashlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mpi_job
import plainnet as pn
from cli_helpers import environment
from plainnet.hooks import chain
from plainnet.training import train_step

ROOT = Path(__file__).resolve().parent.parent
JOB, EXAMPLE = ROOT / "tests" / "mpi_job.py", ROOT / "examples" / "mpi_train.py"
TIMEOUT = 60  # seconds for one job; the slowest takes about 2

pytestmark = pytest.mark.timeout(2 * TIMEOUT)


def find_mpiexec() -> str | None:
    """The mpiexec installed beside this Python (the mpich wheel's), else on PATH."""
    beside = Path(sys.executable).with_name("mpiexec")
    return str(beside) if beside.exists() else shutil.which("mpiexec")


MPIEXEC = find_mpiexec()
if importlib.util.find_spec("mpi4py") is None or MPIEXEC is None:
    if os.environ.get("CI"):  # CI installs the test extra: there this is a failure
        raise RuntimeError("mpi4py or mpiexec is missing; the test extra has both")
    pytest.skip(
        'needs mpi4py and mpiexec: pip install -e ".[test]" (mpi4py and mpich)',
        allow_module_level=True,
    )


def mpirun(n_ranks: int, script: Path, *args) -> tuple[int, str, str, float]:
    """Run ``mpiexec -n N python -m mpi4py SCRIPT ARGS``; return its exit code,
    stdout, stderr and duration in seconds. A job still running after
    ``TIMEOUT`` is killed with all its processes, and the test fails."""
    command = [MPIEXEC, "-n", str(n_ranks), sys.executable, "-m", "mpi4py", script]
    start = time.monotonic()
    with subprocess.Popen(
        [str(part) for part in (*command, *args)],
        cwd=ROOT,
        env=environment(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, to kill every rank
    ) as job:
        try:
            out, err = job.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(job.pid, signal.SIGKILL)
            job.communicate()
            pytest.fail(f"mpiexec -n {n_ranks} {script.name} ran over {TIMEOUT} s")
    return job.returncode, out, err, time.monotonic() - start


def union_batch_training(hooks: bool) -> np.ndarray:
    """Single-process training whose batch at each step is the union of the
    ranks' batches: the rows of each global batch of the documented order (a
    permutation of all rows per epoch from ``default_rng(seed)``); with
    ``hooks``, through ``mpi_job.grad_hooks``."""
    X, y = mpi_job.data()
    target = np.searchsorted(np.unique(y), y)
    net, loss = mpi_job.network(), pn.CrossEntropy()
    optimizer = pn.Adam(lr=mpi_job.LR)
    hook = chain(*mpi_job.grad_hooks(net)) if hooks else None
    rng = np.random.default_rng(mpi_job.SEED)
    for _ in range(mpi_job.EPOCHS):
        order = rng.permutation(mpi_job.N_SAMPLES)
        for start in range(0, mpi_job.N_SAMPLES, mpi_job.BATCH_SIZE):
            rows = order[start : start + mpi_job.BATCH_SIZE]
            train_step(net, loss, optimizer, X[rows], target[rows], hook)
    return net.parameters


@pytest.fixture(scope="module")
def union_batch_weights() -> np.ndarray:
    return union_batch_training(hooks=False)


@pytest.mark.parametrize("n_ranks", [2, 3])
def test_ranks_stay_bit_identical_and_equal_union_batch_training(
    n_ranks, tmp_path, union_batch_weights
):
    code, _, err, _ = mpirun(n_ranks, JOB, tmp_path / "weights.npz")
    assert code == 0, err
    saved = np.load(tmp_path / "weights.npz")
    weights = [saved[f"rank{rank}"] for rank in range(n_ranks)]
    assert all(w.tobytes() == weights[0].tobytes() for w in weights)
    # Only the order of the floating-point sums differs (each rank sums its own
    # rows, then Allreduce adds the ranks): after 152 Adam steps in float64 the
    # weights (of size up to about 1) agree to 1e-12; measured: 3e-16.
    np.testing.assert_allclose(weights[0], union_batch_weights, rtol=0, atol=1e-12)


def test_hooks_after_the_allreduce_equal_union_batch_training_with_them(tmp_path):
    code, _, err, _ = mpirun(3, JOB, tmp_path / "weights.npz", "--hooks")
    assert code == 0, err
    saved = np.load(tmp_path / "weights.npz")
    weights = [saved[f"rank{rank}"] for rank in range(3)]
    assert all(w.tobytes() == weights[0].tobytes() for w in weights)
    reference = union_batch_training(hooks=True)
    assert not np.allclose(reference, union_batch_training(hooks=False))
    np.testing.assert_allclose(weights[0], reference, rtol=0, atol=1e-12)


def test_running_statistics_are_averaged_so_the_ranks_agree(tmp_path):
    code, _, err, _ = mpirun(3, JOB, tmp_path / "weights.npz", "--batchnorm")
    assert code == 0, err
    saved = np.load(tmp_path / "weights.npz")
    states = [saved[f"state{rank}"] for rank in range(3)]
    assert states[0].size == 32 and np.isfinite(states[0]).all()
    assert all(s.tobytes() == states[0].tobytes() for s in states)
    assert not np.array_equal(states[0][:16], np.zeros(16))  # it did learn


def test_reduce_on_plateau_sees_every_epoch_and_the_ranks_agree(tmp_path):
    code, _, err, _ = mpirun(3, JOB, tmp_path / "weights.npz", "--plateau")
    assert code == 0, err
    saved = np.load(tmp_path / "weights.npz")
    rates = [saved[f"lr{rank}"] for rank in range(3)]
    lr = mpi_job.LR  # the first epoch improves on inf; each one after halves it
    expected = [lr, lr, lr / 2, lr / 4][: mpi_job.EPOCHS]
    assert len(expected) == mpi_job.EPOCHS
    for rank_rates in rates:
        np.testing.assert_array_equal(rank_rates, expected)
    weights = [saved[f"rank{rank}"] for rank in range(3)]
    assert all(w.tobytes() == weights[0].tobytes() for w in weights)


def test_early_stopping_and_validation_run_in_the_one_fit_loop(tmp_path):
    code, _, err, _ = mpirun(2, JOB, tmp_path / "weights.npz", "--early-stopping")
    assert code == 0, err
    saved = np.load(tmp_path / "weights.npz")
    vals, bests = (
        [saved[f"val{r}"] for r in range(2)],
        [saved[f"best{r}"] for r in range(2)],
    )
    np.testing.assert_array_equal(vals[0], vals[1])  # every rank saw the same costs
    np.testing.assert_array_equal(bests[0], bests[1])
    best_epoch, epochs = bests[0]
    assert len(vals[0]) == epochs - 1 < 41  # the first fit had no validation
    assert epochs - best_epoch == 2  # stopped after two epochs without improvement
    assert vals[0][best_epoch - 2] == min(vals[0])
    weights = [saved[f"rank{r}"] for r in range(2)]
    assert weights[0].tobytes() == weights[1].tobytes()  # the best, put back


@pytest.mark.parametrize("crash", ["raise", "kill"])
def test_a_crash_on_one_rank_ends_the_job_within_seconds(crash, tmp_path):
    code, _, err, seconds = mpirun(
        3, JOB, tmp_path / "weights.npz", "--crash-rank", "1", "--crash", crash
    )
    assert code != 0
    assert seconds < 20  # measured: about 1 s
    assert not (tmp_path / "weights.npz").exists()
    if crash == "raise":
        assert "RuntimeError: crash injected on rank 1" in err


def test_the_example_prints_every_ranks_digest_and_the_accuracy(tmp_path):
    code, out, err, _ = mpirun(
        3, EXAMPLE, "--epochs", "8", "--out", tmp_path / "model.npz"
    )
    assert code == 0, err
    digests = re.findall(r"^rank (\d) weights sha256 ([0-9a-f]{64})$", out, re.M)
    assert [rank for rank, _ in digests] == ["0", "1", "2"]
    model = pn.load(tmp_path / "model.npz")
    assert {d for _, d in digests} == {
        hashlib.sha256(model.parameters.tobytes()).hexdigest()
    }
    accuracy = float(re.search(r"^test accuracy (\S+)$", out, re.M).group(1))
    assert accuracy > 0.8
