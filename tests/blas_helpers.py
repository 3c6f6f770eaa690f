"""BLAS's threads as the tests see them."""

import pytest


def blas_threads() -> list[int]:
    """The thread count of each BLAS library loaded (threadpoolctl)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    info = threadpoolctl.threadpool_info()
    return [lib["num_threads"] for lib in info if lib["user_api"] == "blas"]
