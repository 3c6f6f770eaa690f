"""plainnet's estimators on a Dask cluster of two worker processes (loopback
only): out-of-core training, distributed prediction, grid search under Dask's
joblib backend, and dask-ml's wrappers. Every test runs under a hard timeout,
because a pickling problem makes Dask hang instead of raising."""

import importlib
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from plainnet import NeuralNetClassifier, NeuralNetRegressor

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


def require(module: str):
    """Import ``module``, or skip the tests that need it; in CI, which installs
    the test extra, a missing module is an error instead."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(
        module, reason=f'{module} is not installed: pip install -e ".[test]"'
    )


da = require("dask.array")
dd = require("dask.dataframe")
distributed = require("distributed")
joblib = require("joblib")
from plainnet.dask import fit_incremental, predict, predict_proba  # noqa: E402

CLASSES = np.array(["ash", "birch", "cedar"])
SMALL = {"hidden_layer_sizes": (16,), "batch_size": 16, "random_state": 0}


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes on 127.0.0.1. Their BLAS runs one
    thread (Dask's nanny sets that); so does this process's, below."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(autouse=True)
def one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def data():
    """400 samples of 6 features (float32) and labels of three tree names."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 6)).astype(np.float32)
    y = CLASSES[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    return X, y


def chunk_loop(estimator, X, y, chunk: int, orders, **fit_params):
    """``partial_fit`` in this process, chunk by chunk, in the given orders."""
    for order in orders:
        for i in order:
            rows = slice(i * chunk, (i + 1) * chunk)
            estimator.partial_fit(X[rows], y[rows], **fit_params)
    return estimator


def test_plainnet_imports_no_dask_and_its_dask_module_finds_the_real_dask(tmp_path):
    check = (
        "import sys, plainnet\n"
        "plainnet.NeuralNetClassifier\n"
        "assert not {'dask', 'distributed', 'mpi4py'} & set(sys.modules)\n"
        "import plainnet.dask\n"
        "assert plainnet.dask.da.__name__ == 'dask.array'\n"
        "assert plainnet.dask.dask.__file__ != plainnet.dask.__file__\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_out_of_core_training_is_bit_identical_to_an_in_process_loop(client, data):
    X, y = data
    X_chunks, y_chunks = da.from_array(X, chunks=(50, 3)), da.from_array(y, chunks=50)
    with distributed.get_task_stream(client) as tasks:
        model = fit_incremental(
            NeuralNetClassifier(**SMALL), X_chunks, y_chunks,
            epochs=3, classes=CLASSES, random_state=7,
        )  # fmt: skip
    rng = np.random.default_rng(7)
    orders = [rng.permutation(8) for _ in range(3)]
    expected = chunk_loop(
        NeuralNetClassifier(**SMALL), X, y, 50, orders, classes=CLASSES
    )
    assert model.model_.parameters.tobytes() == expected.model_.parameters.tobytes()
    assert model.loss_curve_ == expected.loss_curve_ and model.n_iter_ == 24
    trained_there = [t for t in tasks.data if "_partial_fit" in t["key"]]
    assert len(trained_there) == 24  # one task per chunk and epoch, on the workers


def test_a_dask_dataframe_trains_like_its_partitions_in_order(client):
    pandas = require("pandas")
    rng = np.random.default_rng(1)
    frame = pandas.DataFrame(rng.standard_normal((240, 4)), columns=list("abcd"))
    frame["target"] = frame["a"] - 2 * frame["b"] + 0.1 * rng.standard_normal(240)
    parts = dd.from_pandas(frame, npartitions=4)
    model = fit_incremental(
        NeuralNetRegressor(**SMALL), parts[list("abcd")], parts["target"],
        epochs=2, shuffle=False,
    )  # fmt: skip
    X, y = frame[list("abcd")].to_numpy(), frame["target"].to_numpy()
    expected = chunk_loop(NeuralNetRegressor(**SMALL), X, y, 60, [range(4)] * 2)
    assert model.model_.parameters.tobytes() == expected.model_.parameters.tobytes()
    assert not hasattr(model, "feature_names_in_")


def test_distributed_prediction_equals_local_prediction(client, data):
    X, y = data
    X_chunks = da.from_array(X, chunks=(64, 6))
    classifier = NeuralNetClassifier(**SMALL, max_epochs=5).fit(X, y)
    labels = predict(classifier, X_chunks)
    assert labels.shape == (400,) and labels.chunks == ((64,) * 6 + (16,),)
    assert np.array_equal(labels.compute(), classifier.predict(X))
    probabilities = predict_proba(classifier, X_chunks).compute()
    assert probabilities.tobytes() == classifier.predict_proba(X).tobytes()
    targets = np.column_stack([X[:, 0], X[:, 1] * X[:, 2]])
    regressor = NeuralNetRegressor(**SMALL, max_epochs=5).fit(X, targets)
    predicted = predict(regressor, X_chunks)
    assert predicted.shape == (400, 2)
    assert predicted.compute().tobytes() == regressor.predict(X).tobytes()


def test_grid_search_under_the_dask_joblib_backend_equals_a_sequential_run(client):
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        NeuralNetClassifier(max_epochs=20, batch_size=32, random_state=0),
        {"hidden_layer_sizes": [(4,), (16,)], "alpha": [1e-4, 1e-1]},
        cv=3,
    )
    sequential = clone(search).fit(X, y).cv_results_
    with (
        joblib.parallel_config("dask"),
        distributed.get_task_stream(client) as tasks,
    ):
        on_dask = clone(search).set_params(n_jobs=-1).fit(X, y).cv_results_
    assert tasks.data  # the fits ran on the workers
    for key, value in sequential.items():
        if key == "params":
            assert on_dask[key] == value
        elif not key.endswith("_time"):
            np.testing.assert_array_equal(on_dask[key], value, err_msg=key)


def test_dask_ml_wrappers_train_and_predict_with_a_plainnet_estimator(client, data):
    wrappers = require("dask_ml.wrappers")
    X, y = data
    X_chunks, y_chunks = da.from_array(X, chunks=(100, 6)), da.from_array(y, chunks=100)
    incremental = wrappers.Incremental(
        NeuralNetClassifier(**SMALL), shuffle_blocks=False
    ).fit(X_chunks, y_chunks, classes=CLASSES)
    expected = chunk_loop(
        NeuralNetClassifier(**SMALL), X, y, 100, [range(4)], classes=CLASSES
    )
    trained = incremental.estimator_.model_.parameters
    assert trained.tobytes() == expected.model_.parameters.tobytes()
    assert np.array_equal(incremental.predict(X_chunks).compute(), expected.predict(X))
    post_fit = wrappers.ParallelPostFit(NeuralNetClassifier(**SMALL, max_epochs=5))
    post_fit.fit(X, y)
    local = post_fit.estimator  # fitted in place by ParallelPostFit
    assert np.array_equal(post_fit.predict(X_chunks).compute(), local.predict(X))
    probabilities = post_fit.predict_proba(X_chunks).compute()
    assert probabilities.tobytes() == local.predict_proba(X).tobytes()
