"""BLAS's threads as the tests see them."""

import pytest


def blas_threads() -> list[int]:
    """The thread count of each BLAS library NumPy multiplies with
    (threadpoolctl): the one in NumPy's wheel where there is one (numba
    loads SciPy's too, which plainnet's products never use)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    info = [lib for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]
    numpys = [lib for lib in info if "numpy" in lib["filepath"]]
    return [lib["num_threads"] for lib in numpys or info]
