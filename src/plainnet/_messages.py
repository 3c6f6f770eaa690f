"""Short listings of values for one-line error messages."""

from collections.abc import Sequence
from typing import Any

#: How many values a message lists before "... (N in all)".
SHOWN = 5


def shorten(text: str, width: int = 40) -> str:
    """Cut ``text`` to at most ``width`` characters for a message."""
    return text if len(text) <= width else text[: width - 3] + "..."


def listing(
    items: Sequence[Any], *, limit: int | None = SHOWN, quote: bool = True
) -> str:
    """``'a', 'b', 'c', ... (12 in all)``: the first few items for a message."""
    shown = list(items) if limit is None else list(items)[:limit]
    text = ", ".join(repr(shorten(str(i))) if quote else str(i) for i in shown)
    if len(shown) < len(items):
        text += f", ... ({len(items)} in all)"
    return text


def printable(text: Any) -> str:
    """``text`` with control characters (terminal escape sequences, bells,
    carriage returns) written as ``\\x1b``-style escapes, safe to print."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
