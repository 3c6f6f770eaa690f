"""Model files of NeuralNetClassifier and NeuralNetRegressor: round trips of every
kind of target, exact partial_fit after loading, what cannot be saved, hostile
estimator settings, and the command line on an estimator's file."""

import csv
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import plainnet as pn
from cli_helpers import plainnet_cli, write_flowers, write_prices
from plainnet import NeuralNetClassifier, NeuralNetRegressor, model_files
from plainnet.errors import ModelFileError
from test_serialization import document, members, refused, with_document

RNG = np.random.default_rng(0)
X = RNG.standard_normal((60, 4))
SCORE = X[:, 0] + X[:, 1]
LEVEL = np.digitize(SCORE, [-0.7, 0.7])  # 0, 1, 2
# Short test fits rarely converge.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
FAST = {"hidden_layer_sizes": (8,), "batch_size": 16, "max_epochs": 4}

# name: (estimator class, y, extra parameters, fitted on a DataFrame)
CASES = {
    "int-binary": (NeuralNetClassifier, (SCORE > 0).astype(int), {}, False),
    "int32-3-classes": (NeuralNetClassifier, LEVEL.astype(np.int32), {}, False),
    "strings-dataframe": (
        NeuralNetClassifier,
        np.array(["cat", "dog", "emu"])[LEVEL],
        {"early_stopping": True},
        True,
    ),
    "bools": (NeuralNetClassifier, SCORE > 0, {"dropout": 0.2}, False),
    "floats": (NeuralNetClassifier, (SCORE > 0).astype(float), {}, False),
    "uint8": (NeuralNetClassifier, (LEVEL * 100).astype(np.uint8), {}, False),
    "multi-label": (
        NeuralNetClassifier,
        np.column_stack([SCORE > 0, X[:, 2] > 0, X[:, 3] > 1]).astype(int),
        {"activation": "tanh"},
        False,
    ),
    "regress-1d": (NeuralNetRegressor, SCORE, {"early_stopping": True}, True),
    "regress-column": (NeuralNetRegressor, SCORE[:, None], {}, False),
    "regress-2-outputs": (
        NeuralNetRegressor,
        np.column_stack([SCORE, X[:, 2]]),
        {"activation": "logistic", "dropout": 0.1},
        False,
    ),
}
FITTED = (
    "n_features_in_",
    "feature_names_in_",
    "n_outputs_",
    "loss_curve_",
    "validation_scores_",
    "best_loss_",
    "n_iter_",
    "classes_",
    "architecture_",
    "multilabel_",
    "y_ndim_",
)


def features(frame: bool):
    return pd.DataFrame(X, columns=["a", "b", "c", "d"]) if frame else X


def fitted(case: str, dtype: str = "float64", **params):
    """The estimator of ``case`` fitted on ``X`` (a DataFrame if the case says so)."""
    cls, y, extra, frame = CASES[case]
    estimator = cls(**{**FAST, **extra, "dtype": dtype, "random_state": 0, **params})
    return estimator.fit(features(frame), y)


def saved(tmp_path, case: str, **params):
    """A fitted estimator of ``case`` and the path of its model file."""
    estimator = fitted(case, **params)
    path = tmp_path / f"{case}.npz"
    estimator.save(path)
    return estimator, path


def assert_same_fitted(loaded, original) -> None:
    for name in FITTED:
        assert hasattr(loaded, name) == hasattr(original, name), name
        if not hasattr(original, name):
            continue
        mine, theirs = getattr(loaded, name), getattr(original, name)
        if isinstance(theirs, np.ndarray):
            assert mine.dtype == theirs.dtype, name
            assert np.array_equal(mine, theirs), name
        else:
            assert mine == theirs, name
    assert loaded.model_.history.loss == original.model_.history.loss


# -- round trips ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_round_trip_predicts_bit_identically(tmp_path, case, dtype):
    original, path = saved(tmp_path, case, dtype=dtype)
    loaded = pn.load(path)
    assert type(loaded) is type(original)
    assert loaded.get_params() == original.get_params()
    assert_same_fitted(loaded, original)
    assert loaded.model_.dtype == np.dtype(dtype)
    data = features(CASES[case][3])
    methods = ["predict", "score"]
    if isinstance(original, NeuralNetClassifier):
        methods.append("predict_proba")
    for method in methods:
        args = (data,) if method != "score" else (data, CASES[case][1])
        mine, theirs = getattr(loaded, method)(*args), getattr(original, method)(*args)
        assert np.asarray(mine).dtype == np.asarray(theirs).dtype
        assert np.array_equal(mine, theirs), method


def test_the_file_describes_the_estimator(tmp_path):
    original, path = saved(tmp_path, "strings-dataframe")
    contents = model_files.read_model_file(path)
    assert contents.kind == "neural_net_classifier"
    assert contents.network is contents.model.model_
    assert contents.metadata == {
        "task": "classify",
        "classes": ["cat", "dog", "emu"],
        "feature_names": ["a", "b", "c", "d"],
    }
    config = document(path)["config"]
    assert config["params"]["hidden_layer_sizes"] == {"tuple": [8]}
    assert config["target"] == {
        "classes": ["cat", "dog", "emu"],
        "dtype": "str",
        "multilabel": False,
    }
    assert config["validation_scores"] == original.validation_scores_


@pytest.mark.parametrize(
    ("case", "metadata"),
    [
        ("multi-label", {}),
        ("regress-1d", {"task": "regress", "feature_names": ["a", "b", "c", "d"]}),
        ("regress-column", {"task": "regress"}),
        ("regress-2-outputs", {}),
    ],
)
def test_metadata_only_describes_what_the_command_line_can_use(
    tmp_path, case, metadata
):
    _, path = saved(tmp_path, case)
    assert model_files.read_model_file(path).metadata == metadata


@pytest.mark.parametrize("sizes", [6, [8, 4], (np.int64(5),), ()])
def test_parameters_come_back_with_their_types(tmp_path, sizes):
    original, path = saved(
        tmp_path, "int-binary", hidden_layer_sizes=sizes, learning_rate=np.float64(0.01)
    )
    loaded = pn.load(path)
    assert loaded.get_params() == original.get_params()
    assert type(loaded.hidden_layer_sizes) is type(sizes)
    assert np.array_equal(loaded.predict(X), original.predict(X))
    assert clone(loaded).get_params() == original.get_params()


def test_parameters_changed_after_fit_are_saved_with_the_network_they_built(
    tmp_path,
):
    original = fitted("strings-dataframe")
    original.set_params(hidden_layer_sizes=(3, 3), activation="tanh", alpha=0.5)
    original.save(tmp_path / "changed.npz")
    loaded = pn.load(tmp_path / "changed.npz")
    assert loaded.get_params() == original.get_params()
    assert_same_fitted(loaded, original)
    y = CASES["strings-dataframe"][1]
    for estimator in (original, loaded):
        with pytest.raises(ValueError, match="the network was built with"):
            estimator.partial_fit(features(True), y)
    refitted = loaded.fit(features(True), y)
    assert refitted.model_.layers[1].__class__.__name__ == "Tanh"


def test_nan_and_inf_losses_are_saved_as_null_and_read_back_as_nan(tmp_path):
    original = fitted("int-binary")
    original.loss_curve_[-1], original.best_loss_ = math.nan, math.inf
    original.save(tmp_path / "model.npz")
    config = document(tmp_path / "model.npz")["config"]
    assert config["loss_curve"][-1] is None and config["best_loss"] is None
    loaded = pn.load(tmp_path / "model.npz")
    assert math.isnan(loaded.loss_curve_[-1]) and math.isnan(loaded.best_loss_)
    assert loaded.loss_curve_[:-1] == original.loss_curve_[:-1]


# -- partial_fit after loading -----------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "case", ["strings-dataframe", "bools", "multi-label", "regress-2-outputs"]
)
def test_partial_fit_after_loading_continues_exactly(tmp_path, case, dtype):
    """Optimizer moments and step, shuffling and dropout masks all resume."""
    original, path = saved(tmp_path, case, dtype=dtype, dropout=0.25)
    loaded = pn.load(path)
    data, y = features(CASES[case][3]), CASES[case][1]
    for _ in range(2):
        original.partial_fit(data, y)
        loaded.partial_fit(data, y)
    assert original.model_.parameters.dtype == np.dtype(dtype)
    assert np.array_equal(loaded.model_.parameters, original.model_.parameters)
    assert loaded.loss_curve_ == original.loss_curve_
    assert loaded.n_iter_ == original.n_iter_
    for key, value in original.model_.optimizer.state.items():
        assert np.array_equal(loaded.model_.optimizer.state[key], value), key


def test_without_the_optimizer_partial_fit_starts_a_new_one(tmp_path):
    original = fitted("int32-3-classes")
    original.save(tmp_path / "weights.npz", include_optimizer=False)
    names = members(tmp_path / "weights.npz")
    assert not any(name.startswith("optimizer/") for name in names)
    loaded = pn.load(tmp_path / "weights.npz")
    assert loaded.model_.optimizer is None
    original.model_.optimizer = None
    y = CASES["int32-3-classes"][1]
    original.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert np.array_equal(loaded.model_.parameters, original.model_.parameters)


# -- what cannot be saved ----------------------------------------------------------
@pytest.mark.parametrize("cls", [NeuralNetClassifier, NeuralNetRegressor])
def test_an_unfitted_estimator_refuses_to_save(tmp_path, cls):
    path = tmp_path / "unfitted.npz"
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        cls().save(path)
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        model_files.save(cls(), path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"random_state": np.random.RandomState(0)}, "random_state must be None"),
        ({"optimizer": pn.Adam()}, "cannot save the parameter optimizer=Adam"),
    ],
    ids=["RandomState", "optimizer-object"],
)
def test_parameters_a_file_cannot_hold_are_refused_when_saving(
    tmp_path, params, message
):
    estimator = NeuralNetClassifier(**FAST).set_params(**params)
    estimator.fit(X, SCORE > 0)
    with pytest.raises(ValueError, match=message):
        estimator.save(tmp_path / "model.npz")
    assert list(tmp_path.iterdir()) == []


def test_invalid_parameters_are_refused_when_saving_as_when_loading(tmp_path):
    estimator = fitted("int-binary").set_params(learning_rate=-1.0)
    with pytest.raises(ValueError, match="learning_rate must be"):
        estimator.save(tmp_path / "model.npz")


def test_labels_of_an_unsavable_dtype_are_refused(tmp_path):
    estimator = fitted("int-binary")
    estimator.classes_ = estimator.classes_.astype(object)
    with pytest.raises(ValueError, match="cannot save class labels of dtype object"):
        estimator.save(tmp_path / "model.npz")


# -- hostile and garbled settings ----------------------------------------------------
def at(*keys_and_value):
    """A change setting ``config[k1][k2]... = value``."""
    *keys, value = keys_and_value

    def change(config):
        for key in keys[:-1]:
            config = config[key]
        config[keys[-1]] = value

    return change


def without(*keys):
    def change(config):
        for key in keys[:-1]:
            config = config[key]
        del config[keys[-1]]

    return change


CLASSIFIER_CHANGES = {
    "extra-field": at("__reduce__", "os.system"),
    "missing-field": without("n_iter"),
    "unknown-parameter": at("params", "evil", 1),
    "missing-parameter": without("params", "alpha"),
    "object-parameter": at("params", "activation", {"__class__": "os.system"}),
    "nested-parameter": at("params", "hidden_layer_sizes", [[8]]),
    "garbled-tuple": at("params", "hidden_layer_sizes", {"tuple": 8}),
    "activation-os.system": at("params", "activation", "os.system"),
    "optimizer-builtins.eval": at("params", "optimizer", "builtins.eval"),
    "object-dtype": at("params", "dtype", "object"),
    "negative-learning-rate": at("params", "learning_rate", -1),
    "negative-seed": at("params", "random_state", -1),
    "text-seed": at("params", "random_state", "seed"),
    "built-from-other-sizes": at("built_from", "hidden_layer_sizes", [9]),
    "built-from-many-sizes": at("built_from", "hidden_layer_sizes", [8] * 10**5),
    "built-from-other-activation": at("built_from", "activation", "tanh"),
    "built-from-os.system": at("built_from", "activation", "os.system"),
    "built-from-dropout": at("built_from", "dropout", 0.5),
    "built-from-dtype": at("built_from", "dtype", "float32"),
    "built-from-missing": without("built_from", "dropout"),
    "too-few-feature-names": at("feature_names", ["a", "b"]),
    "numbers-as-feature-names": at("feature_names", [1, 2, 3, 4]),
    "repeated-feature-names": at("feature_names", ["a", "a", "b", "c"]),
    "too-few-classes": at("target", "classes", ["cat", "dog"]),
    "object-class": at("target", "classes", [{"__class__": "os.system"}, "a", "b"]),
    "list-class": at("target", "classes", [["a"], "b", "c"]),
    "object-label-dtype": at("target", "dtype", "object"),
    "huge-label-dtype": at("target", "dtype", "<U1000000000"),
    "numbers-as-strings": at("target", "classes", [1, 2, 3]),
    "unsorted-classes": at("target", "classes", ["dog", "cat", "emu"]),
    "repeated-classes": at("target", "classes", ["cat", "cat", "emu"]),
    "int8-overflow": lambda c: c["target"].update(dtype="int8", classes=[1, 2, 300]),
    "bools-as-ints": lambda c: c["target"].update(dtype="int64", classes=[0, 1, True]),
    "float-labels-as-ints": lambda c: c["target"].update(
        dtype="float64", classes=[0, 1, 2]
    ),
    "multilabel-not-bool": at("target", "multilabel", "yes"),
    "multilabel-string-classes": at("target", "multilabel", True),
    "missing-target-field": without("target", "dtype"),
    "text-loss-curve": at("loss_curve", ["low"]),
    "dict-scores": at("validation_scores", {"a": 1}),
    "text-best-loss": at("best_loss", "low"),
    "negative-n-iter": at("n_iter", -1),
    "bool-n-iter": at("n_iter", True),
    "float-n-iter": at("n_iter", 2.5),
}


@pytest.fixture(scope="module")
def classifier_file(tmp_path_factory):
    """The bytes of a classifier's model file (strings, DataFrame, early stopping)."""
    path = tmp_path_factory.mktemp("files") / "classifier.npz"
    fitted("strings-dataframe").save(path)
    return path.read_bytes()


@pytest.mark.parametrize("change", CLASSIFIER_CHANGES.values(), ids=CLASSIFIER_CHANGES)
def test_hostile_classifier_settings_are_refused(tmp_path, classifier_file, change):
    path = tmp_path / "hostile.npz"
    path.write_bytes(classifier_file)
    with_document(path, lambda doc: change(doc["config"]))
    refused(path, "invalid neural_net_classifier settings")


def test_settings_that_are_not_a_dict_are_refused(tmp_path, classifier_file):
    path = tmp_path / "hostile.npz"
    path.write_bytes(classifier_file)
    with_document(path, at("config", ["os.system"]))
    refused(path, "invalid neural_net_classifier settings (expected a dict)")


@pytest.mark.parametrize("loss", ["mse", None])
def test_a_network_of_another_loss_is_refused(tmp_path, classifier_file, loss):
    path = tmp_path / "hostile.npz"
    path.write_bytes(classifier_file)
    with_document(path, at("loss", loss))
    refused(path, "the network's loss must be 'cross_entropy'")


@pytest.mark.parametrize(
    ("case", "change", "words"),
    [
        ("multi-label", at("target", "classes", [1, 2, 3]), "label indices"),
        ("regress-2-outputs", at("target", "y_1d", True), "y_1d"),
        ("regress-1d", at("target", "y_1d", 1), "y_1d"),
        ("regress-1d", at("target", {"classes": []}), "'target' must hold"),
        ("regress-1d", at("built_from", "activation", "tanh"), "built_from"),
    ],
)
def test_hostile_target_settings_are_refused(tmp_path, case, change, words):
    _, path = saved(tmp_path, case)
    with_document(path, lambda doc: change(doc["config"]))
    refused(path, "settings (", words)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=8,
)


def paths(value, prefix=()):
    """Every key path inside the JSON ``value``."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        yield (*prefix, key)
        if isinstance(item, (dict, list)):
            yield from paths(item, (*prefix, key))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_json_anywhere_in_the_settings_loads_or_is_refused(
    tmp_path, classifier_file, data
):
    path = tmp_path / "fuzzed.npz"
    path.write_bytes(classifier_file)
    config = document(path)["config"]
    keys = data.draw(st.sampled_from(sorted(paths(config), key=str)))
    value = data.draw(JSON)
    with_document(path, lambda doc: at(*keys, value)(doc["config"]))
    try:
        loaded = pn.load(path)
    except ModelFileError as error:
        assert str(error).startswith(f"{path}: ")
    else:
        assert isinstance(loaded, NeuralNetClassifier)


# -- the command line ------------------------------------------------------------
@pytest.fixture(scope="module")
def flowers(tmp_path_factory):
    """A classifier fitted on the flowers CSV, its model file and the CSVs."""
    folder = tmp_path_factory.mktemp("estimator_cli")
    table = pd.read_csv(write_flowers(folder / "flowers.csv"))
    X_frame, y = table.drop(columns="species"), table["species"]
    X_frame.to_csv(folder / "features.csv", index=False)
    estimator = NeuralNetClassifier(hidden_layer_sizes=(16,), random_state=0)
    estimator.fit(X_frame, y).save(folder / "model.npz")
    return folder, estimator, X_frame, y


def test_info_describes_an_estimator_file(flowers):
    folder, estimator, _, _ = flowers
    result = plainnet_cli("info", "model.npz", cwd=folder)
    assert result.returncode == 0, result.stderr
    for words in [
        "kind: neural_net_classifier, dtype float32, 115 parameters",
        "task: classify into 3 classes: 'setosa', 'versicolor', 'virginica'",
        "features (3): 'sepal_length', 'sepal_width', 'petal_length'",
        f"training history: {estimator.n_iter_} epochs",
    ]:
        assert words in result.stdout


def test_predict_and_evaluate_on_an_estimator_file(flowers):
    folder, estimator, X_frame, y = flowers
    result = plainnet_cli(
        "predict", "model.npz", "features.csv", "--out", "out.csv", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    with open(folder / "out.csv", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["prediction"]
    assert [row[0] for row in rows[1:]] == estimator.predict(X_frame).tolist()
    result = plainnet_cli(
        "evaluate", "model.npz", "flowers.csv", "--target", "species", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    assert f"accuracy: {estimator.score(X_frame, y):.4f}" in result.stdout


def test_predict_with_a_regressor_file(tmp_path):
    table = pd.read_csv(write_prices(tmp_path / "prices.csv"))
    X_frame, y = table.drop(columns="price"), table["price"]
    X_frame.to_csv(tmp_path / "features.csv", index=False)
    estimator = NeuralNetRegressor(hidden_layer_sizes=(8,), random_state=0)
    estimator.fit(X_frame, y).save(tmp_path / "model.npz")
    result = plainnet_cli("predict", "model.npz", "features.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # float32 values, written as float32 holds them: they read back exactly
    values = [np.float32(line) for line in result.stdout.splitlines()[1:]]
    assert values == estimator.predict(X_frame).astype(np.float32).tolist()
    assert not any(math.isnan(v) for v in values)
