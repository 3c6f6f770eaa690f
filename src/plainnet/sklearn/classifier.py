"""``NeuralNetClassifier``: binary, multi-class and multi-label targets of any
label type, learned with a softmax (or per-label sigmoid) output."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d

from .._messages import shown
from .._validation import check_dtype
from ..preprocessing import decode_labels, encode_labels
from ._docs import documented
from .base import BaseNeuralNet

__all__ = ["NeuralNetClassifier"]


@documented
class NeuralNetClassifier(ClassifierMixin, BaseNeuralNet):
    """A multi-layer perceptron classifier trained by backpropagation.

    Binary and multi-class targets of any label type (ints, strings) are learned
    with a softmax output and the cross-entropy; a 2-D 0/1 target is multi-label,
    learned with one sigmoid output per label and the binary cross-entropy.

    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; for multi-label targets, the label indices.
    multilabel_ : bool
        Whether ``y`` was a 0/1 multi-label matrix.
    {attributes}

    Example
    -------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> model = make_pipeline(StandardScaler(), NeuralNetClassifier(random_state=0))
    >>> model.fit(X_train, y_train).score(X_test, y_test)
    """

    def fit(self, X, y, sample_weight=None, callbacks=()) -> "NeuralNetClassifier":
        """Train a new network (or continue, with ``warm_start``) on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multi-label targets.
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
        if self.multilabel_:
            return (logits > 0).astype(int)  # probability above one half
        return decode_labels(logits.argmax(axis=1), self.classes_)

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
    def loss_name(self) -> str:
        """The loss the network is trained on (the fused binary cross-entropy
        for multi-label targets)."""
        return "binary_cross_entropy" if self.multilabel_ else "cross_entropy"

    def _n_outputs(self, target: np.ndarray) -> int:
        return len(self.classes_)

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
        return encode_labels(y, classes=self.classes_)[0]

    def _set_classes(self, y, multilabel: bool, classes) -> None:
        """Set ``classes_`` (from ``classes`` if given) and the output type."""
        self.multilabel_ = multilabel
        if multilabel:
            self.classes_ = np.arange(y.shape[1])
            if classes is not None and not np.array_equal(
                unique_labels(classes), self.classes_
            ):
                raise ValueError(
                    f"classes must be the label indices 0..{y.shape[1] - 1} for a "
                    f"multi-label y with {y.shape[1]} columns, got {shown(classes)}"
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
                f"classes={shown(classes)} is not the same as on the first call to "
                f"partial_fit, which was {self.classes_.tolist()}"
            )
        if multilabel != self.multilabel_ or (
            multilabel and y.shape[1] != len(self.classes_)
        ):
            raise ValueError(
                f"y is {'multi-label' if multilabel else 'single-label'} of shape "
                f"{y.shape}, but the model was fitted on "
                f"{'multi-label' if self.multilabel_ else 'single-label'} targets "
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
        if self.multilabel_:
            right = np.all((logits > 0) == target, axis=1)
        else:
            right = logits.argmax(axis=1) == target
        return float(np.average(right, weights=weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
