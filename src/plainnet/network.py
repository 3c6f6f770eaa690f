"""``Sequential``: layers applied one after the other, one flat parameter buffer."""

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import losses
from ._validation import (
    all_finite,
    check_dtype,
    check_finite,
    check_n_features,
    check_X,
)
from .layers import Activation, Layer, layer_from_config

#: Rows per block when predicting: small enough for each layer's output to stay
#: in cache, large enough for the matrix products to run at full speed.
PREDICT_ROWS = 2048


class Sequential:
    """A stack of layers trained by backpropagation.

    All parameters live in one flat buffer ``parameters`` (and their gradients in
    ``gradients``); each layer's ``params``/``grads`` are views into them, so an
    optimizer step, a gradient reduction or a save is one operation on one array.

    Parameters
    ----------
    layers : iterable of Layer
        For example ``[Dense(784, 256), ReLU(), Dense(256, 10)]``.
    seed : int, numpy Generator or RandomState, optional
        Source of the initial weights and of the shuffling order. The same seed
        gives bit-identical training runs (on the same machine and BLAS threads).
    dtype : {"float64", "float32"}, default "float64"
        Precision of the parameters and of every array in training.

    Attributes
    ----------
    parameters, gradients : ndarray of shape (n_parameters,)
    layout : dict
        For each parameter's dotted name (``"layers.0.W"``), its slice of the
        flat buffers and its shape.
    n_features_in : int or None
        Input width expected by the first layer that has one.
    n_outputs : int or None
    history : History
        Cost per epoch over every call to ``fit``.
    loss, optimizer : the ones used by the last ``fit``.

    Example
    -------
    >>> net = Sequential([Dense(2, 4), Tanh(), Dense(4, 1)], seed=0)
    >>> net.fit(X, y, loss="mse", optimizer=Adam(lr=0.01), epochs=100)
    """

    def __init__(
        self, layers: Iterable[Layer], seed=None, dtype: str = "float64"
    ) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Sequential needs at least one layer, got none")
        for index, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layer {index} must be a plainnet Layer, "
                    f"got {type(layer).__name__}"
                )
        self.dtype = check_dtype(dtype)
        self.seed = seed
        self.n_features_in, self.n_outputs = _check_sizes(self.layers)
        self._rng = _make_rng(seed)
        for layer in self.layers:
            if hasattr(layer, "rng"):  # a layer that draws while training (Dropout)
                layer.rng = self._rng
        self._allocate()
        self.initialize()
        from .training import History

        self.history = History()
        self.loss: losses.Loss | None = None
        self.optimizer = None

    # -- parameters ------------------------------------------------------------
    def _allocate(self) -> None:
        """One flat buffer for all parameters and one for all gradients; every
        layer's ``params`` and ``grads`` become views into them."""
        self.layout: dict[str, tuple[slice, tuple[int, ...]]] = {}
        offset = 0
        for i, layer in enumerate(self.layers):
            for name, shape in layer.param_shapes().items():
                size = int(np.prod(shape))
                self.layout[f"layers.{i}.{name}"] = (
                    slice(offset, offset + size),
                    shape,
                )
                offset += size
        self.parameters = np.zeros(offset, dtype=self.dtype)
        self.gradients = np.zeros(offset, dtype=self.dtype)
        self._bind_layers()

    def _bind_layers(self) -> None:
        """Make every layer's ``params`` and ``grads`` views into the flat buffers."""
        for i, layer in enumerate(self.layers):
            params, grads = {}, {}
            for full_name, (part, shape) in self.layout.items():
                _, index, name = full_name.split(".")
                if int(index) == i:
                    params[name] = self.parameters[part].reshape(shape)
                    grads[name] = self.gradients[part].reshape(shape)
            layer.bind(params, grads)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickle and deepcopy turn the layers' views into arrays of their own
        self.__dict__.update(state)
        self._bind_layers()

    def initialize(self) -> None:
        """Draw fresh initial values for every parameter (in layer order)."""
        for layer in self.layers:
            for name, value in layer.initial_params(self._rng).items():
                layer.params[name][...] = value

    def named_parameters(self) -> dict[str, np.ndarray]:
        """Every parameter by dotted name (``"layers.0.W"``), as views."""
        return {
            name: self.parameters[part].reshape(shape)
            for name, (part, shape) in self.layout.items()
        }

    @property
    def n_parameters(self) -> int:
        """Number of trainable values."""
        return self.parameters.size

    # -- the math --------------------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        """Run ``X`` of shape ``(n_samples, n_features)`` through every layer.

        With ``training=True`` each layer caches what ``backward`` needs (and the
        returned array is a buffer reused by the next call); with ``False``
        nothing is cached. ``X`` is used as given: see ``predict`` for checks.
        """
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = False):
        """Backpropagate ``dL/doutput``; fills ``gradients``.

        Returns ``dL/dX`` if ``need_input_grad``, else ``None`` (the first layer
        then skips that product).
        """
        last = len(self.layers) - 1
        for index in range(last, -1, -1):
            grad_out = self.layers[index].backward(
                grad_out, need_input_grad=index > 0 or need_input_grad
            )
        return grad_out

    # -- using it --------------------------------------------------------------
    def check_input(self, X, name: str = "X", finite: bool = True) -> np.ndarray:
        """``X`` as a checked 2-D array of the network's dtype and input width
        (``finite=False`` leaves the check for NaN and inf to the caller)."""
        X = check_X(X, self.dtype, name, finite)
        if self.n_features_in is not None and X.shape[1] != self.n_features_in:
            first = next(layer for layer in self.layers if layer.param_shapes())
            check_n_features(X, self.n_features_in, f"first layer {first!r}")
        return X

    def predict(self, X) -> np.ndarray:
        """The network's output for ``X``, of shape ``(n_samples, n_outputs)``.

        For a network trained with a fused loss (``cross_entropy``,
        ``binary_cross_entropy``) this is the logits; see ``predict_proba``.
        Large inputs go through in blocks of ``PREDICT_ROWS`` rows, so that each
        layer's output stays in the processor's cache; nothing is kept after.
        """
        X = self.check_input(X, finite=False)
        if len(X) <= PREDICT_ROWS:
            check_finite(X, "X")
            return self._infer(X)
        output = None
        for start in range(0, len(X), PREDICT_ROWS):
            block = X[start : start + PREDICT_ROWS]
            if not all_finite(block):
                check_finite(X, "X")  # names every bad row and column
            result = self._infer(block)
            if output is None:
                output = np.empty((len(X), result.shape[1]), result.dtype)
            output[start : start + len(block)] = result
        return output

    def _infer(self, X: np.ndarray) -> np.ndarray:
        """``forward(X, training=False)``, with each activation applied in place to
        the array the layer before it made (never to the caller's ``X``)."""
        given = X
        for layer in self.layers:
            if isinstance(layer, Activation) and X is not given:
                X = layer.function(X, X)
            else:
                X = layer.forward(X, training=False)
        return X

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: the trained loss's output function applied to
        ``predict(X)`` (softmax for cross_entropy, sigmoid for binary_cross_entropy)."""
        if self.loss is None:
            raise ValueError("predict_proba needs to know the loss: call fit first")
        return self.loss.output_function(self.predict(X))

    def fit(
        self,
        X,
        y,
        loss: "str | losses.Loss | None" = None,
        optimizer=None,
        epochs: int = 1,
        batch_size: int | None = None,
        shuffle: bool = True,
        validation_data: tuple | None = None,
        early_stopping=None,
        callbacks: Iterable[object] = (),
        grad_hook: Callable[[np.ndarray], None]
        | Iterable[Callable[[np.ndarray], None]]
        | None = None,
        sample_weight=None,
    ):
        """Train on ``X`` of shape ``(n_samples, n_features)`` and targets ``y``.

        Parameters
        ----------
        loss : str or Loss, default: the last one used, else "mse"
            ``"sse"``, ``"mse"``, ``"binary_cross_entropy"``, ``"cross_entropy"``.
        optimizer : Optimizer or str, default: the last one used, else Adam()
            Passing the same object again continues its state.
        epochs : int
            Passes over the data.
        batch_size : int or None
            ``None`` trains on the whole set at once, as the seed does. Larger
            than the data is clipped to its size.
        shuffle : bool
            Visit samples in a new seeded order each epoch.
        validation_data : (X_val, y_val) or (X_val, y_val, sample_weight), optional
            Its cost is recorded per epoch in ``history.val_loss``.
        early_stopping : EarlyStopping, optional
            Stops when the monitored cost stops improving; best weights restored.
            It runs as the last of the callbacks.
        callbacks : sequence of Callback or of functions ``f(epoch, logs)``
            Run after each epoch with the epoch's logs (``epoch``, ``loss``,
            ``val_loss``), in order; one returning ``True`` stops training. A
            :class:`~plainnet.callbacks.Callback` is also told when training
            begins and ends.
        grad_hook : callable ``f(gradients) -> None``, or a sequence of them, optional
            Called after backward and before the optimizer step with the flat
            gradient buffer, which they may modify in place, in the order given
            (see :mod:`plainnet.hooks`: ``L2Penalty``, ``clip_by_global_norm``).
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights: each batch's mean cost becomes the weighted mean
            ``sum_i w_i l_i / sum_i w_i``, and so does the epoch's.

        Returns
        -------
        History
            ``self.history``. Divergence raises ``TrainingDivergedError`` keeping
            the last finite weights; Ctrl-C stops after the current batch.
        """
        from .training import fit

        return fit(
            self,
            X,
            y,
            loss=loss,
            optimizer=optimizer,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            validation_data=validation_data,
            early_stopping=early_stopping,
            callbacks=callbacks,
            grad_hook=grad_hook,
            sample_weight=sample_weight,
        )

    # -- description -----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Layers (by class name and config) and dtype, as JSON-compatible values."""
        return {
            "layers": [
                {"class": type(layer).__name__, "config": layer.get_config()}
                for layer in self.layers
            ],
            "dtype": self.dtype.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], seed=None) -> "Sequential":
        """Rebuild (with freshly drawn weights) from :meth:`get_config`'s output;
        layer classes are looked up only in ``LAYERS``."""
        return cls(
            [layer_from_config(entry) for entry in config["layers"]],
            seed=seed,
            dtype=config["dtype"],
        )

    def save(
        self, path, *, metadata: dict | None = None, include_optimizer: bool = True
    ) -> None:
        """Write the network to a ``.npz`` model file; see
        :func:`plainnet.serialization.save`."""
        from .serialization import save

        save(self, path, metadata=metadata, include_optimizer=include_optimizer)

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner},\n], dtype={self.dtype.name!r})"


def _check_sizes(layers: list[Layer]) -> tuple[int | None, int | None]:
    """Check that each layer's input width matches the previous output width."""
    n_in = width = None
    for index, layer in enumerate(layers):
        expected = getattr(layer, "n_in", None)
        if expected is not None:
            if width is not None and width != expected:
                raise ValueError(
                    f"layer {index} ({layer!r}) expects {expected} inputs, but the "
                    f"layers before it give {width}"
                )
            if n_in is None:
                n_in = expected
            width = expected
        if width is not None:
            width = layer.output_size(width)
    return n_in, width


def _make_rng(seed):
    """A Generator from an int or None; a given Generator or RandomState as is."""
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
    ):
        raise ValueError(
            f"seed must be an int, a numpy Generator or None, got {seed!r}"
        )
    return np.random.default_rng(seed)
