"""Why a training run fails, in plain sentences.

Two tools end in the same :class:`Report`, whose ``str()`` names each cause and
its remedy:

* :class:`Diagnostics`, a callback for ``fit(..., callbacks=[...])``, which
  records after each epoch, for every layer with parameters (dense,
  convolutional, recurrent, embedding), the gradient norm and the
  update-to-weight ratio, and the fraction of dead ReLUs and of saturated
  sigmoid/tanh units; it reads the learning curves for overfitting, and a
  recurrent layer's gradient norms for gradients exploding through time;
* :func:`diagnose`, a short probe before a long run: feature scales, the
  activations of the untrained network, and a few epochs on a copy of it.

The callback is cheap: it never adds a pass over the data. After each epoch it
reads the last batch's gradients (already in ``net.gradients``), compares the
weights with their copy from the epoch before, and runs one forward pass over a
sample of at most ``sample_size`` input rows, gathered from the ends of the
epochs (the first layer that keeps its input for backward, a ``Dense``,
``Embedding`` or recurrent layer, keeps the last batch anyway; the layers
before it go unsampled).

Layers are numbered as in ``net.summary()`` and the parameter names
(``layers.2.W``); features by their name when known, else by their column
index counted from 0.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass

import numpy as np

from .callbacks import Callback
from .errors import TrainingDivergedError
from .layers import Dense, Embedding, Flatten, ReLU, Sigmoid, Tanh
from .layers.recurrent import Recurrent

__all__ = [
    "Diagnostics",
    "Finding",
    "Report",
    "diagnose",
    "divergence_finding",
    "overfit_finding",
    "unstable_finding",
]

#: A ReLU layer is reported when at least this fraction of its units never
#: activates on the sample (healthy runs on plainnet's data sets stay below 45%).
DEAD_FRACTION = 0.5
#: A sigmoid/tanh layer is reported when at least this fraction of its units is
#: saturated: its derivative below 8% of its peak on 90% of the sampled rows.
SATURATED_FRACTION = 0.5
#: Overfitting: over its last ``OVERFIT_EPOCHS`` epochs (at least that many after
#: its minimum), the validation loss sits above the minimum by this fraction of
#: what it had gained before, while the training loss went on falling.
OVERFIT_GIVEN_BACK = 0.2
OVERFIT_EPOCHS = 5
#: Unstable steps: an epoch's training loss at least this many times the first
#: epoch's (a healthy run's only falls from there, give or take some noise).
UNSTABLE_FACTOR = 2.0
#: A feature is out of scale when its root mean square is this many times the
#: median feature's, and at least this large.
SCALE_RATIO = 100.0
#: A recurrent layer's gradients explode through time when its weights move by
#: this many times their own size between two records (healthy runs stay below
#: 3, in their first epoch; exploding ones reach hundreds).
EXPLODING_UPDATE = 10.0
#: The clipping hook the findings of exploding gradients name.
CLIPPING = "grad_hook=plainnet.hooks.clip_by_global_norm(1.0)"


@dataclass(frozen=True)
class Finding:
    """One diagnosis: what went wrong (``cause``) and what to do (``remedy``).

    Attributes
    ----------
    kind : str
        ``"diverged"``, ``"unstable"``, ``"feature_scale"``, ``"dead_relu"``,
        ``"saturated"``, ``"exploding"`` or ``"overfit"``.
    cause, remedy : str
        Plain sentences; ``str(finding)`` is ``"cause: remedy"``.
    layer : int or None
        The layer concerned (its index in ``net.layers``), if any.
    """

    kind: str
    cause: str
    remedy: str
    layer: int | None = None

    def __str__(self) -> str:
        return f"{self.cause}: {self.remedy}"


class Report:
    """The findings of :class:`Diagnostics` or :func:`diagnose`.

    ``str(report)`` is one sentence per finding (or one saying that none was
    found); ``len(report)`` is the number of findings, so a healthy run's report
    is falsy. ``report.kinds`` lists the kinds of the findings.
    """

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = list(findings)

    @property
    def kinds(self) -> list[str]:
        return [finding.kind for finding in self.findings]

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self):
        return iter(self.findings)

    def __str__(self) -> str:
        if not self.findings:
            return "No problem found."
        return "\n".join(_sentence(str(f)) for f in self.findings)

    def __repr__(self) -> str:
        return f"Report({self.kinds})"


class Diagnostics(Callback):
    """A callback recording, after every ``every`` epochs, per layer: the
    gradient norm, the update-to-weight ratio, the fraction of dead ReLUs and
    of saturated sigmoid/tanh units; :meth:`report` turns them into sentences.

    Parameters
    ----------
    every : int, default 1
        Record every ``every`` epochs (and always at the last one).
    sample_size : int, default 256
        Input rows kept for the activation statistics, taken from the last
        batch of each epoch.

    Attributes
    ----------
    epochs : list of int
        The epochs recorded.
    layers : dict of int to dict of str to list of float
        Per layer index, its series over ``epochs``: ``grad_norm`` and
        ``update_ratio`` (``||W_now - W_before|| / ||W_before||`` since the
        previous record) for every layer with parameters (all of a layer's
        parameters together: ``W`` and ``b``, a recurrent layer's ``W_ih``,
        ``W_hh``, ...); ``dead`` for ReLUs and
        ``saturated`` for sigmoid and tanh layers (the output layer excluded: its
        outputs are meant to reach 0 and 1).

    Example
    -------
    >>> diagnostics = pn.Diagnostics()
    >>> net.fit(X, y, epochs=50, validation_data=(X_val, y_val),
    ...         callbacks=[diagnostics])
    >>> print(diagnostics.report())
    """

    def __init__(self, every: int = 1, sample_size: int = 256) -> None:
        self.every, self.sample_size = int(every), int(sample_size)
        self.epochs: list[int] = []
        self.layers: dict[int, dict[str, list[float]]] = {}
        self._net = None
        self._before: np.ndarray | None = None
        self._sample: np.ndarray | None = None
        self._start = 0
        self._fingerprints: dict[int, float] = {}
        self._probe = np.empty(0, dtype=np.intp)

    def on_train_begin(self, training) -> None:
        net = self._net = training.net
        self._before = net.ops.to_numpy(net.parameters).copy()
        # a fixed handful of weights, summed: which epoch's weights were kept
        rng = np.random.default_rng(0)
        self._probe = rng.integers(0, max(net.parameters.size, 1), 64)

    def on_epoch_end(self, epoch: int, logs: dict, training) -> None:
        net = training.net
        self._fingerprints[epoch] = self._fingerprint(net)
        self._gather(net)
        if (epoch - 1) % self.every == 0:
            self._record(epoch, net)

    def on_train_end(self, training) -> None:
        net = training.net
        last = len(net.history.loss)
        if last and (not self.epochs or self.epochs[-1] != last):
            self._record(last, net)

    def _fingerprint(self, net) -> float:
        parameters = net.ops.to_numpy(net.parameters)
        if not parameters.size:
            return 0.0
        return float(parameters[self._probe].astype(np.float64).sum())

    def _gather(self, net) -> None:
        """Keep the newest ``sample_size`` input rows seen by the first layer
        that caches its input."""
        found = _last_input(net)
        if found is None:
            return
        index, batch = found[0], net.ops.to_numpy(found[1])
        if self._sample is None or self._start != index:
            self._start, self._sample = index, batch[: self.sample_size].copy()
            return
        both = np.concatenate([batch, self._sample])
        self._sample = both[: self.sample_size]

    def _record(self, epoch: int, net) -> None:
        self.epochs.append(epoch)
        parameters = net.ops.to_numpy(net.parameters)
        gradients = net.ops.to_numpy(net.gradients)
        for index, part in _parameter_spans(net).items():
            before = self._before[part]
            self._add(index, "grad_norm", _norm(gradients[part]))
            change = _norm(parameters[part] - before) / max(_norm(before), 1e-12)
            self._add(index, "update_ratio", change)
        np.copyto(self._before, parameters)
        if self._sample is not None:
            for index, name, value in activation_stats(net, self._sample, self._start):
                self._add(index, name, value)

    def _add(self, index: int, name: str, value: float) -> None:
        self.layers.setdefault(index, {}).setdefault(name, []).append(value)

    # -- the report -----------------------------------------------------------
    def report(self) -> Report:
        """The findings from what was recorded and from the network's history."""
        findings = [
            finding
            for index, series in sorted(self.layers.items())
            if (finding := _exploding_finding(self._net, index, series, self.epochs))
        ]
        if self._net is not None and not findings:  # exploding says it better
            unstable = unstable_finding(self._net.history, self._net.optimizer)
            if unstable is not None:
                findings.append(unstable)
        for index, series in sorted(self.layers.items()):
            if series.get("dead") and series["dead"][-1] >= DEAD_FRACTION:
                findings.append(_dead_finding(index, series["dead"][-1]))
            saturated = series.get("saturated")
            if saturated and self._saturation_matters(saturated):
                findings.append(_saturation_finding(self._net, index, self._sample))
        if self._net is not None:
            overfit = overfit_finding(self._net.history, self._kept_epoch())
            if overfit is not None:
                findings.append(overfit)
        return Report(findings)

    def _saturation_matters(self, saturated: list[float]) -> bool:
        """Saturated from the first record on, or at the end of a run whose loss
        barely fell: saturation that comes with learning is the network being
        sure of its answers."""
        if saturated[0] >= SATURATED_FRACTION:
            return True
        loss = self._net.history.loss if self._net is not None else []
        stalled = len(loss) > 1 and loss[-1] > 0.9 * loss[0]
        return saturated[-1] >= SATURATED_FRACTION and stalled

    def _kept_epoch(self) -> int | None:
        """The epoch whose weights the network holds, if not the last one (an
        early stopping put them back)."""
        if self._net is None or not self._fingerprints:
            return None
        now = self._fingerprint(self._net)
        last = max(self._fingerprints)
        if self._fingerprints[last] == now:
            return None
        return next((e for e, f in self._fingerprints.items() if f == now), None)

    def layer_table(self) -> str:
        """The last recorded value of every series, one line per layer."""
        lines = [
            f"{'layer':<16}{'grad norm':>11}{'update/W':>10}{'dead':>7}"
            f"{'saturated':>11}"
        ]
        for index, series in sorted(self.layers.items()):
            name = type(self._net.layers[index]).__name__ if self._net else "?"
            cells = [
                f"{series[key][-1]:>{width}.{digits}}" if key in series else " " * width
                for key, width, digits in (
                    ("grad_norm", 11, "3g"),
                    ("update_ratio", 10, "2g"),
                    ("dead", 7, "0%"),
                    ("saturated", 11, "0%"),
                )
            ]
            lines.append(f"{f'{index} {name}':<16}" + "".join(cells))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Diagnostics(every={self.every}, sample_size={self.sample_size})"


# -- what the sample's activations say ------------------------------------------
def activation_stats(net, X: np.ndarray, start: int = 0):
    """Yield ``(layer index, "dead" or "saturated", fraction of units)`` for each
    ReLU, sigmoid and tanh layer but the last, from one forward pass of ``X``
    (rows of the input of layer ``start``) with nothing cached."""
    last = len(net.layers) - 1
    for index in range(start, len(net.layers)):
        layer = net.layers[index]
        X = layer.forward(X, training=False)
        if index == last:
            break
        units = X.reshape(len(X), -1)
        if isinstance(layer, ReLU):
            yield index, "dead", float(np.mean(np.all(units <= 0, axis=0)))
        elif isinstance(layer, (Sigmoid, Tanh)):
            if isinstance(layer, Sigmoid):
                flat = units * (1 - units) < 0.08 * 0.25
            else:
                flat = 1 - units * units < 0.08
            yield index, "saturated", float(np.mean(flat.mean(axis=0) >= 0.9))


def _exploding_finding(net, index: int, series: dict, epochs: list[int]):
    """A recurrent layer whose weights moved by many times their own size in
    one epoch: gradients exploding through time (an optimizer's step grows
    with the gradient), which clipping their norm tames."""
    ratios = series.get("update_ratio")
    if net is None or not ratios or not isinstance(net.layers[index], Recurrent):
        return None
    largest = max(ratios)
    if not largest >= EXPLODING_UPDATE:
        return None
    epoch = epochs[ratios.index(largest)]
    name = type(net.layers[index]).__name__
    return Finding(
        "exploding",
        f"the gradients of layer {index} ({name}) explode through time: its "
        f"weights moved by {_magnitude(largest)} times their size by epoch {epoch}",
        f"clip them, fit(..., {CLIPPING}), or lower the learning rate",
        index,
    )


def _dead_finding(index: int, fraction: float) -> Finding:
    return Finding(
        "dead_relu",
        f"{fraction:.0%} of the ReLUs of layer {index} never activate",
        "lower the learning rate or use LeakyReLU",
        index,
    )


def _saturation_finding(net, index: int, inputs: np.ndarray | None) -> Finding:
    """Saturated units: from inputs far from the unit scale, or else from weights
    grown too large (a learning rate too large)."""
    name = "sigmoid" if isinstance(net.layers[index], Sigmoid) else "tanh"
    large = inputs is None or _norm(inputs) / math.sqrt(max(inputs.size, 1)) > 2
    return Finding(
        "saturated",
        f"the {name} outputs of layer {index} are saturated",
        "scale the inputs" if large else "lower the learning rate",
        index,
    )


def unstable_finding(history, optimizer=None) -> Finding | None:
    """Steps too large, read from a history: the training loss rising far above
    its first epoch's (by :data:`UNSTABLE_FACTOR`) instead of falling."""
    loss = history.loss
    if len(loss) < 2 or not math.isfinite(max(loss)):
        return None
    worst = int(np.argmax(loss[1:])) + 1
    if not loss[worst] >= UNSTABLE_FACTOR * loss[0] > 0:
        return None
    cause = (
        f"the training loss rose from {loss[0]:.3g} in epoch 1 to "
        f"{loss[worst]:.3g} in epoch {worst + 1}"
    )
    lr = getattr(optimizer, "lr", None)
    if isinstance(lr, (int, float)) and not isinstance(lr, bool):
        remedy = f"the steps are too large; try a learning rate of {lr / 10:g}"
        return Finding("unstable", cause, f"{remedy}, ten times smaller")
    return Finding(
        "unstable", cause, "the steps are too large; lower the learning rate"
    )


def overfit_finding(history, kept_epoch: int | None = None) -> Finding | None:
    """Overfitting read from a history: the validation loss rising well above
    its minimum for several epochs while the training loss keeps falling."""
    val, loss = history.val_loss, history.loss
    if len(val) != len(loss) or len(val) < OVERFIT_EPOCHS + 1:
        return None
    best = int(np.argmin(val))
    recent = float(np.median(val[-OVERFIT_EPOCHS:]))  # one noisy epoch is no trend
    # what the validation loss gained before its minimum; at the first epoch,
    # nothing: then a rise is measured against the minimum itself
    gained = val[0] - val[best] if best else val[best]
    rising = len(val) - 1 - best >= OVERFIT_EPOCHS
    if not (rising and recent - val[best] > OVERFIT_GIVEN_BACK * gained > 0):
        return None
    if not loss[-1] < loss[best]:
        return None
    if kept_epoch == best + 1:
        remedy = f"the network overfits; early stopping kept epoch {best + 1}"
    else:
        remedy = (
            f"the network overfits; stop at epoch {best + 1} (EarlyStopping), "
            "or use more data, a smaller network, Dropout or an L2 penalty"
        )
    cause = (
        f"the validation loss rises from epoch {best + 2} while the training loss falls"
    )
    return Finding("overfit", cause, remedy)


# -- the scales of the features --------------------------------------------------
def feature_scale_finding(X: np.ndarray, names=None) -> Finding | None:
    """One feature (or all of them) on a scale far from the others' or far from 1.

    ``X`` of shape (n_samples, n_features); ``names`` of length n_features,
    optional. The scale of a feature is its root mean square.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] == 0 or not np.all(np.isfinite(X)):
        return None
    scales = _root_mean_squares(X)
    typical = float(np.median(scales))
    worst = int(np.argmax(scales))
    if X.shape[1] > 1 and scales[worst] >= SCALE_RATIO * max(typical, 1.0):
        name = repr(str(names[worst])) if names is not None else str(worst)
        return Finding(
            "feature_scale",
            f"feature {name} has a scale of {_magnitude(scales[worst])} while the "
            f"others are near {_magnitude(typical)}",
            "standardize the features",
        )
    if typical >= SCALE_RATIO:
        return Finding(
            "feature_scale",
            f"the features have a scale of {_magnitude(typical)}",
            "standardize the features",
        )
    return None


def _root_mean_squares(X: np.ndarray) -> np.ndarray:
    """Each column's root mean square, of shape (n_features,), computed on the
    columns divided by their largest magnitude: squaring values beyond about
    1e154 would overflow."""
    largest = np.max(np.abs(X), axis=0)
    unit = np.where(largest > 0, largest, 1.0)
    return largest * np.sqrt(np.mean(np.square(X / unit), axis=0))


def _magnitude(value: float) -> str:
    """``1e6`` for large or small values, ``3.5`` for ordinary ones (``inf``
    and ``nan`` as such)."""
    if not math.isfinite(value):
        return str(value)
    if value <= 0:
        return "0"
    exponent = round(math.log10(value))
    if abs(exponent) >= 3:
        return f"1e{exponent}"
    return f"{value:.3g}" if value >= 10 else f"{value:.2g}"


# -- divergence -----------------------------------------------------------------
def divergence_finding(net, epoch: int, value, lr=None) -> Finding:
    """Why the cost became ``value`` (inf or NaN) in ``epoch``: a feature out of
    scale in the last batch, else the learning rate (try ten times smaller)."""
    found = _last_input(net)
    scale = None
    if found is not None and _takes_the_features(net, found[0]):
        scale = feature_scale_finding(found[1])
    if scale is not None:  # the step grows with the inputs' scale, times lr
        remedy = f"{scale.remedy}, or try a smaller learning rate"
        return Finding(scale.kind, scale.cause, remedy)
    lr = getattr(net.optimizer, "lr", None) if lr is None else lr
    cause = f"the loss became {value} at epoch {epoch} with learning rate {lr:g}"
    remedy = f"try {lr / 10:g}, ten times smaller" + _clip(net)
    return Finding("diverged", cause, remedy)


def _clip(net) -> str:
    """For a network with a recurrent layer, where gradients can explode
    through time: the advice to clip them."""
    if any(isinstance(layer, Recurrent) for layer in net.layers):
        return f", or clip the gradients, which explode through time: {CLIPPING}"
    return ""


# -- the probe ------------------------------------------------------------------
def diagnose(
    net,
    X,
    y,
    *,
    loss=None,
    optimizer=None,
    epochs: int = 20,
    batch_size: int | None = 32,
    feature_names=None,
    max_rows: int = 1024,
) -> Report:
    """Look for the usual causes of a failed training run before a long one.

    Checks the features' scales, the activations of the network as it is, and
    trains a copy of it (``net`` itself is left untouched) for ``epochs`` epochs
    on at most ``max_rows`` rows with the given loss and optimizer: divergence
    (and the largest of ten, a hundred, a thousand times smaller learning rates
    that does not diverge), dead ReLUs and saturated units after those epochs.

    Parameters
    ----------
    net : Sequential
    X : array-like of shape (n_samples, n_features) or a DataFrame
        A DataFrame's column names name the features in the report.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    loss, optimizer : as in ``Sequential.fit``
        The optimizer's learning rate is the one probed; it is copied, not used.
    epochs : int, default 20
    batch_size : int or None, default 32
    feature_names : sequence of str, optional
    max_rows : int, default 1024

    Returns
    -------
    Report

    Example
    -------
    >>> print(pn.diagnose(net, X, y, loss="mse", optimizer=pn.SGD(lr=4)))
    The loss became inf at epoch 2 with learning rate 4: try 0.4, ten times smaller.
    """
    if feature_names is None and hasattr(X, "columns"):
        feature_names = [str(c) for c in X.columns]
    X, y = np.asarray(X), np.asarray(y)
    rows = np.random.default_rng(0).permutation(len(X))[:max_rows]
    X, y = X[np.sort(rows)], y[np.sort(rows)]
    findings = []
    if X.ndim == 2 and net.layers[0].input_kind != "ids":  # ids have no scale
        scale = feature_scale_finding(X, feature_names)
        if scale is not None:
            findings.append(scale)
    probe = copy.deepcopy(net)
    sample = probe.check_input(X[:256])
    for index, name, fraction in activation_stats(probe, sample):
        if name == "saturated" and fraction >= SATURATED_FRACTION:
            findings.append(_saturation_finding(probe, index, sample))
    diagnostics = Diagnostics()
    trained = _probe_fit(probe, X, y, loss, optimizer, epochs, batch_size, diagnostics)
    if isinstance(trained, Finding):
        if "feature_scale" not in _kinds(findings):
            findings.append(trained)
    else:
        seen = {(f.kind, f.layer) for f in findings}
        findings += [
            f
            for f in diagnostics.report()
            if f.kind != "overfit" and (f.kind, f.layer) not in seen
        ]
    return Report(findings)


def _kinds(findings: list[Finding]) -> list[str]:
    return [finding.kind for finding in findings]


def _probe_fit(net, X, y, loss, optimizer, epochs, batch_size, callback):
    """Train ``net`` (a copy); a :class:`Finding` if it diverged, else None."""
    settings = dict(loss=loss, epochs=epochs, batch_size=batch_size)
    start = net.ops.copy(net.parameters)
    given = copy.deepcopy(optimizer)
    try:
        net.fit(X, y, optimizer=given, callbacks=[callback], **settings)
        return None
    except TrainingDivergedError as error:
        epoch = len(net.history.loss) + 1
        found = re.search(r"the cost became (.+?) with learning", str(error))
        value = found.group(1) if found else "inf"
    lr = getattr(net.optimizer, "lr", None)
    if not isinstance(lr, (int, float)):
        return Finding(
            "diverged",
            f"the loss became inf at epoch {epoch}",
            "try a smaller learning rate",
        )
    for factor in (10, 100, 1000):
        smaller = copy.deepcopy(net.optimizer)
        smaller.state, smaller.lr = {}, lr / factor
        net.parameters[...] = start
        try:
            net.fit(X, y, optimizer=smaller, **settings)
        except TrainingDivergedError:
            continue
        remedy = f"try {lr / factor:g}, {_TIMES[factor]} times smaller" + _clip(net)
        cause = f"the loss became {value} at epoch {epoch} with learning rate {lr:g}"
        return Finding("diverged", cause, remedy)
    return divergence_finding(net, epoch, value, lr)


_TIMES = {10: "ten", 100: "a hundred", 1000: "a thousand"}


def _last_input(net) -> tuple[int, np.ndarray] | None:
    """The index of the first layer that keeps its input for backward
    (``Dense``, ``Embedding``, a recurrent layer) and the last training batch
    it saw, or None before any training."""
    for index, layer in enumerate(net.layers):
        batch = _saved_input(layer)
        if batch is not None:
            return index, batch
        if isinstance(layer, (Dense, Embedding, Recurrent)):
            return None  # not trained yet
    return None


def _saved_input(layer):
    """The input of ``layer``'s last training forward, if it keeps it."""
    if isinstance(layer, Dense):
        return layer.saved.get("x")
    if isinstance(layer, Embedding):
        return layer.saved.get("ids")
    if isinstance(layer, Recurrent) and "xt" in layer.saved:
        return layer.ops.swapaxes(layer.saved["xt"], 0, 1)  # kept time-major
    return None


def _parameter_spans(net) -> dict[int, slice]:
    """Each layer with parameters, by index, and its span of the flat buffers
    (a layer's parameters lie side by side)."""
    spans: dict[int, slice] = {}
    for name, (part, _) in net.layout.items():
        index = int(name.split(".")[1])
        known = spans.get(index)
        start = part.start if known is None else known.start
        spans[index] = slice(start, part.stop)
    return spans


def _takes_the_features(net, index: int) -> bool:
    """Whether layer ``index`` sees the network's input features (only
    ``Flatten`` before it), not what earlier layers computed, nor ids."""
    before = net.layers[:index]
    takes_ids = net.layers[index].input_kind == "ids"
    return not takes_ids and all(isinstance(layer, Flatten) for layer in before)


def _norm(array: np.ndarray) -> float:
    """The Euclidean norm, without overflow for entries beyond about 1e154
    (inf if an entry is, NaN if one is)."""
    flat = array.ravel()
    with np.errstate(over="ignore", under="ignore"):
        total = float(flat @ flat)
    if 0 < total < math.inf:
        return math.sqrt(total)
    if not flat.size:
        return 0.0
    largest = float(np.max(np.abs(flat)))
    if not 0 < largest < math.inf:
        return largest  # 0, inf or NaN
    unit = flat / largest
    return largest * math.sqrt(float(unit @ unit))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
