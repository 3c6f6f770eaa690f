"""Scores of predictions against the truth, as plain NumPy functions.

Each function only computes and returns numbers; showing them is the caller's
job. The regression scores accept one target of shape ``(n_samples,)`` or
several of shape ``(n_samples, n_outputs)``; with several, each output is
scored on its own and the scores are averaged, as scikit-learn does by default.

>>> from plainnet.metrics import accuracy, r2_score
>>> accuracy(["cat", "dog", "dog"], ["cat", "dog", "cat"])
0.6666666666666666
>>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
0.5
"""

from collections.abc import Sequence
from typing import Any

import numpy as np


def accuracy(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The (weighted) fraction of predictions equal to the truth.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true labels (numbers or strings).
    y_pred : array-like of shape (n_samples,)
        The predicted labels.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights; by default every sample counts once.

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    >>> accuracy([0, 1], [0, 0], sample_weight=[3, 1])
    0.75
    """
    y_true, y_pred = _paired(y_true, y_pred, ndim=1)
    weights = _weights(sample_weight, len(y_true))
    return float(np.average(y_true == y_pred, weights=weights))


def mean_squared_error(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The (weighted) mean of the squared errors, ``mean((y_pred - y_true) ** 2)``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float

    Examples
    --------
    >>> mean_squared_error([1.0, 2.0], [1.0, 4.0])
    2.0
    """
    y_true, y_pred = _paired(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(_column_means((y_pred - y_true) ** 2, weights)))


def root_mean_squared_error(
    y_true: Any, y_pred: Any, sample_weight: Any = None
) -> float:
    """The square root of :func:`mean_squared_error`, in the target's units.

    With several outputs, the mean of each output's root mean squared error.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float

    Examples
    --------
    >>> root_mean_squared_error([0.0, 0.0], [3.0, -3.0])
    3.0
    """
    y_true, y_pred = _paired(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(np.sqrt(_column_means((y_pred - y_true) ** 2, weights))))


def mean_absolute_error(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The (weighted) mean of the absolute errors, ``mean(|y_pred - y_true|)``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float

    Examples
    --------
    >>> mean_absolute_error([1.0, 2.0], [2.0, 0.0])
    1.5
    """
    y_true, y_pred = _paired(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.mean(_column_means(np.abs(y_pred - y_true), weights)))


def r2_score(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The coefficient of determination, ``1 - MSE / variance(y_true)``.

    1 is a perfect prediction, 0 is no better than always predicting the mean
    of ``y_true``, and it is negative for worse predictions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float
        NaN when ``y_true`` is constant: R^2 is undefined there (scikit-learn
        answers the same with ``force_finite=False``).

    Examples
    --------
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    1.0
    >>> r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    0.0
    """
    y_true, y_pred = _paired(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    mse = _column_means((y_pred - y_true) ** 2, weights)
    variance = _column_means((y_true - _column_means(y_true, weights)) ** 2, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(variance > 0, 1 - mse / variance, np.nan)
    return float(np.mean(scores))


def confusion_matrix(y_true: Any, y_pred: Any, labels: Sequence[Any]) -> np.ndarray:
    """Count each pair of true and predicted label.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true labels.
    y_pred : array-like of shape (n_samples,)
        The predicted labels.
    labels : sequence of length n_classes
        Every label that may occur, in the order of the matrix's rows and
        columns.

    Returns
    -------
    ndarray of shape (n_classes, n_classes), int64
        ``counts[i, j]`` is the number of samples whose true label is
        ``labels[i]`` and whose predicted label is ``labels[j]``; the diagonal
        holds the correct predictions.

    Raises
    ------
    ValueError
        If ``y_true`` or ``y_pred`` holds a label that is not in ``labels``.

    Examples
    --------
    >>> confusion_matrix(["a", "b", "b"], ["a", "a", "b"], labels=["a", "b"])
    array([[1, 0],
           [1, 1]])
    """
    y_true, y_pred = _paired(y_true, y_pred, ndim=1)
    k = len(labels)
    rows, columns = _label_indices(y_true, labels), _label_indices(y_pred, labels)
    counts = np.bincount(rows * k + columns, minlength=k * k)
    return counts.reshape(k, k).astype(np.int64)


def precision_recall_f1(
    y_true: Any, y_pred: Any, labels: Sequence[Any]
) -> dict[str, np.ndarray]:
    """Each class's precision, recall, F1 score and support.

    ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)`` and ``F1`` their
    harmonic mean, counted from :func:`confusion_matrix`; a ratio whose
    denominator is 0 is 0, as scikit-learn's ``zero_division=0`` gives.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : sequence of length n_classes

    Returns
    -------
    dict of str to ndarray of shape (n_classes,)
        ``precision``, ``recall``, ``f1`` (float64) and ``support`` (int64,
        the true samples of each class), in the order of ``labels``.

    Examples
    --------
    >>> scores = precision_recall_f1([0, 0, 1, 1], [0, 1, 1, 1], labels=[0, 1])
    >>> scores["precision"].tolist(), scores["recall"].tolist()
    ([1.0, 0.6666666666666666], [0.5, 1.0])
    """
    counts = confusion_matrix(y_true, y_pred, labels)
    hits = np.diag(counts).astype(np.float64)
    predicted, support = counts.sum(axis=0), counts.sum(axis=1)
    precision = _ratio(hits, predicted)
    recall = _ratio(hits, support)
    f1 = _ratio(2 * precision * recall, precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def roc_auc(y_true: Any, scores: Any) -> float:
    """The area under the ROC curve of a two-class problem.

    The probability that a random positive sample scores higher than a random
    negative one (ties count one half): the Mann-Whitney U statistic over
    ``n_positive * n_negative``, computed from the scores' ranks.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        1 (or True) for the positive class, 0 for the negative one.
    scores : array-like of shape (n_samples,)
        Higher means more likely positive, e.g. the positive class's
        probability.

    Returns
    -------
    float
        In ``[0, 1]``; NaN when ``y_true`` holds a single class.

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y_true, scores = _paired(y_true, scores, ndim=1)
    positive = y_true.astype(bool)
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _average_ranks(np.asarray(scores, dtype=np.float64))
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing their mean rank."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2  # ranks starts+1 .. ends, averaged
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, 0 where the denominator is 0."""
    out = np.zeros(len(numerator))
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _paired(y_true: Any, y_pred: Any, ndim: int = 2) -> tuple[np.ndarray, ...]:
    """Both as arrays of the same shape, with at most ``ndim`` dimensions."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred differ in shape: {y_true.shape} and {y_pred.shape}"
        )
    if not 1 <= y_true.ndim <= ndim or len(y_true) == 0:
        shapes = "(n_samples,)" + (" or (n_samples, n_outputs)" if ndim == 2 else "")
        raise ValueError(f"expected values of shape {shapes}, got {y_true.shape}")
    return y_true, y_pred


def _weights(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """``sample_weight`` checked: shape (n_samples,), non-negative, positive sum."""
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), got {weights.shape}"
        )
    if not (np.all(weights >= 0) and weights.sum() > 0):
        raise ValueError("sample_weight must be non-negative with a positive sum")
    return weights


def _column_means(values: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """The (weighted) mean of each column: one number per output."""
    return np.average(values, axis=0, weights=weights)


def _label_indices(y: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
    """Each value's position in ``labels``, of shape (n_samples,)."""
    index = {label: i for i, label in enumerate(labels)}
    values = y.tolist()
    unknown = sorted({str(v) for v in values if v not in index})
    if unknown:
        raise ValueError(f"labels not in `labels`: {', '.join(unknown[:10])}")
    return np.array([index[v] for v in values], dtype=np.intp)
