"""Each way of failing that ``pn.Diagnostics`` and ``pn.diagnose`` know, produced
on purpose on small seeded runs, gets its diagnosis; healthy runs get none."""

import re
import warnings

import numpy as np
import pytest

import plainnet as pn
import plainnet.diagnostics as pnd
from plainnet import cli
from plainnet.datasets import DATASETS, make_dataset
from plainnet.layers import dense_stack


def regression(scale_column=None):
    """200 rows of 3 standard normal features, a linear target."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(200)
    if scale_column is not None:
        X[:, scale_column] *= 1e6
    return X, y


def small_tanh_net():
    return pn.Sequential([pn.Dense(3, 16), pn.Tanh(), pn.Dense(16, 1)], seed=0)


@pytest.fixture(scope="module")
def digits():
    datasets = pytest.importorskip("sklearn.datasets")
    return datasets.load_digits(return_X_y=True)


# -- a learning rate too large ----------------------------------------------------
def test_divergence_names_the_learning_rate_to_try():
    X, y = regression()
    with pytest.raises(pn.TrainingDivergedError) as error:
        small_tanh_net().fit(
            X, y, loss="mse", optimizer=pn.SGD(lr=4), epochs=50, batch_size=32
        )
    assert str(error.value).startswith(
        "training diverged in epoch 1: the cost became 5.34e+15 (1.72e+15 times "
        "the untrained cost) with learning rate 4.0. Try 0.4, ten times smaller. "
        "The last finite weights"
    )


def test_diagnose_finds_the_divergence_and_a_rate_that_works():
    X, y = regression()
    net = small_tanh_net()
    before = net.parameters.copy()
    report = pn.diagnose(net, X, y, loss="mse", optimizer=pn.SGD(lr=4))
    assert report.kinds == ["diverged"]
    assert str(report) == (
        "The loss became 5.34e+15 (1.72e+15 times the untrained cost) at epoch 1 "
        "with learning rate 4: try 0.4, ten times smaller."
    )
    np.testing.assert_array_equal(net.parameters, before)  # probed on a copy
    fixed = pn.diagnose(net, X, y, loss="mse", optimizer=pn.SGD(lr=0.4))
    assert len(fixed) == 0 and str(fixed) == "No problem found."


# -- a feature out of scale --------------------------------------------------------
def test_diagnose_names_the_feature_out_of_scale():
    X, y = regression(scale_column=1)
    names = ["age", "income", "height"]
    report = pn.diagnose(
        small_tanh_net(), X, y, loss="mse", optimizer="adam", feature_names=names
    )
    assert str(report.findings[0]) == (
        "feature 'income' has a scale of 1e6 while the others are near 1: "
        "standardize the features"
    )
    X_fixed = (X - X.mean(axis=0)) / X.std(axis=0)
    assert not pn.diagnose(small_tanh_net(), X_fixed, y, loss="mse", optimizer="adam")


def test_a_data_frame_names_its_columns():
    pd = pytest.importorskip("pandas")
    X, y = regression(scale_column=2)
    frame = pd.DataFrame(X, columns=["a", "b", "income"])
    report = pn.diagnose(small_tanh_net(), frame, y, loss="mse")
    assert "feature 'income' has a scale of 1e6" in str(report.findings[0])


def test_divergence_from_a_feature_out_of_scale_names_the_feature():
    X, y = regression(scale_column=1)
    net = pn.Sequential([pn.Dense(3, 1)], seed=0)
    with pytest.raises(
        pn.TrainingDivergedError, match=r"rate 0\.01\. Feature"
    ) as error:
        net.fit(X, y, loss="mse", optimizer=pn.SGD(lr=0.01), epochs=50)
    assert (
        "Feature 1 has a scale of 1e6 while the others are near 1: "
        "standardize the features, or try a smaller learning rate." in str(error.value)
    )


def test_divergence_with_values_beyond_1e154_is_diagnosed_without_overflow():
    rng = np.random.default_rng(0)
    images, labels = rng.standard_normal((64, 1, 8, 8)), rng.integers(0, 3, 64)
    cnn = pn.Sequential(
        [pn.Conv2D(1, 4, 3), pn.ReLU(), pn.Flatten(), pn.Dense(3)], seed=0
    )
    # the Dense layer sees what the convolution computed, not the features
    with pytest.raises(pn.TrainingDivergedError, match=r"rate 1e\+300\. Try 1e\+299"):
        cnn.fit(
            images, labels, loss="cross_entropy", optimizer=pn.SGD(lr=1e300), epochs=5
        )
    X, y = regression()
    X[:, 1] *= 1e160
    with pytest.raises(
        pn.TrainingDivergedError, match="Feature 1 has a scale of 1e160"
    ):
        pn.Sequential([pn.Dense(3, 1)], seed=0).fit(
            X, y, loss="mse", optimizer=pn.SGD(lr=0.1)
        )
    finding = pnd.feature_scale_finding(
        np.array([[1e200, 1.0, 2.0], [-1e200, 2.0, 1.0]])
    )
    assert finding.cause == (
        "feature 0 has a scale of 1e200 while the others are near 1.6"
    )


# -- dead ReLUs ------------------------------------------------------------------
def relu_net():
    layers = [
        pn.Dense(64, 64),
        pn.ReLU(),
        pn.Dense(64, 64),
        pn.ReLU(),
        pn.Dense(64, 10),
    ]
    return pn.Sequential(layers, seed=0)


def test_dead_relus_after_a_learning_rate_too_large(digits):
    X, y = digits
    diagnostics = pn.Diagnostics()
    relu_net().fit(
        X / 16,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.1),
        epochs=20,
        batch_size=32,
        callbacks=[diagnostics],
    )
    report = diagnostics.report()
    assert report.kinds == ["dead_relu", "dead_relu"]
    for finding, layer in zip(report, (1, 3), strict=True):
        assert re.fullmatch(
            rf"\d\d% of the ReLUs of layer {layer} never activate: lower the "
            "learning rate or use LeakyReLU",
            str(finding),
        )
        assert diagnostics.layers[layer]["dead"][-1] >= 0.85
    healthy = pn.Diagnostics()
    relu_net().fit(
        X / 16,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.001),
        epochs=20,
        batch_size=32,
        callbacks=[healthy],
    )
    assert not healthy.report()


# -- saturated sigmoids ----------------------------------------------------------
def sigmoid_net():
    layers = [pn.Dense(64, 32, init="uniform"), pn.Sigmoid(), pn.Dense(32, 10)]
    return pn.Sequential(layers, seed=0)


def test_saturated_sigmoids_from_raw_pixels(digits):
    X, y = digits  # pixel values 0..16
    diagnostics = pn.Diagnostics()
    settings = dict(
        loss="cross_entropy", optimizer=pn.Adam(lr=1e-3), epochs=10, batch_size=32
    )
    sigmoid_net().fit(X, y, callbacks=[diagnostics], **settings)
    expected = "The sigmoid outputs of layer 1 are saturated: scale the inputs."
    assert str(diagnostics.report()) == expected
    assert str(pn.diagnose(sigmoid_net(), X, y, **settings)) == expected
    scaled = pn.Diagnostics()
    sigmoid_net().fit(X / 16, y, callbacks=[scaled], **settings)
    assert not scaled.report()


# -- overfitting -----------------------------------------------------------------
def overfit_run(early_stopping):
    X, y = make_dataset("moons", 30, noise=0.35, seed=0)
    validation = make_dataset("moons", 300, noise=0.35, seed=1)
    layers = [
        pn.Dense(2, 128),
        pn.ReLU(),
        pn.Dense(128, 128),
        pn.ReLU(),
        pn.Dense(128, 2),
    ]
    diagnostics = pn.Diagnostics()
    pn.Sequential(layers, seed=0).fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.01),
        epochs=60,
        validation_data=validation,
        early_stopping=early_stopping,
        callbacks=[diagnostics],
    )
    return diagnostics.report()


def test_overfitting_with_early_stopping_names_the_kept_epoch():
    report = overfit_run(pn.EarlyStopping(patience=40))
    assert str(report) == (
        "The validation loss rises from epoch 13 while the training loss falls: "
        "the network overfits; early stopping kept epoch 12."
    )


def test_overfitting_without_early_stopping_says_where_to_stop():
    report = overfit_run(None)
    assert report.kinds == ["overfit"]
    assert "the network overfits; stop at epoch 12 (EarlyStopping)" in str(report)


def history(loss, val_loss):
    from plainnet.callbacks import History

    record = History()
    record.loss, record.val_loss = list(loss), list(val_loss)
    return record


def test_overfitting_from_the_first_epoch_is_seen():
    falling = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2]
    rising = [1.8, 2.2, 2.6, 2.5, 2.9, 2.7, 2.9]
    finding = pnd.overfit_finding(history(falling, rising))
    assert str(finding) == (
        "the validation loss rises from epoch 2 while the training loss falls: the "
        "network overfits; stop at epoch 1 (EarlyStopping), or use more data, a "
        "smaller network, Dropout or an L2 penalty"
    )
    assert (
        pnd.overfit_finding(history(falling, [1.8, 1.9, 1.8, 1.85, 1.9, 1.8, 1.9]))
        is None
    )


def test_a_training_loss_that_jumps_up_says_the_steps_are_too_large(
    capsys, tmp_path, monkeypatch
):
    """The guide's example: Adam at 0.3 on the moons; the validation loss is
    lowest after the first epoch, the training loss jumps from 0.71 to 7.8."""
    monkeypatch.chdir(tmp_path)
    status = cli.main(["train", "--dataset", "moons", "--diagnose", "--lr", "0.3"])
    assert status == 0
    printed = capsys.readouterr().out
    assert printed.endswith(
        "kept the weights of epoch 1 of 11 (lowest validation loss, 1.80966); saved "
        "to model.npz\ndiagnosis: The training loss rose from 0.711 in epoch 1 to "
        "7.8 in epoch 3: the steps are too large; try a learning rate of 0.03, ten "
        "times smaller.\n"
    )
    falling = history([0.7, 0.5, 0.45, 0.5, 0.4], [0.8, 0.6, 0.5, 0.5, 0.5])
    assert pnd.unstable_finding(falling, pn.Adam(lr=0.01)) is None


# -- no false alarms ---------------------------------------------------------------
@pytest.mark.parametrize("name", DATASETS)
def test_no_diagnosis_for_the_built_in_data_sets(name):
    """As ``plainnet train --dataset NAME`` trains: standardized, 64-32 ReLU,
    Adam(0.01), batch 32, 200 epochs, 20% validation, best epoch kept."""
    X, y = make_dataset(name, seed=0)
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1)
    n_val = int(0.2 * len(X))
    validation = (X[:n_val], y[:n_val]) if n_val else None
    net = pn.Sequential(dense_stack([X.shape[1], 64, 32, 2], "relu"), seed=0)
    diagnostics = pn.Diagnostics()
    net.fit(
        X[n_val:],
        y[n_val:],
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.01),
        epochs=200,
        batch_size=32,
        validation_data=validation,
        early_stopping=pn.EarlyStopping(
            200, 0.0, monitor="val_loss" if n_val else "loss"
        ),
        callbacks=[diagnostics],
    )
    assert str(diagnostics.report()) == "No problem found."
    assert not pn.diagnose(
        pn.Sequential(dense_stack([X.shape[1], 64, 32, 2], "relu"), seed=0),
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.01),
    )


def test_no_diagnosis_for_the_readme_examples(digits):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 20)).astype("float32")
    y = (X[:, :3].sum(axis=1) > 0).astype(int) + (X[:, 3] > 1)
    net = pn.Sequential(
        [pn.Dense(20, 64), pn.ReLU(), pn.Dense(64, 3)], seed=0, dtype="float32"
    )
    diagnostics = pn.Diagnostics()
    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=1e-3),
        epochs=20,
        batch_size=64,
        callbacks=[diagnostics],
    )
    assert not diagnostics.report()

    seed = pn.NeuralNetwork([3, 1])
    diagnostics = pn.Diagnostics(every=1000)
    X_seed, y_seed = make_dataset("seed")
    seed.network.fit(
        X_seed,
        y_seed,
        loss="sse",
        optimizer=pn.SGD(lr=1),
        epochs=15000,
        shuffle=False,
        callbacks=[diagnostics],
    )
    assert not diagnostics.report()

    from plainnet import NeuralNetClassifier

    X, y = digits
    diagnostics = pn.Diagnostics()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: 200 epochs
        NeuralNetClassifier(hidden_layer_sizes=(100, 100), random_state=0).fit(
            X / 16, y, callbacks=[diagnostics]
        )
    assert not diagnostics.report()
    assert diagnostics.epochs[-1] == 200


# -- what is recorded ------------------------------------------------------------
def test_records_per_layer_and_every_n_epochs():
    X, y = make_dataset("moons", seed=0)
    net = pn.Sequential(
        [pn.Dense(2, 8), pn.ReLU(), pn.Dense(8, 8), pn.Tanh(), pn.Dense(8, 2)], seed=0
    )
    diagnostics = pn.Diagnostics(every=4)
    net.fit(
        X, y, loss="cross_entropy", epochs=10, batch_size=50, callbacks=[diagnostics]
    )
    assert diagnostics.epochs == [1, 5, 9, 10]
    assert set(diagnostics.layers) == {0, 1, 2, 3, 4}
    assert set(diagnostics.layers[0]) == {"grad_norm", "update_ratio"}
    assert set(diagnostics.layers[1]) == {"dead"}
    assert set(diagnostics.layers[3]) == {"saturated"}
    ratios = diagnostics.layers[2]["update_ratio"]
    assert all(0 < r < 1 for r in ratios) and len(ratios) == 4
    table = diagnostics.layer_table()
    assert table.splitlines()[0].split() == [
        "layer",
        "grad",
        "norm",
        "update/W",
        "dead",
        "saturated",
    ]
    assert "1 ReLU" in table and "3 Tanh" in table
    assert repr(diagnostics) == "Diagnostics(every=4, sample_size=256)"


# -- convolutional, recurrent and embedding layers ---------------------------------
def remember_first_steps(n=256, steps=60, seed=0):
    """Sequences whose target is the sum of their first five values: a long
    memory, where a recurrent layer's gradients go through every step."""
    X = np.random.default_rng(seed).standard_normal((n, steps, 2)) * 0.5
    return X, X[:, :5, 0].sum(axis=1, keepdims=True)


def test_every_layer_with_parameters_is_watched():
    X, y = remember_first_steps(n=64, steps=12)
    net = pn.Sequential(
        [pn.SwapAxes(), pn.Conv1D(2, 4, 3), pn.ReLU(), pn.SwapAxes(),
         pn.GRU(5, return_sequences=True), pn.Tanh(), pn.Flatten(), pn.Dense(1)],
        seed=0,
        input_shape=(12, 2),
    )  # fmt: skip
    diagnostics = pn.Diagnostics()
    net.fit(X, y, epochs=3, batch_size=16, callbacks=[diagnostics])
    for index in (1, 4, 7):  # Conv1D, GRU, Dense
        assert set(diagnostics.layers[index]) == {"grad_norm", "update_ratio"}
        assert all(v > 0 for v in diagnostics.layers[index]["grad_norm"])
    # the activations are sampled from the GRU's input on, not the Dense's
    assert set(diagnostics.layers[5]) == {"saturated"}
    ids = np.random.default_rng(0).integers(0, 9, (64, 6))
    net = pn.Sequential(
        [pn.Embedding(9, 4), pn.LSTM(3, return_sequences=True), pn.ReLU(),
         pn.Flatten(), pn.Dense(1)],
        seed=0,
    )  # fmt: skip
    diagnostics = pn.Diagnostics()
    y = ids.sum(axis=1, keepdims=True) / 40.0
    net.fit(ids, y, epochs=2, callbacks=[diagnostics])
    assert {"grad_norm", "update_ratio"} <= set(diagnostics.layers[0])
    assert set(diagnostics.layers[2]) == {"dead"}


def test_weights_thrown_far_by_gradients_through_time_name_the_clipping_hook():
    """A recurrence that amplifies: its weights jump by many times their size,
    while the cost, behind a tanh, stays bounded (no divergence to stop)."""
    X, y = remember_first_steps()
    reports = []
    for hook in (None, pn.hooks.clip_by_global_norm(1.0)):
        net = pn.Sequential(
            [pn.SimpleRNN(24), pn.Dense(1)], seed=0, input_shape=(60, 2)
        )
        net.layers[0].params["W_hh"][...] *= 4
        diagnostics = pn.Diagnostics()
        net.fit(X, y, optimizer=pn.SGD(lr=0.05), epochs=15, batch_size=32,
                callbacks=[diagnostics], grad_hook=hook)  # fmt: skip
        reports.append(diagnostics.report())
    assert reports[0].kinds == ["exploding"]
    assert re.fullmatch(
        r"The gradients of layer 0 \(SimpleRNN\) explode through time: its weights "
        r"moved by \S+ times their size by epoch \d+: clip them, fit\(\.\.\., "
        r"grad_hook=plainnet\.hooks\.clip_by_global_norm\(1\.0\)\), or lower "
        r"the learning rate\.",
        str(reports[0]),
    )
    assert not reports[1]  # clipped


def test_a_fast_adam_on_a_gru_is_not_taken_for_exploding_gradients():
    X, y = remember_first_steps(steps=20)
    net = pn.Sequential([pn.GRU(16), pn.Dense(1)], seed=0, input_shape=(20, 2))
    diagnostics = pn.Diagnostics()
    net.fit(X, y, optimizer=pn.Adam(lr=0.1), epochs=10, batch_size=32,
            callbacks=[diagnostics])  # fmt: skip
    assert "exploding" not in diagnostics.report().kinds


def test_a_recurrent_network_that_diverges_is_told_to_clip_and_clipping_trains_it():
    X, y = remember_first_steps(steps=20)

    def rnn():
        layers = [pn.SimpleRNN(16), pn.Dense(1)]
        net = pn.Sequential(layers, seed=0, input_shape=(20, 2))
        net.layers[0].params["W_hh"][...] *= 2  # a recurrence that amplifies
        return net

    with pytest.raises(
        pn.TrainingDivergedError,
        match=r"Try 0\.01, ten times smaller, or clip the gradients, which explode "
        r"through time: grad_hook=plainnet\.hooks\.clip_by_global_norm\(1\.0\)",
    ):
        rnn().fit(X, y, optimizer=pn.SGD(lr=0.1), epochs=30, batch_size=32)
    clipped = rnn()
    clipped.fit(X, y, optimizer=pn.SGD(lr=0.1), epochs=30, batch_size=32,
                grad_hook=pn.hooks.clip_by_global_norm(1.0))  # fmt: skip
    assert clipped.history.loss[-1] < 0.6 * clipped.history.loss[0]


# -- the command line ------------------------------------------------------------
def test_cli_train_diagnose(tmp_path, capsys):
    out = str(tmp_path / "model.npz")
    assert (
        cli.main(
            [
                "train",
                "--dataset",
                "moons",
                "--quiet",
                "--diagnose",
                "--epochs",
                "50",
                "--out",
                out,
            ]
        )
        == 0
    )
    assert "diagnosis: No problem found." in capsys.readouterr().out
    assert (
        cli.main(
            [
                "train",
                "--dataset",
                "moons",
                "--quiet",
                "--diagnose",
                "--lr",
                "1",
                "--batch-size",
                "16",
                "--out",
                out,
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "diagnosis: 84% of the ReLUs of layer 3 never activate" in printed


def test_ids_are_not_taken_for_features_out_of_scale():
    ids = np.random.default_rng(0).integers(0, 5000, (200, 8))
    y = (ids[:, 0] > 2500).astype(float)
    net = pn.Sequential([pn.Embedding(5000, 4), pn.Flatten(), pn.Dense(1)], seed=0)
    report = pn.diagnose(net, ids, y, loss="mse", optimizer=pn.Adam(lr=0.01), epochs=2)
    assert "feature_scale" not in report.kinds
    with pytest.raises(pn.TrainingDivergedError) as error:
        net.fit(ids, y * 1e200, optimizer=pn.SGD(lr=1.0), epochs=2)
    assert "standardize" not in str(error.value)
