"""The preprocessing stored in model files: feature scaling and class labels.

* :class:`Standardizer` shifts and scales features to mean 0 and standard
  deviation 1, and saves itself as plain JSON values.
* :func:`encode_labels` / :func:`decode_labels` map class labels to codes
  ``0 .. n_classes - 1`` and back.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._messages import listing, shown
from .errors import DataError

__all__ = ["Standardizer", "decode_labels", "encode_labels"]


class Standardizer:
    """Shift and scale each feature to mean 0 and standard deviation 1.

    ``transform(X) = (X - mean_) / scale_``, where ``scale_`` is the
    population standard deviation of each column seen by :meth:`fit`. A
    constant column gets a scale of 1 (so it becomes 0, not NaN) and one
    warning names all such columns.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,), float64
        Column means; ``None`` before :meth:`fit`.
    scale_ : ndarray of shape (n_features,), float64
        Column standard deviations, 1 for constant columns; ``None`` before
        :meth:`fit`.
    feature_names_ : list of str or None
        The names given to :meth:`fit`, if any.

    Examples
    --------
    >>> scaler = Standardizer().fit(np.array([[1.0, 4.0], [3.0, 8.0]]))
    >>> scaler.transform(np.array([[2.0, 8.0]]))
    array([[0., 1.]])
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.feature_names_: list[str] | None = None

    def fit(self, X: Any, feature_names: Sequence[str] | None = None) -> Standardizer:
        """Compute each column's mean and standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers, at least one row. Not modified.
        feature_names : sequence of str, optional
            One name per column, used in messages and kept in ``to_dict``.

        Returns
        -------
        Standardizer
            ``self``, fitted.

        Warns
        -----
        UserWarning
            Once, naming every constant column (their scale is set to 1).
        """
        return self._fit(X, feature_names, stacklevel=3)

    def _fit(
        self, X: Any, feature_names: Sequence[str] | None, stacklevel: int
    ) -> Standardizer:
        """``fit``, warning ``stacklevel`` frames up (the public caller's caller)."""
        X = _as_2d_float(X, "X")
        if X.shape[0] == 0:
            raise DataError("X has no rows; Standardizer.fit needs at least one")
        names = None if feature_names is None else [str(n) for n in feature_names]
        if names is not None and len(names) != X.shape[1]:
            raise DataError(
                f"feature_names has {len(names)} names, but X has {X.shape[1]} columns"
            )
        _check_magnitude(X, names)
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        # Exactly constant, rather than a tiny std: a column of 0.1s can have
        # std 1e-17 from rounding, and dividing by that would blow it up.
        constant = X.max(axis=0) == X.min(axis=0)
        mean[constant] = X[0, constant]  # so the column maps to exactly 0
        scale[constant] = 1.0
        if constant.any():
            index = np.flatnonzero(constant)
            if names:
                which = f"feature(s) {listing([names[i] for i in index], limit=10)}"
            else:
                which = f"column(s) {listing(index.tolist(), limit=10, quote=False)}"
            warnings.warn(
                f"constant {which}: they carry no information; their scale is set to 1",
                UserWarning,
                stacklevel=stacklevel,
            )
        self.mean_, self.scale_, self.feature_names_ = mean, scale, names
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return ``(X - mean_) / scale_`` as a new array.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers with as many columns as seen by :meth:`fit`.
            float32 stays float32; anything else becomes float64.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        X, mean, scale = self._fitted_to(X, "X")
        return (X - mean) / scale

    def fit_transform(
        self, X: Any, feature_names: Sequence[str] | None = None
    ) -> np.ndarray:
        """``fit(X, feature_names)`` then ``transform(X)``; shapes as there."""
        return self._fit(X, feature_names, stacklevel=3).transform(X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Return ``Z * scale_ + mean_``, undoing :meth:`transform`.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        Z, mean, scale = self._fitted_to(Z, "Z")
        return Z * scale + mean

    def to_dict(self) -> dict[str, Any]:
        """Return the fitted state as plain JSON-able lists.

        Returns
        -------
        dict
            ``{"mean": [float, ...], "scale": [float, ...],
            "feature_names": [str, ...] or None}``.
        """
        mean, scale = self._fitted()
        return {
            "mean": [float(v) for v in mean],
            "scale": [float(v) for v in scale],
            "feature_names": None
            if self.feature_names_ is None
            else list(self.feature_names_),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Standardizer:
        """Rebuild a fitted Standardizer from :meth:`to_dict`'s output.

        Every field is checked, since ``state`` usually comes from a file:
        ``mean`` and ``scale`` must be non-empty lists of the same length of
        finite numbers (``scale`` > 0), ``feature_names`` None or as many
        strings.

        Parameters
        ----------
        state : mapping
            As returned by :meth:`to_dict`.

        Returns
        -------
        Standardizer

        Raises
        ------
        DataError
            Naming the field that is wrong.
        """
        if not isinstance(state, Mapping):
            raise DataError(
                f"Standardizer state must be a dict, got {type(state).__name__}"
            )
        unknown = sorted(set(state) - {"mean", "scale", "feature_names"})
        if unknown:
            raise DataError(f"Standardizer state has unknown field(s) {shown(unknown)}")
        mean = _finite_list(state.get("mean"), "mean")
        scale = _finite_list(state.get("scale"), "scale")
        if len(mean) != len(scale):
            raise DataError(
                f"Standardizer state: 'mean' has {len(mean)} values but 'scale' "
                f"has {len(scale)}"
            )
        if any(s <= 0 for s in scale):
            raise DataError("Standardizer state: 'scale' values must be > 0")
        names = state.get("feature_names")
        if names is not None:
            if not isinstance(names, list) or not all(
                isinstance(n, str) for n in names
            ):
                raise DataError(
                    "Standardizer state: 'feature_names' must be a list of "
                    "strings or null"
                )
            if len(names) != len(mean):
                raise DataError(
                    f"Standardizer state: 'feature_names' has {len(names)} names "
                    f"but 'mean' has {len(mean)} values"
                )
            names = list(names)
        scaler = cls()
        scaler.mean_ = np.array(mean, dtype=np.float64)
        scaler.scale_ = np.array(scale, dtype=np.float64)
        scaler.feature_names_ = names
        return scaler

    def _fitted(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(mean_, scale_)`` or raise if :meth:`fit` was not called."""
        if self.mean_ is None or self.scale_ is None:
            raise RuntimeError("this Standardizer is not fitted yet; call fit(X) first")
        return self.mean_, self.scale_

    def _fitted_to(self, X: Any, name: str) -> tuple[np.ndarray, ...]:
        """``X`` checked against the fitted width, with ``mean_`` and ``scale_``
        in ``X``'s dtype."""
        mean, scale = self._fitted()
        X = _as_2d_float(X, name)
        if X.shape[1] != mean.shape[0]:
            raise DataError(
                f"{name} has {X.shape[1]} features, but the Standardizer was fitted "
                f"with {mean.shape[0]}"
            )
        return X, mean.astype(X.dtype), scale.astype(X.dtype)

    def __repr__(self) -> str:
        if self.mean_ is None:
            return "Standardizer()"
        return f"Standardizer(n_features={self.mean_.shape[0]})"


def _as_2d_float(X: Any, name: str) -> np.ndarray:
    """``X`` as a finite 2-D float array (float32 kept, else float64)."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise DataError(f"{name} must hold numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        raise DataError(
            f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}; "
            "use X.reshape(-1, 1) for a single feature or X.reshape(1, -1) "
            "for a single sample"
        )
    X = X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)
    if not np.isfinite(X).all():
        bad = np.flatnonzero(~np.isfinite(X).all(axis=0))
        raise DataError(
            f"{name} holds NaN or inf in column(s) {listing(bad.tolist(), quote=False)}"
        )
    return X


#: Standardizing squares the values: beyond about 1e154 the square overflows.
MAX_MAGNITUDE = 1e150


def _check_magnitude(X: np.ndarray, names: list[str] | None) -> None:
    """Refuse columns holding values beyond :data:`MAX_MAGNITUDE`, by name."""
    big = np.flatnonzero((np.abs(X) > MAX_MAGNITUDE).any(axis=0))
    if big.size:
        which = [names[i] for i in big] if names else big.tolist()
        raise DataError(
            f"feature(s) {listing(which, quote=bool(names))} hold values beyond "
            f"{MAX_MAGNITUDE:g}, which standardizing would overflow; rescale them"
        )


def _finite_list(values: Any, field: str) -> list[float]:
    """Check that ``values`` is a non-empty list of finite numbers."""
    if not isinstance(values, list) or not values:
        raise DataError(f"Standardizer state: {field!r} must be a non-empty list")
    for v in values:
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not math.isfinite(v)
        ):
            raise DataError(
                f"Standardizer state: {field!r} must hold finite numbers, got "
                f"{shown(v)}"
            )
    return [float(v) for v in values]


def encode_labels(y: Any, classes: Any = None) -> tuple[np.ndarray, list[Any]]:
    """Map class labels to codes ``0 .. n_classes - 1``.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        Labels: all numbers (int, float or bool) or all strings.
    classes : array-like of shape (n_classes,), optional
        Known classes, sorted and distinct (as this function returns them):
        the codes index into them, and ``y`` may hold any number of them.
        By default the classes are those of ``y``, at least two.

    Returns
    -------
    codes : ndarray of shape (n_samples,), int64
        ``classes[codes[i]] == y[i]``.
    classes : list
        The distinct labels, sorted (numbers numerically, strings by code
        point), as plain Python ``int``, ``float``, ``bool`` or ``str`` so
        they can be stored as JSON.

    Raises
    ------
    DataError
        For an empty ``y``, fewer than two classes (naming the one),
        NaN/inf/None labels, a mix of numbers and strings, or labels not
        among the given ``classes`` (naming them).

    Examples
    --------
    >>> encode_labels(["dog", "cat", "dog"])
    (array([1, 0, 1]), ['cat', 'dog'])
    >>> encode_labels(["dog"], classes=["cat", "dog", "emu"])
    (array([1]), ['cat', 'dog', 'emu'])
    """
    arr = _label_array(y)
    if classes is not None:
        known = np.asarray(classes)
        return _codes_in(arr, known), known.tolist()
    kind = arr.dtype.kind
    if kind in "biufU":
        unique, inverse = np.unique(arr, return_inverse=True)
        classes = [v.item() for v in unique]
        codes = inverse.reshape(-1).astype(np.int64)
    elif kind == "O":
        codes, classes = _encode_objects(arr.tolist())
    else:
        raise DataError(f"labels must be numbers or strings, got dtype {arr.dtype}")
    if len(classes) < 2:
        raise DataError(
            f"labels hold a single class ({classes[0]!r}); a classifier needs "
            "at least two"
        )
    return codes, classes


def _label_array(y: Any) -> np.ndarray:
    """``y`` as a non-empty 1-D array of labels, strings as ``str``, with no
    NaN or inf."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise DataError(f"labels must have shape (n_samples,), got {arr.shape}")
    if arr.size == 0:
        raise DataError("labels are empty")
    if arr.dtype.kind == "S":
        arr = arr.astype(str)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        rows = np.flatnonzero(~np.isfinite(arr))
        raise DataError(
            f"labels hold NaN or inf in {rows.size} row(s) "
            f"({listing(rows.tolist(), quote=False)})"
        )
    return arr


def _shown(labels: np.ndarray) -> str:
    """The first labels for a message, strings (and objects) quoted."""
    return listing(labels.tolist(), limit=10, quote=labels.dtype.kind in "UO")


def _codes_in(labels: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Each label's index in the sorted ``known`` classes."""
    try:
        codes = np.searchsorted(known, labels).clip(max=len(known) - 1)
    except TypeError:  # strings against numbers
        raise DataError(
            f"labels of dtype {labels.dtype} cannot be classes of dtype {known.dtype}"
        ) from None
    unknown = known[codes] != labels
    if unknown.any():
        unseen = np.unique(labels[unknown])
        raise DataError(
            f"labels {_shown(unseen)} are not among the classes {_shown(known)}"
        )
    return codes.astype(np.int64)


def _encode_objects(items: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """``encode_labels`` for a list of Python objects."""
    strings = all(isinstance(v, str) for v in items)
    numbers = all(isinstance(v, (int, float)) for v in items)
    if not (strings or numbers):
        kinds = sorted({type(v).__name__ for v in items})
        raise DataError(f"labels must be all numbers or all strings, got {kinds}")
    if numbers and not all(math.isfinite(v) for v in items):
        raise DataError("labels hold NaN or inf")
    classes = sorted(set(items))
    index = {c: i for i, c in enumerate(classes)}
    codes = np.fromiter((index[v] for v in items), dtype=np.int64, count=len(items))
    return codes, classes


def decode_labels(codes: Any, classes: Sequence[Any]) -> np.ndarray:
    """Map codes back to labels: the inverse of :func:`encode_labels`.

    Parameters
    ----------
    codes : array-like of int, shape (n_samples,)
        Values in ``0 .. len(classes) - 1``.
    classes : sequence or ndarray
        As returned by :func:`encode_labels`; an ndarray keeps its dtype.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``classes[codes[i]]``; str, int, float or bool dtype as the classes.
    """
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu" and codes.size:
        raise DataError(f"codes must be integers, got dtype {codes.dtype}")
    if len(classes) == 0:
        raise DataError("classes is empty")
    bad = (codes < 0) | (codes >= len(classes))
    if bad.any():
        raise DataError(
            f"code {codes[bad].flat[0]} is out of range for {len(classes)} classes "
            f"(valid: 0 to {len(classes) - 1})"
        )
    if isinstance(classes, np.ndarray):
        return classes[codes.astype(np.intp)]
    lookup = np.asarray(list(classes))
    if lookup.dtype.kind not in "biufU":
        lookup = np.asarray(list(classes), dtype=object)
    return lookup[codes.astype(np.intp)]
