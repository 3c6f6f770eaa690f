"""One playground session: the current run and the thread that trains it.

The training thread alone touches the run's network. It trains in short
``fit`` calls (see :mod:`.run`), and after each the run publishes a snapshot
that the server's threads draw on a network of their own, so the page never
waits on a training step and a training step never waits on the page. Start,
pause, step, reset and stop are flags the thread reads between epochs (through
a plain ``f(epoch, logs)`` callback); the model is saved in the training thread
between two ``fit`` calls.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from functools import partial

from .code import python_code
from .data import CsvFile, load_data
from .run import Run, Snapshot
from .settings import Setup, SetupError, parse_setup

#: Every this many seconds, one epoch runs with ``Diagnostics`` recording.
DIAGNOSE_SECONDS = 0.25
#: How long a request waits for the training thread (to save the model).
JOB_SECONDS = 60.0


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
        self._training = False  # the thread is in a fit call
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
        """Keep an uploaded CSV file, in place of the one uploaded before, and
        read its columns; ``name`` is only shown."""
        shown = os.path.basename(name.replace("\\", "/")).strip()
        shown = "".join(c for c in shown if c.isprintable())[:100] or "upload.csv"
        folder = os.path.join(self._folder.name, f"upload-{next(self._uploads)}")
        os.mkdir(folder)
        path = os.path.join(folder, "table.csv")
        with open(path, "wb") as file:
            file.write(content)
        try:
            csv = CsvFile(path, shown)
        except SetupError:
            shutil.rmtree(folder)
            raise
        if self.csv is not None and self.csv.path.startswith(self._folder.name):
            shutil.rmtree(os.path.dirname(self.csv.path))  # the upload before
        self.csv = csv
        return csv

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
                self._training = bool(epochs)
            for job, future in jobs:
                _run_job(job, future)
            if not epochs:
                continue
            diagnose = time.monotonic() - last_diagnosis > DIAGNOSE_SECONDS
            if diagnose:  # one epoch with the Diagnostics callback
                epochs, last_diagnosis = 1, time.monotonic()
            run.train(epochs, partial(self._keep_going, run, stepping), diagnose)
            self._training = False
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
        if self._running or self._training:  # until the epoch in hand is done
            return "training"  # and the run's end said and saved
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


def _finite(values: list[float]) -> list[float | None]:
    """JSON has no NaN or inf: those become null."""
    return [v if math.isfinite(v) else None for v in values]
