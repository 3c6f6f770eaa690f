"""Values echoed in messages, cut to a readable length with a count of the rest:
``shown`` for one value (as ``repr`` writes it), ``listing`` for a list of
values or names, ``shorten`` for plain text; ``printable`` escapes control
characters."""

from collections.abc import Sequence
from itertools import islice
from typing import Any

#: How many values a message lists before "... (N in all)".
SHOWN = 5
#: How many characters of one value a message shows.
WIDTH = 60


def shorten(text: str, width: int = 40) -> str:
    """``text`` cut to ``width`` characters, with the count of all of them:
    ``abcd... (60000000 characters)``."""
    if len(text) <= width:
        return text
    return f"{text[:width]}... ({len(text)} characters)"


def shown(value: Any, width: int = WIDTH) -> str:
    """``repr(value)`` for a message, cut to about ``width`` characters with a
    count of the rest: ``'abcd'... (60000000 characters)``, ``[3, 3, 3, ...
    (10000000 items)]``. Control characters come out escaped, as ``repr``
    writes them."""
    if isinstance(value, str):
        if len(value) <= width:
            return repr(value)
        return f"{value[:width]!r}... ({len(value)} characters)"
    if isinstance(value, (list, tuple, range)):
        return _sequence(value, width)
    text = repr(value)
    return text if len(text) <= width else shorten(text, width)


def _sequence(items: Sequence, width: int) -> str:
    """A list or tuple's items, as many as fit in ``width`` characters."""
    opening, closing = ("(", ")") if isinstance(items, tuple) else ("[", "]")
    parts, used = [], 2
    for item in islice(items, width):  # no more items than characters fit
        text = shown(item, width)
        if parts and used + len(text) > width:
            break
        parts.append(text)
        used += len(text) + 2
    if len(parts) < len(items):
        parts.append(f"... ({len(items)} items)")
    elif isinstance(items, tuple) and len(items) == 1:
        parts[0] += ","
    return opening + ", ".join(parts) + closing


def listing(
    items: Sequence[Any], *, limit: int | None = SHOWN, quote: bool = True
) -> str:
    """``'a', 'b', 'c', ... (12 in all)``: the first few items for a message,
    each cut to 40 characters."""
    shown_items = list(items) if limit is None else list(islice(items, limit))
    text = ", ".join(
        shown(str(i), 40) if quote else shorten(str(i)) for i in shown_items
    )
    if len(shown_items) < len(items):
        text += f", ... ({len(items)} in all)"
    return text


def printable(text: Any) -> str:
    """``text`` with control characters (terminal escape sequences, bells,
    carriage returns) written as ``\\x1b``-style escapes, safe to print."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
