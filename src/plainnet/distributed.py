"""Data-parallel training over MPI: each rank holds a shard of the data and a copy
of the network, and every step averages the gradients of all ranks.

    mpiexec -n 2 python -m mpi4py train.py

Run the script through ``python -m mpi4py`` so that an exception on one rank
aborts the whole job instead of leaving the other ranks waiting in a collective.
Needs the ``mpi`` extra (from a checkout of plainnet: ``pip install ".[mpi]"``)
and an MPI library (``pip install mpich`` needs no root); ``import plainnet``
never imports MPI.
"""

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

try:
    from mpi4py import MPI
except ImportError as error:  # mpi4py or the MPI library missing
    raise ImportError(
        "plainnet.distributed needs mpi4py and an MPI library; install them from "
        'a checkout of plainnet with: pip install ".[mpi]" mpich'
    ) from error

from . import hooks, losses, optimizers
from ._messages import shown
from ._targets import network_target
from ._validation import check_positive
from .callbacks import as_callbacks
from .network import Sequential
from .preprocessing import encode_labels
from .training import (
    Batches,
    History,
    _prepare_validation,
    batch_size_for,
    loss_and_optimizer,
    train,
)

__all__ = ["MPITrainer", "agree_classes"]


class MPITrainer:
    """Synchronous data-parallel SGD of one ``Sequential`` over MPI ranks.

    Every rank calls ``fit`` with its own shard; together the shards are one
    data set, rank 0's rows first, then rank 1's, and so on. ``fit`` makes the
    ranks agree before training (the settings, rank 0's weights and optimizer
    state, the class labels, the number of steps), then takes the same steps
    on every rank:

    - ``batch_size`` is the **global** batch. In each epoch one permutation of
      all ``n_samples`` rows, drawn from ``np.random.default_rng(seed)`` (the
      same on every rank), is cut into batches; each rank trains on those rows
      of the batch that are its own, possibly none.
    - The flat gradient buffer is summed over the ranks by one ``Allreduce``
      per step (in the network's ``grad_hook`` place: after backward, before
      the update), each rank's gradient weighted by its share of the batch's
      rows. A rank with no rows in a batch contributes a zero gradient.
    - ``fit``'s own ``grad_hook`` then runs on every rank, after the
      ``Allreduce``, on the same summed gradient: clipping
      (:func:`~plainnet.hooks.clip_by_global_norm`) sees the global norm, and
      an :class:`~plainnet.hooks.L2Penalty` is added once, as in one process.
    - Every rank then applies the same update to the same weights, so the
      weights stay bit-identical, and the result is that of single-process
      training whose batch at each step is the union of the ranks' batches,
      up to the order in which the floating-point sums are taken. It does not
      depend on the number of ranks.

    Training goes through the same loop as ``Sequential.fit`` (the rank's rows
    are its batch source, the ``Allreduce`` a gradient hook), so validation,
    callbacks, early stopping, Ctrl-C and the restore of the last finite
    weights work as in one process. Give every rank the same validation data:
    each then computes the same validation cost, and all stop at the same
    epoch.

    Dropout masks are drawn by each rank for its own rows. Non-trainable state
    (BatchNorm's running statistics, updated from each rank's own rows) is
    averaged over the ranks after every epoch, so that the ranks agree; each
    rank normalises its own rows of a batch, so BatchNorm needs a global batch
    large enough to give every rank two rows or more.

    Parameters
    ----------
    net : Sequential
        The same architecture on every rank; rank 0's weights win.
    comm : mpi4py.MPI.Comm, optional
        The ranks taking part; default ``MPI.COMM_WORLD``.
    seed : int, default 0
        Seeds the order of the rows; must be the same on every rank.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or None
        After ``fit`` with the ``cross_entropy`` loss and 1-D labels: every label
        of every rank, sorted; ``y`` is trained as indices into it, so output
        ``j`` of the network is the score of ``classes_[j]``. ``None`` otherwise.

    Example
    -------
    >>> net = Sequential([Dense(2, 32), Tanh(), Dense(32, 3)], seed=0)
    >>> trainer = MPITrainer(net)
    >>> trainer.fit(X_shard, y_shard, loss="cross_entropy", epochs=20, batch_size=64)
    >>> labels = trainer.classes_[net.predict(X_test).argmax(axis=1)]
    """

    def __init__(self, net: Sequential, comm=None, seed: int = 0) -> None:
        self.net = net
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self.classes_: np.ndarray | None = None

    def fit(
        self,
        X,
        y,
        loss: "str | losses.Loss | None" = None,
        optimizer: "str | optimizers.Optimizer | None" = None,
        epochs: int = 1,
        batch_size: int | None = None,
        shuffle: bool = True,
        classes=None,
        grad_hook: Callable[[np.ndarray], None]
        | Iterable[Callable[[np.ndarray], None]]
        | None = None,
        validation_data: tuple | None = None,
        early_stopping=None,
        callbacks: Iterable[object] = (),
    ) -> History:
        """Train on this rank's shard ``X``, ``y`` together with the other ranks.

        Every rank must call it, with the same settings.

        Parameters
        ----------
        X : array-like of shape (n_shard_samples, n_features)
        y : array-like of shape (n_shard_samples,) or (n_shard_samples, n_outputs)
            As ``Sequential.fit`` takes it, except that with ``cross_entropy``
            1-D labels may be of any sortable type (see ``classes_``).
        loss, optimizer : as in ``Sequential.fit``
        epochs : int, default 1
        batch_size : int or None, default None
            Rows per step over all ranks; ``None`` takes all rows at once.
        shuffle : bool, default True
            A new seeded order of all rows in each epoch (else rank order).
        classes : array-like of shape (n_classes,), optional
            Every label, to fix ``classes_`` instead of gathering the labels.
        grad_hook : callable ``f(gradients) -> None``, or a sequence of them, optional
            Applied in order after the ``Allreduce``, to the gradient of all
            ranks; every rank must pass the same hooks.
        validation_data, early_stopping, callbacks : as in ``Sequential.fit``
            The same on every rank (labels as ``y``'s, encoded like them).

        Returns
        -------
        History
            ``net.history``, with each epoch's cost over all ranks' rows.
        """
        net = self.net
        loss, optimizer = loss_and_optimizer(net, loss, optimizer)
        settings = _settings(net, loss, optimizer, epochs, batch_size, shuffle)
        _agree(self.comm, {**settings, "seed": self.seed})
        check_positive("epochs", epochs, integer=True, zero=True)
        X, y, first, n = self._shard(X, y, loss, classes)
        self._start(optimizer)
        source = _RankRows(net, (X, y), (first, n, batch_size, shuffle), loss, self)
        user_hook = hooks.as_hook(grad_hook)
        hook = (
            source.reduce
            if user_hook is None
            else hooks.chain(source.reduce, user_hook)
        )
        stopper = [] if early_stopping is None else [early_stopping]
        callbacks = as_callbacks([*callbacks, *stopper])
        if validation_data is not None:
            X_val, y_val, *weight = validation_data
            validation_data = (X_val, self._encode(y_val, loss, classes), *weight)
        validation = _prepare_validation(net, loss, validation_data, callbacks)
        return train(net, source, loss, optimizer, epochs, callbacks, hook, validation)

    def _shard(self, X, y, loss: losses.Loss, classes):
        """This rank's checked ``X`` and ``y``, the global index of its first row,
        and the number of rows of all ranks."""
        X = self.net.check_input(X)
        y = self._encode(y, loss, classes)
        y = network_target(loss, self.net, y, X)
        counts = self.comm.allgather(len(X))
        return X, y, sum(counts[: self.comm.Get_rank()]), sum(counts)

    def _start(self, optimizer: optimizers.Optimizer) -> None:
        """Give every rank rank 0's weights, state and optimizer state."""
        optimizer.prepare(self.net.parameters)
        self.comm.Bcast(self.net.parameters, root=0)
        self.comm.Bcast(self.net.state, root=0)
        optimizer.state = self.comm.bcast(optimizer.state, root=0)

    def _encode(self, y, loss: losses.Loss, classes) -> np.ndarray:
        """With cross_entropy and 1-D labels: indices into the labels agreed by
        all ranks (``classes_``); otherwise ``y`` as given."""
        y = np.asarray(y)
        if not isinstance(loss, losses.CrossEntropy) or y.ndim != 1:
            self.classes_ = None
            return y
        if (
            self.classes_ is not None
            and classes is None
            and np.isin(y, self.classes_).all()
        ):
            return encode_labels(y, classes=self.classes_)[0]  # validation labels
        self.classes_ = agree_classes(y, self.comm, classes)
        if len(self.classes_) != self.net.n_outputs:
            raise ValueError(
                f"the ranks' labels are {len(self.classes_)} classes "
                f"{shown(self.classes_.tolist())}, but the network has "
                f"{self.net.n_outputs} outputs"
            )
        return encode_labels(y, classes=self.classes_)[0]

    def __repr__(self) -> str:
        return (
            f"MPITrainer(ranks={self.comm.Get_size()}, seed={self.seed!r}, "
            f"net with {self.net.n_parameters} parameters)"
        )


def agree_classes(y, comm=None, classes=None) -> np.ndarray:
    """The class labels of all ranks, the same array on every rank.

    Parameters
    ----------
    y : array-like of shape (n_shard_samples,)
        This rank's labels.
    comm : mpi4py.MPI.Comm, optional
        Default ``MPI.COMM_WORLD``.
    classes : array-like of shape (n_classes,), optional
        Every label; a label of any rank outside it raises ``ValueError`` on
        every rank.

    Returns
    -------
    ndarray of shape (n_classes,)
        ``classes`` sorted, or else the sorted union of every rank's labels.
    """
    comm = MPI.COMM_WORLD if comm is None else comm
    seen = np.unique(np.concatenate(comm.allgather(np.unique(np.asarray(y)))))
    if classes is None:
        return seen
    classes = np.unique(np.asarray(classes))
    unknown = np.setdiff1d(seen, classes)
    if unknown.size:
        raise ValueError(
            f"the ranks' labels include some not in classes "
            f"{shown(classes.tolist())}: {shown(unknown.tolist())}"
        )
    return classes


class _WeightedAllreduce:
    """A gradient hook: scale this rank's gradient by its ``share`` of the
    batch's rows, then sum it over all ranks in place. It comes first in the
    chain of hooks, so that the hooks after it see the same global gradient on
    every rank."""

    def __init__(self, comm) -> None:
        self.comm, self.share = comm, 1.0

    def __call__(self, gradients: np.ndarray) -> None:
        if self.share != 1.0:
            gradients *= self.share
        self.comm.Allreduce(MPI.IN_PLACE, gradients, op=MPI.SUM)


class _RankRows(Batches):
    """The batch source of a rank: its rows of each global batch of one seeded
    permutation of all rows (possibly none), the share of its rows told to the
    ``Allreduce`` hook (``reduce``) before each step; the epoch's cost summed
    over the ranks; the layers' state averaged over the ranks after each
    epoch."""

    def __init__(self, net, arrays, rows: tuple, loss, trainer) -> None:
        first, n, batch_size, shuffle = rows
        super().__init__(net, arrays, None, False)
        self.first, self.n_all, self.shuffle = first, n, shuffle
        self.batch = batch_size_for(batch_size, n)
        self.rng, self.comm = trainer._rng, trainer.comm
        self.mean = loss.reduction == "mean"
        self.reduce = _WeightedAllreduce(trainer.comm)

    def epoch(self, rng):
        order = (
            self.rng.permutation(self.n_all) if self.shuffle else np.arange(self.n_all)
        )
        X, y = self.arrays
        for start in range(0, self.n_all, self.batch):
            rows = order[start : start + self.batch]
            mine = rows[(rows >= self.first) & (rows < self.first + X.shape[0])]
            mine = mine - self.first
            self.reduce.share = len(mine) / len(rows) if self.mean else 1.0
            yield (X[mine], y[mine], None), len(mine)

    def only_batch(self) -> None:
        """None: a rank's rows of each global batch are cut anew each epoch."""
        return None

    def epoch_cost(self, costs, masses, mean: bool) -> float:
        total = sum(
            v * m if mean else v for v, m in zip(costs, masses, strict=True)
        )
        total = self.comm.allreduce(total)
        return total / self.n_all if mean else total

    def end_epoch(self, net) -> None:
        """Running statistics (BatchNorm's) are updated by each rank from its
        own rows: average them so that every rank keeps the same state."""
        if net.state.size:
            self.comm.Allreduce(MPI.IN_PLACE, net.state, op=MPI.SUM)
            net.state /= self.comm.Get_size()


def _settings(net, loss, optimizer, epochs, batch_size, shuffle) -> dict[str, Any]:
    """What every rank must have the same for the collectives to line up."""
    return {
        "network": net.get_config(),
        "loss": loss.name,
        "optimizer": repr(optimizer),
        "epochs": epochs,
        "batch_size": batch_size,
        "shuffle": shuffle,
    }


def _agree(comm, settings: dict[str, Any]) -> None:
    """Raise ``ValueError`` on every rank if any rank's settings differ from
    rank 0's."""
    every = comm.allgather(settings)
    differ = {
        rank: sorted(k for k in settings if other[k] != every[0][k])
        for rank, other in enumerate(every)
        if other != every[0]
    }
    if differ:
        raise ValueError(
            "every rank must call fit with the same network and settings; "
            f"these differ from rank 0's: {differ}"
        )
