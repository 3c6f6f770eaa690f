"""plainnet.metrics against hand-computed values, and against scikit-learn's
functions when it is installed."""

import doctest
import re

import numpy as np
import pytest

from plainnet import metrics
from plainnet.metrics import (
    accuracy,
    confusion_matrix,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

# errors 1, -2, 0, 1: squares 1, 4, 0, 1 (sum 6); absolute values sum to 4
TRUE = np.array([3.0, 5.0, 2.0, 6.0])  # mean 4, squared deviations 1 1 4 4 (sum 10)
PRED = np.array([4.0, 3.0, 2.0, 7.0])


def test_the_docstring_examples_hold():
    assert doctest.testmod(metrics).failed == 0


def test_accuracy_by_hand():
    assert accuracy(["a", "b", "b", "c"], ["a", "b", "c", "c"]) == 0.75
    assert accuracy([1, 2], [1, 2]) == 1.0
    # weights 1, 2, 3, 4: the correct samples weigh 1 + 2 + 4 of 10
    weighted = accuracy([0, 1, 1, 0], [0, 1, 0, 0], sample_weight=[1, 2, 3, 4])
    assert weighted == pytest.approx(0.7)


def test_regression_scores_by_hand():
    assert mean_squared_error(TRUE, PRED) == 6 / 4
    assert root_mean_squared_error(TRUE, PRED) == pytest.approx(np.sqrt(1.5))
    assert mean_absolute_error(TRUE, PRED) == 4 / 4
    assert r2_score(TRUE, PRED) == pytest.approx(1 - 6 / 10)


def test_weighted_regression_scores_by_hand():
    weights = [1, 1, 2, 0]  # the last sample does not count
    # weighted mean of y: (3 + 5 + 2 * 2) / 4 = 3; deviations 0, 2, -1, so the
    # weighted variance is (0 + 4 + 2 * 1) / 4 = 6 / 4
    assert mean_squared_error(TRUE, PRED, sample_weight=weights) == 5 / 4
    assert mean_absolute_error(TRUE, PRED, sample_weight=weights) == 3 / 4
    assert r2_score(TRUE, PRED, sample_weight=weights) == pytest.approx(1 - 5 / 6)


def test_several_outputs_are_scored_apart_and_averaged():
    y_true = np.column_stack([TRUE, 10 * TRUE])
    y_pred = np.column_stack([PRED, 10 * TRUE])  # the second output is perfect
    assert mean_squared_error(y_true, y_pred) == 1.5 / 2
    assert root_mean_squared_error(y_true, y_pred) == pytest.approx(np.sqrt(1.5) / 2)
    assert r2_score(y_true, y_pred) == pytest.approx((0.4 + 1) / 2)


def test_r2_of_a_constant_truth_is_nan():
    assert np.isnan(r2_score([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]))


def test_confusion_matrix_by_hand():
    counts = confusion_matrix(
        ["cat", "dog", "dog", "bird", "dog"],
        ["cat", "cat", "dog", "dog", "dog"],
        labels=["bird", "cat", "dog"],
    )
    assert counts.dtype == np.int64
    assert counts.tolist() == [[0, 0, 1], [0, 1, 0], [0, 1, 2]]


def test_confusion_matrix_keeps_unseen_labels_as_zero_rows():
    counts = confusion_matrix([0, 0], [0, 1], labels=[0, 1, 2])
    assert counts.tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 0]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: accuracy([1, 2], [1]), "differ in shape"),
        (lambda: mean_squared_error([], []), "expected values of shape"),
        (lambda: accuracy([[1]], [[1]]), "expected values of shape (n_samples,)"),
        (lambda: accuracy([1], [1], sample_weight=[1, 2]), "sample_weight"),
        (lambda: r2_score([1, 2], [1, 2], sample_weight=[-1, 2]), "non-negative"),
        (lambda: confusion_matrix([0, 3], [0, 0], labels=[0, 1]), "not in `labels`"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_the_same_numbers_as_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y, predicted = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
    weights = rng.uniform(0, 2, 50)
    pairs = [
        (mean_squared_error, sk.mean_squared_error),
        (mean_absolute_error, sk.mean_absolute_error),
        (r2_score, sk.r2_score),
    ]
    if hasattr(sk, "root_mean_squared_error"):
        pairs.append((root_mean_squared_error, sk.root_mean_squared_error))
    for ours, theirs in pairs:
        for truth, guess in [(y[:, 0], predicted[:, 0]), (y, predicted)]:
            assert ours(truth, guess) == pytest.approx(theirs(truth, guess))
            assert ours(truth, guess, sample_weight=weights) == pytest.approx(
                theirs(truth, guess, sample_weight=weights)
            )
    labels = rng.integers(0, 3, 40), rng.integers(0, 3, 40)
    assert accuracy(*labels) == pytest.approx(sk.accuracy_score(*labels))
    assert accuracy(*labels, sample_weight=weights[:40]) == pytest.approx(
        sk.accuracy_score(*labels, sample_weight=weights[:40])
    )
    assert np.array_equal(
        confusion_matrix(*labels, labels=[2, 0, 1]),
        sk.confusion_matrix(*labels, labels=[2, 0, 1]),
    )


def test_precision_recall_f1_match_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.random(200) < 0.6, y_true, rng.integers(0, 4, 200))
    y_pred[y_pred == 3] = 2  # class 3 never predicted: precision 0 by convention
    ours = metrics.precision_recall_f1(y_true, y_pred, labels=[0, 1, 2, 3])
    theirs = sklearn_metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=[0, 1, 2, 3], zero_division=0
    )
    for mine, reference in zip(
        ("precision", "recall", "f1", "support"), theirs, strict=True
    ):
        np.testing.assert_allclose(ours[mine], reference, rtol=1e-12)


def test_roc_auc_matches_scikit_learn_with_ties():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 2, 300)
    scores = np.round(y_true * 0.3 + rng.random(300), 1)  # many ties
    assert metrics.roc_auc(y_true, scores) == pytest.approx(
        sklearn_metrics.roc_auc_score(y_true, scores), rel=1e-12
    )
    assert metrics.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert np.isnan(metrics.roc_auc([1, 1], [0.2, 0.3]))
