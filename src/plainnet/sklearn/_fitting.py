"""What an estimator's ``fit`` adds around ``Sequential.fit``: the loss curve
with the L2 term, the validation scores, when to stop, and the validation
split."""

from collections.abc import Callable

from sklearn.model_selection import train_test_split

from ..callbacks import Callback, EarlyStopping
from ..hooks import L2Penalty

#: The log entry of the training loss plus the L2 term, which the plateau's
#: ``EarlyStopping`` watches.
PENALIZED = "penalized_loss"


class LossCurve(Callback):
    """Appends each epoch's training loss plus the L2 term to ``curve``, and adds
    it to the epoch's logs as :data:`PENALIZED`."""

    def __init__(self, curve: list, penalty: L2Penalty | None) -> None:
        self.curve, self.penalty = curve, penalty

    def on_epoch_end(self, epoch: int, logs: dict, net) -> None:
        loss = logs["loss"] + (self.penalty.value() if self.penalty else 0.0)
        logs[PENALIZED] = loss
        self.curve.append(loss)


class ValidationScores(Callback):
    """Appends ``score(*validation)`` (accuracy or R^2) after each epoch."""

    def __init__(self, scores: list, score: Callable[..., float], validation) -> None:
        self.scores, self.score, self.validation = scores, score, validation

    def on_epoch_end(self, epoch: int, logs: dict, net) -> None:
        self.scores.append(self.score(*self.validation))


def stopper_for(validating: bool, patience: int, tol: float) -> EarlyStopping:
    """Early stopping on the validation loss (best weights restored), or on the
    training loss with the L2 term (last weights kept)."""
    if validating:
        return EarlyStopping(patience, tol, monitor="val_loss")
    return EarlyStopping(patience, tol, monitor=PENALIZED, restore_best=False)


def penalty_scale(batch_size: int, n_samples: int, sample_weight) -> float:
    """The ``n`` of the L2 term: the batch size, times the mean sample weight."""
    batch = min(batch_size, n_samples)
    return batch if sample_weight is None else batch * float(sample_weight.mean())


def validation_split(X, target, sample_weight, fraction: float, rng):
    """Hold out ``fraction`` of the data (stratified by class for single-label
    targets): the training ``X``, target and weights, then the validation tuple."""
    stratify = target if target.ndim == 1 else None
    arrays = [X, target] + ([] if sample_weight is None else [sample_weight])
    parts = train_test_split(
        *arrays, test_size=fraction, random_state=rng, stratify=stratify
    )
    train, validation = parts[::2], parts[1::2]
    weight = None if sample_weight is None else train[2]
    return train[0], train[1], weight, tuple(validation)
