"""An MPI job for test_mpi.py, and the pieces its single-process reference shares.

    mpiexec -n 3 python -m mpi4py tests/mpi_job.py OUT.npz [--crash-rank 1] [--hooks]

Each rank trains on its shard of a small seeded data set (the rows sorted by
label and cut into shards of sizes 1 : 2 : 3 ..., so that shards are unequal
and most hold only some of the classes), one epoch and then
the rest in a second ``fit`` call (the crash, if asked for, comes between the
two, while the other ranks already wait in the second call); rank 0 saves every
rank's final weights to OUT.npz as ``rank0``, ``rank1``, ... With ``--hooks``
the gradients also go through :func:`grad_hooks`; with ``--batchnorm`` the
network has a BatchNorm layer (its running statistics are saved as ``state0``...);
with ``--plateau`` the learning rate is a ``ReduceOnPlateau`` (each rank's
``history.lr`` is saved as ``lr0``...). With ``--early-stopping`` the second
``fit`` has validation data (the same on every rank) and an ``EarlyStopping``
of patience 2 over 40 more epochs; each rank's epochs, validation costs and
best epoch are saved as ``val0``... and ``best0``...
"""

import argparse
import os
import signal

import numpy as np

import plainnet as pn
from plainnet.datasets import make_dataset

N_SAMPLES, EPOCHS, BATCH_SIZE, LR, SEED = 301, 4, 8, 0.02, 7
NAMES = np.array(["arm a", "arm b", "arm c"])


def data() -> tuple[np.ndarray, np.ndarray]:
    """All ranks' rows in rank order: X of shape (301, 2) and text labels y of
    shape (301,), sorted by label."""
    X, y = make_dataset("spirals", N_SAMPLES, seed=SEED, n_classes=3)
    order = np.argsort(y, kind="stable")
    return X[order], NAMES[y[order]]


def shard(rank: int, size: int) -> slice:
    """The rows of ``rank``: shares of 1 : 2 : 3 ... of the data."""
    shares = np.arange(1, size + 1)
    ends = [0, *(N_SAMPLES * np.cumsum(shares) // shares.sum())]
    return slice(int(ends[rank]), int(ends[rank + 1]))


def network(batchnorm: bool = False) -> pn.Sequential:
    norm = [pn.BatchNorm()] if batchnorm else []
    return pn.Sequential(
        [pn.Dense(2, 16), *norm, pn.Tanh(), pn.Dense(16, 3)], seed=SEED, dtype="float64"
    )


def grad_hooks(net: pn.Sequential) -> list:
    """An L2 penalty, then clipping tight enough to act on most steps."""
    from plainnet.hooks import L2Penalty, clip_by_global_norm

    return [L2Penalty(net, alpha=0.01, n=BATCH_SIZE), clip_by_global_norm(0.2)]


def plateau() -> pn.ReduceOnPlateau:
    """A rate that halves whenever an epoch's cost is not 10 below the best:
    after the first epoch, always (each rank halves only if it is told the
    epochs' costs)."""
    return pn.ReduceOnPlateau(LR, factor=0.5, patience=1, min_delta=10.0)


def main() -> None:
    from mpi4py import MPI  # only the job needs MPI, not the tests importing this

    from plainnet.distributed import MPITrainer

    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--crash-rank", type=int, default=-1)
    parser.add_argument("--crash", choices=["raise", "kill"], default="raise")
    parser.add_argument("--hooks", action="store_true")
    parser.add_argument("--batchnorm", action="store_true")
    parser.add_argument("--plateau", action="store_true")
    parser.add_argument("--early-stopping", action="store_true")
    args = parser.parse_args()

    comm = MPI.COMM_WORLD
    X, y = data()
    rows = shard(comm.Get_rank(), comm.Get_size())
    trainer = MPITrainer(network(args.batchnorm), comm, seed=SEED)
    # BatchNorm needs two rows or more per rank and batch: a larger global batch
    batch_size = 64 if args.batchnorm else BATCH_SIZE
    hooks = grad_hooks(trainer.net) if args.hooks else None
    lr = plateau() if args.plateau else LR
    settings = {"loss": "cross_entropy", "optimizer": pn.Adam(lr=lr)}
    trainer.fit(
        X[rows], y[rows], epochs=1, batch_size=batch_size, grad_hook=hooks, **settings
    )
    if comm.Get_rank() == args.crash_rank:
        if args.crash == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError(f"crash injected on rank {comm.Get_rank()}")
    more = {}
    if args.early_stopping:
        stopper = pn.EarlyStopping(patience=2, min_delta=0.0)
        X_val, y_val = make_dataset("spirals", 90, seed=SEED + 1, n_classes=3)
        more = {"validation_data": (X_val, NAMES[y_val]), "early_stopping": stopper}
    epochs = 40 if args.early_stopping else EPOCHS - 1
    trainer.fit(
        X[rows], y[rows], epochs=epochs, batch_size=batch_size, grad_hook=hooks, **more
    )
    if args.early_stopping:
        history = trainer.net.history
        vals = comm.gather(np.array(history.val_loss))
        bests = comm.gather(np.array([stopper.best_epoch, len(history.loss)]))
    weights = comm.gather(trainer.net.parameters)
    states = comm.gather(trainer.net.state)
    rates = comm.gather(np.array(trainer.net.history.lr))
    if comm.Get_rank() == 0:
        arrays = {f"rank{r}": w for r, w in enumerate(weights)}
        arrays |= {f"state{r}": s for r, s in enumerate(states)}
        arrays |= {f"lr{r}": lr for r, lr in enumerate(rates)}
        if args.early_stopping:
            arrays |= {f"val{r}": v for r, v in enumerate(vals)}
            arrays |= {f"best{r}": b for r, b in enumerate(bests)}
        np.savez(args.out, **arrays)


if __name__ == "__main__":
    main()
