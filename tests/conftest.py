import warnings

import pytest


@pytest.fixture
def no_warnings():
    """Turn every warning inside the test into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
