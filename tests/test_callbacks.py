"""fit's callbacks: one protocol for the history, early stopping, the progress
bar and the user's own callbacks (objects or plain functions)."""

import io

import numpy as np
import pytest

import plainnet as pn
from plainnet.callbacks import Callback, EarlyStopping, ProgressBar


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((16, 3)), rng.standard_normal((16, 1))


def small_net() -> pn.Sequential:
    return pn.Sequential([pn.Dense(3, 4), pn.Tanh(), pn.Dense(4, 1)], seed=0)


class Recorder(Callback):
    """Writes down every call it gets, in ``calls``."""

    def __init__(self, calls: list, name: str) -> None:
        self.calls, self.name = calls, name

    def on_train_begin(self, net):
        self.calls.append((self.name, "begin"))

    def on_epoch_end(self, epoch, logs, net):
        self.calls.append((self.name, epoch, sorted(logs)))

    def on_train_end(self, net):
        self.calls.append((self.name, "end"))


def test_callbacks_run_in_order_with_the_same_logs():
    X, y = data()
    calls = []

    def add_entry(epoch, logs):
        calls.append(("function", epoch, len(net.history.loss)))  # history first
        logs["extra"] = 1.0

    net = small_net()
    net.fit(X, y, epochs=2, callbacks=[add_entry, Recorder(calls, "object")])
    assert calls == [
        ("object", "begin"),
        ("function", 1, 1),
        ("object", 1, ["epoch", "extra", "loss"]),
        ("function", 2, 2),
        ("object", 2, ["epoch", "extra", "loss"]),
        ("object", "end"),
    ]


def test_a_callback_returning_true_stops_after_every_callback_has_run():
    X, y = data()
    calls = []
    net = small_net()
    net.fit(X, y, epochs=5, callbacks=[lambda epoch, logs: True, Recorder(calls, "r")])
    assert len(net.history.loss) == 1
    assert calls == [("r", "begin"), ("r", 1, ["epoch", "loss"]), ("r", "end")]


def test_early_stopping_watches_an_entry_added_by_an_earlier_callback():
    X, y = data()

    def constant(epoch, logs):
        logs["score"] = 1.0  # never improves after the first epoch

    net = small_net()
    stopper = EarlyStopping(patience=3, monitor="score", restore_best=False)
    net.fit(X, y, epochs=50, callbacks=[constant], early_stopping=stopper)
    assert len(net.history.loss) == 4 and stopper.best_epoch == 1


def test_early_stopping_restores_the_best_weights_when_training_ends():
    X, y = data()
    net = small_net()
    snapshots = []
    stopper = EarlyStopping(patience=100, monitor="loss")
    net.fit(
        X,
        y,
        optimizer=pn.SGD(lr=0.05),
        epochs=5,
        callbacks=[lambda epoch, logs: snapshots.append(net.parameters.copy())],
        early_stopping=stopper,
    )
    np.testing.assert_array_equal(net.parameters, snapshots[stopper.best_epoch - 1])


def test_early_stopping_names_a_missing_entry():
    X, y = data()
    with pytest.raises(ValueError, match=r"monitors 'score'.*\['epoch', 'loss'\]"):
        small_net().fit(X, y, early_stopping=EarlyStopping(monitor="score"))


def test_training_end_is_not_announced_when_training_diverges():
    X, y = data()
    calls = []
    with pytest.raises(pn.TrainingDivergedError):
        small_net().fit(
            X,
            y,
            epochs=3,
            callbacks=[Recorder(calls, "r")],
            grad_hook=lambda gradients: gradients.fill(np.inf),
        )
    assert ("r", "end") not in calls


def test_progress_bar_draws_one_tick_per_epoch_and_closes_at_the_end():
    X, y = data()
    stream = io.StringIO()
    bar = ProgressBar(3, "demo", enabled=True, stream=stream)
    small_net().fit(X, y, epochs=3, callbacks=[bar])
    assert "demo" in stream.getvalue() and "3/3" in stream.getvalue()
    assert stream.getvalue().endswith("\n")  # closed: tqdm ends the line


def test_a_callback_must_be_a_callback_or_a_function():
    X, y = data()
    with pytest.raises(TypeError, match="a callback must be a Callback or a function"):
        small_net().fit(X, y, callbacks=[42])


def test_history_is_a_callback_filling_its_lists():
    history = pn.History()
    assert isinstance(history, Callback)
    history.on_epoch_end(1, {"epoch": 1, "loss": 0.5, "val_loss": 0.7}, None)
    history.on_epoch_end(2, {"epoch": 2, "loss": 0.25}, None)
    assert history.loss == [0.5, 0.25] and history["val_loss"] == [0.7]
