import warnings

import pytest
from hypothesis import settings

from blas_helpers import blas_threads

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


@pytest.fixture
def threads_in_training(monkeypatch):
    """A list that gets :func:`blas_threads` as each run of the training loop
    (``plainnet.training.train``) starts."""
    from plainnet import training

    seen, original = [], training.train

    def train(*args, **kwargs):
        seen.append(blas_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(training, "train", train)
    return seen
