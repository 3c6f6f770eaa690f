"""Work arrays: one per name, shape and dtype, and a smaller last batch's
taken from the first rows of the full batch's."""

import numpy as np

import plainnet as pn
from plainnet._buffers import BufferCache


def test_a_smaller_first_axis_takes_the_first_rows_of_the_larger():
    cache = BufferCache()
    full = cache._buffer("y", (4, 3), "float32")
    last = cache._buffer("y", (2, 3), "float32")
    assert last.shape == (2, 3) and np.shares_memory(full, last)
    assert cache._buffer("y", (2, 3), "float32") is last
    for name, shape, dtype in (
        ("y", (5, 3), "float32"),  # larger: its own array
        ("y", (2, 4), "float32"),  # another row shape
        ("y", (2, 3), "float64"),
        ("z", (2, 3), "float32"),
    ):
        other = cache._buffer(name, shape, dtype)
        assert other.shape == shape and not np.shares_memory(other, full)


def test_an_epoch_with_a_last_partial_batch_keeps_one_set_of_columns():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 1, 6, 6)).astype("float32")
    net = pn.Sequential(
        [pn.Conv2D(1, 2, 3), pn.ReLU(), pn.Flatten(), pn.Dense(2)],
        seed=0,
        dtype="float32",
        input_shape=(1, 6, 6),
    )
    net.fit(X, np.arange(10) % 2, loss="cross_entropy", epochs=1, batch_size=4)
    cols = [a for k, a in net.layers[0]._buffers.items() if k[0] == "cols"]
    window = 1 * 3 * 3 * 4 * 4  # (channels, *kernel, *out) of one sample
    assert sorted(a.size for a in cols) == [2 * window, 4 * window]
    assert np.shares_memory(*cols)
