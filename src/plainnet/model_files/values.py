"""JSON values in the document: NumPy values written as JSON, NaN and inf
written as null, and the check of a list of numbers read back."""

import math

import numpy as np


def to_json(value):
    """``value`` with NumPy arrays and scalars turned into lists and numbers."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    return value


def finite_or_none(value) -> float | None:
    """``value`` as a float, or None for NaN and inf (which JSON cannot hold)."""
    value = float(value)
    return value if math.isfinite(value) else None


def is_number_list(value) -> bool:
    """Whether ``value`` is a list of numbers and nulls (booleans excluded)."""
    return isinstance(value, list) and all(
        v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
        for v in value
    )
