"""``plainnet train-text``: train a character-level language model on a text
file and save it with its tokenizer."""

import argparse
import os

from .._signals import SigtermAsInterrupt
from ..errors import DataError
from ..layers import language_model
from ..network import Sequential
from ..optimizers import Adam
from ..schedules import CosineDecay
from ..text import bits_per_character, sample, save_char_model, windows
from ..tokenizer import CharTokenizer
from .common import (
    Interrupted,
    UsageError,
    add_command,
    check_output,
    fraction,
    positive_float,
    positive_int,
)
from .train_fit import interrupted_while_saving, save_through_signals

EXAMPLES = """
  plainnet train-text poems.txt --out poems.npz
  plainnet train-text notes.md --steps 128 --dim 64 --blocks 3 --epochs 20
  plainnet write poems.npz "The "
"""


def add_parser(commands) -> None:
    """Register ``train-text``."""
    p = add_command(
        commands,
        "train-text",
        "train a character-level language model on a text file",
        "Train a small causal Transformer to predict the next character of "
        "TEXT (UTF-8), on\nwindows of --steps characters; the last --val-split "
        "of the text measures the loss\nin bits per character after each epoch. "
        "Saves the model with its characters (the\ntokenizer); plainnet write "
        "continues a prompt with it. Ctrl-C or SIGTERM stops and\nsaves the "
        "model so far.",
        EXAMPLES,
    )
    p.add_argument("text", metavar="TEXT", help="a UTF-8 text file")
    p.add_argument("--steps", type=positive_int, default=64, help="window length")
    p.add_argument("--dim", type=positive_int, default=128, help="model dimension")
    p.add_argument("--heads", type=positive_int, default=4, help="attention heads")
    p.add_argument("--blocks", type=positive_int, default=2, help="Transformer blocks")
    p.add_argument("--epochs", type=positive_int, default=10)
    p.add_argument("--batch-size", type=positive_int, default=32)
    p.add_argument("--lr", type=positive_float, default=3e-3, help="peak learning rate")
    p.add_argument("--val-split", type=fraction, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="char_model.npz", help="the model file to write")
    p.add_argument(
        "--force", action="store_true", help="replace an --out that is not a model"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train on the text's windows, report each epoch, save the model."""
    check_output(args.out, [args.text], "model", args.force)
    if args.dim % args.heads:
        raise UsageError(f"--dim {args.dim} must be a multiple of --heads {args.heads}")
    corpus = _read_text(args.text)
    tokenizer = CharTokenizer.from_text(corpus)
    training, validation = _windows(tokenizer.encode(corpus), args)
    layers = language_model(
        len(tokenizer), args.steps, args.dim, args.heads, blocks=args.blocks
    )
    net = Sequential(layers, input_shape=(args.steps,), seed=args.seed, dtype="float32")
    print(
        f"{len(corpus):,} characters ({len(tokenizer)} distinct), "
        f"{len(training[0]):,} windows of {args.steps}; {net.n_parameters:,} weights"
    )
    sigterm = _fit(net, training, validation, args)
    status, by = sigterm.status, " by SIGTERM" if sigterm.received else ""
    if not net.history.loss:
        raise Interrupted(
            "interrupted before the first epoch ended; nothing was saved", status
        )

    def write(net: Sequential, out: str, **options) -> None:
        save_char_model(net, tokenizer, out, **options)

    source = os.path.basename(args.text)
    stopped = save_through_signals(net, args.out, write, metadata={"source": source})
    print(f"saved to {args.out}")
    if stopped is not None:
        raise interrupted_while_saving(stopped, args.out)
    if net.history.interrupted:
        raise Interrupted(
            f"training interrupted{by}: the model so far is in {args.out}", status
        )
    start = corpus[: min(12, len(corpus))]
    print(sample(net, tokenizer, start, 200, seed=args.seed))
    return 0


def _windows(ids, args: argparse.Namespace) -> tuple[tuple, tuple]:
    """The training windows (overlapping by half) of the text's first part and
    the validation windows of its last ``--val-split``, each ``(X, y)`` of
    shape (n_windows, steps)."""
    split = int(len(ids) * (1 - args.val_split))
    try:
        training = windows(ids[:split], args.steps, stride=max(args.steps // 2, 1))
        return training, windows(ids[split:], args.steps)
    except DataError as error:
        raise DataError(
            f"{args.text}: {error}; use a longer text, a smaller --steps or a "
            "smaller --val-split"
        ) from None


def _fit(
    net: Sequential, training: tuple, validation: tuple, args: argparse.Namespace
) -> SigtermAsInterrupt:
    """Adam on a cosine schedule with warm-up, a line per epoch; SIGTERM stops
    it as Ctrl-C does (the guard returned says whether it came)."""
    updates = args.epochs * -(-len(training[0]) // args.batch_size)
    warmup = min(100, updates // 10)
    schedule = CosineDecay(args.lr, updates, warmup=warmup, final_lr=args.lr / 10)

    def report(epoch: int, logs: dict) -> None:
        bits = bits_per_character(logs["val_loss"])
        print(f"epoch {epoch}: validation {bits:.3f} bits per character", flush=True)

    with SigtermAsInterrupt() as sigterm:
        net.fit(
            *training,
            loss="cross_entropy",
            optimizer=Adam(lr=schedule),
            epochs=args.epochs,
            batch_size=args.batch_size,
            validation_data=validation,
            callbacks=[report],
        )
    return sigterm


def _read_text(path: str) -> str:
    """The file's text; ``DataError`` naming the file for one that is not
    UTF-8 text or too short to learn from."""
    try:
        with open(path, encoding="utf-8") as file:
            corpus = file.read()
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path}: not UTF-8 text (byte {error.start} cannot be decoded); "
            "save it as UTF-8 first"
        ) from None
    if not corpus:
        raise DataError(f"{path}: the file is empty")
    return corpus
