import warnings

import pytest
from hypothesis import settings

# the generated examples are the same in every run: a test fails everywhere
# or nowhere (new examples come from changing the tests, not from the clock)
settings.register_profile("plainnet", derandomize=True, database=None)
settings.load_profile("plainnet")


@pytest.fixture
def no_warnings():
    """Turn every warning inside the test into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
