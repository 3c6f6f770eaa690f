"""Targets checked on the host before training: what each loss accepts.

Every message says what was expected and what was given. The arrays returned
are NumPy arrays; the fit loop moves them to the network's device once.
"""

import numpy as np

from ._validation import check_finite, on_host
from .errors import DataError


def numeric_target(y, n_outputs: int, dtype, loss: str) -> np.ndarray:
    """``y`` as a float array of shape ``(n_samples, n_outputs)`` (1-D ``y`` is
    accepted for one output), finite."""
    array = np.asarray(on_host(y))
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"y must hold numbers for loss {loss!r}, got dtype {array.dtype}"
        )
    if array.ndim == 1:
        if n_outputs != 1:
            raise DataError(
                f"y has shape {array.shape} but the network has {n_outputs} outputs; "
                f"expected y of shape ({len(array)}, {n_outputs})"
            )
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != n_outputs:
        raise DataError(
            f"y has shape {array.shape} but the network has {n_outputs} output(s); "
            f"expected y of shape (n_samples, {n_outputs})"
        )
    array = array.astype(dtype, copy=False)
    check_finite(array, "y")
    return array


def unit_interval_target(y, n_outputs: int, dtype, loss: str) -> np.ndarray:
    """A numeric target whose values are probabilities, in [0, 1]."""
    target = numeric_target(y, n_outputs, dtype, loss)
    if target.min() < 0 or target.max() > 1:
        raise DataError(
            f"{loss} needs targets in [0, 1], got values from "
            f"{target.min()} to {target.max()}"
        )
    return target


def class_target(y, n_classes: int, dtype, loss: str) -> np.ndarray:
    """Integer class labels ``(n,)`` in ``[0, n_classes)``, or rows of class
    probabilities ``(n, n_classes)`` (one-hot or soft). The number of classes is
    the network's output width, never the largest label."""
    if n_classes < 2:
        raise DataError(
            f"{loss} needs a network with at least 2 outputs (one per class), "
            f"got {n_classes}; for one output use loss='binary_cross_entropy'"
        )
    array = np.asarray(on_host(y))
    if array.ndim == 2 and array.shape[1] == 1 and array.dtype.kind in "iu":
        array = array.ravel()
    if array.ndim == 1:
        return _labels(array, n_classes, loss)
    target = numeric_target(array, n_classes, dtype, loss)
    sums = target.sum(axis=1)
    if target.min() < 0 or not np.allclose(sums, 1, atol=1e-4):
        raise DataError(
            f"{loss} with 2-D targets needs one probability row per sample "
            "(one-hot or soft, non-negative, each row summing to 1); "
            f"row sums range from {sums.min()} to {sums.max()}"
        )
    return target


def _labels(array: np.ndarray, n_classes: int, loss: str) -> np.ndarray:
    """1-D integer labels (integral floats accepted) in ``[0, n_classes)``."""
    if array.dtype.kind == "f":
        check_finite(array, "y")
        if not np.array_equal(array, np.round(array)):
            raise DataError(
                f"{loss} got 1-D y with non-integer values; expected integer "
                "class labels or a 2-D array of class probabilities"
            )
    elif array.dtype.kind not in "biu":
        raise DataError(f"{loss} needs integer class labels, got dtype {array.dtype}")
    if array.min() < 0 or array.max() >= n_classes:
        raise DataError(
            f"class labels must be in [0, {n_classes}) for a network with "
            f"{n_classes} outputs, got labels from {array.min()} to {array.max()}"
        )
    return array.astype(np.intp, copy=False)


def network_target(loss, net, y, X, dtype=None) -> np.ndarray:
    """``y`` checked by ``loss`` against the output of ``net`` (a built
    ``Sequential``) for ``X``: one row per sample for flat outputs, and for an
    output with more axes (a sequence model's ``(steps, classes)``) the shape
    that ``loss`` takes for it."""
    dtype = net.dtype if dtype is None else dtype
    shape = net.output_shape
    if shape is not None and len(shape) > 1:
        return loss.prepare_target(y, shape[-1], dtype, output_shape=shape)
    return loss.prepare_target(y, net.n_outputs or X.shape[1], dtype)


def sequence_labels(y, output_shape: tuple[int, ...], loss: str) -> np.ndarray:
    """Integer class labels ``(n, *output_shape[:-1])``, one per position of
    an output ``(n, *output_shape)`` whose last axis holds the classes (the
    next character at every step of a language model)."""
    positions, n_classes = tuple(output_shape[:-1]), output_shape[-1]
    array = np.asarray(on_host(y))
    if array.ndim < 1 or array.shape[1:] != positions:
        expected = ", ".join(map(str, positions))
        raise DataError(
            f"{loss} on outputs of shape (n, {', '.join(map(str, output_shape))}) "
            f"takes one class label per position, y of shape (n, {expected}); "
            f"got y of shape {array.shape}"
        )
    labels = _labels(array.reshape(-1), n_classes, loss)
    return labels.reshape(array.shape)
