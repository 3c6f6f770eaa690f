"""What the page can set: one training run's settings, checked one by one, and
written as the page's URL fragment (``data=moons&hidden=8,8&lr=0.03...``), so
that a link reproduces a setup.

Every field arrives as text (from a URL) or as a JSON value (from the page);
:func:`parse_setup` turns them into a :class:`Setup` or raises
:class:`SetupError` naming the field, what it expects and what it was given.
Whether the settings fit together and fit the data (a one-output loss with
three classes, a feature the table lacks) is checked when the run is built.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

DATA_SETS = ("moons", "circles", "spirals", "xor", "seed", "csv")
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "identity")
INITS = ("glorot_uniform", "he_normal", "uniform")
#: cross_entropy: one logit per class; binary_cross_entropy: one logit (two
#: classes); sse: the seed's cost, one sigmoid output (two classes).
LOSSES = ("cross_entropy", "binary_cross_entropy", "sse")
OPTIMIZERS = ("adam", "sgd", "momentum", "rmsprop", "adagrad")
SCHEDULES = ("constant", "step", "exponential", "cosine", "plateau")

MAX_SAMPLES = 5000
MAX_HIDDEN_LAYERS = 10
MAX_WIDTH = 512


class SetupError(ValueError):
    """Settings the playground cannot train with; the message is shown on the
    page as it is."""


@dataclass(frozen=True)
class Setup:
    """The settings of one training run, as the page shows them.

    ``noise=None`` is the data set's own noise; ``x_axis``/``y_axis`` empty
    are the first two features; ``batch=0`` is the whole training set at once;
    ``decay`` is how many epochs a schedule spans.
    """

    data: str = "moons"
    samples: int = 200
    noise: float | None = None
    classes: int = 2
    seed: int = 0
    split: float = 0.2
    target: str = ""
    x_axis: str = ""
    y_axis: str = ""
    inputs: str = "all"
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    bias: bool = True
    init: str = "glorot_uniform"
    dropout: float = 0.0
    l2: float = 0.0
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    lr: float = 0.03
    schedule: str = "constant"
    decay: int = 200
    batch: int = 32

    def fields(self) -> dict[str, object]:
        """The settings as JSON values, by field name."""
        values = dataclasses.asdict(self)
        values["hidden"] = ",".join(map(str, self.hidden))
        return values

    def fragment(self) -> str:
        """The settings as a URL fragment (without the ``#``)."""
        text = {
            name: "" if value is None else _text(value)
            for name, value in self.fields().items()
        }
        return urlencode(text, safe=",")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def parse_setup(fields: Mapping[str, object], base: Setup | None = None) -> Setup:
    """The :class:`Setup` of ``fields`` (field name to text or JSON value);
    fields not given keep their value in ``base`` (by default, the defaults).

    Raises
    ------
    SetupError
        For an unknown field name or a value its field does not take.
    """
    if not isinstance(fields, Mapping):
        raise SetupError(f"expected settings as an object, got {type(fields).__name__}")
    unknown = sorted(str(name) for name in fields if name not in _PARSERS)
    if unknown:
        raise SetupError(
            f"unknown setting(s) {', '.join(map(repr, unknown))}; the settings are "
            f"{', '.join(_PARSERS)}"
        )
    values = {name: _PARSERS[name](name, value) for name, value in fields.items()}
    return dataclasses.replace(base or Setup(), **values)


def setup_from_link(link: str, base: Setup | None = None) -> Setup:
    """The setup in a playground link: a whole URL or only its part after
    ``#`` (with or without the ``#``)."""
    text = link.strip()
    if "://" in text:
        text = urlsplit(text).fragment
    pairs = parse_qsl(text.lstrip("#"), keep_blank_values=True)
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SetupError(f"the link sets {', '.join(map(repr, repeated))} twice")
    return parse_setup(dict(pairs), base)


# -- one parser per kind of field --------------------------------------------------
def _choice(options: tuple[str, ...]) -> Callable[[str, object], str]:
    def parse(name: str, value: object) -> str:
        if value not in options:
            raise SetupError(
                f"{name} must be one of {', '.join(options)}; got {_shown(value)}"
            )
        return str(value)

    return parse


def _integer(low: int, high: int) -> Callable[[str, object], int]:
    def parse(name: str, value: object) -> int:
        number = _number_of(value)
        if number is None or not number.is_integer() or not low <= number <= high:
            raise SetupError(
                f"{name} must be a whole number from {low} to {high}; "
                f"got {_shown(value)}"
            )
        return int(number)

    return parse


def _real(
    low: float, high: float, low_open: bool = False
) -> Callable[[str, object], float]:
    def parse(name: str, value: object) -> float:
        number = _number_of(value)
        above = number is not None and (number > low if low_open else number >= low)
        if not above or number > high:
            bound = "above" if low_open else "from"
            raise SetupError(
                f"{name} must be a number {bound} {low:g} up to {high:g}; "
                f"got {_shown(value)}"
            )
        return number

    return parse


def _noise(name: str, value: object) -> float | None:
    """Blank for the data set's own noise, else a number from 0 to 2."""
    if value is None or value == "":
        return None
    return _real(0.0, 2.0)(name, value)


def _flag(name: str, value: object) -> bool:
    if value in (True, 1, "1", "true", "yes", "on"):
        return True
    if value in (False, 0, "0", "false", "no", "off"):
        return False
    raise SetupError(f"{name} must be 1 or 0 (yes or no); got {_shown(value)}")


def _column(name: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise SetupError(f"{name} must be a column name; got {_shown(value)}")
    return value


def _widths(name: str, value: object) -> tuple[int, ...]:
    """Hidden widths such as ``8,8``; blank for none."""
    text = _shown(value) if not isinstance(value, str) else value
    parts = [part.strip() for part in text.split(",")] if text.strip() else []
    if (
        not all(is_whole_number(p) and 1 <= int(p) <= MAX_WIDTH for p in parts)
        or len(parts) > MAX_HIDDEN_LAYERS
    ):
        raise SetupError(
            f"{name} must list the hidden layers' widths, like 8,8 (at most "
            f"{MAX_HIDDEN_LAYERS} layers of 1 to {MAX_WIDTH} neurons; blank for "
            f"none); got {_shown(value)}"
        )
    return tuple(int(p) for p in parts)


def is_whole_number(text: str) -> bool:
    """Digits 0-9 only (``str.isdigit`` also takes ``²``, which ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def _number_of(value: object) -> float | None:
    """A finite number from text or a JSON number, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_PARSERS: dict[str, Callable[[str, object], object]] = {
    "data": _choice(DATA_SETS),
    "samples": _integer(4, MAX_SAMPLES),
    "noise": _noise,
    "classes": _integer(2, 8),
    "seed": _integer(0, 2**31 - 1),
    "split": _real(0.0, 0.9),
    "target": _column,
    "x_axis": _column,
    "y_axis": _column,
    "inputs": _choice(("all", "drawn")),
    "hidden": _widths,
    "activation": _choice(ACTIVATIONS),
    "bias": _flag,
    "init": _choice(INITS),
    "dropout": _real(0.0, 0.9),
    "l2": _real(0.0, 10.0),
    "loss": _choice(LOSSES),
    "optimizer": _choice(OPTIMIZERS),
    "lr": _real(0.0, 100.0, low_open=True),
    "schedule": _choice(SCHEDULES),
    "decay": _integer(1, 1_000_000),
    "batch": _integer(0, 100_000),
}
