"""What the command line says of words it does not take: the command's own usage,
with the option that was probably meant (``--traget``: did you mean
``--target``?) or, for a list given as separate words (``--hidden 64 32``), how
to write it (``--hidden 64,32``)."""

import argparse
import difflib
import os
import re
from collections.abc import Sequence

from .common import column_list, hidden_sizes

#: Options taking one value that lists several, and what the list holds.
_LISTS = {hidden_sizes: "layer widths", column_list: "column names"}
_WIDTHS = re.compile(r"\d+(,\d+)*")


def check_words(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    extras: list[str],
    argv: Sequence[str],
) -> None:
    """Exit with the command's usage and a hint (status 2, as argparse does)
    if ``parse_known_args`` left ``extras``, or if a list option was given its
    items as separate words."""
    command = getattr(args, "command_parser", None) or parser
    hint = _list_hint(command, args, extras, argv)
    if hint is None and not extras:
        return
    if hint is None:
        hint = f"unrecognized arguments: {' '.join(extras)}"
        guesses = [_close_option(command, word) for word in extras]
        guesses = list(dict.fromkeys(g for g in guesses if g))
        if guesses:
            hint += f" (did you mean {' or '.join(guesses)}?)"
    command.error(hint)


def _close_option(parser: argparse.ArgumentParser, word: str) -> str | None:
    """The option most like ``word`` (``--traget``, ``--epoch=5``), if any."""
    if not word.startswith("-"):
        return None
    name = word.split("=", 1)[0]
    options = [o for a in parser._actions for o in a.option_strings]
    if name in options:  # a known option in the wrong place
        return None
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return close[0] if close else None


def _list_hint(parser, args, extras: list[str], argv: Sequence[str]) -> str | None:
    """``--hidden takes one value ...`` when the word after a list option's
    value continues that list: it was left over, or it is widths taken for a
    file name."""
    argv = list(argv)
    for action in parser._actions:
        if action.type not in _LISTS:
            continue
        for option in action.option_strings:
            for i, word in enumerate(argv[:-2]):
                value, following = argv[i + 1], argv[i + 2]
                if word != option or following.startswith("-"):
                    continue
                left_over = following in extras
                widths = (
                    action.type is hidden_sizes
                    and _WIDTHS.fullmatch(following)
                    and following in vars(args).values()
                    and not os.path.exists(following)
                )
                if left_over or widths:
                    return (
                        f"{option} takes one value, its {_LISTS[action.type]} "
                        f"separated by commas: write {option} {value},{following}"
                    )
    return None
