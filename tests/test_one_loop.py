"""One training loop: what it reads back, what callbacks see, full-batch
solvers, divergence under any optimizer, and layers that belong to one network."""

import numpy as np
import pytest

import plainnet as pn
from blas_helpers import blas_threads
from plainnet import backend, training
from plainnet.callbacks import Callback, TrainingState


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    return X, np.tanh(X @ np.array([[1.0], [-2.0], [0.5]]))


def net(seed=0, **kwargs):
    return pn.Sequential(
        [pn.Dense(3, 8), pn.Tanh(), pn.Dense(8, 1)], seed=seed, **kwargs
    )


def test_the_loop_reads_the_costs_back_once_per_epoch(monkeypatch):
    reads = []
    for name in ("read", "to_float", "to_numpy"):
        original = getattr(backend.CPU, name)

        def counted(value, original=original, name=name):
            reads.append(name)
            return original(value)

        monkeypatch.setattr(backend.CPU, name, counted)
    X, y = data()
    net().fit(X, y, epochs=3, batch_size=8)  # 5 batches an epoch
    assert len(reads) == 3


def test_losses_return_0d_arrays_of_the_outputs_backend():
    z = np.array([[0.5, -1.0], [2.0, 0.0]])
    for loss, target in [("mse", z * 0.5), ("cross_entropy", np.array([0, 1]))]:
        value, grad = pn.losses.get(loss).value_and_gradient(z, target)
        assert np.ndim(value) == 0 and grad.shape == z.shape


def test_callbacks_see_the_training_state_not_a_blackboard():
    seen = []

    class Watch(Callback):
        def on_epoch_end(self, epoch, logs, training):
            seen.append(training)

    X, y = data()
    model, adam = net(), pn.Adam(lr=0.01)
    model.fit(X, y, loss="mse", optimizer=adam, epochs=2, callbacks=[Watch()])
    state = seen[-1]
    assert isinstance(state, TrainingState) and state is seen[0]
    assert state.net is model and state.optimizer is adam and state.epoch == 2
    assert state.loss.name == "mse" and state.rng is model.rng


def test_lbfgs_is_driven_by_protocol_and_a_non_finite_cost_raises():
    pytest.importorskip("scipy")
    X, y = data()
    model = pn.Sequential([pn.Dense(3, 1)], seed=0)
    before = model.parameters.copy()
    with pytest.raises(pn.TrainingDivergedError, match="diverged in epoch 1"):
        model.fit(X * 1e200, y, loss="mse", optimizer=pn.LBFGS(), epochs=5)
    np.testing.assert_array_equal(model.parameters, before)  # the last finite ones

    class Solver(pn.Optimizer):
        """Any optimizer saying ``full_batch`` is given the whole cost."""

        full_batch = True

        def minimize(self, objective, x0, iterations, on_iteration):
            x = x0
            for _ in range(iterations):
                cost, grad = objective(x)
                x = x - 0.1 * grad
                if on_iteration(x, cost):
                    break
            return x

        def get_config(self):
            return {}

    history = net().fit(X, y, loss="mse", optimizer=Solver(), epochs=20)
    assert len(history.loss) == 20 and history.loss[-1] < history.loss[0]


def test_weights_that_become_inf_with_a_finite_cost_are_caught_and_restored():
    X, y = data()
    model = net()
    steps = []

    def inject(gradients):
        steps.append(1)
        if len(steps) == 7:  # in epoch 2 (5 batches an epoch)
            gradients[:3] = np.inf

    adam = pn.Adam(lr=0.01)
    kept = []
    with pytest.raises(pn.TrainingDivergedError, match="epoch 2"):
        model.fit(
            X,
            y,
            loss="mse",
            optimizer=adam,
            epochs=4,
            batch_size=8,
            grad_hook=inject,
            callbacks=[
                lambda e, logs: kept.append(
                    (
                        model.parameters.copy(),
                        adam.state["m"].copy(),
                        adam.state["step"],
                    )
                )
            ],
        )
    # a tanh network keeps its cost finite with infinite weights; the weights
    # and Adam's moments of the end of epoch 1 are back, and its step count
    parameters, m, step = kept[0]
    np.testing.assert_array_equal(model.parameters, parameters)
    np.testing.assert_array_equal(adam.state["m"], m)
    assert adam.state["step"] == step == 5
    assert np.isfinite(adam.state["v"]).all()


def test_a_layer_belongs_to_one_network():
    dense = pn.Dense(3, 2)
    first = pn.Sequential([dense], seed=0)
    with pytest.raises(
        ValueError, match=r"already belongs to another network.*from_config"
    ):
        pn.Sequential([dense], seed=1)
    copy = pn.Sequential([pn.Dense.from_config(dense.get_config())], seed=1)
    first.parameters[:] = 0
    assert np.all(first.predict(np.ones((1, 3))) == 0)
    assert np.any(copy.predict(np.ones((1, 3))) != 0)
    with pytest.raises(ValueError, match="same object as layer 0"):
        pn.Sequential([pn.Tanh()] * 2)


def test_a_layer_of_a_network_that_is_gone_may_join_another():
    dense = pn.Dense(3, 2)
    pn.Sequential([dense], seed=0)  # no reference kept: the network is gone
    assert pn.Sequential([dense], seed=1).layers[0] is dense


@pytest.mark.parametrize("optimizer", [pn.SGD, pn.Adam, pn.RMSprop, pn.Adagrad])
def test_a_huge_learning_rate_is_caught_by_any_optimizer(optimizer):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 1, 8, 8))
    y = rng.integers(0, 3, 64)
    cnn = pn.Sequential(
        [pn.Conv2D(1, 4, 3), pn.ReLU(), pn.Flatten(), pn.Dense(3)],
        seed=0,
        input_shape=(1, 8, 8),
    )
    with pytest.raises(pn.TrainingDivergedError, match=r"learning rate 1000000\.0"):
        cnn.fit(
            X,
            y,
            loss="cross_entropy",
            optimizer=optimizer(lr=1e6),
            epochs=50,
            batch_size=16,
        )
    assert cnn.history.loss == []  # caught in the first epoch, whose cost ran away
    assert np.abs(cnn.parameters).max() < 1e20


def test_finite_but_absurd_weights_are_divergence():
    X, y = data()
    model = net()

    def blow_up(gradients):
        gradients[0] = -1e25  # the weight grows by 1e25 at each step, finite

    with pytest.raises(pn.TrainingDivergedError, match=r"weights grew beyond 1e\+20"):
        model.fit(
            X, y, loss="mse", optimizer=pn.SGD(lr=1.0), epochs=5, grad_hook=blow_up
        )
    assert np.abs(model.parameters).max() < 1e20


class _Kept:
    """A stand-in for the last good weights: counts what the epoch's end does."""

    def __init__(self):
        self.restored = self.updated = 0

    def restore(self):
        self.restored += 1

    def update(self):
        self.updated += 1


@pytest.mark.parametrize(
    "first, cost, diverges",
    [
        (2.0, 2000.0, False),  # exactly COST_GROWTH times the first cost
        (2.0, 2000.5, True),
        (0.0, 1.0, False),  # a first cost of 0 counts as 1e-3
        (0.0, 1.5, True),
        (2.0, np.inf, True),
        (2.0, -np.inf, True),
        (2.0, np.nan, True),
        (np.inf, 5.0, False),  # as before: nothing is COST_GROWTH times inf
        (np.inf, np.inf, True),
        (np.nan, 5.0, True),  # a first cost of NaN leaves no cost that is fine
    ],
)
def test_the_epochs_end_tells_a_diverged_cost(first, cost, diverges):
    from plainnet.training import _EpochEnds

    class Source:
        def end_epoch(self, net):
            pass

    training = TrainingState(net=net(), loss=None, optimizer=pn.SGD(lr=0.1))
    ends, kept = _EpochEnds(training, [], None, Source()), _Kept()
    ends.first = first  # as the loop sets it: the untrained network's cost
    if diverges:
        with pytest.raises(pn.TrainingDivergedError, match="diverged in epoch 1") as e:
            ends(cost, kept, 0.0)
        assert kept.restored == 1 and kept.updated == 0
        if first == 0:  # no ratio to a cost of 0
            assert "(the untrained cost was 0)" in str(e.value)
    else:
        assert ends(cost, kept, 0.0) is False
        assert kept.restored == 0 and kept.updated == 1 and training.epoch == 1


SMALL_AND_LARGE = {
    # (layers, sample shape, one thread?, rows of the batch)
    # the widest product of a batch of 64: 64 * 3 * 8 multiply-adds
    "dense": (lambda: [pn.Dense(3, 8), pn.Tanh(), pn.Dense(8, 1)], (3,), True, 64),
    # 64 * (8 * 4 * 5 weights) * 46 positions = 471,040
    "conv1d": (
        lambda: [pn.Conv1D(4, 8, 5), pn.ReLU(), pn.Flatten(), pn.Dense(368, 1)],
        (4, 50),
        True,
        64,
    ),
    # LeNet-5's second layer at batch 128: 128 * 240,000 = 30.7 million, but a
    # stack of per-sample products of 16 * 150 * 100 = 240,000 multiply-adds,
    # each on one BLAS thread: not counted
    "stacked conv2d": (
        lambda: [pn.Conv2D(6, 16, 5), pn.Flatten(), pn.Dense(1600, 1)],
        (6, 14, 14),
        True,
        128,
    ),
    # 64 * (16 * 8 * 3 * 3 weights) * 16 * 16 positions = 18.9 million (a
    # sample's product, 294,912, is large enough for BLAS's threads)
    "conv2d": (
        lambda: [pn.Conv2D(8, 16, 3), pn.Flatten(), pn.Dense(4096, 1)],
        (8, 18, 18),
        False,
        64,
    ),
}


@pytest.mark.parametrize("name", sorted(SMALL_AND_LARGE))
def test_small_networks_train_with_one_blas_thread(threads_in_training, name):
    layers, shape, single, rows = SMALL_AND_LARGE[name]
    model = pn.Sequential(layers(), seed=0, input_shape=shape)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((rows, *shape)), rng.standard_normal((rows, 1))
    work = rows * training.widest_product(model)
    assert (work < training.SINGLE_THREAD_WORK) == single
    # a first fit loads what the loop runs (numba loads a BLAS of its own)
    model.fit(X, y, loss="mse", epochs=1, batch_size=rows)
    threads_in_training.clear()
    outside = blas_threads()
    model.fit(X, y, loss="mse", epochs=1, batch_size=rows)
    assert threads_in_training == [[1] * len(outside) if single else outside]
    assert blas_threads() == outside
