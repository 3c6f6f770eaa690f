"""Learning-rate schedules: their values in closed form, their use by the
optimizers, history.lr, model files, and exact resumption after a load."""

import math

import numpy as np
import pytest

import plainnet as pn
from plainnet import schedules

RNG = np.random.default_rng(0)
X = RNG.standard_normal((70, 4))
Y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)


def net() -> pn.Sequential:
    return pn.Sequential([pn.Dense(4, 8), pn.Tanh(), pn.Dense(8, 3)], seed=1)


def test_constant_step_and_exponential_in_closed_form():
    assert pn.Constant(0.1)(1000) == 0.1
    step = pn.StepDecay(0.1, every=10, factor=0.5)
    assert [step(s) for s in (0, 9, 10, 25)] == [0.1, 0.1, 0.05, 0.025]
    exp = pn.ExponentialDecay(0.1, factor=0.5, every=4)
    assert (
        exp(0) == 0.1
        and exp(4) == pytest.approx(0.05)
        and exp(2) == (pytest.approx(0.1 * 0.5**0.5))
    )


def test_cosine_warms_up_linearly_then_follows_half_a_cosine():
    cos = pn.CosineDecay(1.0, steps=14, warmup=4, final_lr=0.1)
    assert [cos(s) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert cos(4) == 1.0
    assert cos(9) == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi / 2)) / 2)
    assert cos(14) == pytest.approx(0.1) and cos(1000) == pytest.approx(0.1)


def test_plateau_reduces_after_patience_epochs_without_improvement():
    plateau = pn.ReduceOnPlateau(1.0, factor=0.5, patience=2, min_delta=0.0)
    state = plateau.init_state()
    rates = []
    for cost in [3.0, 2.0, 2.0, 2.5, 1.0, 1.0, 1.0, 1.0, 1.0]:
        plateau.observe(cost, state)
        rates.append(plateau(0, state))
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert state == {"lr_best": 1.0, "lr_wait": 0, "lr_reductions": 3}


def test_an_optimizer_uses_the_schedule_at_each_update():
    # SGD on w with gradient 1: w = -(sum of the rates of the updates)
    sgd = pn.SGD(lr=pn.StepDecay(1.0, every=2, factor=0.5))
    w = np.zeros(1)
    for _ in range(5):
        sgd.step(w, np.ones(1))
    assert w[0] == -(1 + 1 + 0.5 + 0.5 + 0.25)
    assert sgd.learning_rate() == 0.25


def test_history_records_the_rate_of_each_epochs_last_update():
    model = net()
    # 70 samples in batches of 32: 3 updates per epoch
    cosine = pn.CosineDecay(0.01, steps=12, warmup=3)
    history = model.fit(
        X,
        Y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=cosine),
        epochs=4,
        batch_size=32,
    )
    assert history.lr == [cosine(s) for s in (2, 5, 8, 11)]
    constant = net().fit(X, Y, loss="cross_entropy", optimizer=pn.SGD(lr=0.1))
    assert constant.lr == [0.1]


def test_plateau_watches_the_training_loss_without_validation_data():
    model = net()
    plateau = pn.ReduceOnPlateau(0.5, factor=0.1, patience=1, min_delta=10.0)
    model.fit(X, Y, loss="cross_entropy", optimizer=pn.SGD(lr=plateau), epochs=3)
    # the first epoch improves on inf; no later one improves by 10
    # (each epoch's rate is the one it trained with, before the epoch's end
    # reduced it)
    assert model.history.lr == pytest.approx([0.5, 0.5, 0.05])
    assert model.optimizer.state["lr_reductions"] == 2


def test_plateau_watches_the_validation_loss_when_there_is_one():
    model = net()
    plateau = pn.ReduceOnPlateau(0.1, patience=3)
    model.fit(
        X,
        Y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=plateau),
        epochs=2,
        validation_data=(X[:10], Y[:10]),
    )
    assert model.optimizer.state["lr_best"] == model.history.val_loss[-1]


@pytest.mark.parametrize(
    "schedule",
    [
        pn.Constant(0.01),
        pn.StepDecay(0.01, every=5),
        pn.ExponentialDecay(0.01, factor=0.5, every=7),
        pn.CosineDecay(0.01, steps=20, warmup=3, final_lr=1e-4),
        pn.ReduceOnPlateau(0.01, factor=0.5, patience=2, min_delta=1e-3),
    ],
)
def test_five_epochs_saved_loaded_and_five_more_equal_ten(schedule, tmp_path):
    def fit(model, epochs, optimizer=None):
        model.fit(
            X,
            Y,
            loss="cross_entropy",
            optimizer=optimizer,
            epochs=epochs,
            batch_size=16,
            validation_data=(X[:20], Y[:20]),
        )

    whole = net()
    fit(whole, 10, pn.Adam(lr=schedule))
    half = net()
    fit(half, 5, pn.Adam(lr=schedules.from_config(schedules.to_config(schedule))))
    half.save(tmp_path / "half.npz")
    resumed = pn.load(tmp_path / "half.npz")
    assert repr(resumed.optimizer.lr) == repr(schedule)
    fit(resumed, 5)
    np.testing.assert_array_equal(resumed.parameters, whole.parameters)
    assert resumed.history.lr == whole.history.lr and len(whole.history.lr) == 10
    assert resumed.history.loss == whole.history.loss
    assert resumed.optimizer.state.keys() == whole.optimizer.state.keys()
    for key, value in whole.optimizer.state.items():
        np.testing.assert_array_equal(resumed.optimizer.state[key], value)


def test_the_schedule_is_saved_as_its_name_and_config(tmp_path):
    model = net()
    plateau = pn.ReduceOnPlateau(0.01, patience=4)
    model.fit(X, Y, loss="cross_entropy", optimizer=pn.SGD(lr=plateau), epochs=1)
    model.save(tmp_path / "m.npz")
    document = pn.model_files.read_model_file(tmp_path / "m.npz")
    assert document.network.optimizer.get_config()["lr"] == {
        "name": "plateau",
        "config": plateau.get_config(),
    }
    assert repr(model.optimizer).startswith("SGD(lr=ReduceOnPlateau(lr=0.01, ")


def test_a_fresh_plateau_saves_its_infinite_best_as_null(tmp_path):
    model = net()
    model.fit(
        X,
        Y,
        loss="cross_entropy",
        epochs=0,
        optimizer=pn.Adam(lr=pn.ReduceOnPlateau(0.01)),
    )
    model.save(tmp_path / "m.npz")
    assert pn.load(tmp_path / "m.npz").optimizer.state["lr_best"] == math.inf


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("constant", 0.1, 0.1),
        ("step", 0.1, 0.0125),
        ("exponential", 0.1, 0.1 * 0.01 ** (99 / 100)),
        ("cosine", 0.1, 0.1 * (1 + math.cos(math.pi * 99 / 100)) / 2),
        ("plateau", 0.1, 0.1),
    ],
)
def test_names_stand_for_schedules_over_a_training(name, first, last):
    schedule = schedules.for_training(name, 0.1, total_steps=100)
    assert schedule(0) == pytest.approx(first) and schedule(99) == pytest.approx(last)
    assert schedules.for_training(schedule, 1.0, 5) is schedule


@pytest.mark.parametrize(
    "make",
    [
        lambda: pn.Constant(0),
        lambda: pn.StepDecay(0.1, every=0),
        lambda: pn.StepDecay(0.1, every=2, factor=1.5),
        lambda: pn.CosineDecay(0.1, steps=10, warmup=10),
        lambda: pn.CosineDecay(0.1, steps=10, final_lr=0.2),
        lambda: pn.ReduceOnPlateau(0.1, patience=0),
        lambda: schedules.for_training("warm", 0.1, 10),
        lambda: schedules.from_config({"name": "nope", "config": {}}),
        lambda: pn.Adam(lr="cosine"),
    ],
)
def test_bad_schedules_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_the_command_line_takes_a_schedule(tmp_path, monkeypatch, capsys):
    from plainnet import cli

    monkeypatch.chdir(tmp_path)
    argv = ["train", "--dataset", "moons", "--epochs", "6", "--batch-size", "50",
            "--lr", "0.01"]
    status = cli.main([*argv, "--lr-schedule", "cosine", "--quiet", "--out", "m.npz"])
    assert status == 0, capsys.readouterr().err
    model = pn.load(tmp_path / "m.npz")
    schedule = model.optimizer.lr
    assert isinstance(schedule, pn.CosineDecay) and schedule.lr == 0.01
    assert model.history.lr[0] == schedule(schedule.steps // 6 - 1)
    assert model.history.lr[-1] == pytest.approx(schedule(schedule.steps - 1))


def test_a_plateau_set_after_some_steps_saves_its_fresh_state(tmp_path):
    model = net()
    model.fit(X, Y, loss="cross_entropy", optimizer=pn.Adam(lr=0.01), epochs=1)
    model.optimizer.lr = pn.ReduceOnPlateau(0.01)
    model.save(tmp_path / "m.npz")
    state = pn.load(tmp_path / "m.npz").optimizer.state
    assert (
        state["lr_reductions"] == 0 and state["step"] == model.optimizer.state["step"]
    )


class _Halving(pn.Schedule):
    """A user's schedule, not in the registry."""

    name = "halving"

    def rate(self, step):
        return self.lr / 2**step

    def get_config(self):
        return {"lr": self.lr}


def test_a_users_schedule_trains_but_is_not_saved(tmp_path):
    model = net()
    model.fit(
        X, Y, loss="cross_entropy", optimizer=pn.SGD(lr=_Halving(0.1)), batch_size=32
    )
    assert model.history.lr == [0.1 / 2**2]  # 70 samples, batches of 32
    assert repr(model.optimizer).startswith("SGD(lr=_Halving(lr=0.1)")
    with pytest.raises(ValueError, match="include_optimizer=False"):
        model.save(tmp_path / "m.npz")
    model.save(tmp_path / "m.npz", include_optimizer=False)
