"""Turning user input into checked arrays.

Every message says what was expected and what was given. Nothing here modifies
the caller's array; a copy is made only when the dtype has to change.
"""

import math
import numbers
import warnings

import numpy as np

from ._messages import listing, shown
from .backend.base import foreign_device
from .errors import DataError

FLOAT_DTYPES = ("float32", "float64")


def check_dtype(dtype) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, else raise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy's deprecated aliases ("a")
            resolved = np.dtype(dtype)
    except (TypeError, ValueError, SyntaxError):  # "," reaches a Python parser
        resolved = None
    if resolved is None or resolved.name not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be one of {FLOAT_DTYPES}, got {shown(dtype)}")
    return resolved


def check_number(
    name: str,
    value,
    low: float,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_closed: bool = False,
    integer: bool = False,
    kind: str | None = None,
) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number (an int if
    ``integer``) in ``[low, high)``, or in ``(low, high)`` if ``low_open``, or
    in ``[low, high]`` if ``high_closed``; ``high=None`` is no upper bound.

    The message reads "name must be a number in [low, high), got value"
    (``kind`` replaces "a number"; ``""`` leaves it out).
    """
    inside = _is_number(value, integer)
    inside = inside and (value > low if low_open else value >= low)
    inside = inside and (
        high is None or (value <= high if high_closed else value < high)
    )
    if not inside:
        end = "inf" if high is None else high
        close = "]" if high_closed else ")"
        interval = f"{'(' if low_open else '['}{low}, {end}{close}"
        if kind is None:
            kind = "an int" if integer else "a number"
        kind = f"{kind} " if kind else ""
        raise ValueError(f"{name} must be {kind}in {interval}, got {shown(value)}")


def check_positive(
    name: str, value, *, integer: bool = False, zero: bool = False
) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite number (an int if
    ``integer``) above 0, or at least 0 if ``zero``.

    The message reads "name must be a positive int, got value" (or
    "non-negative"), the words for the intervals that need no numbers.
    """
    if not (_is_number(value, integer) and (value >= 0 if zero else value > 0)):
        sign = "non-negative" if zero else "positive"
        kind = "int" if integer else "number"
        raise ValueError(f"{name} must be a {sign} {kind}, got {shown(value)}")


def check_bool(name: str, value) -> bool:
    """``value`` as a bool if it is one (Python's or NumPy's), else
    ``ValueError`` naming it."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def check_int(name: str, value, low: int = 1) -> int:
    """``value`` as a plain ``int`` if it is an integer (Python's or NumPy's)
    of at least ``low``, else ``ValueError`` naming it."""
    if not _is_number(value, integer=True) or value < low:
        kind = "a positive int" if low == 1 else f"an int >= {low}"
        raise ValueError(f"{name} must be {kind}, got {shown(value)}")
    return int(value)


def _is_number(value, integer: bool) -> bool:
    """Whether ``value`` is a finite real (an integral one if ``integer``), not a
    bool."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        return False
    return integer or math.isfinite(value)


def check_X(
    X,
    dtype: np.dtype,
    name: str = "X",
    finite: bool = True,
    sample_shape: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Return ``X`` as a finite float array of ``dtype`` with one axis more than
    ``sample_shape``: ``(n_samples, n_features)`` by default, ``(n, channels,
    height, width)`` for ``sample_shape=(channels, height, width)``. (The sizes
    of ``sample_shape`` are checked by ``check_sample_shape``.)

    Integer and boolean input is converted (never truncated); input already of
    ``dtype`` is returned as is, without a copy. ``finite=False`` leaves the
    check for NaN and inf to the caller.
    """
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"{name} must hold numbers, got an array of dtype {array.dtype} "
            "(convert strings and objects to numbers first)"
        )
    sample_ndim = 1 if sample_shape is None else len(sample_shape)
    if array.ndim != 1 + sample_ndim:
        raise DataError(_rank_message(array, name, sample_shape))
    if 0 in array.shape:
        raise DataError(
            f"{name} is empty (shape {array.shape}); "
            "expected at least one sample and one feature"
        )
    array = as_float(array, dtype, name)
    if finite:
        check_finite(array, name)
    return array


def as_float(array: np.ndarray, dtype, name: str = "X") -> np.ndarray:
    """``array`` cast to the float ``dtype`` (no copy when it already is one).

    Raises ``DataError`` for a finite value that the cast would make infinite
    (beyond float32's largest, about 3.4e38), naming it, its row and column.
    """
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):
        cast = array.astype(dtype, copy=False)
    narrower = array.dtype.kind == "f" and array.dtype.itemsize > dtype.itemsize
    if narrower and not all_finite(cast):
        _check_range(array, cast, name)
    return cast


def _check_range(array: np.ndarray, cast: np.ndarray, name: str) -> None:
    """Raise if ``cast`` holds inf where ``array`` holds a finite value."""
    overflowed = np.isinf(cast) & np.isfinite(array)
    if not overflowed.any():
        return
    first = tuple(int(i) for i in np.argwhere(overflowed)[0])
    where = f"row {first[0]}, column {first[1]}" if array.ndim == 2 else f"at {first}"
    columns = ""
    if array.ndim == 2:
        index = np.flatnonzero(overflowed.any(axis=0)).tolist()
        columns = f" in column(s) [{listing(index, quote=False)}]"
    largest = np.finfo(cast.dtype).max
    raise DataError(
        f"{name} holds {array[first]:g} ({where}), too large for {cast.dtype.name} "
        f"(largest {largest!s}; {int(overflowed.sum())} such value(s){columns}): "
        "rescale the column, or use dtype='float64'"
    )


def on_host(value):
    """``value`` as the host can read it: an array of a device is copied back
    (what is checked on the host is checked once per call)."""
    if foreign_device(value) is None:
        return value
    from . import backend

    return backend.of(value).to_numpy(value)


def _device_and_shape(ops, X, sample_shape):
    """Refuse ``X`` when it is on a device other than ``ops``' (the
    ``DeviceError`` names both), and resolve ``sample_shape="any"`` to the
    sample shape ``X`` has. Returns the sample shape to check against."""
    if foreign_device(X) is not None and not ops.owns(X):
        ops.asarray(X)  # raises DeviceError naming both devices
    if sample_shape == "any":
        shape = X.shape if hasattr(X, "shape") else np.shape(X)
        return tuple(shape[1:]) or None
    return sample_shape


def check_input(
    ops,
    X,
    dtype: np.dtype,
    name: str = "X",
    finite: bool = True,
    sample_shape: tuple[int, ...] | None = None,
):
    """:func:`check_X` for a network on the backend ``ops``: the checked array
    on that device. Host input (NumPy, lists) is checked on the host and moved
    once; an array of that device is checked there, and read back only to name
    what is wrong; an array of another device raises ``DeviceError`` naming
    both. ``sample_shape="any"`` takes the sample shape ``X`` has (for a
    network not built yet)."""
    sample_shape = _device_and_shape(ops, X, sample_shape)
    if not ops.owns(X) or isinstance(X, np.ndarray):
        return ops.asarray(check_X(X, dtype, name, finite, sample_shape))
    if (finite and not ops.all_finite(X)) or not _fits(ops, X, sample_shape):
        host = check_X(ops.to_numpy(X), dtype, name, finite, sample_shape)
        return ops.asarray(host)  # checked: only a dtype or rank was wrong
    return ops.asarray(X, dtype)


def check_ids(
    X,
    n_ids: int,
    name: str = "X",
    sample_shape: tuple[int, ...] | None = None,
    layer: str = "the first layer",
) -> np.ndarray:
    """``X`` as an int64 array of ids in ``[0, n_ids)`` with one axis more than
    ``sample_shape`` (``(n_samples, steps)`` by default), for a first layer
    that takes ids (``layer`` names it in messages).

    Integer input is kept (cast to int64, never changed in place); floats are
    accepted when every value is a whole number. An id that is negative, not
    below ``n_ids`` or not a whole number raises ``DataError`` naming the
    first one, its position in ``X`` and how many there are.
    """
    array = np.asarray(X)
    if array.dtype.kind not in "iuf":
        raise DataError(
            f"{name} must hold integer ids for {layer}, got an array of dtype "
            f"{array.dtype} (map tokens to ids 0 to {n_ids - 1} first)"
        )
    sample_ndim = 1 if sample_shape is None else len(sample_shape)
    if array.ndim != 1 + sample_ndim:
        hint = "; use X.reshape(1, -1) for a single sequence" if array.ndim == 1 else ""
        steps = "steps" if sample_shape is None else ", ".join(map(str, sample_shape))
        raise DataError(
            f"{name} must be {1 + sample_ndim}-D of shape (n_samples, {steps}) of "
            f"integer ids, got {array.ndim}-D of shape {array.shape}{hint}"
        )
    if 0 in array.shape:
        raise DataError(
            f"{name} is empty (shape {array.shape}); expected at least one sample "
            "of at least one id"
        )
    valid = f"from 0 to {n_ids - 1}"
    if array.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            not_whole = ~np.isfinite(array) | (array != np.round(array))
        why = f"which is not a whole number: {layer} takes integer ids, {valid}"
        _refuse(array, not_whole, name, why)
    outside = (array < 0) | (array >= n_ids)
    _refuse(array, outside, name, f"but {layer} takes ids {valid}")
    return array.astype(np.int64, copy=False)


def _refuse(array: np.ndarray, bad: np.ndarray, name: str, why: str) -> None:
    """Raise ``DataError`` naming the first value of ``array`` where ``bad`` is
    true, its position, ``why``, and how many there are (if any)."""
    if not bad.any():
        return
    position = tuple(int(i) for i in np.argwhere(bad)[0])
    value = array[position]
    value = int(value) if array.dtype.kind in "iu" else float(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a whole float read as ids: 20, not 20.0
    count = int(np.count_nonzero(bad))
    more = f" ({count} such values in {name})" if count > 1 else ""
    raise DataError(f"{name} holds {value!r} at position {position}, {why}{more}")


def check_ids_input(
    ops,
    X,
    n_ids: int,
    name: str = "X",
    sample_shape: tuple[int, ...] | None = None,
    layer: str = "the first layer",
):
    """:func:`check_ids` for a network on the backend ``ops``: the checked ids
    on that device. An array already there is read back to be checked (ids
    are small next to the values they become) and kept as it is when it
    already holds int64 ids. ``sample_shape="any"`` takes the sample shape
    ``X`` has (for a network not built yet)."""
    sample_shape = _device_and_shape(ops, X, sample_shape)
    if not ops.owns(X) or isinstance(X, np.ndarray):
        return ops.asarray(check_ids(X, n_ids, name, sample_shape, layer))
    host = check_ids(ops.to_numpy(X), n_ids, name, sample_shape, layer)
    return X if str(X.dtype).endswith("int64") else ops.asarray(host)


def _fits(ops, X, sample_shape) -> bool:
    """Whether a device array has the rank, size and kind of values
    ``check_X`` accepts as they are."""
    rank = 1 + (1 if sample_shape is None else len(sample_shape))
    return (
        X.ndim == rank
        and 0 not in X.shape
        and str(X.dtype).endswith(("float32", "float64"))
    )


def _rank_message(array: np.ndarray, name: str, sample_shape) -> str:
    """What ``check_X`` says of an array with the wrong number of axes."""
    if sample_shape is None or len(sample_shape) == 1:
        hint = (
            "; use X.reshape(-1, 1) for a single feature or X.reshape(1, -1) "
            "for a single sample"
            if array.ndim == 1
            else ""
        )
        return (
            f"{name} must be 2-D of shape (n_samples, n_features), "
            f"got {array.ndim}-D of shape {array.shape}{hint}"
        )
    sizes = ", ".join(map(str, sample_shape))
    hint = (
        f"; X.reshape(-1, {sizes}) makes flat rows into that shape"
        if array.ndim >= 2 and math.prod(array.shape[1:]) == math.prod(sample_shape)
        else ""
    )
    return (
        f"{name} must be {1 + len(sample_shape)}-D of shape (n_samples, {sizes}), "
        f"got {array.ndim}-D of shape {array.shape}{hint}"
    )


def check_sample_shape(X: np.ndarray, expected: tuple[int, ...], where: str) -> None:
    """Raise if one sample of ``X`` does not have the ``expected`` shape."""
    if len(expected) == 1:
        check_n_features(X, expected[0], where)
    elif X.shape[1:] != tuple(expected):
        raise DataError(
            f"X has samples of shape {X.shape[1:]}, but the network expects "
            f"{tuple(expected)} ({where}); X.reshape(-1, "
            f"{', '.join(map(str, expected))}) makes flat rows into that shape"
        )


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise ``DataError`` naming NaN/inf, the columns and the rows affected."""
    if array.dtype.kind != "f" or all_finite(array):
        return
    table = array.reshape(array.shape[0], -1)
    bad = ~np.isfinite(table)
    rows = np.flatnonzero(bad.any(axis=1))
    kinds = " and ".join(
        kind
        for kind, found in (
            ("NaN", np.isnan(table).any()),
            ("inf", np.isinf(table).any()),
        )
        if found
    )
    where = ""
    if array.ndim == 2:
        columns = np.flatnonzero(bad.any(axis=0)).tolist()
        where = f" in column(s) [{listing(columns, quote=False)}]"
    raise DataError(
        f"{name} contains {kinds}{where}, in {rows.size} row(s) "
        f"(first: [{listing(rows.tolist(), quote=False)}]); "
        "remove or impute them before training"
    )


def all_finite(array: np.ndarray) -> bool:
    """Whether every entry is finite. A finite sum says so in one cheap pass with
    no full-size mask; only a sum that is not finite needs a closer look."""
    if array.size <= 4096:  # small: a mask is cheaper than the sum's error state
        return bool(np.isfinite(array).all())
    with np.errstate(over="ignore", invalid="ignore"):
        if math.isfinite(np.add.reduce(array, axis=None)):
            return True
    return bool(np.isfinite(array).all())


def check_n_features(X: np.ndarray, expected: int, where: str) -> None:
    """Raise if ``X`` has a different number of columns than ``expected``."""
    if X.shape[1] != expected:
        raise DataError(
            f"X has {X.shape[1]} features, but the network expects {expected} ({where})"
        )


def check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray | None:
    """``sample_weight`` as ``n_samples`` finite, non-negative weights of ``dtype``,
    not all zero (``None`` stays ``None``)."""
    if sample_weight is None:
        return None
    weight = np.asarray(on_host(sample_weight))
    if weight.dtype.kind not in "biuf" or weight.shape != (n_samples,):
        raise DataError(
            f"sample_weight must hold one number per sample, of shape ({n_samples},);"
            f" got shape {weight.shape} and dtype {weight.dtype}"
        )
    weight = weight.astype(dtype, copy=False)
    check_finite(weight, "sample_weight")
    if weight.min() < 0 or not weight.any():
        raise DataError(
            "sample_weight must be non-negative and not all zero, got values from "
            f"{weight.min()} to {weight.max()}"
        )
    return weight


def check_same_length(X: np.ndarray, y: np.ndarray) -> None:
    """Raise if ``X`` and ``y`` do not have the same number of samples."""
    if X.shape[0] != y.shape[0]:
        raise DataError(
            "X and y have different numbers of samples: "
            f"X has {X.shape[0]}, y has {y.shape[0]}"
        )
