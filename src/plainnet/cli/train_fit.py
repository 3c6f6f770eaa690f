"""The fit of ``plainnet train``: its options, ``train_table``'s notes printed
as they come with the settings named as options, a one-line progress
display, saves finished through Ctrl-C or SIGTERM, and after divergence the
best epoch's weights saved."""

import argparse
import sys
from collections.abc import Callable
from typing import IO

from .._signals import HoldSignals
from ..layers import ACTIVATIONS
from ..model_files import save
from ..network import Sequential
from ..optimizers import OPTIMIZERS
from ..tabular import Notes, TrainedTable
from ..tabular.fit import DEFAULT_LR
from .common import (
    Interrupted,
    fraction,
    hidden_sizes,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)


class PrintedNotes(Notes):
    """``train_table``'s notes printed as they come; a setting is named as the
    option that sets it (``--max-categories 20``)."""

    def __init__(self) -> None:
        super().__init__(say=print)

    def starting(self, line: str) -> None:
        self.lines.append(line)
        print(f"{line} (Ctrl-C stops and saves the best so far)", flush=True)

    def spell(self, name: str, value: object = None) -> str:
        option = "--" + name.replace("_", "-")
        return option if value is None else f"{option} {value}"


def save_through_signals(
    network: Sequential, out: str, write: Callable[..., object] = save, **options
) -> int | None:
    """``write(network, out, **options)`` (by default ``save``), finished even
    if Ctrl-C or SIGTERM comes meanwhile; returns the exit status that signal
    asks for (None if none came). A second signal abandons the save:
    ``Interrupted`` says that nothing was saved."""
    with HoldSignals() as signals:
        try:
            write(network, out, **options)
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted again while saving: nothing was saved to {out}",
                signals.status,
            ) from None
    return None if signals.received is None else signals.status


def interrupted_while_saving(stopped: int, out: str) -> Interrupted:
    """What to raise when a signal (exit status ``stopped``) came during a
    save that :func:`save_through_signals` finished."""
    return Interrupted(
        f"interrupted{' by SIGTERM' if stopped == 143 else ''} while saving; "
        f"the save was finished first: the model is in {out}",
        stopped,
    )


def save_best(trained: TrainedTable | None, out: str) -> None:
    """After divergence: save the best epoch's weights, if there was one."""
    if trained is None:
        print(
            "plainnet train: no epoch ended before that; nothing was saved",
            file=sys.stderr,
        )
        return
    metadata = trained.predictor.metadata
    save_through_signals(
        trained.network, out, metadata=metadata, include_optimizer=False
    )
    print(f"{trained.summary}; saved to {out}", file=sys.stderr)


class EpochLine:
    """A ``fit`` callback showing one line, redrawn each epoch, at most 79
    columns wide: the epoch, the losses, the validation accuracy and the best
    epoch so far. Shown only on a terminal unless ``enabled`` says otherwise."""

    WIDTH = 79

    def __init__(
        self, total: int, enabled: bool | None = None, stream: IO[str] | None = None
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.enabled, self.drawn = total, enabled, False
        self.best = (float("inf"), 0)

    def __call__(self, epoch: int, logs: dict) -> None:
        monitored = logs.get("val_loss", logs["loss"])
        if monitored < self.best[0]:
            self.best = (monitored, epoch)
        if self.enabled:
            self.stream.write("\r" + self.text(epoch, logs).ljust(self.WIDTH))
            self.stream.flush()
            self.drawn = True

    def text(self, epoch: int, logs: dict) -> str:
        """The line for an epoch, e.g. ``epoch 12/200 loss 0.4213 val 0.4410
        val acc 0.812 best 9``."""
        width = len(str(self.total))
        parts = [f"epoch {epoch:>{width}}/{self.total}", f"loss {logs['loss']:.4g}"]
        if "val_loss" in logs:
            parts.append(f"val {logs['val_loss']:.4g}")
        if "val_accuracy" in logs:
            parts.append(f"val acc {logs['val_accuracy']:.3f}")
        elif "accuracy" in logs:
            parts.append(f"acc {logs['accuracy']:.3f}")
        parts.append(f"best {self.best[1]}")
        return "  ".join(parts)[: self.WIDTH]

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


# -- the options ---------------------------------------------------------------
def add_network_arguments(p: argparse.ArgumentParser) -> None:
    """The network's shape: ``--hidden``, ``--activation``, ``--dropout``."""
    p.add_argument(
        "--hidden",
        type=hidden_sizes,
        default=[64, 32],
        metavar="64,32",
        help="hidden layer widths (default: 64,32; 'none' for none)",
    )
    p.add_argument(
        "--activation",
        choices=sorted(ACTIVATIONS),
        default="relu",
        help="the hidden layers' activation",
    )
    p.add_argument(
        "--dropout",
        type=fraction,
        default=0.0,
        help="dropout rate after each hidden layer",
    )


def add_optimizer_arguments(p: argparse.ArgumentParser) -> None:
    """How the weights are learned: ``--epochs``, ``--batch-size``,
    ``--optimizer``, ``--lr``, ``--lr-schedule``, ``--alpha``."""
    p.add_argument(
        "--epochs", type=positive_int, default=200, help="at most this many epochs"
    )
    p.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        metavar="N",
        help="rows per step (default: 200, or all rows if fewer)",
    )
    p.add_argument(
        "--optimizer",
        choices=sorted(OPTIMIZERS),
        default="adam",
        help="the optimizer (lbfgs: all rows at once, no learning rate; needs SciPy)",
    )
    p.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        help=f"the learning rate (default {DEFAULT_LR:g}; lbfgs has none)",
    )
    p.add_argument(
        "--lr-schedule",
        choices=("constant", "step", "exponential", "cosine", "plateau"),
        help="how the learning rate changes over the epochs (default constant)",
    )
    p.add_argument(
        "--alpha",
        type=non_negative_float,
        default=1e-4,
        help="L2 penalty on the weights, alpha/2 * ||W||^2 / batch, as scikit-learn's",
    )


def add_rows_arguments(p: argparse.ArgumentParser) -> None:
    """How rows are weighed and split and when training stops:
    ``--class-weight``, ``--val-split``, ``--patience``, ``--seed``."""
    p.add_argument(
        "--class-weight",
        choices=("none", "balanced"),
        default="none",
        help="balanced: weigh rows so every class counts the same",
    )
    p.add_argument(
        "--val-split",
        type=fraction,
        default=0.2,
        help="fraction of rows set aside for validation (stratified by class)",
    )
    p.add_argument(
        "--patience",
        type=positive_int,
        default=10,
        help="stop after this many epochs without a better validation loss",
    )
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed")
