"""Data-parallel training over MPI: every rank trains on its own shard.

    pip install ".[mpi]" mpich    # from a checkout of plainnet
    mpiexec -n 2 python -m mpi4py examples/mpi_train.py [--epochs 40] [--out model.npz]

Each rank reads its own shard of a seeded data set (here every rank draws the
same three-armed spirals and keeps its slice, as it would read its own file),
the ranks train one network together with ``MPITrainer``, and rank 0 prints
the SHA-256 of every rank's final weights (all the same) and the accuracy on
held-out points. ``python -m mpi4py`` makes an error on one rank end the whole
job instead of leaving the others waiting.
"""

import argparse
import hashlib

import numpy as np
from mpi4py import MPI

import plainnet as pn
from plainnet.datasets import make_dataset
from plainnet.distributed import MPITrainer

N_TRAIN, N_TEST = 3000, 1000
COLOURS = np.array(["red", "green", "blue"])


def read_shard(rank: int, size: int, seed: int):
    """This rank's training rows (X of shape (n_shard, 2), colour labels of
    shape (n_shard,)) and the held-out rows, the same for every rank."""
    X, y = make_dataset("spirals", N_TRAIN + N_TEST, seed=seed, n_classes=3)
    rows = np.array_split(np.arange(N_TRAIN), size)[rank]
    return X[rows], COLOURS[y[rows]], X[N_TRAIN:], COLOURS[y[N_TRAIN:]]


def build_network(seed: int) -> pn.Sequential:
    return pn.Sequential(
        [pn.Dense(2, 64), pn.ReLU(), pn.Dense(64, 64), pn.ReLU(), pn.Dense(64, 3)],
        seed=seed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64, help="over all ranks")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="rank 0 saves the trained model file here")
    args = parser.parse_args()

    comm = MPI.COMM_WORLD
    X, y, X_test, y_test = read_shard(comm.Get_rank(), comm.Get_size(), args.seed)
    net = build_network(args.seed)
    trainer = MPITrainer(net, comm, seed=args.seed)
    trainer.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=args.lr),
        epochs=args.epochs,
        batch_size=args.batch_size,
    )
    digests = comm.gather(hashlib.sha256(net.parameters.tobytes()).hexdigest())
    if comm.Get_rank() == 0:
        for rank, digest in enumerate(digests):
            print(f"rank {rank} weights sha256 {digest}")
        predicted = trainer.classes_[net.predict(X_test).argmax(axis=1)]
        print(f"test accuracy {np.mean(predicted == y_test):.3f}")
        if args.out:
            net.save(args.out)


if __name__ == "__main__":
    main()
