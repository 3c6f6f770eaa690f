"""``plainnet write``: text from a character model, one character at a time."""

import argparse

from ..errors import ModelFileError
from ..text import load_char_model, sample
from .common import add_command, non_negative_int, positive_float

EXAMPLES = """
  plainnet write char_model.npz "The network "
  plainnet write char_model.npz "Parameters" --chars 500 --temperature 0.6 --seed 3
"""


def add_parser(commands) -> None:
    """Register ``write``."""
    p = add_command(
        commands,
        "write",
        "continue a prompt with a character model",
        "Continue PROMPT with characters drawn one at a time from a character "
        "model (plainnet\ntrain-text, examples/char_model.py): each from the "
        "model's probabilities for the\nnext character, sharpened by a "
        "temperature below 1 or flattened above it. The\nsame seed writes the "
        "same text.",
        EXAMPLES,
    )
    p.add_argument("model", metavar="MODEL.npz", help="a character model file")
    p.add_argument("prompt", help="the text to continue (characters the model knows)")
    p.add_argument(
        "--chars", type=non_negative_int, default=300, help="characters to add"
    )
    p.add_argument(
        "--temperature",
        type=positive_float,
        default=0.8,
        help="below 1: likelier characters; above 1: more surprising ones",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the draws")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the prompt and what the model writes after it."""
    try:
        net, tokenizer = load_char_model(args.model)
    except ValueError as error:  # a model file without a tokenizer
        raise ModelFileError(str(error)) from None
    written = sample(
        net, tokenizer, args.prompt, args.chars, args.temperature, args.seed
    )
    print(_terminal_safe(written))
    return 0


def _terminal_safe(text: str) -> str:
    """``text`` with control characters other than newlines and tabs escaped
    (a model's characters come from a file)."""
    return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in text)
