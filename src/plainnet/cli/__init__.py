"""The ``plainnet`` command.

``plainnet demo`` runs the seed's example and ``plainnet think 1 0 0`` trains
the seed's network and answers for a new situation. ``plainnet train`` trains
a network on a CSV file (or a built-in data set) and saves it as a model file;
``predict``, ``evaluate``, ``info``, ``export`` (to ONNX) and ``think --model``
use that file. ``plainnet train-text`` trains a character-level language model
on a text file, and ``plainnet write`` continues a prompt with it.
``plainnet playground`` serves a page where a network learns while you watch.

Each command lives in its own module, which registers its subparser
(``add_parser``) and runs it (``run``); ``common`` holds what they share.

Exit status: 0 on success, 1 for a problem with a file or the data (one line
on stderr naming it), 2 for a mistake in the command itself, 130 after Ctrl-C,
143 after SIGTERM (``plainnet train`` saves the best model so far on both).
"""

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from .._version import __version__
from ..errors import DataError, ExportError, ModelFileError, TrainingDivergedError
from . import (
    demo,
    evaluate,
    export,
    info,
    playground,
    plot,
    predict,
    train,
    train_text,
    write,
)
from .common import Interrupted, UsageError, one_line_warning
from .typos import check_words

EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """The ``plainnet`` parser with one subparser per command.

    Returns
    -------
    argparse.ArgumentParser
        Parsed arguments carry ``run``, the command's ``run(args) -> int``, and
        ``command_parser``, its subparser. No option may be abbreviated.
    """
    parser = argparse.ArgumentParser(
        prog="plainnet",
        description="Neural networks in plain Python and NumPy.",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--version", action="version", version=f"plainnet {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands_in_order = (
        demo, train, train_text, predict, evaluate, info, plot, export, write,
        playground,
    )  # fmt: skip
    for command in commands_in_order:
        command.add_parser(commands)
    for subparser in commands.choices.values():
        subparser.allow_abbrev = False  # --epoch is not --epochs
        subparser.set_defaults(command_parser=subparser)  # for its usage
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``plainnet``; by default ``sys.argv[1:]``.

    Returns
    -------
    int
        0, or ``EXIT_ERROR`` (a file or the data), ``EXIT_USAGE`` (the command
        itself) or ``EXIT_INTERRUPTED`` (Ctrl-C), with one line on stderr.
    """
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extras = parser.parse_known_args(argv)
    check_words(parser, args, extras, argv)  # exits 2 with a hint
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    prefix = f"plainnet {args.command}"
    try:
        with warnings.catch_warnings():
            warnings.showwarning = one_line_warning(prefix)
            return args.run(args)
    except UsageError as error:
        print(f"{prefix}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (
        DataError,
        ExportError,
        ModelFileError,
        TrainingDivergedError,
        ImportError,
    ) as error:
        print(f"{prefix}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError as error:  # whatever allocation failed: one line
        detail = f" ({error})" if str(error) else ""
        print(
            f"{prefix}: error: not enough memory{detail}; try fewer rows or columns",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. plainnet predict ... | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"{prefix}: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    except Interrupted as error:
        print(f"{prefix}: {error}", file=sys.stderr)
        return error.status  # 130 after Ctrl-C, 143 after SIGTERM
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
