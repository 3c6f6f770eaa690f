"""Arrays written once as a file streams in: on memory mapped without NumPy's
huge-page advice when they are large, plain ``np.empty`` arrays otherwise."""

import mmap
import sys

import numpy as np
import pytest

from plainnet._memory import HUGE_PAGE_ADVICE_BYTES, written_once
from plainnet.data import read_columns


def base_of(array: np.ndarray):
    """The object at the end of ``array``'s chain of bases and buffers."""
    owner = array
    while isinstance(owner, (np.ndarray, memoryview)):
        owner = owner.base if isinstance(owner, np.ndarray) else owner.obj
    return owner


#: int32 entries just short of NumPy's huge-page advice, and just at it
BELOW, AT = HUGE_PAGE_ADVICE_BYTES // 4 - 1, HUGE_PAGE_ADVICE_BYTES // 4


@pytest.mark.parametrize(
    "shape, dtype",
    [
        ((10,), np.float64),
        ((1000, 3), np.int32),
        ((200_000, 0), np.float64),
        ((BELOW,), np.int32),
        ((BELOW // 2,), np.float64),
    ],
)
def test_small_arrays_are_numpys_own(shape, dtype):
    array = written_once(shape, dtype)
    assert array.shape == shape and array.dtype == dtype
    assert array.flags.owndata and array.flags.writeable


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's mmap flags")
@pytest.mark.parametrize("dtype", [np.float64, np.int32])
@pytest.mark.parametrize("rows, columns", [(AT, 1), (300_000, 9)])
def test_large_arrays_are_mapped_pages_that_hold_what_is_written(rows, columns, dtype):
    shape = (rows, columns)
    array = written_once(shape, dtype)
    assert array.shape == shape and array.dtype == dtype
    assert array.flags.c_contiguous and array.flags.writeable
    assert isinstance(base_of(array), mmap.mmap)
    values = np.arange(rows * columns).reshape(shape) % 1000
    array[...] = values
    column = array[:, -1]  # a view keeps the pages
    del array
    np.testing.assert_array_equal(column, values[:, -1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's mmap flags")
@pytest.mark.parametrize("engine", ["python", "pyarrow"])
def test_a_large_files_columns_are_written_once_into_mapped_pages(tmp_path, engine):
    if engine == "pyarrow":
        pytest.importorskip("pyarrow")
    n = HUGE_PAGE_ADVICE_BYTES // 4 + 1000  # past the advice as int32 codes
    path = tmp_path / "t.csv"
    rows = (f"{i % 97},{'ab'[i % 2]}" for i in range(n))
    path.write_text("x,label\n" + "\n".join(rows) + "\n")
    columns = read_columns(path, engine=engine)
    assert isinstance(base_of(columns["x"].numbers), mmap.mmap)
    assert isinstance(base_of(columns["label"].codes), mmap.mmap)
    assert columns["x"].numbers[-1] == (n - 1) % 97
    np.testing.assert_array_equal(columns.lines, np.arange(2, n + 2))
    assert columns["label"].categories == ["a", "b"]
