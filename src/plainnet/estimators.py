"""scikit-learn estimators over :class:`~plainnet.Sequential`.

:class:`NeuralNetClassifier` and :class:`NeuralNetRegressor` build a network of
``Dense`` layers from their parameters and train it with ``Sequential.fit``;
they add what scikit-learn expects around it (input validation, label encoding,
``partial_fit``, ``warm_start``, fitted attributes) and nothing else. The
trained network is ``model_``.

They need scikit-learn >= 1.6 (``pip install "plainnet[sklearn]"``), which
``import plainnet`` itself never imports.

Training a small network runs BLAS on one thread (see ``SINGLE_THREAD_WORK``):
its matrix products are too small to share out, and threads waiting for a core
would make them many times slower.
"""

import numbers
import os
import warnings
from collections.abc import Callable, Sequence

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import (
        check_classification_targets,
        type_of_target,
        unique_labels,
    )
    from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
    from threadpoolctl import ThreadpoolController  # a dependency of scikit-learn
except ImportError as error:  # scikit-learn missing, or older than 1.6
    raise ImportError(
        "NeuralNetClassifier and NeuralNetRegressor need scikit-learn >= 1.6; "
        'install it with: pip install "plainnet[sklearn]"'
    ) from error

from . import optimizers
from ._estimator_files import register_kinds, save_estimator
from ._validation import (
    check_dtype,
    check_finite,
    check_number,
    check_sample_weight,
)
from .callbacks import Callback, EarlyStopping, ProgressBar
from .hooks import L2Penalty
from .layers import Dense, Layer, activations, dense_stack
from .network import Sequential

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

#: Training runs BLAS on one thread when no layer's product of a batch needs
#: this many multiply-adds: one core does it in well under a millisecond, and
#: handing part of it to other threads costs more than it saves whenever those
#: threads have to wait for a core (measured on digits: 0.9 s single-threaded
#: against 3.5 to 10 s with two threads on a busy 2-core machine).
SINGLE_THREAD_WORK = 2**24
_BLAS = ThreadpoolController()
_PENALIZED = "penalized_loss"  # the log entry of the training loss plus the L2 term

_PARAMETERS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Width of each hidden ``Dense`` layer; ``()`` gives a linear model.
    activation : str, default "relu"
        Hidden activation, by name: "relu", "tanh", "logistic" (or "sigmoid"),
        "identity", "leaky_relu".
    optimizer : {"adam", "sgd"}, default "adam"
    learning_rate : float, default 1e-3
    batch_size : int, default 200
        Samples per gradient step, clipped to the data size.
    max_epochs : int, default 200
        Most passes over the data in one ``fit``.
    alpha : float, default 1e-4
        L2 penalty on the weights (not the biases), as in scikit-learn's MLP:
        each batch's loss gets ``alpha / 2 * ||W||**2 / n``, with ``n`` the
        batch size (times the mean sample weight). It is applied by adding
        ``alpha * W / n`` to the weight gradients before each step (a
        ``grad_hook``), so it works the same with every optimizer. As in
        scikit-learn, ``loss_curve_`` includes the penalty (``model_.history``
        does not). The regressor's loss is the mean squared error, twice
        scikit-learn's, so there the same ``alpha`` weighs half as much.
    dropout : float, default 0.0
        Rate of a ``Dropout`` layer after each hidden activation (none at 0).
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data (stratified for single-label
        classification) and stop when its loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs; the weights of the best epoch are restored.
        (``partial_fit`` neither holds out data nor stops.)
        Without it, training stops when the training loss (with the L2 term) has
        not improved by ``tol`` for ``n_iter_no_change`` epochs (the last
        weights are kept).
    validation_fraction : float, default 0.1
    n_iter_no_change : int, default 10
    tol : float, default 1e-4
    shuffle : bool, default True
        Visit the samples in a new order each epoch.
    random_state : int, RandomState or None, default None
        Seeds the initial weights, the shuffling, the dropout masks and the
        validation split: an int gives the same model every time.
    dtype : {"float32", "float64"}, default "float32"
        Precision of the network and of the data inside it.
    warm_start : bool, default False
        ``fit`` continues from the current weights instead of starting anew
        (with a fresh optimizer, as in scikit-learn).
    verbose : bool, default False
        Show a progress bar over the epochs (on a terminal only).
"""

_ATTRIBUTES_DOC = """
    model_ : Sequential
        The trained network; it outputs logits for the classifier.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when ``X`` had string column names (a pandas DataFrame).
    n_outputs_ : int
        Width of the network's output.
    n_iter_ : int
        Epochs run, over every ``fit`` (``warm_start``) and ``partial_fit`` call
        of this network.
    loss_curve_ : list of float
        Training loss of each of those epochs, plus the L2 term.
    validation_scores_ : list of float or None
        With ``early_stopping``, the score (accuracy or R^2) on the validation
        split after each epoch of the last ``fit``; ``None`` otherwise and after
        ``partial_fit``.
    best_loss_ : float
        The lowest of ``loss_curve_``, or with ``early_stopping`` the lowest
        validation loss of the last ``fit`` (whose weights are kept).
"""


def _documented(cls: type) -> type:
    """Fill the shared ``Parameters`` and ``Attributes`` into a class docstring."""
    cls.__doc__ = cls.__doc__.format(
        parameters=_PARAMETERS_DOC.strip(), attributes=_ATTRIBUTES_DOC.strip()
    )
    return cls


class _NeuralNet(BaseEstimator):
    """What both estimators share: the parameters, the network and its training."""

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (100,),
        activation: str = "relu",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
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
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
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

    # -- what the subclasses define ---------------------------------------------
    def _encode(self, y: np.ndarray, fresh: bool, incremental: bool, classes=None):
        """``y`` as the network's loss takes it; sets the target attributes when
        ``fresh`` and checks ``y`` against them otherwise."""
        raise NotImplementedError

    def _score_encoded(self, X: np.ndarray, target: np.ndarray, weight=None) -> float:
        """Accuracy or R^2 of the network on encoded targets (weighted by
        ``weight`` of shape (n_samples,), if given)."""
        raise NotImplementedError

    def _output_bias(self, target: np.ndarray, sample_weight) -> np.ndarray | None:
        """Initial bias of the output layer (``None`` keeps zeros)."""
        return None

    # -- training ----------------------------------------------------------------
    def _fit(self, X, y, sample_weight, *, incremental: bool, classes=None):
        """Validate, build the network if needed, and train: one epoch for
        ``partial_fit``, up to ``max_epochs`` for ``fit``."""
        dtype = self._check_params()
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
            X, target, sample_weight, validation = self._split(
                X, target, sample_weight, rng
            )
        stopper = None if incremental else self._stopper(validation is not None)
        self._train(X, target, sample_weight, validation, stopper)
        self._record(stopper)
        return self

    def _validate(self, X, y, sample_weight, dtype, fresh, incremental, classes):
        """Checked ``X``, ``y`` encoded for the loss, and checked weights."""
        if not fresh and self._architecture() != self._built_from:
            raise ValueError(
                "the network was built with (hidden_layer_sizes, activation, "
                f"dropout, dtype) = {self._built_from}, but they are now "
                f"{self._architecture()}; fit with warm_start=False for a new network"
            )
        X, y = validate_data(
            self,
            X,
            y,
            reset=fresh,
            dtype=dtype,
            ensure_all_finite=False,  # check_finite names the columns and rows
            multi_output=True,
            y_numeric=isinstance(self, RegressorMixin),
        )
        check_finite(X, "X")
        target = self._encode(y, fresh, incremental, classes)
        return X, target, check_sample_weight(sample_weight, len(X), dtype)

    def _train(self, X, target, sample_weight, validation, stopper) -> None:
        """One ``Sequential.fit``: a single epoch without a ``stopper``
        (``partial_fit``, continuing the optimizer), else up to ``max_epochs``."""
        incremental = stopper is None
        penalty = None
        if self.alpha:
            n = self._penalty_scale(len(X), sample_weight)
            penalty = L2Penalty(self.model_, self.alpha, n)
        curve = _LossCurve(self.loss_curve_, penalty)
        stopping = [] if incremental else [stopper]
        optimizer = self.model_.optimizer if incremental else None
        shown = None if self.verbose and not incremental else False  # None: if a tty
        threads = self._blas_threads(min(self.batch_size, len(X)))
        with (
            _BLAS.limit(limits=threads, user_api="blas"),
            ProgressBar(self.max_epochs, type(self).__name__, shown) as bar,
        ):
            self.model_.fit(
                X,
                target,
                loss=self._loss,
                optimizer=optimizer or self._new_optimizer(),
                epochs=1 if incremental else self.max_epochs,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                validation_data=validation,
                callbacks=[curve, *self._score_recorder(validation), *stopping, bar],
                grad_hook=penalty,
                sample_weight=sample_weight,
            )

    def _start(self, n_features: int, seed: int, dtype, target, sample_weight) -> None:
        """A new network, its output bias, and an empty loss curve."""
        self.model_ = self._build(n_features, seed, dtype)
        self._built_from = self._architecture()
        self.n_outputs_ = self.model_.n_outputs
        bias = self._output_bias(target, sample_weight)
        if bias is not None:
            self.model_.layers[-1].params["b"][...] = bias
        self.loss_curve_ = []

    def _split(self, X, target, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data (stratified by class for
        single-label targets): training arrays, then the validation tuple."""
        stratify = target if target.ndim == 1 else None
        arrays = [X, target] + ([] if sample_weight is None else [sample_weight])
        parts = train_test_split(
            *arrays,
            test_size=self.validation_fraction,
            random_state=rng,
            stratify=stratify,
        )
        train, validation = parts[::2], parts[1::2]
        weight = None if sample_weight is None else train[2]
        return train[0], train[1], weight, tuple(validation)

    def _stopper(self, validating: bool) -> EarlyStopping:
        """Early stopping on the validation loss (best weights restored), or on
        the training loss with the L2 term (last weights kept)."""
        if validating:
            return EarlyStopping(self.n_iter_no_change, self.tol, monitor="val_loss")
        return EarlyStopping(
            self.n_iter_no_change, self.tol, monitor=_PENALIZED, restore_best=False
        )

    def _score_recorder(self, validation) -> list[Callable]:
        """The callback recording ``validation_scores_`` (none without a split)."""
        self.validation_scores_ = None
        if validation is None:
            return []
        self.validation_scores_ = scores = []

        def record(epoch: int, logs: dict) -> None:
            scores.append(self._score_encoded(*validation))

        return [record]

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
                stacklevel=3,
            )

    def _blas_threads(self, batch: int) -> int | None:
        """1 if every layer's product of a batch is small (see
        ``SINGLE_THREAD_WORK``), else ``None``: as many as BLAS likes."""
        widest = max(
            layer.n_in * layer.n_out
            for layer in self.model_.layers
            if isinstance(layer, Dense)
        )
        return 1 if batch * widest < SINGLE_THREAD_WORK else None

    def _penalty_scale(self, n_samples: int, sample_weight) -> float:
        """The ``n`` of the L2 term: the batch size, times the mean sample weight."""
        batch = min(self.batch_size, n_samples)
        return batch if sample_weight is None else batch * float(sample_weight.mean())

    # -- building ----------------------------------------------------------------
    def _build(self, n_features: int, seed: int, dtype: np.dtype) -> Sequential:
        """A new network of :meth:`_layers`."""
        layers = self._layers(n_features, self._n_outputs)
        return Sequential(layers, seed=seed, dtype=dtype)

    def _layers(self, n_features: int, n_outputs: int) -> list[Layer]:
        """``Dense`` layers of the hidden sizes, each followed by the activation
        (and ``Dropout``), then a linear ``Dense`` output layer."""
        sizes = [n_features, *self._hidden_sizes(), n_outputs]
        return dense_stack(sizes, self.activation, dropout=self.dropout)

    def _new_optimizer(self) -> optimizers.Optimizer:
        return type(optimizers.get(self.optimizer))(lr=self.learning_rate)

    def _architecture(self) -> tuple:
        """The parameters the network is built from."""
        sizes = tuple(self._hidden_sizes())
        return sizes, self.activation, float(self.dropout), check_dtype(self.dtype).name

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
        if not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
            for s in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must be a positive int or a sequence of positive "
                f"ints, got {self.hidden_layer_sizes!r}"
            )
        return [int(s) for s in sizes]

    def _check_params(self) -> np.dtype:
        """Check the parameters that the network does not check itself; returns
        the dtype."""
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
            raise ValueError(f"activation must be a name, got {self.activation!r}")
        activations.get(self.activation)
        optimizers.get(self.optimizer)
        self._hidden_sizes()
        return check_dtype(self.dtype)

    # -- predicting --------------------------------------------------------------
    def _output(self, X) -> np.ndarray:
        """The network's output for checked ``X``, of shape (n_samples, n_outputs_)."""
        check_is_fitted(self, "model_")
        X = validate_data(
            self, X, reset=False, dtype=self.model_.dtype, ensure_all_finite=False
        )
        return self.model_.predict(X)

    # -- model files -------------------------------------------------------------
    def save(
        self, path: "str | os.PathLike[str]", *, include_optimizer: bool = True
    ) -> None:
        """Write the fitted estimator to a ``.npz`` model file, atomically;
        ``plainnet.load(path)`` reads it back.

        The file holds the network (see :func:`plainnet.serialization.save`), the
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
        save_estimator(self, path, include_optimizer=include_optimizer)


@_documented
class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A multi-layer perceptron classifier trained by backpropagation.

    Binary and multi-class targets of any label type (ints, strings) are learned
    with a softmax output and the cross-entropy; a 2-D 0/1 target is multi-label,
    learned with one sigmoid output per label and the binary cross-entropy.

    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; for multi-label targets, the label indices.
    {attributes}

    Example
    -------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> model = make_pipeline(StandardScaler(), NeuralNetClassifier(random_state=0))
    >>> model.fit(X_train, y_train).score(X_test, y_test)
    """

    def fit(self, X, y, sample_weight=None) -> "NeuralNetClassifier":
        """Train a new network (or continue, with ``warm_start``) on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multi-label targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; the loss becomes the weighted mean
            ``sum_i w_i l_i / sum_i w_i`` (on the validation split as well).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(
        self, X, y, classes=None, sample_weight=None
    ) -> "NeuralNetClassifier":
        """One epoch over ``X`` and ``y``, continuing from the current weights
        (and optimizer state).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,)
            Every class label (the label indices for multi-label targets). Needed
            on the first call; on later calls optional, and if given it must be
            the same.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict(self, X) -> np.ndarray:
        """Predicted class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), or (n_samples, n_labels) of 0/1 for a
        multi-label target
        """
        logits = self._output(X)
        if self._multilabel:
            return (logits > 0).astype(int)  # probability above one half
        return self.classes_[logits.argmax(axis=1)]

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each class (of each label, for multi-label targets).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Softmax of the logits (sigmoid of each, for multi-label targets),
            columns in the order of ``classes_``.
        """
        logits = self._output(X)
        return self.model_.loss.output_function(logits)

    @property
    def _n_outputs(self) -> int:
        return len(self.classes_)

    @property
    def _loss(self) -> str:
        return "binary_cross_entropy" if self._multilabel else "cross_entropy"

    def _encode(self, y, fresh, incremental, classes=None):
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind == "multiclass-multioutput":
            raise ValueError(
                f"{type(self).__name__} takes one label per sample or a 0/1 "
                f"multi-label matrix, got multi-class labels of shape {y.shape}; "
                "fit one classifier per column with MultiOutputClassifier"
            )
        multilabel = kind == "multilabel-indicator"
        if not multilabel:
            y = column_or_1d(y, warn=True)
        if classes is None and incremental and not hasattr(self, "classes_"):
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every "
                "class label (the label indices for multi-label targets)"
            )
        if fresh:
            self._set_classes(y, multilabel, classes)
        else:
            self._check_classes(y, multilabel, incremental, classes)
        if multilabel:
            return y.astype(check_dtype(self.dtype))
        return np.searchsorted(self.classes_, y)

    def _set_classes(self, y, multilabel: bool, classes) -> None:
        """Set ``classes_`` (from ``classes`` if given) and the output type."""
        self._multilabel = multilabel
        if multilabel:
            self.classes_ = np.arange(y.shape[1])
            if classes is not None and not np.array_equal(
                unique_labels(classes), self.classes_
            ):
                raise ValueError(
                    f"classes must be the label indices 0..{y.shape[1] - 1} for a "
                    f"multi-label y with {y.shape[1]} columns, got {classes!r}"
                )
            return
        self.classes_ = unique_labels(y if classes is None else classes)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, but "
                f"y has one class only: {self.classes_.tolist()[0]!r}"
            )
        self._check_known(y)

    def _check_classes(self, y, multilabel: bool, incremental: bool, classes) -> None:
        """Check a later ``partial_fit`` or warm-started ``fit`` against the first."""
        if classes is not None and not np.array_equal(
            unique_labels(classes), self.classes_
        ):
            raise ValueError(
                f"classes={classes!r} is not the same as on the first call to "
                f"partial_fit, which was {self.classes_.tolist()}"
            )
        if multilabel != self._multilabel or (
            multilabel and y.shape[1] != len(self.classes_)
        ):
            raise ValueError(
                f"y is {'multi-label' if multilabel else 'single-label'} of shape "
                f"{y.shape}, but the model was fitted on "
                f"{'multi-label' if self._multilabel else 'single-label'} targets "
                f"with {len(self.classes_)} classes"
            )
        if multilabel:
            return
        if not incremental and not np.array_equal(unique_labels(y), self.classes_):
            raise ValueError(
                "warm_start needs y with the same classes as the previous fit, "
                f"{self.classes_.tolist()}; got {unique_labels(y).tolist()}"
            )
        self._check_known(y)

    def _check_known(self, y: np.ndarray) -> None:
        """Raise naming the labels of ``y`` that are not in ``classes_``."""
        unseen = np.setdiff1d(unique_labels(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not in classes_ {self.classes_.tolist()}: "
                f"{unseen.tolist()}; pass every label as classes= on the first call "
                "to partial_fit"
            )

    def _score_encoded(self, X, target, weight=None):
        logits = self.model_.predict(X)
        if self._multilabel:
            right = np.all((logits > 0) == target, axis=1)
        else:
            right = logits.argmax(axis=1) == target
        return float(np.average(right, weights=weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


@_documented
class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A multi-layer perceptron regressor trained by backpropagation on the mean
    squared error, with one linear output per target.

    The output layer's bias starts at the (weighted) mean of ``y``, the best
    constant prediction, so that training does not first have to carry the
    outputs over to the targets' offset.

    {parameters}

    Attributes
    ----------
    {attributes}

    Example
    -------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> model = make_pipeline(StandardScaler(), NeuralNetRegressor(random_state=0))
    >>> model.fit(X_train, y_train).score(X_test, y_test)  # R^2
    """

    def fit(self, X, y, sample_weight=None) -> "NeuralNetRegressor":
        """Train a new network (or continue, with ``warm_start``) on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; the loss becomes the weighted mean
            ``sum_i w_i l_i / sum_i w_i`` (on the validation split as well).

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None) -> "NeuralNetRegressor":
        """One epoch over ``X`` and ``y``, continuing from the current weights
        (and optimizer state).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X) -> np.ndarray:
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), or (n_samples, n_targets) when fitted on
        a 2-D ``y``; float64 whatever the network's dtype
        """
        output = self._output(X).astype(np.float64)  # as scikit-learn's regressors
        return output.ravel() if self._y_1d else output

    _loss = "mse"

    @property
    def _n_outputs(self) -> int:
        return self._n_targets

    def _encode(self, y, fresh, incremental, classes=None):
        target = y.reshape(len(y), -1).astype(check_dtype(self.dtype), copy=False)
        if fresh:
            self._y_1d, self._n_targets = y.ndim == 1, target.shape[1]
        elif target.shape[1] != self._n_targets:
            raise ValueError(
                f"y has {target.shape[1]} target(s), but the model was fitted on "
                f"{self._n_targets}"
            )
        return target

    def _score_encoded(self, X, target, weight=None):
        return float(r2_score(target, self.model_.predict(X), sample_weight=weight))

    def _output_bias(self, target, sample_weight):
        # "init well" (Karpathy, A Recipe for Training Neural Networks, 2019)
        return np.average(target, axis=0, weights=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class _LossCurve(Callback):
    """Appends each epoch's training loss plus the L2 term to ``curve``, and
    adds it to the epoch's logs as ``"penalized_loss"`` (which the plateau's
    ``EarlyStopping`` watches)."""

    def __init__(self, curve: list, penalty: L2Penalty | None) -> None:
        self.curve, self.penalty = curve, penalty

    def on_epoch_end(self, epoch: int, logs: dict, net) -> None:
        loss = logs["loss"] + (self.penalty.value() if self.penalty else 0.0)
        logs[_PENALIZED] = loss
        self.curve.append(loss)


register_kinds(NeuralNetClassifier, NeuralNetRegressor)
