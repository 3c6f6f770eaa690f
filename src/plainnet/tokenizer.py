"""CharTokenizer: text to integer ids, one per character, and back.

The ids index a language model's vocabulary: its ``Embedding``'s rows and its
output's classes. A tokenizer is stored in a model file's metadata
(``to_dict``) and checked field by field when read back (``from_dict``).
"""

import unicodedata
from collections.abc import Iterable

import numpy as np

from .errors import DataError

#: The one kind of tokenizer so far, as a model file names it.
KIND = "characters"


class CharTokenizer:
    """The characters of a text, each with its id: its place in
    ``characters``.

    Parameters
    ----------
    characters : str
        Every character the model knows, each once, in id order.

    Example
    -------
    >>> tokenizer = CharTokenizer.from_text("hello world")
    >>> tokenizer.characters
    ' dehlorw'
    >>> tokenizer.encode("hold")
    array([3, 5, 4, 1])
    >>> tokenizer.decode([3, 1, 4, 4, 5])
    'hello'
    """

    def __init__(self, characters: str) -> None:
        if not isinstance(characters, str) or not characters:
            raise ValueError(
                "CharTokenizer needs its characters as a non-empty string, got "
                f"{characters!r:.60}"
            )
        if len(set(characters)) != len(characters):
            twice = sorted({c for c in characters if characters.count(c) > 1})
            raise ValueError(
                f"CharTokenizer's characters must each appear once, got "
                f"{_listing(twice)} more than once"
            )
        self.characters = characters
        self._ids = {character: i for i, character in enumerate(characters)}

    @classmethod
    def from_text(cls, text: str) -> "CharTokenizer":
        """The tokenizer of every character in ``text``, in code-point order."""
        if not isinstance(text, str) or not text:
            raise ValueError("CharTokenizer.from_text needs a non-empty string")
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        """The number of characters (the model's vocabulary size)."""
        return len(self.characters)

    def encode(self, text: str, what: str = "the text") -> np.ndarray:
        """The ids of ``text``'s characters, an int64 array of ``len(text)``.

        A character the tokenizer has never seen raises :class:`DataError`
        naming each such character (and its Unicode name) and what to do;
        ``what`` says whose characters they are ("the prompt")."""
        ids = self._ids
        unknown = sorted({c for c in text if c not in ids})
        if unknown:
            raise DataError(
                f"{what} holds {len(unknown)} character(s) the tokenizer has "
                f"never seen: {_listing(unknown)}; the model knows only the "
                f"{len(self)} characters of its training text "
                "(tokenizer.characters): remove or replace those"
            )
        return np.fromiter((ids[c] for c in text), np.int64, len(text))

    def decode(self, ids: Iterable[int]) -> str:
        """The characters of ``ids`` (integers in ``[0, len(self))``)."""
        characters, n = self.characters, len(self)
        out = []
        for i in np.asarray(ids).reshape(-1).tolist():
            if not isinstance(i, int) or not 0 <= i < n:
                raise DataError(f"id {i!r} is not one of the tokenizer's 0 to {n - 1}")
            out.append(characters[i])
        return "".join(out)

    # -- model files --------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON values, as a model file's metadata stores it (``tokenizer``)."""
        return {"kind": KIND, "characters": self.characters}

    @classmethod
    def from_dict(cls, value) -> "CharTokenizer":
        """The tokenizer of :meth:`to_dict`'s output; ``ValueError`` naming the
        field that is wrong."""
        if not isinstance(value, dict) or set(value) != {"kind", "characters"}:
            raise ValueError(
                "a tokenizer must hold exactly 'kind' and 'characters', got "
                f"{value!r:.80}"
            )
        if value["kind"] != KIND:
            raise ValueError(
                f"unknown kind of tokenizer {value['kind']!r:.40}; expected {KIND!r}"
            )
        return cls(value["characters"])

    def __eq__(self, other) -> bool:
        return isinstance(other, CharTokenizer) and other.characters == self.characters

    def __hash__(self) -> int:
        return hash(self.characters)

    def __repr__(self) -> str:
        return f"CharTokenizer({self.characters!r})"


def _listing(characters: list[str]) -> str:
    """``'é' (U+00E9 LATIN SMALL LETTER E WITH ACUTE), ...`` for at most eight
    characters, control characters escaped by ``repr``."""
    shown = []
    for c in characters[:8]:
        name = unicodedata.name(c, "")
        shown.append(f"{c!r} (U+{ord(c):04X}{' ' + name if name else ''})")
    more = f" and {len(characters) - 8} more" if len(characters) > 8 else ""
    return ", ".join(shown) + more
