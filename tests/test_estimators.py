"""NeuralNetClassifier and NeuralNetRegressor: targets of every kind, partial_fit,
warm_start, early stopping, the L2 penalty, dropout, and bad input."""

import pickle
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import plainnet as pn
from blas_helpers import blas_threads
from plainnet import NeuralNetClassifier, NeuralNetRegressor, training
from plainnet.sklearn import _fitting

FAST = {
    "hidden_layer_sizes": (16,),
    "batch_size": 16,
    "max_epochs": 30,
    "random_state": 0,
}


@pytest.fixture(autouse=True)
def _quiet_convergence():
    """Short test fits rarely converge; the warning itself is tested below."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture
def blobs():
    X, y = make_blobs(n_samples=120, centers=3, n_features=4, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.fixture
def regression():
    X, y = make_regression(n_samples=100, n_features=5, n_targets=2, random_state=0)
    return X, y / y.std(axis=0)


# -- importing -------------------------------------------------------------------
def test_import_plainnet_does_not_import_sklearn_and_missing_sklearn_names_extra():
    code = textwrap.dedent(
        """
        import sys
        import plainnet
        assert "sklearn" not in sys.modules, "import plainnet imported sklearn"
        sys.modules["sklearn"] = None  # as if scikit-learn were not installed
        try:
            plainnet.NeuralNetClassifier
        except ImportError as error:
            print(error)
        else:
            raise SystemExit("no ImportError")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert 'pip install ".[sklearn]"' in result.stdout


def test_unknown_attribute_of_plainnet_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NeuralNet'"):
        pn.NeuralNet  # noqa: B018


# -- classification --------------------------------------------------------------
def test_string_labels_round_trip_and_probabilities_follow_classes(blobs):
    X, y = blobs
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = NeuralNetClassifier(**FAST).fit(X, names)
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]
    predicted = model.predict(X)
    assert predicted.dtype == names.dtype and set(predicted) <= set(names)
    proba = model.predict_proba(X)
    assert proba.shape == (120, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predicted)
    assert model.score(X, names) > 0.9


def test_binary_labels_give_two_probability_columns(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).fit(X, y == 2)
    assert list(model.classes_) == [False, True]
    assert model.predict_proba(X[:5]).shape == (5, 2)
    assert model.n_outputs_ == 2


def test_number_of_classes_comes_from_the_labels_never_the_largest_label(blobs):
    X, y = blobs
    labels = np.array([0, 5, 9])[y]
    model = NeuralNetClassifier(**FAST).fit(X, labels)
    assert list(model.classes_) == [0, 5, 9]
    assert model.model_.n_outputs == 3
    assert set(model.predict(X)) <= {0, 5, 9}


def test_multilabel_targets_get_one_sigmoid_output_per_label(blobs):
    X, y = blobs
    Y = np.column_stack([y == 0, y != 1, X[:, 0] > 0]).astype(int)
    model = NeuralNetClassifier(**{**FAST, "max_epochs": 100}).fit(X, Y)
    assert list(model.classes_) == [0, 1, 2]
    predicted = model.predict(X)
    assert predicted.shape == (120, 3) and set(np.unique(predicted)) <= {0, 1}
    proba = model.predict_proba(X)
    assert proba.shape == (120, 3) and ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    assert isinstance(model.model_.loss, pn.BinaryCrossEntropy)
    assert model.score(X, Y) > 0.8  # subset accuracy


def test_one_hot_y_is_read_as_multilabel_indicators(blobs):
    X, y = blobs
    one_hot = np.eye(3, dtype=int)[y]
    model = NeuralNetClassifier(**FAST).fit(X, one_hot)
    assert isinstance(model.model_.loss, pn.BinaryCrossEntropy)
    assert list(model.classes_) == [0, 1, 2]
    assert model.predict(X).shape == (120, 3)


def test_column_vector_y_warns_and_is_used_as_1d(blobs):
    from sklearn.exceptions import DataConversionWarning

    X, y = blobs
    with pytest.warns(DataConversionWarning):
        model = NeuralNetClassifier(**FAST).fit(X, y.reshape(-1, 1))
    assert model.predict(X).shape == (120,)


def test_multiclass_multioutput_y_is_rejected(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"multi-class labels of shape \(120, 2\)"):
        NeuralNetClassifier(**FAST).fit(X, np.column_stack([y, y]))


# -- regression ------------------------------------------------------------------
def test_regressor_single_and_multi_output(regression):
    X, Y = regression
    multi = NeuralNetRegressor(**{**FAST, "max_epochs": 200}).fit(X, Y)
    assert multi.predict(X).shape == (100, 2) and multi.n_outputs_ == 2
    assert multi.score(X, Y) > 0.8
    single = NeuralNetRegressor(**FAST).fit(X, Y[:, 0])
    prediction = single.predict(X[:7])
    assert prediction.shape == (7,) and prediction.dtype == np.float64
    column = NeuralNetRegressor(**FAST).fit(X, Y[:, :1])
    assert column.predict(X[:7]).shape == (7, 1)


def test_regressor_partial_fit_checks_the_number_of_targets(regression):
    X, Y = regression
    model = NeuralNetRegressor(**FAST).partial_fit(X, Y)
    with pytest.raises(ValueError, match="y has 1 target"):
        model.partial_fit(X, Y[:, 0])


# -- the network and its training ------------------------------------------------
def test_model_is_the_sequential_built_from_the_parameters(blobs):
    X, y = blobs
    model = NeuralNetClassifier(
        hidden_layer_sizes=(8, 6), activation="tanh", dropout=0.25, max_epochs=2
    ).fit(X, y)
    kinds = [type(layer).__name__ for layer in model.model_.layers]
    assert kinds == ["Dense", "Tanh", "Dropout", "Dense", "Tanh", "Dropout", "Dense"]
    assert [layer.n_out for layer in model.model_.layers[::3]] == [8, 6, 3]
    assert model.model_.layers[2].rate == 0.25
    assert model.model_.dtype == np.float32
    assert len(model.model_.history.loss) == model.n_iter_ == 2


def test_no_hidden_layers_is_a_linear_model(blobs):
    X, y = blobs
    model = NeuralNetClassifier(hidden_layer_sizes=(), max_epochs=5).fit(X, y)
    assert [type(layer).__name__ for layer in model.model_.layers] == ["Dense"]


def test_same_random_state_gives_identical_models(blobs):
    X, y = blobs
    params = {**FAST, "dropout": 0.2, "early_stopping": True}
    first = NeuralNetClassifier(**params).fit(X, y)
    second = NeuralNetClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(first.model_.parameters, second.model_.parameters)
    assert first.loss_curve_ == second.loss_curve_


def test_fitted_attributes(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).fit(X, y)
    assert model.n_features_in_ == 4 and not hasattr(model, "feature_names_in_")
    assert len(model.loss_curve_) == model.n_iter_ == 30
    assert model.best_loss_ == min(model.loss_curve_)
    assert model.validation_scores_ is None


def test_loss_curve_is_the_training_loss_plus_the_l2_term(blobs):
    X, y = blobs
    plain = NeuralNetClassifier(**FAST, alpha=0.0).fit(X, y)
    assert plain.loss_curve_ == plain.model_.history.loss
    model = NeuralNetClassifier(**FAST, alpha=2.0).fit(X, y)
    weights = [w for name, w in model.model_.named_parameters().items() if "W" in name]
    penalty = 0.5 * 2.0 * sum(float((w.astype(float) ** 2).sum()) for w in weights) / 16
    assert model.loss_curve_[-1] == pytest.approx(
        model.model_.history.loss[-1] + penalty, rel=1e-5
    )


def test_training_loss_plateau_stops_before_max_epochs(blobs):
    X, y = blobs
    model = NeuralNetClassifier(
        hidden_layer_sizes=(32,),
        learning_rate=0.05,
        max_epochs=500,
        tol=1e-2,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X, y)
    assert model.n_iter_ < 500


def test_convergence_warning_when_max_epochs_is_reached(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("always", ConvergenceWarning)
        for estimator in (NeuralNetClassifier, NeuralNetRegressor):
            with pytest.warns(ConvergenceWarning, match="max_epochs=3") as caught:
                line = sys._getframe().f_lineno + 1
                estimator(max_epochs=3).fit(X, y)
            # it points at the caller's line, not into plainnet
            assert (caught[0].filename, caught[0].lineno) == (__file__, line)


def test_summary_is_the_fitted_networks(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST)
    with pytest.raises(NotFittedError, match="NeuralNetClassifier instance is not"):
        model.summary()
    model.fit(X, y)
    assert model.summary() == model.model_.summary()
    assert "0  Dense  (n, 16)" in model.summary()
    regressor = NeuralNetRegressor(**FAST).fit(X, y.astype(float))
    assert regressor.summary().splitlines()[-2].startswith("trainable parameters: 97")


def test_early_stopping_restores_the_weights_of_the_best_validation_epoch(
    blobs, monkeypatch
):
    X, y = blobs
    seen = []

    class RecordingEarlyStopping(pn.EarlyStopping):
        def update(self, epoch, cost, parameters):
            seen.append((cost, parameters.copy()))
            return super().update(epoch, cost, parameters)

    monkeypatch.setattr(_fitting, "EarlyStopping", RecordingEarlyStopping)
    rng = np.random.default_rng(0)
    noisy = np.where(rng.random(len(y)) < 0.3, rng.integers(0, 3, len(y)), y)
    model = NeuralNetClassifier(
        hidden_layer_sizes=(64,),
        learning_rate=0.01,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=5,
        tol=0.0,
        max_epochs=300,
        random_state=0,
    ).fit(X, noisy)
    val_losses = [cost for cost, _ in seen]
    best = int(np.argmin(val_losses))
    assert val_losses == model.model_.history.val_loss
    assert model.n_iter_ == best + 1 + 5 < 300  # stopped 5 epochs after the best
    np.testing.assert_array_equal(model.model_.parameters, seen[best][1])
    assert model.best_loss_ == val_losses[best]
    assert len(model.validation_scores_) == model.n_iter_
    assert all(0 <= score <= 1 for score in model.validation_scores_)


def test_early_stopping_split_is_stratified_and_sized(blobs, monkeypatch):
    X, y = blobs
    sizes = []
    original = pn.Sequential.fit

    def fit(net, X_train, y_train, **kwargs):
        sizes.append((len(X_train), len(kwargs["validation_data"][0])))
        labels = kwargs["validation_data"][1]
        assert np.bincount(labels).tolist() == [8, 8, 8]  # 40 of each, 20% held out
        return original(net, X_train, y_train, **kwargs)

    monkeypatch.setattr(pn.Sequential, "fit", fit)
    NeuralNetClassifier(early_stopping=True, validation_fraction=0.2, max_epochs=2).fit(
        X, y
    )
    assert sizes == [(96, 24)]


def test_l2_penalty_adds_alpha_w_over_batch_size_to_the_weight_gradients(blobs):
    X, y = blobs
    # one full-batch SGD step from the same initial weights, with and without alpha
    params = {
        "hidden_layer_sizes": (5,),
        "optimizer": "sgd",
        "learning_rate": 0.1,
        "batch_size": 1000,
        "max_epochs": 1,
        "random_state": 0,
        "dtype": "float64",
    }
    plain = NeuralNetClassifier(**params, alpha=0.0).fit(X, y).model_
    penalised = NeuralNetClassifier(**params, alpha=3.0).fit(X, y).model_
    layers = [pn.Dense(4, 5), pn.ReLU(), pn.Dense(5, 3)]  # as built, same seed
    start = pn.Sequential(layers, seed=plain.seed, dtype="float64").named_parameters()
    for name, after in penalised.named_parameters().items():
        expected = plain.named_parameters()[name].copy()
        if name.endswith(".W"):  # w -= lr * alpha * w / n, biases untouched
            expected -= 0.1 * 3.0 * start[name] / len(X)
        np.testing.assert_allclose(after, expected, rtol=1e-12, atol=1e-12)


def test_larger_alpha_shrinks_the_weights(blobs):
    X, y = blobs
    norms = [
        np.linalg.norm(NeuralNetClassifier(**FAST, alpha=a).fit(X, y).model_.parameters)
        for a in (0.0, 50.0)
    ]
    assert norms[1] < 0.7 * norms[0]


def test_dropout_trains_and_predicts_deterministically(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**{**FAST, "max_epochs": 60}, dropout=0.3).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))
    assert model.score(X, y) > 0.9


@pytest.mark.parametrize("hidden, single", [((64, 64), True), ((512, 512), False)])
def test_small_networks_train_with_one_blas_thread(
    blobs, threads_in_training, hidden, single
):
    X, y = blobs
    outside = blas_threads()
    NeuralNetClassifier(hidden, batch_size=120, max_epochs=1).fit(X, y)
    # a batch of 120 through 64 x 64 is below SINGLE_THREAD_WORK, 512 x 512 is not
    work = 120 * hidden[0] * hidden[1]
    assert (work < training.SINGLE_THREAD_WORK) == single
    assert threads_in_training == [[1] * len(outside) if single else outside]
    assert blas_threads() == outside


def test_verbose_shows_no_bar_when_stderr_is_not_a_terminal(blobs, capsys):
    X, y = blobs
    NeuralNetClassifier(max_epochs=3, verbose=True).fit(X, y)
    assert capsys.readouterr().err == ""


def test_batch_size_larger_than_the_data_is_clipped(blobs):
    X, y = blobs
    model = NeuralNetClassifier(batch_size=10**6, max_epochs=2).fit(X, y)
    assert model.n_iter_ == 2


def test_float64_dtype_and_integer_X_left_unchanged(blobs):
    X, y = blobs
    X_int = np.round(X * 10).astype(np.int64)
    before = X_int.copy()
    model = NeuralNetClassifier(**FAST, dtype="float64").fit(X_int, y)
    np.testing.assert_array_equal(X_int, before)
    assert model.model_.parameters.dtype == np.float64
    assert model.predict_proba(X_int).dtype == np.float64


# -- partial_fit and warm_start ----------------------------------------------------
def test_partial_fit_needs_classes_first_then_accepts_them_on_every_call(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model.partial_fit(X, y)
    # dask-ml passes classes on every call; a chunk may lack some classes
    for chunk in np.array_split(np.argsort(y, kind="stable"), 6):
        model.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    assert model.n_iter_ == 6 and list(model.classes_) == [0, 1, 2]
    model.partial_fit(X, y)  # classes optional after the first call
    assert model.n_iter_ == 7
    assert model.validation_scores_ is None
    with pytest.raises(ValueError, match="not the same as on the first call"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])


def test_partial_fit_names_labels_outside_classes(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"not in classes_ .*: \[7\]"):
        model.partial_fit(X[:3], [0, 7, 1])
    with pytest.raises(ValueError, match=r"not in classes_ .*: \[3\]"):
        NeuralNetClassifier().partial_fit(X[:4], [0, 1, 2, 3], classes=[0, 1, 2])


def test_partial_fit_pickles_after_every_call_and_resumes_identically(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST, dropout=0.1)
    for chunk in np.array_split(np.arange(len(y)), 4):
        model.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
        copy = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(copy.predict_proba(X), model.predict_proba(X))
        assert copy.predict(np.zeros((1, 4))).shape == (1,)
    # the copy trains exactly like the original: its layers still use its buffers
    model.partial_fit(X, y)
    copy.partial_fit(X, y)
    np.testing.assert_array_equal(copy.model_.parameters, model.model_.parameters)
    np.testing.assert_array_equal(copy.predict_proba(X), model.predict_proba(X))


def test_partial_fit_keeps_the_optimizer_state(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).partial_fit(X, y, classes=[0, 1, 2])
    optimizer = model.model_.optimizer
    model.partial_fit(X, y)
    assert model.model_.optimizer is optimizer
    assert optimizer.state["step"] == 2 * 8  # two epochs of 8 batches of 16


def test_partial_fit_on_multilabel_targets(blobs):
    X, y = blobs
    Y = np.column_stack([y == 0, y == 1])
    model = NeuralNetClassifier(**FAST).partial_fit(X, Y, classes=[0, 1])
    model.partial_fit(X, Y, classes=[0, 1])
    assert model.predict(X).shape == (120, 2)
    with pytest.raises(ValueError, match="multi-label"):
        model.partial_fit(X, y)


def test_warm_start_continues_and_cold_start_begins_anew(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**{**FAST, "max_epochs": 5}, warm_start=True)
    model.fit(X, y)
    network = model.model_
    model.fit(X, y)
    assert model.model_ is network and model.n_iter_ == 10
    assert len(model.loss_curve_) == 10
    model.set_params(warm_start=False).fit(X, y)
    assert model.model_ is not network and model.n_iter_ == 5


def test_warm_start_needs_the_same_classes(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start needs y with the same classes"):
        model.fit(X[y < 2], y[y < 2])


def test_warm_start_or_partial_fit_after_changing_the_architecture_is_refused(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST, warm_start=True).fit(X, y)
    model.set_params(hidden_layer_sizes=(8, 8))
    with pytest.raises(ValueError, match=r"built with .* = \(\(16,\), 'relu'"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="warm_start=False for a new network"):
        model.partial_fit(X, y)
    model.set_params(warm_start=False).fit(X, y)
    assert model.model_.layers[2].n_out == 8


def test_fit_after_partial_fit_starts_anew(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).partial_fit(X, y, classes=[0, 1, 2, 3])
    model.fit(X, y)
    assert list(model.classes_) == [0, 1, 2] and model.n_iter_ == 30


# -- pandas ----------------------------------------------------------------------
def test_feature_names_in_from_a_dataframe(blobs):
    X, y = blobs
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = NeuralNetRegressor(**FAST).fit(frame, pd.Series(y, dtype=float))
    assert list(model.feature_names_in_) == ["a", "b", "c", "d"]
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        np.testing.assert_array_equal(model.predict(frame), model.predict(X))
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame[["b", "a", "c", "d"]])


# -- bad input -------------------------------------------------------------------
@pytest.mark.parametrize("Estimator", [NeuralNetClassifier, NeuralNetRegressor])
def test_predict_before_fit_is_not_fitted_error(Estimator, blobs):
    with pytest.raises(NotFittedError):
        Estimator().predict(blobs[0])


def test_predict_proba_before_fit_is_not_fitted_error(blobs):
    with pytest.raises(NotFittedError):
        NeuralNetClassifier().predict_proba(blobs[0])


@pytest.mark.parametrize("value, kind", [(np.nan, "NaN"), (np.inf, "inf")])
def test_nan_or_inf_in_X_names_the_kind_the_column_and_the_rows(blobs, value, kind):
    X, y = blobs
    X = X.copy()
    X[[3, 7], 2] = value
    message = rf"X contains {kind} in column\(s\) \[2\], in 2 row"
    with pytest.raises(ValueError, match=message):
        NeuralNetClassifier().fit(X, y)
    model = NeuralNetClassifier(**FAST).fit(blobs[0], y)
    with pytest.raises(ValueError, match=kind):
        model.predict(X)


def test_a_finite_value_too_large_for_float32_is_named_not_called_inf(blobs):
    X, y = blobs
    X = X.copy()
    X[5, 1] = 1e160
    message = (
        r"X holds 1e\+160 \(row 5, column 1\), too large for float32 \(largest "
        r"3.4028235e\+38; 1 such value\(s\) in column\(s\) \[1\]\): rescale the "
        r"column, or use dtype='float64'"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow in a cast
        with pytest.raises(ValueError, match=message):
            NeuralNetClassifier().fit(X, y)
        with pytest.raises(ValueError, match=message):
            NeuralNetRegressor().fit(X, y)
        model = NeuralNetClassifier(**FAST).fit(blobs[0], y)
        with pytest.raises(ValueError, match=message):
            model.predict(X)
        with pytest.raises(ValueError, match=message):
            pn.Sequential([pn.Dense(4, 1)], dtype="float32").predict(X)


def test_nan_in_y_is_rejected(regression):
    X, Y = regression
    Y = Y[:, 0].copy()
    Y[4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        NeuralNetRegressor().fit(X, Y)


def test_wrong_number_of_features_at_predict(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).fit(X, y)
    message = "X has 6 features, but NeuralNetClassifier is expecting 4 features"
    with pytest.raises(ValueError, match=message):
        model.predict(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="X has 3 features"):
        model.partial_fit(X[:, :3], y)


def test_one_dimensional_and_empty_X_are_rejected_with_a_hint(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        NeuralNetClassifier().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="0 sample"):
        NeuralNetClassifier().fit(X[:0], y[:0])


def test_a_single_row_keeps_its_two_dimensional_shape(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).fit(X, y)
    assert model.predict(X[:1]).shape == (1,)
    assert model.predict_proba(X[:1]).shape == (1, 3)
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        model.predict(X[0])


def test_a_single_class_is_named(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match=r"at least 2 classes.*one class only: 'spam'"):
        NeuralNetClassifier().fit(X, ["spam"] * len(X))


def test_continuous_or_mixed_labels_are_rejected(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="Unknown label type"):
        NeuralNetClassifier().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="Unknown label type"):
        NeuralNetClassifier().fit(X[:4], np.array([0, "a", 1, "b"], dtype=object))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"hidden_layer_sizes": (10, 0)}, r"hidden_layer_sizes .* got \(10, 0\)"),
        ({"hidden_layer_sizes": -3}, "hidden_layer_sizes"),
        ({"activation": "sigmoidal"}, "unknown activation 'sigmoidal'; expected"),
        ({"optimizer": "nadam"}, "unknown optimizer 'nadam'; expected one of"),
        ({"dtype": "int32"}, "dtype must be one of"),
        ({"dtype": ","}, "dtype must be one of .* got ','"),  # NumPy: SyntaxError
        ({"dtype": "a,b"}, "dtype must be one of"),  # NumPy: a record, deprecated
        ({"learning_rate": 0}, r"learning_rate must be a number in \(0, inf\)"),
        ({"batch_size": 0}, r"batch_size must be an int in \[1, inf\)"),
        ({"max_epochs": 2.5}, "max_epochs must be an int"),
        ({"alpha": -1}, "alpha"),
        ({"dropout": 1.0}, r"dropout must be a number in \[0, 1\)"),
        ({"validation_fraction": 0.0}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"tol": -0.1}, "tol"),
    ],
)
def test_bad_parameters_are_named_at_fit(blobs, params, message):
    X, y = blobs
    model = NeuralNetClassifier(**params)  # constructing stores only
    assert model.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_ctrl_c_keeps_the_epochs_so_far_without_a_convergence_warning(
    blobs, monkeypatch
):
    X, y = blobs
    original = pn.Sequential.fit

    def fit(net, *args, callbacks=(), **kwargs):
        def press_ctrl_c(epoch, logs):
            if epoch == 3:
                signal.raise_signal(signal.SIGINT)

        return original(net, *args, callbacks=[*callbacks, press_ctrl_c], **kwargs)

    monkeypatch.setattr(pn.Sequential, "fit", fit)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = NeuralNetClassifier(**FAST).fit(X, y)
    kinds = [warning.category for warning in caught]
    assert pn.TrainingInterrupted in kinds and ConvergenceWarning not in kinds
    assert model.n_iter_ == len(model.loss_curve_) <= 4  # stops at a batch boundary
    assert model.predict(X).shape == (120,)


def test_a_failed_fit_leaves_the_estimator_unfitted(blobs):
    X, y = blobs
    model = NeuralNetClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, np.where(y == 0, "a", "b"), sample_weight=np.zeros(len(y)))
    with pytest.raises(NotFittedError):
        model.predict(X)


def test_divergence_raises_and_keeps_finite_weights(regression):
    X, Y = regression
    model = NeuralNetRegressor(optimizer="sgd", learning_rate=1e3, max_epochs=50)
    with pytest.raises(pn.TrainingDivergedError, match="diverged in epoch"):
        model.fit(X * 1e3, Y)
    assert np.isfinite(model.model_.parameters).all()
