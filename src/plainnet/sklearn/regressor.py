"""``NeuralNetRegressor``: one linear output per target, trained on the mean
squared error."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from .._validation import check_dtype
from ._docs import documented
from .base import BaseNeuralNet

__all__ = ["NeuralNetRegressor"]


@documented
class NeuralNetRegressor(RegressorMixin, BaseNeuralNet):
    """A multi-layer perceptron regressor trained by backpropagation on the mean
    squared error, with one linear output per target.

    The output layer's bias starts at the (weighted) mean of ``y``, the best
    constant prediction, so that training does not first have to carry the
    outputs over to the targets' offset.

    {parameters}

    Attributes
    ----------
    y_ndim_ : int
        Dimensions of the ``y`` given to ``fit``: ``predict`` returns the same.
    {attributes}

    Example
    -------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> model = make_pipeline(StandardScaler(), NeuralNetRegressor(random_state=0))
    >>> model.fit(X_train, y_train).score(X_test, y_test)  # R^2
    """

    def fit(self, X, y, sample_weight=None, callbacks=()) -> "NeuralNetRegressor":
        """Train a new network (or continue, with ``warm_start``) on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; the loss becomes the weighted mean
            ``sum_i w_i l_i / sum_i w_i`` (on the validation split as well).
        callbacks : sequence of Callback, optional
            Passed to ``Sequential.fit`` after the estimator's own, for example
            ``[plainnet.Diagnostics()]``.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False, callbacks=callbacks)

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
        return output.ravel() if self.y_ndim_ == 1 else output

    loss_name = "mse"

    def _n_outputs(self, target: np.ndarray) -> int:
        return target.shape[1]

    def _encode(self, y, fresh, incremental, classes=None):
        target = y.reshape(len(y), -1).astype(check_dtype(self.dtype), copy=False)
        if fresh:
            self.y_ndim_ = y.ndim
        elif target.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {target.shape[1]} target(s), but the model was fitted on "
                f"{self.n_outputs_}"
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
