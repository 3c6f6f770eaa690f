"""One playground session: the current run (a setup's data, network and
optimizer) and the thread that trains it.

The training thread alone touches the network. It trains in short ``fit``
calls, sized to last about ``CHUNK_SECONDS``, and after each publishes a
:class:`Snapshot` (a copy of the weights, the gradient norms, the findings).
The server's threads read snapshots and draw from them on a second network
holding a copy of the weights, so the page never waits on a training step and
a training step never waits on the page. Pause, step, reset and stop are flags
the thread reads between epochs (through a plain ``f(epoch, logs)`` callback).
Saving the model runs in the training thread between two ``fit`` calls.
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..diagnostics import Diagnostics
from ..errors import TrainingDivergedError
from ..layers import Dense
from ..network import Sequential
from . import drawing
from .code import python_code
from .data import CsvFile, PlaygroundData, load_data
from .model import (
    batch_size,
    build_layers,
    build_network,
    build_optimizer,
    l2_hook,
)
from .settings import Setup, SetupError, parse_setup

#: How long one ``fit`` call of the training thread should last, in seconds.
CHUNK_SECONDS = 0.04
#: Every this many seconds, one epoch runs with ``Diagnostics`` recording.
DIAGNOSE_SECONDS = 0.25
#: Drawing may take at most this share of the time: a slower drawing is
#: redrawn less often (the page gets fewer updates, training goes on).
DRAW_SHARE = 0.2
#: How long a request waits for the training thread (to save the model).
JOB_SECONDS = 60.0


@dataclass(frozen=True)
class Snapshot:
    """What the page shows of a run after one ``fit`` call."""

    version: int
    epoch: int
    parameters: np.ndarray
    grad_norms: list[float]
    lr: float | None
    findings: tuple[str, ...]


class Run:
    """One training run of one setup. Only the session's training thread
    trains it; other threads read :attr:`snapshot` and call :meth:`drawing`."""

    def __init__(self, number: int, setup: Setup, data: PlaygroundData) -> None:
        self.id, self.setup, self.data = number, setup, data
        n_inputs, n_classes = len(data.inputs), len(data.classes)
        self.net = build_network(setup, n_inputs, n_classes)
        self.X = data.network_input(data.X)
        n_train = len(data.train)
        self.optimizer = build_optimizer(setup, n_train)
        self.hook = l2_hook(setup, self.net, n_train)
        self.batch_size = batch_size(setup, n_train)
        test = data.test
        self.validation = (self.X[test], data.y[test]) if len(test) else None
        self.diagnostics = Diagnostics(every=2**31)  # records when a fit ends
        self.findings: tuple[str, ...] = ()
        self.failure: str | None = None
        self.chunk = 1  # epochs per fit call, adapted to CHUNK_SECONDS
        self._fit(0, [])  # sets the loss and optimizer: a complete model file
        self.output_function = self.net.loss.output_function
        self.snapshot = self._snapshot(0)
        # the drawing's own network, given each snapshot's weights
        self._drawer = Sequential(build_layers(setup, n_inputs, n_classes))
        self.extent = drawing.extent(data)
        self._grid = drawing.grid_rows(data, self.extent, drawing.GRID)
        self._neuron_grid = drawing.grid_rows(data, self.extent, drawing.NEURON_GRID)
        self._draw_lock = threading.Lock()
        self._drawn: dict | None = None
        self._next_draw = 0.0

    # -- in the training thread ---------------------------------------------------
    def train(
        self, epochs: int, keep_going: Callable[[], bool], diagnose: bool
    ) -> None:
        """Train up to ``epochs`` epochs (fewer when ``keep_going()`` turns
        false), then publish a snapshot."""
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

    def _read_report(self) -> None:
        report = self.diagnostics.report()
        self.findings = tuple(str(report).splitlines()) if report else ()

    def _fit(self, epochs: int, callbacks: list) -> None:
        self.net.fit(
            self.X[self.data.train],
            self.data.y[self.data.train],
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

    def save(self, path: str) -> None:
        """Write the model file (network, optimizer, history and what the data
        was) to ``path``; only while no ``fit`` runs."""
        self.net.save(path, metadata=self.metadata())

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

    # -- in the server's threads ---------------------------------------------------
    def drawing(self) -> dict:
        """The latest snapshot drawn: the boundary, the neurons' images, the
        weights and the accuracies (redrawn at most ``DRAW_SHARE`` of the
        time, else the last drawing)."""
        with self._draw_lock:
            snapshot, now = self.snapshot, time.perf_counter()
            drawn = self._drawn
            if drawn is not None and (
                drawn["version"] == snapshot.version or now < self._next_draw
            ):
                return drawn
            np.copyto(self._drawer.parameters, snapshot.parameters)
            try:
                self._drawn = self._draw(snapshot)
            except (ValueError, ArithmeticError):  # weights too large to draw
                if drawn is None:
                    raise
                return drawn
            cost = time.perf_counter() - now
            self._drawn["milliseconds"] = round(1000 * cost, 1)
            self._next_draw = now + cost / DRAW_SHARE
            return self._drawn

    def _draw(self, snapshot: Snapshot) -> dict:
        net, output = self._drawer, self.output_function
        proba = drawing.probabilities(net, output, self.X)
        data = self.data
        return {
            "version": snapshot.version,
            "epoch": snapshot.epoch,
            "boundary": drawing.boundary_image(
                drawing.probabilities(net, output, self._grid)
            ),
            "neurons": drawing.neuron_images(net, output, self._neuron_grid),
            "weights": drawing.weights(net),
            "accuracy": drawing.accuracy(proba[data.train], data.y[data.train]),
            "test_accuracy": drawing.accuracy(proba[data.test], data.y[data.test]),
        }

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
            "extent": self.extent,
            "classes": [str(c) for c in data.classes],
            "features": data.feature_names,
            "axes": [data.feature_names[across], data.feature_names[up]],
            "inputs": data.input_names,
            "sizes": sizes,
            "activation": setup.activation,
            "loss": setup.loss,
            "grid": drawing.GRID,
            "neuron_grid": drawing.NEURON_GRID,
            "notes": data.notes + _drawing_notes(sizes),
        }


def _drawing_notes(sizes: list[int]) -> list[str]:
    """What the page leaves out of the drawing of a large network."""
    notes = []
    neurons = sum(sizes[1:])
    n_weights = sum(a * b for a, b in itertools.pairwise(sizes))
    if neurons > drawing.MAX_NEURONS:
        notes.append(
            f"the network has {neurons} neurons; the page draws the first "
            f"{drawing.MAX_NEURONS}: use fewer or narrower layers to see them all"
        )
    if n_weights > drawing.MAX_LINES:
        notes.append(
            f"the network has {n_weights:,} weights; the page draws weights and "
            f"formulas up to {drawing.MAX_LINES:,}: use fewer or narrower layers "
            "to see them"
        )
    return notes


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.5g}") for v in values]


def _finite(values: list[float]) -> list[float | None]:
    """JSON has no NaN or inf: those become null."""
    return [v if math.isfinite(v) else None for v in values]


class Session:
    """The playground's state: the current run, the training thread, and the
    CSV file it may read.

    Parameters
    ----------
    setup : Setup
        The first run's settings.
    csv : CsvFile, optional
        The file given on the command line.
    epochs : int, optional
        Each run stops after this many epochs (and saves ``out``).
    out : str, optional
        Where to save the model when a run stops after ``epochs``.
    say : callable, default print
        Prints a line for the terminal.
    """

    def __init__(
        self,
        setup: Setup,
        csv: CsvFile | None = None,
        epochs: int | None = None,
        out: str | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.csv, self.epochs, self.out, self.say = csv, epochs, out, say
        self._folder = tempfile.TemporaryDirectory(prefix="plainnet-playground-")
        self._numbers = itertools.count(1)  # of the runs
        self._uploads = itertools.count(1)
        self._changed = threading.Condition()
        self._running = False
        self._steps = 0
        self._closing = False
        self._jobs: list[tuple[Callable[[], object], Future]] = []
        self.run = self._new_run(setup)
        self._thread = threading.Thread(
            target=self._loop, name="plainnet-playground-training", daemon=True
        )
        self._thread.start()

    # -- what the page asks --------------------------------------------------------
    def configure(self, fields: Mapping[str, object], reset: bool = False) -> Run:
        """Make ``fields`` (all the settings; missing ones take their defaults)
        the current setup: a new run, unless it is the current one's setup and
        ``reset`` is false. Raises SetupError for settings it cannot train."""
        setup = parse_setup(fields)
        if setup == self.run.setup and not reset:
            return self.run
        run = self._new_run(setup)
        with self._changed:
            self.run, self._steps = run, 0
            self._changed.notify_all()
        return run

    def control(self, action: str) -> None:
        """``start``, ``pause``, ``step`` (one epoch) or ``reset``."""
        if action == "reset":
            self.configure(self.run.setup.fields(), reset=True)
            return
        if action not in ("start", "pause", "step"):
            raise SetupError(
                f"unknown action {action!r}; expected start, pause, step or reset"
            )
        with self._changed:
            if action == "pause":
                self._running, self._steps = False, 0
            else:
                self._check_trainable(self.run)
                if action == "start":
                    self._running = True
                else:
                    self._steps += 1
            self._changed.notify_all()

    def upload(self, name: str, content: bytes) -> CsvFile:
        """Keep an uploaded CSV file (replacing the one before) and read its
        columns."""
        shown = os.path.basename(name.replace("\\", "/")).strip() or "upload.csv"
        shown = "".join(c for c in shown if c.isprintable())[:100]
        folder = os.path.join(self._folder.name, f"upload-{next(self._uploads)}")
        os.mkdir(folder)
        path = os.path.join(folder, "table.csv")
        with open(path, "wb") as file:
            file.write(content)
        self.csv = CsvFile(path, shown)
        return self.csv

    def state(self, run_id: int | None = None, since: int = 0) -> dict:
        """What the page shows now. ``run_id`` and ``since``: the run the page
        draws and how many epochs of its history it has; a page on another run
        also gets the run's setup, points and layers."""
        run = self.run
        snapshot = run.snapshot
        history = run.net.history
        since = min(max(since, 0), snapshot.epoch) if run_id == run.id else 0
        findings = list(snapshot.findings)
        if run.failure:
            findings.append(run.failure)
        state = {
            "run": run.id,
            "status": self._status(run, snapshot),
            "running": self._running,
            "epoch": snapshot.epoch,
            "limit": self.epochs,
            "history": {
                "from": since,
                "loss": _finite(history.loss[since : snapshot.epoch]),
                "val_loss": _finite(history.val_loss[since : snapshot.epoch]),
            },
            "lr": snapshot.lr,
            "grad_norms": snapshot.grad_norms,
            "findings": findings,
            "drawing": run.drawing(),
        }
        if run_id != run.id:
            state["setup"] = run.setup.fields()
            state["fragment"] = run.setup.fragment()
            state["data"] = run.describe()
            state["csv"] = None if self.csv is None else self.csv.describe()
        return state

    def model_file(self) -> bytes:
        """The current run's model file, saved between two ``fit`` calls."""

        def save() -> bytes:
            path = os.path.join(self._folder.name, "download.npz")
            self.run.save(path)
            with open(path, "rb") as file:
                return file.read()

        return self._in_training_thread(save)

    def code(self) -> str:
        """The Python code training the current run's network as far as it got
        (100 epochs before any training)."""
        run = self.run
        return python_code(run.setup, run.data, run.snapshot.epoch or 100)

    # -- stopping ------------------------------------------------------------------
    def close(self) -> None:
        """Stop the training thread (at the end of its current epoch) and
        delete the uploaded files."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join()
        for _, future in self._jobs:
            future.set_exception(SetupError("the playground is stopping"))
        self._folder.cleanup()

    def save(self, path: str) -> None:
        """Save the current run's model after :meth:`close`."""
        self.run.save(path)

    # -- the training thread -------------------------------------------------------
    def _loop(self) -> None:
        last_diagnosis = -math.inf
        while True:
            with self._changed:
                self._changed.wait_for(self._has_work)
                if self._closing:
                    return
                jobs, self._jobs = self._jobs, []
                run, epochs = self.run, self._epochs_now()
                stepping = not self._running
            for job, future in jobs:
                _run_job(job, future)
            if not epochs:
                continue
            diagnose = time.monotonic() - last_diagnosis > DIAGNOSE_SECONDS
            if diagnose:  # one epoch with the Diagnostics callback
                epochs, last_diagnosis = 1, time.monotonic()
            run.train(epochs, partial(self._keep_going, run, stepping), diagnose)
            self._after_fit(run)
            if not self._running:  # the thread is going to wait
                run.review()

    def _has_work(self) -> bool:
        return self._closing or bool(self._jobs) or self._epochs_left() > 0

    def _epochs_left(self) -> float:
        """Epochs the current run may train now: none when it failed, reached
        the limit, or is neither running nor asked for a step."""
        run = self.run
        if run.failure or not (self._running or self._steps):
            return 0
        return math.inf if self.epochs is None else self.epochs - run.snapshot.epoch

    def _epochs_now(self) -> int:
        """Epochs for the next fit call: a chunk while running, one for a step
        (which it uses up), none when the run cannot go on."""
        left = self._epochs_left()
        if left <= 0:
            return 0
        if not self._running:
            self._steps -= 1
            return 1
        return int(min(self.run.chunk, left))

    def _keep_going(self, run: Run, stepping: bool) -> bool:
        return not self._closing and run is self.run and (stepping or self._running)

    def _after_fit(self, run: Run) -> None:
        """After a failure or at the epoch limit: say so, save ``out``, and
        stop running."""
        finished = self.epochs is not None and run.snapshot.epoch >= self.epochs
        if run is not self.run or not (finished or run.failure):
            return
        line = f"run {run.id}: {run.failure}" if run.failure else self._finish(run)
        with self._changed:
            self._running, self._steps = False, 0
        self.say(line)

    def _finish(self, run: Run) -> str:
        """The line saying a run reached the limit, after saving ``out``."""
        loss = run.net.history.loss[-1]
        line = f"run {run.id}: trained {run.snapshot.epoch} epochs, loss {loss:.6g}"
        if self.out is None:
            return line
        try:
            run.save(self.out)
        except (OSError, ValueError) as error:
            return f"{line}; could not save {self.out}: {error}"
        return f"{line}; saved {self.out}"

    def _check_trainable(self, run: Run) -> None:
        if run.failure:
            raise SetupError(
                "this run cannot go on (see the diagnosis); change a setting or reset"
            )
        if self.epochs is not None and run.snapshot.epoch >= self.epochs:
            raise SetupError(
                f"this run has trained its {self.epochs} epochs (--epochs); reset "
                "to train again"
            )

    def _in_training_thread(self, job: Callable[[], object]):
        future: Future = Future()
        with self._changed:
            if self._closing:
                raise SetupError("the playground is stopping")
            self._jobs.append((job, future))
            self._changed.notify_all()
        return future.result(timeout=JOB_SECONDS)

    def _new_run(self, setup: Setup) -> Run:
        data = load_data(setup, self.csv if setup.data == "csv" else None)
        try:
            return Run(next(self._numbers), setup, data)
        except SetupError:
            raise
        except ValueError as error:  # settings plainnet refuses
            raise SetupError(str(error)) from None

    def _status(self, run: Run, snapshot: Snapshot) -> str:
        if self._running:  # until the run's end is said and saved
            return "training"
        if run.failure:
            return "diverged" if "diverged" in run.failure else "stopped"
        if self.epochs is not None and snapshot.epoch >= self.epochs:
            return "finished"
        return "paused" if snapshot.epoch else "ready"


def _run_job(job: Callable[[], object], future: Future) -> None:
    try:
        future.set_result(job())
    except Exception as error:  # handed to the request that asked
        future.set_exception(error)
