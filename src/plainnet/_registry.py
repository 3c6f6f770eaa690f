"""Finding activations, losses and optimizers by name, and only by name."""

from typing import TypeVar

from ._messages import shown

T = TypeVar("T")


def resolve(
    name_or_object: "str | T", registry: dict[str, type[T]], base: type[T], family: str
) -> T:
    """``name_or_object`` itself if it is a ``base``, else a new instance of the
    class that ``registry`` holds under that name; an unknown name raises
    ``ValueError`` listing the valid ones."""
    if isinstance(name_or_object, base):
        return name_or_object
    if isinstance(name_or_object, str) and name_or_object in registry:
        return registry[name_or_object]()
    raise ValueError(
        f"unknown {family} {shown(name_or_object)}; expected one of {sorted(registry)}"
    )
