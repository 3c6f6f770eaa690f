"""``Sequential``: layers applied one after the other, one flat parameter buffer."""

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np  # in type hints only: the network computes through self.ops

from . import backend, losses
from ._messages import listing
from ._random import make_rng
from ._validation import (
    check_dtype,
    check_ids_input,
    check_input,
    check_sample_shape,
)
from .callbacks import History
from .errors import DataError
from .layers import Activation, Layer, layer_entries, layer_from_config
from .layers.shapes import check_shapes, input_shape_of
from .model_files import save as save_model
from .model_files.kinds import ModelKind, register_kind
from .summary import summary_table

#: Rows per block when predicting: small enough for each layer's output to stay
#: in cache, large enough for the matrix products to run at full speed.
PREDICT_ROWS = 2048


class Sequential:
    """A stack of layers trained by backpropagation.

    All parameters live in one flat buffer ``parameters`` (their gradients in
    ``gradients``, non-trainable arrays such as running statistics in ``state``);
    each layer's ``params``/``grads``/``state`` are views into them, so an
    optimizer step, a gradient reduction or a save is one operation on one array.

    The shapes of every layer are checked when the network is built: at
    construction if the input shape is known, else on the first ``fit`` or
    ``predict``. A layer that cannot take what the one before it gives raises
    ``ShapeError`` naming both.

    Parameters
    ----------
    layers : iterable of Layer
        For example ``[Dense(784, 256), ReLU(), Dense(256, 10)]``. Each layer
        belongs to this network from now on (a second network refuses it).
    seed : int, numpy Generator or RandomState, optional
        Source of the initial weights and of the shuffling order. The same seed
        gives bit-identical training runs (on the same machine and BLAS threads).
    dtype : {"float64", "float32"}, default "float64"
        Precision of the parameters and of every array in training.
    input_shape : tuple of int, optional
        One sample's shape, without the batch axis: ``(784,)`` for flat rows,
        ``(1, 28, 28)`` for one-channel images. By default the first layer that
        fixes it decides (``Dense(784, 10)`` takes ``(784,)``), else the first
        ``fit`` or ``predict``.
    device : str, optional
        Where the arrays live and are computed (:mod:`plainnet.backend`):
        ``"cpu"`` (the default, NumPy), ``"cuda"`` or ``"cuda:1"`` (CuPy, the
        ``cuda`` extra), ``"array_api_strict:device1"`` (the test backend).

    Attributes
    ----------
    parameters, gradients : array of shape (n_parameters,)
    state : array of shape (n_state,)
        Non-trainable arrays (empty unless a layer keeps running statistics).
    layout, state_layout : dict
        For each array's dotted name (``"layers.0.W"``), its slice of the flat
        buffers and its shape.
    input_shape, output_shape : tuple of int or None
        One sample's shapes (``None`` until built).
    n_features_in, n_outputs : int or None
        Widths of an input and an output row, for flat inputs and outputs.
    ops : Backend
        The backend that holds and computes the arrays; ``device`` names it.
    rng : numpy Generator or RandomState
        The network's random generator (initial weights, shuffling, dropout).
    history : History
        Cost per epoch over every call to ``fit``.
    loss, optimizer : the ones the last ``fit`` trained with (``predict_proba``
        and model files use the loss; a later ``fit`` continues the optimizer).

    Example
    -------
    >>> net = Sequential([Dense(2, 4), Tanh(), Dense(4, 1)], seed=0)
    >>> net.fit(X, y, loss="mse", optimizer=Adam(lr=0.01), epochs=100)
    >>> Sequential([Flatten(), Dense(32), ReLU(), Dense(10)], input_shape=(1, 8, 8))
    """

    def __init__(
        self,
        layers: Iterable[Layer],
        seed=None,
        dtype: str = "float64",
        input_shape: "Sequence[int] | None" = None,
        device: "str | None" = None,
    ) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Sequential needs at least one layer, got none")
        _check_layers(self.layers)
        for layer in self.layers:
            layer.claim(self)
        self.dtype = check_dtype(dtype)
        self.ops = backend.get(device)
        self.seed = seed
        self.rng = make_rng(seed)
        for layer in self.layers:
            if hasattr(layer, "rng"):  # a layer that draws while training (Dropout)
                layer.rng = self.rng
        self.input_shape = self.output_shape = None
        self.history = History()
        self.loss: losses.Loss | None = None
        self.optimizer = None
        shape = input_shape_of(self.layers, input_shape)
        if shape is not None:
            self.build(shape)

    # -- shapes, parameters and state ------------------------------------------
    def build(self, input_shape: Sequence[int]) -> None:
        """Tell every layer its input shape, then allocate and initialise the
        parameters. Done at construction when the input shape is known (given,
        or fixed by the first layer, as ``Dense(784, 10)`` does), else by the
        first ``fit`` or ``predict``, from ``X``."""
        self.output_shape = check_shapes(self.layers, input_shape)
        self.input_shape = tuple(int(size) for size in input_shape)
        self._allocate()
        self.initialize()

    @property
    def built(self) -> bool:
        """Whether the layers know their shapes and the parameters exist."""
        return self.input_shape is not None

    @property
    def device(self) -> str:
        """Where the arrays live, as ``device=`` names it (``"cpu"``)."""
        return self.ops.name

    @property
    def n_features_in(self) -> int | None:
        """Width of an input row (``None`` for images or before building)."""
        shape = self.input_shape
        return shape[0] if shape is not None and len(shape) == 1 else None

    @property
    def n_outputs(self) -> int | None:
        """Width of an output row (``None`` before building)."""
        shape = self.output_shape
        return shape[0] if shape is not None and len(shape) == 1 else None

    def _allocate(self) -> None:
        """One flat buffer for all parameters, one for their gradients and one
        for the non-trainable state; layers hold views into them."""
        self.layout = _layout(self.layers, "param_shapes")
        self.state_layout = _layout(self.layers, "state_shapes")
        size, state_size = _size(self.layout), _size(self.state_layout)
        self.parameters = self.ops.zeros((size,), self.dtype)
        self.gradients = self.ops.zeros((size,), self.dtype)
        self.state = self.ops.zeros((state_size,), self.dtype)
        self._bind_layers()

    def _bind_layers(self) -> None:
        """Make every layer's ``params``, ``grads`` and ``state`` views into the
        flat buffers, computed by this network's backend."""
        n, ops = len(self.layers), self.ops
        params = _views(ops, self.parameters, self.layout, n)
        grads = _views(ops, self.gradients, self.layout, n)
        state = _views(ops, self.state, self.state_layout, n)
        for layer, *arrays in zip(self.layers, params, grads, state, strict=True):
            layer.bind(*arrays, ops=ops)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickle and deepcopy turn the layers' views into arrays of their own
        self.__dict__.update(state)
        for layer in self.layers:
            layer.claim(self)
        if self.built:
            self._bind_layers()

    def initialize(self) -> None:
        """Draw fresh initial values for every parameter (in layer order, on the
        host) and reset the state."""
        ops, dtype = self.ops, self.dtype
        for layer in self.layers:
            for name, value in layer.initial_params(self.rng).items():
                layer.params[name][...] = ops.asarray(value.astype(dtype))
            for name, value in layer.initial_state().items():
                layer.state[name][...] = ops.asarray(value.astype(dtype))

    def named_parameters(self) -> dict[str, np.ndarray]:
        """Every parameter by dotted name (``"layers.0.W"``), as views."""
        return _named(self.ops, self.parameters, self.layout)

    def named_state(self) -> dict[str, np.ndarray]:
        """Every non-trainable array by dotted name (``"layers.2.running_mean"``),
        as views."""
        return _named(self.ops, self.state, self.state_layout)

    @property
    def n_parameters(self) -> int:
        """Number of trainable values."""
        return math.prod(self.parameters.shape)

    def to(self, device: str) -> "Sequential":
        """Move the network to ``device`` (see ``device`` above) and return it:
        parameters, gradients, state and the optimizer's state move, and every
        layer's views are rebound. Model files hold host arrays, whatever the
        device."""
        ops = backend.get(device)
        if ops is self.ops:
            return self
        if self.built:
            for name in ("parameters", "gradients", "state"):
                host = self.ops.to_numpy(getattr(self, name))
                setattr(self, name, ops.asarray(host))
        self.ops = ops
        if self.built:
            self._bind_layers()
            if self.optimizer is not None and self.optimizer.state:
                self.optimizer.prepare(self.parameters)
        return self

    def astype(self, dtype: str) -> "Sequential":
        """A copy in another precision (float32 or float64): same layers, same
        weights and state, cast, on the same device; no optimizer and a fresh
        history."""
        copy = Sequential.from_config(
            {**self.get_config(), "dtype": dtype}, seed=0, device=self.device
        )
        if self.built:
            copy.build(self.input_shape)
            for name in ("parameters", "state"):
                host = self.ops.to_numpy(getattr(self, name)).astype(dtype)
                getattr(copy, name)[...] = copy.ops.asarray(host)
        copy.loss = self.loss
        return copy

    def summary(self) -> str:
        """One line per layer with its output shape and number of parameters,
        then the totals, as a table (Keras's ``model.summary()``)."""
        return summary_table(self)

    # -- the math --------------------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        """Run ``X`` of shape ``(n_samples, *input_shape)`` through every layer.

        With ``training=True`` each layer caches what ``backward`` needs (and the
        returned array is a buffer reused by the next call); with ``False``
        nothing is cached. ``X`` is used as given (an array of this network's
        device): see ``predict`` for checks.
        """
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = False):
        """Backpropagate ``dL/doutput``; fills ``gradients``.

        Returns ``dL/dX`` if ``need_input_grad``, else ``None`` (the first layer
        then skips that product).
        """
        layers = self.layers
        for index in range(len(layers) - 1, 0, -1):
            grad_out = layers[index].backward(grad_out, True)
        return layers[0].backward(grad_out, need_input_grad)

    # -- using it --------------------------------------------------------------
    def check_input(self, X, name: str = "X", finite: bool = True) -> np.ndarray:
        """``X`` as a checked array of the network's dtype, on its device, whose
        samples have the network's input shape (``finite=False`` leaves the check
        for NaN and inf to the caller). Host arrays are moved once; an array of
        another device raises an error naming both. An unbuilt network is built
        for ``X``'s sample shape. A network whose first layer takes ids
        (``input_kind = "ids"``, as ``Embedding``) takes integer ids instead, in
        that layer's range, and keeps them integer."""
        if self.layers[0].input_kind == "ids":
            return self._check_ids(X, name)
        if not self.built:
            X = check_input(self.ops, X, self.dtype, name, finite, "any")
            self.build(X.shape[1:])
            return X
        X = check_input(self.ops, X, self.dtype, name, finite, self.input_shape)
        if X.shape[1:] != self.input_shape:
            first = next(
                (layer for layer in self.layers if layer.param_shapes()),
                self.layers[0],
            )
            check_sample_shape(X, self.input_shape, f"first layer {first!r}")
        return X

    def _check_ids(self, X, name: str):
        """``X`` as checked integer ids for the first layer (see ``check_input``)."""
        first, where = self.layers[0], f"layer 0 ({self.layers[0]!r})"
        shape = self.input_shape or "any"
        X = check_ids_input(self.ops, X, first.n_ids, name, shape, where)
        if not self.built:
            self.build(X.shape[1:])
        elif X.shape[1:] != self.input_shape:
            given, expected = X.shape[1:], self.input_shape
            if len(expected) == 1:
                given, expected = given[0], expected[0]
            raise DataError(
                f"{name} has samples of {given} ids, but the network expects "
                f"{expected} ({where})"
            )
        return X

    def predict(self, X) -> np.ndarray:
        """The network's output for ``X``, of shape ``(n_samples, n_outputs)``,
        as an array of the kind given (NumPy for NumPy input, whatever the
        device).

        For a network trained with a fused loss (``cross_entropy``,
        ``binary_cross_entropy``) this is the logits; see ``predict_proba``.
        Large inputs go through in blocks of ``PREDICT_ROWS`` rows, so that each
        layer's output stays in the processor's cache; nothing is kept after.
        """
        on_device = self.ops.owns(X)
        X = self.check_input(X, finite=False)
        with self.ops.errstate(under="ignore"):  # exp(-1000) is 0, as it should be
            output = self._predict_blocks(X)
        return output if on_device else self.ops.to_numpy(output)

    def _predict_blocks(self, X: np.ndarray) -> np.ndarray:
        """``_infer`` block by block, each block's input checked for NaN and inf
        as it goes (one pass)."""
        ops, output, n = self.ops, None, X.shape[0]
        for start in range(0, n, PREDICT_ROWS):
            block = X[start : min(start + PREDICT_ROWS, n), ...]
            if not ops.all_finite(block):
                check_input(ops, X, self.dtype, "X", True, self.input_shape)
            result = self._infer(block)
            if n <= PREDICT_ROWS:
                return result
            if output is None:
                output = ops.empty((n, *result.shape[1:]), result.dtype)
            output[start : start + block.shape[0], ...] = result
        return output

    def _infer(self, X: np.ndarray) -> np.ndarray:
        """``forward(X, training=False)``, with each activation applied in place to
        the array the layer before it made (never to the caller's ``X``, nor to
        a view of it such as ``Flatten`` gives)."""
        given = X
        for layer in self.layers:
            if isinstance(layer, Activation) and X is not given:
                X = layer.function(X, X)
            else:
                output = layer.forward(X, training=False)
                if X is given and layer.gives_view:
                    given = output
                X = output
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
        """Train on ``X`` of shape ``(n_samples, *input_shape)`` and targets ``y``.

        Parameters
        ----------
        loss : str or Loss, default: the last one used, else "mse"
            ``"sse"``, ``"mse"``, ``"binary_cross_entropy"``, ``"cross_entropy"``.
        optimizer : Optimizer or str, default: the last one used, else Adam()
            Passing the same object again continues its state. Its ``lr`` may
            be a schedule (:mod:`plainnet.schedules`); ``LBFGS`` trains on the
            whole set at once, one iteration per epoch.
        epochs : int
            Passes over the data.
        batch_size : int or None
            ``None`` trains on the whole set at once, as the seed does. Larger
            than the data is clipped to its size. A last batch of one sample is
            joined to the batch before it when a layer needs two samples or
            more (``BatchNorm`` of flat features).
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
            begins and ends, and sees the :class:`~plainnet.callbacks.TrainingState`
            in progress (network, loss, optimizer, epoch, generator).
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
            ``self.history``. Divergence (a cost or a weight that is not
            finite) raises ``TrainingDivergedError`` keeping the last finite
            weights and the optimizer's state of that moment; Ctrl-C stops after
            the current batch. Host arrays are moved to the device once.
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
        """Layers (by class name and config) and dtype, as JSON-compatible values;
        also ``input_shape`` when the network was built for one that its layers
        do not fix themselves. (The device is not part of it: a model runs on
        any.)"""
        config: dict[str, Any] = {
            "layers": layer_entries(self.layers),
            "dtype": self.dtype.name,
        }
        if self.built and self.input_shape != input_shape_of(self.layers, None):
            config["input_shape"] = list(self.input_shape)
        return config

    @classmethod
    def from_config(
        cls, config: dict[str, Any], seed=None, device: "str | None" = None
    ) -> "Sequential":
        """Rebuild (with freshly drawn weights) from :meth:`get_config`'s output;
        layer classes are looked up only in ``LAYERS``."""
        return cls(
            [layer_from_config(entry) for entry in config["layers"]],
            seed=seed,
            dtype=config["dtype"],
            input_shape=config.get("input_shape"),  # absent in older model files
            device=device,
        )

    def save(
        self, path, *, metadata: dict | None = None, include_optimizer: bool = True
    ) -> None:
        """Write the network to a ``.npz`` model file; see
        :func:`plainnet.model_files.save`."""
        save_model(self, path, metadata=metadata, include_optimizer=include_optimizer)

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        on = "" if self.device == "cpu" else f", device={self.device!r}"
        return f"Sequential([\n{inner},\n], dtype={self.dtype.name!r}{on})"


def _check_layers(layers: list) -> None:
    """Every item a plainnet ``Layer``, none twice."""
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layer {index} must be a plainnet Layer, got {type(layer).__name__}"
            )
    for index, layer in enumerate(layers[1:], start=1):
        if layer.input_kind == "ids":
            raise ValueError(
                f"layer {index} ({layer!r}) takes integer ids, so it must be the "
                "network's first layer"
            )
    seen: dict[int, int] = {}
    for index, layer in enumerate(layers):
        if id(layer) in seen:
            raise ValueError(
                f"layer {index} ({layer!r}) is the same object as layer "
                f"{seen[id(layer)]}: make a new one for each place"
            )
        seen[id(layer)] = index


def _layout(layers: list[Layer], shapes: str) -> dict[str, tuple[slice, tuple]]:
    """For each array that the layers' method ``shapes`` names, its dotted name
    (``"layers.0.W"``), its slice of a flat buffer and its shape."""
    layout, offset = {}, 0
    for index, layer in enumerate(layers):
        for name, shape in getattr(layer, shapes)().items():
            size = math.prod(shape)
            layout[f"layers.{index}.{name}"] = (slice(offset, offset + size), shape)
            offset += size
    return layout


def _size(layout: dict[str, tuple[slice, tuple]]) -> int:
    """Length of the flat buffer that ``layout`` lays out."""
    return max((part.stop for part, _ in layout.values()), default=0)


def _views(ops, buffer, layout, n_layers: int) -> list[dict[str, np.ndarray]]:
    """Per layer, its arrays as views into ``buffer``, by the name the layer
    gave them (``"W"``, or ``"1.W"`` for a layer held inside a ``Residual``)."""
    views: list[dict[str, np.ndarray]] = [{} for _ in range(n_layers)]
    for full_name, (part, shape) in layout.items():
        _, index, name = full_name.split(".", 2)
        views[int(index)][name] = ops.reshape(buffer[part], shape)
    return views


def _named(ops, buffer, layout) -> dict[str, np.ndarray]:
    """Every array of ``layout`` by dotted name, as views into ``buffer``."""
    return {
        name: ops.reshape(buffer[part], shape) for name, (part, shape) in layout.items()
    }


def _sequential(config: dict, network: Sequential) -> Sequential:
    """A ``Sequential`` is its network: its own settings in a file are none."""
    if config:
        raise ValueError(
            f"unknown setting(s) {listing(sorted(config))}; a sequential model "
            "has none beyond its network"
        )
    return network


register_kind(
    ModelKind("sequential", Sequential, lambda net: net, lambda net: {}, _sequential)
)
