"""What both estimators share: their parameters, the network they build, and its
training by ``Sequential.fit`` (which runs a small network's products on one
BLAS thread: see ``plainnet.training.SINGLE_THREAD_WORK``).
"""

import math
import numbers
import os
import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import backend, optimizers, schedules
from .._messages import shown
from .._validation import (
    as_float,
    check_dtype,
    check_finite,
    check_number,
    check_sample_weight,
)
from ..callbacks import EarlyStopping, ProgressBar
from ..errors import DataError
from ..hooks import L2Penalty
from ..layers import (
    LAYERS,
    Dense,
    Flatten,
    Layer,
    activations,
    dense_stack,
    layer_entries,
    layer_from_config,
)
from ..layers.shapes import check_shapes
from ..network import Sequential
from . import files
from ._fitting import (
    LossCurve,
    ValidationScores,
    penalty_scale,
    stopper_for,
    validation_split,
)

__all__ = ["BaseNeuralNet"]


class BaseNeuralNet(BaseEstimator):
    """The parameters, the network and its training, shared by
    ``NeuralNetClassifier`` and ``NeuralNetRegressor`` (see them for the
    parameters).

    Besides the fitted attributes, the model files (:mod:`plainnet.sklearn.files`)
    use :meth:`check_params`, :meth:`architecture`, :meth:`build_layers` and
    ``loss_name``, the name of the loss the network is trained on.
    """

    loss_name: str

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (100,),
        activation: str = "relu",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        learning_rate_schedule: "str | schedules.Schedule | None" = None,
        batch_size: int = 200,
        max_epochs: int = 200,
        alpha: float = 1e-4,
        dropout: float = 0.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        shuffle: bool = True,
        random_state=None,
        dtype: str = "float32",
        warm_start: bool = False,
        verbose: bool = False,
        layers: Sequence[Layer] | None = None,
        input_shape: Sequence[int] | None = None,
        device: str | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.alpha = alpha
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.dtype = dtype
        self.warm_start = warm_start
        self.verbose = verbose
        self.layers = layers
        self.input_shape = input_shape
        self.device = device

    # -- what the subclasses define: _encode(y, fresh, incremental, classes) sets
    # or checks the target attributes and returns y as the loss takes it;
    # _n_outputs(target) and _score_encoded(X, target, weight) (accuracy or R^2)
    def _output_bias(self, target: np.ndarray, sample_weight) -> np.ndarray | None:
        """Initial bias of the output layer (``None`` keeps zeros)."""
        return None

    # -- training ----------------------------------------------------------------
    def _fit(
        self, X, y, sample_weight, *, incremental: bool, classes=None, callbacks=()
    ):
        """Validate, build the network if needed, and train: one epoch for
        ``partial_fit``, up to ``max_epochs`` for ``fit``."""
        dtype = self.check_params()
        fresh = not hasattr(self, "model_") or not (incremental or self.warm_start)
        if fresh:  # a fit that fails leaves the estimator unfitted, not half-updated
            vars(self).pop("model_", None)
        X, target, sample_weight = self._validate(
            X, y, sample_weight, dtype, fresh, incremental, classes
        )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        if fresh:
            self._start(X.shape[1], seed, dtype, target, sample_weight)
        validation = None
        if self.early_stopping and not incremental:
            X, target, sample_weight, validation = validation_split(
                X, target, sample_weight, self.validation_fraction, rng
            )
        stopper = None
        if not incremental:
            stopper = stopper_for(
                validation is not None, self.n_iter_no_change, self.tol
            )
        self._train(X, target, sample_weight, validation, stopper, callbacks)
        self._record(stopper)
        return self

    def _validate(self, X, y, sample_weight, dtype, fresh, incremental, classes):
        """Checked ``X``, ``y`` encoded for the loss, and checked weights."""
        if not fresh and self.architecture() != self.architecture_:
            raise ValueError(
                "the network was built with (hidden_layer_sizes, activation, "
                "dropout, dtype, layers, input_shape) = "
                f"{shown(self.architecture_, 300)}, but they are now "
                f"{shown(self.architecture(), 300)}; fit with "
                "warm_start=False for a new network"
            )
        X, y = validate_data(
            self,
            X,
            y,
            reset=fresh,
            dtype=_float_dtypes(dtype),
            ensure_all_finite=False,  # check_finite names the columns and rows
            multi_output=True,
            y_numeric=isinstance(self, RegressorMixin),
        )
        X = as_float(X, dtype, "X")
        check_finite(X, "X")
        target = self._encode(y, fresh, incremental, classes)
        weight = check_sample_weight(sample_weight, len(X), dtype)
        return self._samples(X), target, weight

    def _start(self, n_features: int, seed: int, dtype, target, sample_weight) -> None:
        """A new network, its output bias, and an empty loss curve."""
        layers = self.build_layers(n_features, self._n_outputs(target))
        shape = (n_features,) if self.input_shape is None else self.input_shape
        self.model_ = Sequential(
            layers, seed=seed, dtype=dtype, input_shape=shape, device=self.device
        )
        self.architecture_ = self.architecture()
        self.n_outputs_ = self.model_.n_outputs
        bias = self._output_bias(target, sample_weight)
        if bias is not None:
            self.model_.layers[-1].params["b"][...] = self.model_.ops.asarray(bias)
        self.loss_curve_ = []

    def _train(self, X, target, sample_weight, validation, stopper, extra=()) -> None:
        """One ``Sequential.fit``: a single epoch without a ``stopper``
        (``partial_fit``, continuing the optimizer), else up to ``max_epochs``."""
        incremental = stopper is None
        batch_size = len(X) if self._full_batch() else self.batch_size
        penalty = None
        if self.alpha:
            n = penalty_scale(batch_size, len(X), sample_weight)
            penalty = L2Penalty(self.model_, self.alpha, n)
        callbacks = [
            LossCurve(self.loss_curve_, penalty),
            *self._scores(validation),
            *extra,
        ]
        shown = None if self.verbose and not incremental else False  # None: if a tty
        with ProgressBar(self.max_epochs, type(self).__name__, shown) as bar:
            self.model_.fit(
                X,
                target,
                loss=self.loss_name,
                optimizer=self._optimizer(len(X))
                if not incremental or self.model_.optimizer is None
                else self.model_.optimizer,
                epochs=1 if incremental else self.max_epochs,
                batch_size=batch_size,
                shuffle=self.shuffle,
                validation_data=validation,
                callbacks=[*callbacks, *([stopper] if stopper else []), bar],
                grad_hook=penalty,
                sample_weight=sample_weight,
            )

    def _scores(self, validation) -> list[ValidationScores]:
        """The callback recording ``validation_scores_`` (none without a split)."""
        self.validation_scores_ = None
        if validation is None:
            return []
        self.validation_scores_ = []
        return [
            ValidationScores(self.validation_scores_, self._score_encoded, validation)
        ]

    def _record(self, stopper: EarlyStopping | None) -> None:
        """Set the fitted attributes after training; warn if ``max_epochs``
        stopped it."""
        history = self.model_.history
        self.n_iter_ = len(history.loss)
        if stopper is not None and stopper.monitor == "val_loss":
            self.best_loss_ = stopper.best
        else:
            self.best_loss_ = min(self.loss_curve_)
        stopped = stopper is None or stopper.wait >= stopper.patience
        if not (stopped or history.interrupted):
            warnings.warn(
                f"{type(self).__name__} stopped at max_epochs={self.max_epochs} "
                f"while the loss was still improving by more than tol={self.tol}; "
                "raise max_epochs or learning_rate for a converged model",
                ConvergenceWarning,
                stacklevel=4,  # _record, _fit, fit, then the caller's line
            )

    def _optimizer(self, n_samples: int) -> optimizers.Optimizer:
        """A new optimizer of the parameters, for ``max_epochs`` epochs over
        ``n_samples`` (what a named schedule's length depends on)."""
        cls = type(optimizers.get(self.optimizer))
        if cls is optimizers.LBFGS:
            return cls()
        lr = self.learning_rate
        if self.learning_rate_schedule is not None:
            steps = self.max_epochs * math.ceil(n_samples / self.batch_size)
            lr = schedules.for_training(self.learning_rate_schedule, lr, steps)
        return cls(lr=lr)

    def _full_batch(self) -> bool:
        """Whether the optimizer takes the whole data at once (L-BFGS)."""
        return self.optimizer == "lbfgs"

    # -- the network these parameters build --------------------------------------
    def build_layers(self, n_features: int, n_outputs: int) -> list[Layer]:
        """``Dense`` layers of the hidden sizes, each followed by the activation
        (and ``Dropout``), then a linear ``Dense`` output layer; or fresh copies
        of ``layers`` with the output layer the task needs."""
        if self.layers is not None:
            shape = (n_features,) if self.input_shape is None else self.input_shape
            # fresh copies: an estimator never changes its parameters
            copies = [layer_from_config(entry) for entry in layer_entries(self.layers)]
            return with_output_layer(copies, shape, n_outputs)
        sizes = [n_features, *_hidden_sizes(self.hidden_layer_sizes), n_outputs]
        return dense_stack(sizes, self.activation, dropout=self.dropout)

    def architecture(self) -> tuple:
        """The parameters the network is built from, as ``architecture_`` holds
        them: ``(hidden_layer_sizes, activation, dropout, dtype, layers,
        input_shape)``, ``layers`` as ``{"class", "config"}`` entries."""
        sizes = tuple(_hidden_sizes(self.hidden_layer_sizes))
        layers = None if self.layers is None else layer_entries(self.layers)
        shape = None if self.input_shape is None else tuple(self.input_shape)
        dtype = check_dtype(self.dtype).name
        return sizes, self.activation, float(self.dropout), dtype, layers, shape

    def _samples(self, X: np.ndarray) -> np.ndarray:
        """Flat rows as the network takes them: reshaped to ``input_shape``."""
        if self.input_shape is None:
            return X
        shape = tuple(self.input_shape)
        if X.shape[1] != math.prod(shape):
            raise DataError(
                f"X has {X.shape[1]} features, but input_shape={shape} takes rows "
                f"of {math.prod(shape)} = {' x '.join(map(str, shape))} to reshape"
            )
        return X.reshape(len(X), *shape)

    def check_params(self) -> np.dtype:
        """Raise ``ValueError`` for a parameter out of its range or an unknown
        name; returns the network's dtype."""
        check_number("learning_rate", self.learning_rate, 0, low_open=True)
        check_number("batch_size", self.batch_size, 1, integer=True)
        check_number("max_epochs", self.max_epochs, 1, integer=True)
        check_number("alpha", self.alpha, 0)
        check_number("dropout", self.dropout, 0, 1)
        check_number(
            "validation_fraction", self.validation_fraction, 0, 1, low_open=True
        )
        check_number("n_iter_no_change", self.n_iter_no_change, 1, integer=True)
        check_number("tol", self.tol, 0)
        if not isinstance(self.activation, str):
            raise ValueError(f"activation must be a name, got {shown(self.activation)}")
        activations.get(self.activation)
        optimizers.get(self.optimizer)
        if self.learning_rate_schedule is not None:
            schedules.for_training(self.learning_rate_schedule, 1.0, 1)
        _hidden_sizes(self.hidden_layer_sizes)
        _check_layers(self.layers, self.input_shape)
        backend.get(self.device)  # a known device, its library installed
        return check_dtype(self.dtype)

    # -- predicting and saving ---------------------------------------------------
    def summary(self) -> str:
        """The fitted network as a table: each layer's output shape and
        number of parameters, then the totals (``model_.summary()``).

        Raises
        ------
        NotFittedError
            Before ``fit`` or ``partial_fit``.
        """
        check_is_fitted(self, "model_")
        return self.model_.summary()

    def _output(self, X) -> np.ndarray:
        """The network's output for checked ``X``, of shape (n_samples, n_outputs_)."""
        check_is_fitted(self, "model_")
        dtype = self.model_.dtype
        X = validate_data(
            self, X, reset=False, dtype=_float_dtypes(dtype), ensure_all_finite=False
        )
        return self.model_.predict(self._samples(as_float(X, dtype, "X")))

    def save(
        self, path: "str | os.PathLike[str]", *, include_optimizer: bool = True
    ) -> None:
        """Write the fitted estimator to a ``.npz`` model file, atomically;
        ``plainnet.load(path)`` reads it back.

        The file holds the network (see :func:`plainnet.model_files.save`), the
        parameters and the fitted attributes. The loaded estimator predicts
        bit-identically, and ``partial_fit`` continues as it would have here.

        Parameters
        ----------
        path : str or path-like
            Written exactly as given (no suffix is added).
        include_optimizer : bool, default True
            Also save the optimizer's state; without it, ``partial_fit`` after
            loading starts a new optimizer.

        Raises
        ------
        NotFittedError
            Before ``fit`` or ``partial_fit``.
        ValueError
            For a parameter that a model file cannot hold (``random_state`` as a
            ``RandomState``, an optimizer object, ...), invalid parameters, or
            weights holding NaN or inf.

        Example
        -------
        >>> model.fit(X, y).save("model.npz")
        >>> plainnet.load("model.npz").predict(X)
        """
        files.save_estimator(self, path, include_optimizer=include_optimizer)


def _float_dtypes(dtype: np.dtype) -> list:
    """What ``validate_data`` may leave ``X`` as: ``dtype``, or float64 for
    ``as_float`` to cast (naming a value too large for float32)."""
    return list(dict.fromkeys([dtype, np.dtype(np.float64)]))


def _hidden_sizes(sizes) -> list[int]:
    """``hidden_layer_sizes`` as a list of positive ints, else ``ValueError``."""
    given = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    if not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
        for s in given
    ):
        raise ValueError(
            "hidden_layer_sizes must be a positive int or a sequence of positive "
            f"ints, got {shown(sizes)}"
        )
    return [int(s) for s in given]


def with_output_layer(
    layers: list[Layer], input_shape: Sequence[int], n_outputs: int
) -> list[Layer]:
    """``layers``, then ``Flatten`` if they give more than one axis, then
    ``Dense(n_outputs)``, unless they already end in a ``Dense`` of that width."""
    last = layers[-1] if layers else None
    if isinstance(last, Dense) and last.n_out == n_outputs:
        return layers
    shape = check_shapes(layers, input_shape) if layers else tuple(input_shape)
    flatten = [Flatten()] if len(shape) > 1 else []
    return [*layers, *flatten, Dense(n_outputs)]


def _registered_layers(layers) -> bool:
    """Whether ``layers`` is a sequence of layers of registered classes."""
    return not isinstance(layers, (Layer, str)) and all(
        isinstance(layer, Layer) and LAYERS.get(type(layer).__name__) is type(layer)
        for layer in layers
    )


def _check_layers(layers, input_shape) -> None:
    """``layers``: None or a list of registered Layer objects; ``input_shape``:
    None or positive ints, and only with ``layers``."""
    if layers is not None and not _registered_layers(layers):
        raise ValueError(
            "layers must be a list of plainnet layers (registered classes, such "
            f"as Conv2D or ReLU), got {shown(layers)}"
        )
    if input_shape is None:
        return
    if layers is None:
        raise ValueError("input_shape reshapes the rows of X for layers=; give both")
    if isinstance(input_shape, (str, bytes)) or not all(
        isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0
        for n in input_shape
    ):
        raise ValueError(
            f"input_shape must be a tuple of positive ints, got {shown(input_shape)}"
        )
