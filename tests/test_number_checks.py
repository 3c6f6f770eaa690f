"""The two number checks behind every setting: one message style, bools refused."""

import math

import numpy as np
import pytest

from plainnet._validation import check_number, check_positive


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (0, {"low": 0, "low_open": True}, r"x must be a number in \(0, inf\), got 0"),
        (1.0, {"low": 0, "high": 1}, r"x must be a number in \[0, 1\), got 1.0"),
        (2.5, {"low": 1, "integer": True}, r"x must be an int in \[1, inf\), got 2.5"),
        (True, {"low": 0}, "got True"),
        (math.nan, {"low": 0}, "got nan"),
        (math.inf, {"low": 0}, "got inf"),
        ("1", {"low": 0}, "got '1'"),
    ],
)
def test_check_number_refuses_with_the_interval(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_number("x", value, **kwargs)


def test_check_number_accepts_numpy_scalars_on_the_bounds():
    check_number("x", np.float32(0.0), 0, 1)
    check_number("x", np.int64(1), 1, integer=True)


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (0, {"integer": True}, "x must be a positive int, got 0"),
        (-1, {"integer": True, "zero": True}, "x must be a non-negative int, got -1"),
        (0.0, {}, "x must be a positive number, got 0.0"),
        (np.bool_(True), {"integer": True}, "got np.True_|got True"),
    ],
)
def test_check_positive_refuses_in_words(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_positive("x", value, **kwargs)


def test_check_positive_accepts_zero_only_when_asked():
    check_positive("x", 0, integer=True, zero=True)
    check_positive("x", np.int32(3), integer=True)
