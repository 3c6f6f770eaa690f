"""The faults users meet with data going in and numbers during training, for
Sequential and NeuralNetwork: a clear error naming what was expected and what
was given, or the right thing done, and nothing lost."""

import signal
import warnings

import numpy as np
import pytest

import plainnet as pn
from plainnet.callbacks import EarlyStopping


def net4(n_out=1, seed=0, dtype="float64"):
    return pn.Sequential(
        [pn.Dense(4, 5), pn.Tanh(), pn.Dense(5, n_out)], seed=seed, dtype=dtype
    )


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    return X, (X[:, 0] > 0).astype(float)


# -- Data going in ------------------------------------------------------------------


def test_wrong_number_of_features_names_the_layer_and_both_sizes():
    X, y = data()
    net = net4()
    message = r"X has 6 features, but the network expects 4 \(first layer Dense\(n_in=4"
    with pytest.raises(ValueError, match=message):
        net.fit(np.ones((10, 6)), np.ones(10), loss="mse")
    net.fit(X, y, loss="mse")
    with pytest.raises(ValueError, match=message):
        net.predict(np.ones((3, 6)))
    with pytest.raises(ValueError, match="X has 2 features, but the network expects 3"):
        pn.NeuralNetwork([3, 1]).think([1, 0])


def test_x_and_y_of_different_lengths():
    X, y = data()
    with pytest.raises(ValueError, match="X has 40, y has 39"):
        net4().fit(X, y[:-1], loss="mse")
    with pytest.raises(ValueError, match="X has 4, y has 3"):
        pn.NeuralNetwork([3, 1]).train(np.eye(4, 3), [0, 1, 1])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_x_names_it_the_columns_and_the_rows(bad):
    X, y = data()
    X[[3, 7], 2] = bad
    X[7, 0] = bad
    kind = "NaN" if np.isnan(bad) else "inf"
    with pytest.raises(
        ValueError,
        match=rf"X contains {kind} in column\(s\) \[0, 2\], "
        r"in 2 row\(s\) \(first: \[3, 7\]\)",
    ):
        net4().fit(X, y, loss="mse")
    with pytest.raises(ValueError, match=kind):
        pn.NeuralNetwork([4, 1]).train(X, y)


def test_nan_in_y():
    X, y = data()
    y[5] = np.nan
    with pytest.raises(
        ValueError, match=r"y contains NaN .* in 1 row\(s\) \(first: \[5\]\)"
    ):
        net4().fit(X, y, loss="mse")
    labels = np.array([0.0, 1.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="y contains NaN"):
        net4(n_out=2).fit(X[:4], labels, loss="cross_entropy")


def test_large_finite_values_are_not_mistaken_for_inf():
    X = np.full((4, 4), 3e38, dtype="float32")  # their float32 sum would overflow
    net = net4(dtype="float32")
    net.parameters[:] = 0
    np.testing.assert_array_equal(net.predict(X), np.zeros((4, 1)))


def test_empty_x():
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 4\)\)"):
        net4().fit(np.empty((0, 4)), np.empty(0), loss="mse")


def test_one_dimensional_x_gets_the_reshape_hint():
    with pytest.raises(ValueError, match=r"got 1-D of shape \(4,\); use X.reshape"):
        net4().predict(np.ones(4))
    with pytest.raises(ValueError, match="2-D"):
        net4().fit(np.ones((2, 2, 4)), np.ones(2), loss="mse")


def test_strings_in_x():
    with pytest.raises(ValueError, match="X must hold numbers"):
        net4().predict(np.array([["a", "b", "c", "d"]]))


def test_y_of_shape_n_is_normalised_and_a_mismatch_names_both_shapes():
    X, y = data()
    a, b = net4(), net4()
    a.fit(X, y, loss="mse", epochs=2)
    b.fit(X, y.reshape(-1, 1), loss="mse", epochs=2)
    np.testing.assert_array_equal(a.parameters, b.parameters)
    with pytest.raises(ValueError, match=r"y has shape \(40, 2\).*1 output"):
        net4().fit(X, np.ones((40, 2)), loss="mse")
    with pytest.raises(
        ValueError, match=r"y has shape \(40,\) but the network has 2 outputs"
    ):
        net4(n_out=2).fit(X, y, loss="mse")


def test_labels_and_one_hot_are_both_accepted_and_give_the_same_training():
    X, y = data()
    labels = y.astype(int)
    a, b = net4(n_out=2), net4(n_out=2)
    a.fit(X, labels, loss="cross_entropy", epochs=3)
    b.fit(X, np.eye(2)[labels], loss="cross_entropy", epochs=3)
    np.testing.assert_allclose(a.parameters, b.parameters, rtol=1e-12)


def test_the_number_of_classes_is_the_output_width_not_the_largest_label():
    X, _ = data(n=6)
    net = net4(n_out=5)
    net.fit(X, np.array([0, 1, 0, 1, 0, 1]), loss="cross_entropy")  # labels 0..1 of 5
    assert net.predict_proba(X).shape == (6, 5)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 5\).*0 to 7"):
        net.fit(X, np.array([0, 1, 7, 1, 0, 1]), loss="cross_entropy")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: pn.Dense(0, 3), "n_in must be a positive int, got 0"),
        (lambda: pn.Dense(3, -2), "n_out must be a positive int, got -2"),
        (lambda: pn.Dense(3, 2.5), "n_out must be a positive int, got 2.5"),
        (
            lambda: pn.Dense(3, 2, init="ones"),
            r"unknown initializer 'ones'; expected one of",
        ),
        (lambda: pn.Sequential([]), "at least one layer"),
        (
            lambda: pn.Sequential([pn.Dense(3, 4), pn.Dense(5, 1)]),
            r"layer 1 \(Dense\(n_in=5.*expects 5 inputs, but the layers before it "
            "give 4",
        ),
        (
            lambda: pn.Sequential([pn.Dense(3, 4)], dtype="int32"),
            "dtype must be one of",
        ),
        (lambda: pn.Sequential(["relu"]), "layer 0 must be a plainnet Layer, got str"),
        (
            lambda: pn.NeuralNetwork([2, 3, 1], activation="swish"),
            r"unknown activation 'swish'; expected one of \['gelu', 'identity'",
        ),
        (lambda: pn.LeakyReLU(alpha=2), r"alpha must be in \[0, 1\)"),
    ],
)
def test_bad_construction_names_the_value_and_the_valid_ones(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"loss": "hinge"}, r"unknown loss 'hinge'; expected one of"),
        ({"optimizer": "nadam"}, r"unknown optimizer 'nadam'; expected one of"),
        ({"batch_size": 0}, "batch_size must be a positive int"),
        ({"epochs": -1}, "epochs must be a non-negative int"),
    ],
)
def test_bad_fit_settings(kwargs, message):
    X, y = data()
    with pytest.raises(ValueError, match=message):
        net4().fit(X, y, **{"loss": "mse", **kwargs})


def test_batch_size_larger_than_the_data_is_clipped():
    X, y = data(n=10)
    a, b = net4(), net4()
    a.fit(
        X,
        y,
        loss="mse",
        optimizer=pn.SGD(lr=0.1),
        epochs=3,
        batch_size=1000,
        shuffle=False,
    )
    b.fit(X, y, loss="mse", optimizer=pn.SGD(lr=0.1), epochs=3, batch_size=None)
    np.testing.assert_array_equal(a.parameters, b.parameters)
    assert a.optimizer.state["step"] == 3


def test_a_fused_loss_after_a_final_softmax_is_refused():
    X, y = data()
    net = pn.Sequential([pn.Dense(4, 2), pn.Softmax()])
    with pytest.raises(ValueError, match=r"takes logits.*ends with Softmax"):
        net.fit(X, y.astype(int), loss="cross_entropy")


# -- Numbers during training -------------------------------------------------------


def test_divergence_stops_at_once_keeping_finite_weights_and_the_history():
    X, y = data()
    X *= 100
    net = net4()
    net.fit(X, y, loss="mse", optimizer=pn.SGD(lr=1e-6), epochs=2)
    with pytest.raises(
        pn.TrainingDivergedError,
        match=r"diverged in epoch (\d+).*learning rate 1000.0.*smaller",
    ):
        net.fit(X, y, loss="mse", optimizer=pn.SGD(lr=1e3), epochs=50, batch_size=8)
    assert np.isfinite(net.parameters).all()
    assert 2 <= len(net.history.loss) < 52
    assert all(np.isfinite(net.history.loss))
    assert np.isfinite(net.predict(X[:3])).all()


def test_divergence_in_the_seeds_network():
    network = pn.NeuralNetwork([2, 3, 1], activation="identity", learning_rate=10.0)
    with pytest.raises(pn.TrainingDivergedError, match=r"learning rate 10\.0"):
        network.train([[0, 1], [1, 0], [1, 1]], [1, 1, 0], iterations=1000)
    assert all(np.isfinite(w).all() for w in network.synaptic_weights)
    assert len(network.history.loss) < 1000


def test_ctrl_c_stops_at_a_batch_boundary_keeping_what_was_learned():
    X, y = data(n=80)
    net = net4()
    calls = []

    def press_ctrl_c_in_epoch_2(grads):
        calls.append(1)
        if len(calls) == 12:  # the 2nd batch of epoch 2 (10 batches per epoch)
            signal.raise_signal(signal.SIGINT)

    before = net.parameters.copy()
    with pytest.warns(pn.TrainingInterrupted, match="after 2 epoch"):
        history = net.fit(
            X,
            y,
            loss="mse",
            optimizer=pn.SGD(lr=0.05),
            epochs=5,
            batch_size=8,
            grad_hook=press_ctrl_c_in_epoch_2,
        )
    assert history.interrupted
    assert net.optimizer.state["step"] == 12  # the batch in progress was completed
    assert len(history.loss) == 2  # epoch 1, and the part of epoch 2 that ran
    assert not np.array_equal(net.parameters, before)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_interrupts_at_once():
    X, y = data(n=80)

    def press_twice(grads):
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        net4().fit(X, y, loss="mse", epochs=5, batch_size=8, grad_hook=press_twice)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_nan_validation_loss_never_counts_as_an_improvement():
    stopper = EarlyStopping(patience=2, monitor="loss")
    params = np.array([1.0])
    assert not stopper.update(1, 0.5, params)
    params[0] = 2.0
    assert not stopper.update(2, float("nan"), params)
    assert stopper.update(3, float("nan"), params)
    assert stopper.best == 0.5 and stopper.best_epoch == 1
    np.testing.assert_array_equal(stopper.best_parameters, [1.0])


def test_best_weights_are_restored_whether_or_not_early_stopping_fired():
    rng = np.random.default_rng(0)
    X, X_val = rng.standard_normal((20, 4)), rng.standard_normal((20, 4))
    y, y_val = rng.standard_normal(20), rng.standard_normal(20)  # pure noise: overfits
    snapshots = []
    net = pn.Sequential([pn.Dense(4, 64), pn.Tanh(), pn.Dense(64, 1)], seed=0)
    stopper = EarlyStopping(patience=1000)
    net.fit(
        X,
        y,
        loss="mse",
        optimizer=pn.Adam(lr=0.01),
        epochs=60,
        validation_data=(X_val, y_val),
        early_stopping=stopper,
        callbacks=[lambda epoch, logs: snapshots.append(net.parameters.copy())],
    )
    best = int(np.argmin(net.history.val_loss))
    assert len(net.history.loss) == 60 and best < 59  # it did not fire
    np.testing.assert_array_equal(net.parameters, snapshots[best])
    assert stopper.best_epoch == best + 1


def test_early_stopping_fires_after_patience():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 4)), rng.standard_normal(20)
    net = pn.Sequential([pn.Dense(4, 64), pn.Tanh(), pn.Dense(64, 1)], seed=0)
    net.fit(
        X,
        y,
        loss="mse",
        optimizer=pn.Adam(lr=0.01),
        epochs=500,
        validation_data=(X + 1, y),
        early_stopping=EarlyStopping(patience=5),
    )
    best = int(np.argmin(net.history.val_loss))
    assert len(net.history.val_loss) == best + 1 + 5


def test_early_stopping_on_val_loss_needs_validation_data():
    X, y = data()
    with pytest.raises(ValueError, match="needs validation_data"):
        net4().fit(X, y, loss="mse", early_stopping=EarlyStopping())


def test_same_seed_twice_in_the_seeds_class():
    X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]
    a, b = pn.NeuralNetwork([2, 3, 1], seed=4), pn.NeuralNetwork([2, 3, 1], seed=4)
    a.train(X, y, iterations=500)
    b.train(X, y, iterations=500)
    for wa, wb in zip(a.synaptic_weights, b.synaptic_weights, strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_no_numpy_warnings_while_training_on_extreme_data():
    X = np.array([[1e3, -1e3], [-1e3, 1e3]] * 4)
    y = np.array([0, 1] * 4)
    net = pn.Sequential([pn.Dense(2, 2)], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit(X, y, loss="cross_entropy", optimizer=pn.SGD(lr=0.1), epochs=5)
        net.fit(X, np.eye(2)[y], loss="mse", epochs=1)
    assert np.isfinite(net.parameters).all()


def poison_step(number):
    """A grad_hook that makes the update of step ``number`` overflow the weights."""
    steps = []

    def hook(grads):
        steps.append(1)
        if len(steps) == number:
            grads[:] = np.inf

    return hook


@pytest.mark.parametrize(
    "epochs, message",
    [(5, "epoch 2"), (2, "last update overflowed")],  # caught at that epoch's end
)
def test_an_overflowing_last_update_of_an_epoch_restores_the_epochs_start(
    epochs, message
):
    X, y = data(n=16)
    net = net4()
    at_epoch_end = []
    with pytest.raises(pn.TrainingDivergedError, match=message):
        net.fit(
            X,
            y,
            loss="mse",
            optimizer=pn.SGD(lr=0.1),
            epochs=epochs,
            batch_size=8,
            shuffle=False,
            grad_hook=poison_step(4),  # the last step of epoch 2
            callbacks=[lambda e, logs: at_epoch_end.append(net.parameters.copy())],
        )
    # the last weights known to be finite are those that began epoch 2
    np.testing.assert_array_equal(net.parameters, at_epoch_end[0])
    assert len(net.history.loss) == 2
