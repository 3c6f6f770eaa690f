"""plainnet's estimators over Dask collections: training on data larger than
memory, one chunk at a time, and prediction chunk by chunk on the workers.

Needs the ``dask`` extra (from a checkout of plainnet: ``pip install ".[dask]"``);
``import plainnet`` never imports Dask. Whatever scheduler is active does the
work: a ``distributed.Client`` if one was created, else Dask's local threads.

>>> import dask.array as da
>>> from plainnet import NeuralNetClassifier
>>> from plainnet.dask import fit_incremental, predict
>>> X = da.from_zarr("features.zarr")            # (n_samples, n_features), chunked
>>> y = da.from_zarr("labels.zarr")
>>> model = fit_incremental(NeuralNetClassifier(), X, y, epochs=5, classes=[0, 1])
>>> predict(model, X).to_zarr("predicted.zarr")
"""

import numpy as np

try:  # the absolute import finds the Dask package, not this module
    import dask
    import dask.array as da
except ImportError as error:
    raise ImportError(
        "plainnet.dask needs Dask; install it from a checkout of plainnet with: "
        'pip install ".[dask]"'
    ) from error

__all__ = ["fit_incremental", "predict", "predict_proba"]


def fit_incremental(
    estimator,
    X,
    y,
    *,
    epochs: int = 1,
    classes=None,
    shuffle: bool = True,
    random_state: int | None = 0,
):
    """Train ``estimator`` with one ``partial_fit`` call per chunk of ``X``.

    Each call is one Dask task: the chunk is computed where the task runs, and
    the estimator travels there and back by pickle, so memory holds one chunk
    at a time (besides the model). The result is bit-identical to calling
    ``partial_fit`` in this process on the same chunks in the same order.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        For example a ``NeuralNetClassifier``; fitted or not.
    X : dask Array of shape (n_samples, n_features), or dask DataFrame
        The chunks along the rows are the units of training. A DataFrame is
        taken as its values (``to_dask_array(lengths=True)``, which computes
        the partitions' lengths once).
    y : dask Array of shape (n_samples,) or (n_samples, n_outputs), or dask
        Series or DataFrame; rechunked to ``X``'s rows if needed.
    epochs : int, default 1
        Passes over all chunks.
    classes : array-like of shape (n_classes,), optional
        Passed to every ``partial_fit`` call (a classifier needs it on the
        first one).
    shuffle : bool, default True
        Visit the chunks in a new order each epoch: epoch ``e`` takes the
        ``e``-th ``permutation(n_chunks)`` of
        ``np.random.default_rng(random_state)``. Else in order.
    random_state : int or None, default 0

    Returns
    -------
    estimator
        The given estimator, trained in place.
    """
    X, y = _as_array(X, "X"), _as_array(y, "y")
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X must be 2-D with one row per entry of y; got X of shape {X.shape} "
            f"and y of shape {y.shape}"
        )
    X_chunks = _row_chunks(X, X.chunks[0])
    y_chunks = _row_chunks(y, X.chunks[0])
    fit_params = {} if classes is None else {"classes": classes}
    rng = np.random.default_rng(random_state)
    trained = estimator
    for _ in range(epochs):
        order = rng.permutation(len(X_chunks)) if shuffle else range(len(X_chunks))
        for i in order:
            task = dask.delayed(_partial_fit)(
                trained, X_chunks[i], y_chunks[i], fit_params
            )
            (trained,) = dask.compute(task)
    vars(estimator).update(vars(trained))  # a no-op where no pickling took place
    return estimator


def predict(estimator, X) -> da.Array:
    """``estimator.predict`` of each chunk of ``X``, lazily, as a Dask array.

    Parameters
    ----------
    estimator : fitted estimator
    X : dask Array of shape (n_samples, n_features), or dask DataFrame

    Returns
    -------
    dask Array of shape (n_samples,) or (n_samples, n_outputs)
        With the rows chunked as ``X``'s; ``.compute()`` runs it.
    """
    return _map_rows(estimator.predict, X)


def predict_proba(estimator, X) -> da.Array:
    """``estimator.predict_proba`` of each chunk of ``X``, lazily.

    Parameters
    ----------
    estimator : fitted classifier
    X : dask Array of shape (n_samples, n_features), or dask DataFrame

    Returns
    -------
    dask Array of shape (n_samples, n_classes)
    """
    return _map_rows(estimator.predict_proba, X)


def _partial_fit(estimator, X, y, fit_params: dict):
    """One chunk's training step, run as a Dask task; returns the estimator."""
    return estimator.partial_fit(X, y, **fit_params)


def _as_array(data, name: str) -> da.Array:
    """A dask Array as is; a dask DataFrame or Series as its values."""
    if hasattr(data, "to_dask_array"):
        data = data.to_dask_array(lengths=True)
    if not isinstance(data, da.Array):
        raise TypeError(
            f"{name} must be a dask Array or DataFrame, got {type(data).__name__}; "
            "for data in memory call the estimator's own methods"
        )
    return data


def _row_chunks(array: da.Array, rows: tuple[int, ...]) -> list[da.Array]:
    """``array`` cut into chunks of ``rows`` rows, each holding whole rows."""
    array = array.rechunk({0: rows, **{axis: -1 for axis in range(1, array.ndim)}})
    return [array.blocks[i] for i in range(array.numblocks[0])]


def _map_rows(method, X) -> da.Array:
    """``method`` applied to every chunk of rows of ``X``; the shape and dtype
    of its output are learned from one row of zeros."""
    X = _as_array(X, "X")
    X = X.rechunk({1: -1})
    probe = np.asarray(method(np.zeros((1, X.shape[1]), dtype=X.dtype)))
    if probe.ndim == 1:
        return X.map_blocks(method, drop_axis=1, dtype=probe.dtype, meta=probe[:0])
    return X.map_blocks(
        method,
        chunks=(X.chunks[0], probe.shape[1:]),
        dtype=probe.dtype,
        meta=probe[:0],
    )
