"""Learning-rate schedules: give one wherever a learning rate goes.

>>> import plainnet as pn
>>> opt = pn.Adam(lr=pn.CosineDecay(1e-2, steps=1000, warmup=50))

**Steps are optimizer updates** (batches), counted over every ``fit`` of the
network: ``schedule(step)`` is the learning rate of the update made after
``step`` earlier updates, so the first update uses ``schedule(0)``. To think in
epochs, multiply by the updates per epoch, ``ceil(n_samples / batch_size)``.
The count is the optimizer's ``state["step"]``, which model files save, so a
loaded network resumes its schedule exactly.

The exception is :class:`ReduceOnPlateau`, which is told each epoch's logs
(it is also a :class:`~plainnet.callbacks.Callback`; ``fit`` runs it right after
the history) and counts its patience in epochs. Its state (best cost, epochs
waited, reductions made) lives in the optimizer's state beside the step count,
so it is saved and resumed the same way.

``fit`` records the learning rate of each epoch's last update in
``history.lr``; ``optimizer.learning_rate()`` tells it at any time.
"""

import math
from typing import Any

from ._messages import shown
from ._validation import check_number, check_positive
from .callbacks import Callback, Plateau, monitored

__all__ = [
    "SCHEDULES",
    "Constant",
    "CosineDecay",
    "ExponentialDecay",
    "ReduceOnPlateau",
    "Schedule",
    "StepDecay",
    "check_registered",
    "for_training",
    "from_config",
    "to_config",
]


class Schedule:
    """Base class: ``schedule(step, state=None)`` is a learning rate.

    Subclasses set ``name`` (their registry key) and define ``rate(step)``;
    ``get_config()`` mirrors the constructor.
    """

    name = ""

    def __init__(self, lr: float) -> None:
        check_positive("lr", lr)
        self.lr = float(lr)

    def __call__(self, step: int, state: dict | None = None) -> float:
        """The learning rate after ``step`` updates (``state``: the optimizer's,
        used only by schedules that keep state)."""
        return self.rate(step)

    def rate(self, step: int) -> float:
        raise NotImplementedError

    def init_state(self) -> dict[str, Any]:
        """The schedule's fresh state, kept in the optimizer's state (keys start
        with ``lr_``); empty for schedules that depend on the step alone."""
        return {}

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Schedule":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """The same learning rate at every step: ``lr``."""

    name = "constant"

    def rate(self, step: int) -> float:
        return self.lr

    def get_config(self):
        return {"lr": self.lr}


class StepDecay(Schedule):
    """Multiply by ``factor`` every ``every`` updates::

    lr(step) = lr * factor ** (step // every)
    """

    name = "step"

    def __init__(self, lr: float, every: int, factor: float = 0.1) -> None:
        super().__init__(lr)
        check_positive("every", every, integer=True)
        check_number("factor", factor, 0, 1, low_open=True)
        self.every, self.factor = int(every), float(factor)

    def rate(self, step: int) -> float:
        return self.lr * self.factor ** (step // self.every)

    def get_config(self):
        return {"lr": self.lr, "every": self.every, "factor": self.factor}


class ExponentialDecay(Schedule):
    """Decay smoothly by ``factor`` over each ``every`` updates::

    lr(step) = lr * factor ** (step / every)
    """

    name = "exponential"

    def __init__(self, lr: float, factor: float, every: int = 1) -> None:
        super().__init__(lr)
        check_number("factor", factor, 0, 1, low_open=True)
        check_positive("every", every, integer=True)
        self.factor, self.every = float(factor), int(every)

    def rate(self, step: int) -> float:
        return self.lr * self.factor ** (step / self.every)

    def get_config(self):
        return {"lr": self.lr, "factor": self.factor, "every": self.every}


class CosineDecay(Schedule):
    """Linear warm-up to ``lr``, then half a cosine down to ``final_lr``
    (Loshchilov and Hutter, 2017, without restarts)::

        lr(step) = lr * (step + 1) / warmup                       step < warmup
        p = min((step - warmup) / (steps - warmup), 1)            otherwise
        lr(step) = final_lr + (lr - final_lr) * (1 + cos(pi * p)) / 2

    ``steps`` counts every update, the warm-up's included; after it the rate
    stays at ``final_lr``.
    """

    name = "cosine"

    def __init__(
        self, lr: float, steps: int, warmup: int = 0, final_lr: float = 0.0
    ) -> None:
        super().__init__(lr)
        check_positive("steps", steps, integer=True)
        check_number("warmup", warmup, 0, steps, integer=True)
        check_number("final_lr", final_lr, 0, lr)
        self.steps, self.warmup, self.final_lr = (
            int(steps),
            int(warmup),
            float(final_lr),
        )

    def rate(self, step: int) -> float:
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        p = min((step - self.warmup) / (self.steps - self.warmup), 1.0)
        return (
            self.final_lr + (self.lr - self.final_lr) * (1 + math.cos(math.pi * p)) / 2
        )

    def get_config(self):
        return {
            "lr": self.lr,
            "steps": self.steps,
            "warmup": self.warmup,
            "final_lr": self.final_lr,
        }


class ReduceOnPlateau(Schedule, Callback):
    """Multiply the rate by ``factor`` when the monitored cost has not improved
    by ``min_delta`` for ``patience`` epochs::

        lr = max(lr * factor ** reductions, min_lr)

    It watches ``monitor`` in each epoch's logs; by default the validation loss,
    or the training loss when ``fit`` has no validation data. An epoch improves
    when its cost is below ``best - min_delta`` (NaN never does); after a
    reduction the count of epochs waited starts again.

    State (in the optimizer's ``state``): ``lr_best`` (lowest cost, ``inf``
    before the first epoch), ``lr_wait`` (epochs since it improved) and
    ``lr_reductions``.
    """

    name = "plateau"

    def __init__(
        self,
        lr: float,
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        min_lr: float = 0.0,
        monitor: str | None = None,
    ) -> None:
        super().__init__(lr)
        check_number("factor", factor, 0, 1, low_open=True)
        Plateau(patience, min_delta)  # checks them
        check_number("min_lr", min_lr, 0, lr)
        if monitor is not None and not isinstance(monitor, str):
            raise ValueError(
                f"monitor must be a log entry's name, got {shown(monitor)}"
            )
        self.factor, self.patience = float(factor), int(patience)
        self.min_delta, self.min_lr, self.monitor = (
            float(min_delta),
            float(min_lr),
            monitor,
        )

    def __call__(self, step: int, state: dict | None = None) -> float:
        reductions = (state or {}).get("lr_reductions", 0)
        return max(self.lr * self.factor**reductions, self.min_lr)

    def rate(self, step: int) -> float:
        return self(step)

    def init_state(self):
        return {"lr_best": math.inf, "lr_wait": 0, "lr_reductions": 0}

    def observe(self, cost: float, state: dict) -> None:
        """Record one epoch's ``cost`` in the optimizer's ``state``."""
        for key, value in self.init_state().items():
            state.setdefault(key, value)
        plateau = Plateau(
            self.patience, self.min_delta, state["lr_best"], state["lr_wait"]
        )
        if plateau.update(cost):
            state["lr_reductions"] += 1
            plateau.wait = 0
        state["lr_best"], state["lr_wait"] = plateau.best, plateau.wait

    def on_epoch_end(self, epoch: int, logs: dict, training) -> None:
        cost = monitored(logs, self.monitor, "ReduceOnPlateau")
        self.observe(cost, training.optimizer.state)

    def get_config(self):
        return {
            "lr": self.lr,
            "factor": self.factor,
            "patience": self.patience,
            "min_delta": self.min_delta,
            "min_lr": self.min_lr,
            "monitor": self.monitor,
        }


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls
    for cls in (Constant, StepDecay, ExponentialDecay, CosineDecay, ReduceOnPlateau)
}


def for_training(
    name_or_schedule: "str | Schedule", lr: float, total_steps: int
) -> Schedule:
    """The schedule a name stands for, starting at ``lr``, for a training of
    ``total_steps`` updates (what the estimators and ``plainnet train`` use):

    * ``"constant"``: ``Constant(lr)``;
    * ``"step"``: ``StepDecay(lr, every=total_steps // 4, factor=0.5)``;
    * ``"exponential"``: ``ExponentialDecay(lr, factor=0.01, every=total_steps)``
      (down to 1% of ``lr`` at the end);
    * ``"cosine"``: ``CosineDecay(lr, steps=total_steps)``;
    * ``"plateau"``: ``ReduceOnPlateau(lr, factor=0.1, patience=5)``.

    A :class:`Schedule` is returned unchanged.
    """
    if isinstance(name_or_schedule, Schedule):
        return name_or_schedule
    check_positive("total_steps", total_steps, integer=True)
    made = {
        "constant": lambda: Constant(lr),
        "step": lambda: StepDecay(lr, every=max(total_steps // 4, 1), factor=0.5),
        "exponential": lambda: ExponentialDecay(lr, factor=0.01, every=total_steps),
        "cosine": lambda: CosineDecay(lr, steps=total_steps),
        "plateau": lambda: ReduceOnPlateau(lr, factor=0.1, patience=5),
    }
    if not isinstance(name_or_schedule, str) or name_or_schedule not in made:
        raise ValueError(
            f"unknown learning-rate schedule {shown(name_or_schedule)}; expected "
            f"one of {sorted(made)} or a Schedule"
        )
    return made[name_or_schedule]()


def to_config(lr: "float | Schedule") -> "float | dict[str, Any]":
    """A learning rate as JSON: the number, or ``{"name": ..., "config": ...}``."""
    if isinstance(lr, Schedule):
        return {"name": lr.name, "config": lr.get_config()}
    return lr


def check_registered(lr: "float | Schedule") -> None:
    """Raise ``ValueError`` for a schedule that loading could not rebuild (one
    not in :data:`SCHEDULES`)."""
    if isinstance(lr, Schedule) and SCHEDULES.get(lr.name) is not type(lr):
        raise ValueError(
            f"schedule {lr!r} is not one of plainnet's {sorted(SCHEDULES)}; save "
            "with include_optimizer=False"
        )


def from_config(value: "float | dict[str, Any]") -> "float | Schedule":
    """The inverse of :func:`to_config`; a name from the registry only."""
    if not isinstance(value, dict):
        return value
    if set(value) != {"name", "config"} or not isinstance(value["config"], dict):
        raise ValueError("a schedule's config must hold exactly 'name' and 'config'")
    name = value["name"]
    if not isinstance(name, str) or name not in SCHEDULES:
        raise ValueError(
            f"unknown learning-rate schedule {shown(name)}; expected one of "
            f"{sorted(SCHEDULES)}"
        )
    return SCHEDULES[name].from_config(value["config"])
