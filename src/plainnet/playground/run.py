"""One training run: a setup's data, network and optimizer, trained in short
``fit`` calls by the session's training thread, each followed by a
:class:`Snapshot` of what the page shows.

Only the training thread touches the run's network. The server's threads read
:attr:`Run.snapshot` (replaced whole, never changed) and draw it through the
run's :class:`~.drawing.Drawer`, on a network of its own.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..diagnostics import Diagnostics
from ..errors import TrainingDivergedError
from ..layers import Dense
from .data import PlaygroundData
from .drawing import GRID, NEURON_GRID, Drawer, drawing_notes
from .model import batch_size, build_layers, build_network, build_optimizer, l2_hook
from .settings import Setup

#: How long one ``fit`` call of the training thread should last, in seconds.
CHUNK_SECONDS = 0.04


@dataclass(frozen=True)
class Snapshot:
    """What the page shows of a run after one ``fit`` call: the weights (a
    copy of the flat buffer), each ``Dense`` layer's gradient norm, the
    learning rate and the diagnosis's sentences."""

    version: int
    epoch: int
    parameters: np.ndarray
    grad_norms: list[float]
    lr: float | None
    findings: tuple[str, ...]


class Run:
    """One training run of one setup.

    Attributes
    ----------
    id : int
        The run's number in the session.
    net : Sequential
        Trained by the training thread only.
    snapshot : Snapshot
        The latest one published.
    failure : str or None
        Why training cannot go on (divergence), as the page says it.
    chunk : int
        Epochs per ``fit`` call, adapted to last about ``CHUNK_SECONDS``.
    """

    def __init__(self, number: int, setup: Setup, data: PlaygroundData) -> None:
        self.id, self.setup, self.data = number, setup, data
        n_inputs, n_classes = len(data.inputs), len(data.classes)
        self.net = build_network(setup, n_inputs, n_classes)
        self.X = data.network_input(data.X)
        self.X_train, self.y_train = self.X[data.train], data.y[data.train]
        test = data.test
        self.validation = (self.X[test], data.y[test]) if len(test) else None
        self.optimizer = build_optimizer(setup, len(data.train))
        self.hook = l2_hook(setup, self.net, len(data.train))
        self.batch_size = batch_size(setup, len(data.train))
        self.diagnostics = Diagnostics(every=2**31)  # records when a fit ends
        self.findings: tuple[str, ...] = ()
        self.failure: str | None = None
        self.chunk = 1
        self._fit(0, [])  # sets the loss and optimizer: a complete model file
        self.snapshot = self._snapshot(0)
        self.drawer = Drawer(
            build_layers(setup, n_inputs, n_classes),
            data,
            self.net.loss.output_function,
        )

    # -- in the training thread ---------------------------------------------------
    def train(
        self, epochs: int, keep_going: Callable[[], bool], diagnose: bool
    ) -> None:
        """Train up to ``epochs`` epochs (fewer when ``keep_going()`` turns
        false; with ``Diagnostics`` recording if ``diagnose``), then publish a
        snapshot."""
        callbacks: list = [lambda epoch, logs: not keep_going()]
        if diagnose:
            callbacks.append(self.diagnostics)
        before, start = self.snapshot.epoch, time.perf_counter()
        try:
            self._fit(epochs, callbacks)
        except TrainingDivergedError as error:
            self.failure = str(error)
        except Exception as error:  # shown on the page; the server goes on
            self.failure = f"training stopped: {type(error).__name__}: {error}"
        done = len(self.net.history.loss) - before
        if done:
            per_epoch = max(time.perf_counter() - start, 1e-9) / done
            self.chunk = int(min(max(CHUNK_SECONDS / per_epoch, 1), 2 * self.chunk))
        if diagnose:
            self._read_report()
        self.snapshot = self._snapshot(self.snapshot.version + 1)

    def review(self) -> None:
        """Read the diagnosis once more and publish it: when training stops,
        the last ``fit`` call may have run after the last diagnosis."""
        self._read_report()
        self.snapshot = self._snapshot(self.snapshot.version + 1)

    def save(self, path: str) -> None:
        """Write the model file (network, optimizer, history and what the data
        was) to ``path``; only while no ``fit`` runs."""
        self.net.save(path, metadata=self.metadata())

    def _read_report(self) -> None:
        report = self.diagnostics.report()
        self.findings = tuple(str(report).splitlines()) if report else ()

    def _fit(self, epochs: int, callbacks: list) -> None:
        self.net.fit(
            self.X_train,
            self.y_train,
            loss=self.setup.loss,
            optimizer=self.optimizer,
            epochs=epochs,
            batch_size=self.batch_size,
            validation_data=self.validation,
            grad_hook=self.hook,
            callbacks=callbacks,
        )

    def _snapshot(self, version: int) -> Snapshot:
        norms = [
            math.sqrt(sum(float(np.sum(g * g)) for g in layer.grads.values()))
            for layer in self.net.layers
            if isinstance(layer, Dense)
        ]
        return Snapshot(
            version,
            len(self.net.history.loss),
            self.net.parameters.copy(),
            norms,
            self.optimizer.learning_rate(),
            self.findings,
        )

    # -- in any thread -------------------------------------------------------------
    def drawing(self) -> dict:
        """The latest snapshot, drawn (or the drawing before it, see
        :meth:`Drawer.latest`)."""
        snapshot = self.snapshot
        return self.drawer.latest(snapshot.version, snapshot.epoch, snapshot.parameters)

    def metadata(self) -> dict:
        """The model file's description of the data: classes, features, the
        features' scaling."""
        data = self.data
        metadata = {
            "task": "classify",
            "classes": data.classes,
            "feature_names": data.input_names,
            "source": data.source,
        }
        if self.setup.data == "csv":
            metadata["target"] = self.setup.target
        if data.scaler is not None:
            metadata["scaling"] = data.scaler.to_dict()
        return metadata

    def describe(self) -> dict:
        """What the page needs once per run: the points, the layers, the notes."""
        data, setup = self.data, self.setup
        across, up = data.axes
        sizes = [len(data.inputs), *setup.hidden, self.net.n_outputs]
        return {
            "points": {
                "x": _rounded(data.X[:, across]),
                "y": _rounded(data.X[:, up]),
                "label": data.y.tolist(),
                "test": np.isin(np.arange(len(data.y)), data.test).tolist(),
            },
            "extent": self.drawer.extent,
            "classes": [str(c) for c in data.classes],
            "features": data.feature_names,
            "axes": [data.feature_names[across], data.feature_names[up]],
            "inputs": data.input_names,
            "sizes": sizes,
            "activation": setup.activation,
            "loss": setup.loss,
            "grid": GRID,
            "neuron_grid": NEURON_GRID,
            "notes": data.notes + drawing_notes(sizes),
        }


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.5g}") for v in values]
