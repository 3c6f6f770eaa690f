"""What data-parallel training over MPI buys on this machine: epoch time of
1 and 2 ranks (one BLAS thread each) and of one process with 2 BLAS threads,
as ratios to one process with one BLAS thread.

    pip install -e ".[mpi]" mpich
    python benchmarks/scaleout.py [--samples 32768] [--batch-sizes 64,256,1024]
                                  [--epochs 3] [--rounds 3] [--json PATH]

Model: 64-256-256-10, ReLU, softmax cross-entropy, Adam(lr=1e-3), float32,
synthetic seeded data (normal X, labels 0..9), trained by ``MPITrainer`` in
every configuration, so that each one does the same arithmetic on the same
global batches. Each configuration runs as its own ``mpiexec -n N python -m
mpi4py`` job, ``--rounds`` times, the rounds interleaved so that a burst of
load from elsewhere hits every configuration alike; a job times ``--epochs``
epochs after one warm-up epoch, each between two barriers, and the figure is
the best epoch of all rounds. The machine is shared and noisy: read the
ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from _timing import blas_info

import plainnet as pn

SIZES = (64, 256, 256, 10)
# name: (ranks, BLAS threads per rank)
CONFIGS = {
    "1 process, 1 BLAS thread": (1, 1),
    "1 process, 2 BLAS threads": (1, 2),
    "2 ranks, 1 BLAS thread each": (2, 1),
}


def shard(n_samples: int, rank: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """This rank's rows of the seeded data set: X of shape (n_shard, 64),
    float32, and labels of shape (n_shard,)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_samples, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], n_samples)
    rows = np.array_split(np.arange(n_samples), size)[rank]
    return X[rows], y[rows]


def network() -> pn.Sequential:
    layers: list[pn.Layer] = []
    for n_in, n_out in pairwise(SIZES[:-1]):
        layers += [pn.Dense(n_in, n_out), pn.ReLU()]
    return pn.Sequential([*layers, pn.Dense(*SIZES[-2:])], seed=0, dtype="float32")


def worker(n_samples: int, batch_size: int, epochs: int) -> None:
    """Inside an MPI job: train and, on rank 0, print the epoch times as JSON."""
    from mpi4py import MPI

    from plainnet.distributed import MPITrainer

    comm = MPI.COMM_WORLD
    X, y = shard(n_samples, comm.Get_rank(), comm.Get_size())
    trainer = MPITrainer(network(), comm)
    settings = {"loss": "cross_entropy", "optimizer": pn.Adam(lr=1e-3)}
    times = []
    for _ in range(epochs + 1):  # the first is a warm-up
        comm.Barrier()
        start = time.perf_counter()
        trainer.fit(X, y, epochs=1, batch_size=batch_size, **settings)
        comm.Barrier()
        times.append(time.perf_counter() - start)
    if comm.Get_rank() == 0:
        print(json.dumps({"epoch": min(times[1:]), "blas": blas_info()}))


def run_config(ranks: int, threads: int, args: argparse.Namespace, batch: int):
    """One configuration as an MPI job; returns rank 0's JSON."""
    mpiexec = Path(sys.executable).with_name("mpiexec")
    command = [
        str(mpiexec) if mpiexec.exists() else shutil.which("mpiexec") or "mpiexec",
        "-n", str(ranks), sys.executable, "-m", "mpi4py", __file__, "--worker",
        "--samples", str(args.samples), "--epochs", str(args.epochs),
        "--batch-sizes", str(batch),
    ]  # fmt: skip
    threads_env = {
        name: str(threads)
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    }
    done = subprocess.run(
        command,
        env={**os.environ, **threads_env},
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every configuration at every batch size; prints one table per batch size."""
    results: dict[str, Any] = {"samples": args.samples, "sizes": SIZES, "runs": {}}
    for batch in args.batch_sizes:
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.rounds):
            for name, (ranks, threads) in CONFIGS.items():
                figure = run_config(ranks, threads, args, batch)
                if name not in best or figure["epoch"] < best[name]["epoch"]:
                    best[name] = figure
        base = best["1 process, 1 BLAS thread"]["epoch"]
        print(f"\nglobal batch {batch}, {args.samples} samples, model {SIZES}")
        print(f"{'configuration':<30} {'BLAS threads':>12} {'epoch s':>8} {'ratio':>6}")
        for name, figure in best.items():
            figure["ratio"] = figure["epoch"] / base
            threads = ",".join(str(b.get("num_threads")) for b in figure["blas"])
            seconds, ratio = figure["epoch"], figure["ratio"]
            print(f"{name:<30} {threads:>12} {seconds:8.3f} {ratio:6.2f}")
        results["runs"][batch] = best
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=32768)
    parser.add_argument("--epochs", type=int, default=3, help="timed per job")
    parser.add_argument("--rounds", type=int, default=3, help="jobs per figure")
    parser.add_argument(
        "--batch-sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[64, 256, 1024],
        help="global batch sizes, comma-separated",
    )
    parser.add_argument("--json", type=Path, help="write all figures to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.samples, args.batch_sizes[0], args.epochs)
        return
    results = run(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
