"""What ``train_table`` is told: ``TableSettings`` (how to read, preprocess,
split and train) and ``Notes`` (where the lines it has to say go, and how
they name its settings)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .._messages import shown
from ..optimizers import OPTIMIZERS
from ..tables import MAX_CATEGORIES


@dataclass
class TableSettings:
    """The settings of :func:`plainnet.train_table` (see it for each one)."""

    sep: str | None = ","
    task: str = "auto"
    features: Sequence[str] | None = None
    drop: Sequence[str] = ()
    missing_indicator: bool = False
    drop_missing: bool = False
    max_categories: int = MAX_CATEGORIES
    hidden: Sequence[int] = (64, 32)
    activation: str = "relu"
    dropout: float = 0.0
    epochs: int = 200
    batch_size: int | None = None
    optimizer: str = "adam"
    lr: float | None = None
    lr_schedule: str | None = None
    alpha: float = 1e-4
    class_weight: str | None = None
    val_split: float = 0.2
    patience: int = 10
    seed: int = 0
    diagnose: bool = False

    def __post_init__(self) -> None:
        choices = {
            "task": ("auto", "classify", "regress"),
            "optimizer": tuple(sorted(OPTIMIZERS)),
            "class_weight": (None, "balanced"),
        }
        for name, valid in choices.items():
            value = getattr(self, name)
            if value not in valid:
                raise ValueError(
                    f"{name} must be one of {', '.join(map(repr, valid))}, "
                    f"got {shown(value)}"
                )


class SettingError(ValueError):
    """A setting of :func:`plainnet.train_table` that does not fit the data
    (``features`` naming a column the table lacks, ``class_weight`` for a
    regression), named as :meth:`Notes.spell` names it."""


@dataclass
class Notes:
    """The notes of a training run: what was left out, encoded, imputed,
    chosen. ``lines`` collects them; ``say`` (if given) is called with each
    as it comes, the line announcing the training included. A subclass may
    override :meth:`spell` to name the settings otherwise (the command line
    names ``max_categories`` ``--max-categories``)."""

    say: Callable[[str], None] | None = None
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        """Keep ``line`` and pass it on."""
        self.lines.append(line)
        if self.say is not None:
            self.say(line)

    def starting(self, line: str) -> None:
        """The line said just before training starts."""
        self.add(line)

    def spell(self, name: str, value: object = None) -> str:
        """A setting as the user wrote it: ``max_categories=20``."""
        return name if value is None else f"{name}={value!r}"
