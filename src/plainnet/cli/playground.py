"""``plainnet playground``: a page in the browser where a network learns a 2-D
data set (or a CSV file's columns) while you watch, served from this machine."""

import argparse
import errno
import warnings
import webbrowser
from dataclasses import replace

from .._signals import SigtermAsInterrupt
from ..errors import DataError
from .common import Interrupted, UsageError, add_command, check_output, positive_int

DATA_SETS = ("moons", "circles", "spirals", "xor", "seed")


EXAMPLES = """
  plainnet playground
  plainnet playground --dataset spirals
  plainnet playground --csv flowers.csv --target species
  plainnet playground --setup 'data=xor&samples=4&hidden=4'
  plainnet playground --no-browser --autostart --epochs 500 --out m.npz"""


def add_parser(commands) -> None:
    """Register ``playground``."""
    p = add_command(
        commands,
        "playground",
        "train a network in the browser and watch it learn",
        "Start a local web server and open its page: pick a data set (or your "
        "CSV file's\ncolumns), build a network, and watch plainnet train it: the "
        "decision boundary,\neach neuron, the weights, the losses and the "
        "diagnosis. The page downloads the\nmodel file and shows the Python code "
        "that trains the same network. The server\nlistens on 127.0.0.1 and "
        "answers only requests carrying the token of the URL\nit prints; Ctrl-C "
        "stops it (and saves --out).",
        EXAMPLES,
    )
    _add_server_arguments(p)
    _add_session_arguments(p)
    p.set_defaults(run=run)


def _add_server_arguments(p: argparse.ArgumentParser) -> None:
    """Where the page is served: ``--port``, ``--host``, ``--no-browser``."""
    p.add_argument(
        "--port", type=port_number, default=0, help="the port (0: a free one)"
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on; another than 127.0.0.1 lets other "
        "machines reach the page (with the token)",
    )
    p.add_argument(
        "--no-browser", action="store_true", help="print the URL, open no browser"
    )


def _add_session_arguments(p: argparse.ArgumentParser) -> None:
    """What the page starts with and what is saved: the data, ``--setup``,
    ``--autostart``, ``--epochs``, ``--out``."""
    p.add_argument("--dataset", choices=DATA_SETS, help="the built-in data set")
    p.add_argument("--csv", metavar="FILE", help="your own table (with --target)")
    p.add_argument("--target", metavar="COLUMN", help="the CSV file's class column")
    p.add_argument(
        "--setup",
        metavar="LINK",
        help="the settings of a playground link (the whole URL or its part after #)",
    )
    p.add_argument("--autostart", action="store_true", help="start training at once")
    p.add_argument(
        "--epochs", type=positive_int, help="stop each run after this many epochs"
    )
    p.add_argument(
        "--out",
        metavar="MODEL.npz",
        help="save the model here when a run stops after --epochs, or at Ctrl-C",
    )
    p.add_argument(
        "--force", action="store_true", help="let --out replace a file of another kind"
    )


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0: a free one)."""
    if not (text.isascii() and text.strip().isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port number from 0 to 65535, got {text!r}"
        )
    return int(text)


def run(args: argparse.Namespace) -> int:
    """Serve the page until Ctrl-C (or SIGTERM), then save ``--out``."""
    from ..playground.server import PlaygroundServer

    session = _session(args)
    try:
        server = PlaygroundServer(session, args.host, args.port)
    except OSError as error:
        session.close()
        raise UsageError(_bind_message(args, error)) from None
    if args.host != "127.0.0.1":
        warnings.warn(
            f"listening on {args.host}: other machines that reach this address can "
            "open the page with its token; the traffic is not encrypted",
            stacklevel=1,
        )
    url = server.url()
    print(f"plainnet playground: {url}", flush=True)
    print(
        "Ctrl-C stops it" + (f" and saves {args.out}" if args.out else ""), flush=True
    )
    if not args.no_browser:
        webbrowser.open(url)
    if args.autostart:
        session.control("start")
    return _serve(server, session, args.out)


def _session(args: argparse.Namespace):
    from ..playground.data import CsvFile
    from ..playground.session import Session
    from ..playground.settings import Setup, SetupError, setup_from_link

    if (args.csv is None) != (args.target is None):
        raise UsageError("--csv FILE and --target COLUMN go together")
    if args.out is not None:
        check_output(args.out, [args.csv], "model", args.force)
    try:
        csv = None if args.csv is None else CsvFile(args.csv)
    except SetupError as error:  # the file cannot be read
        raise DataError(str(error)) from None
    try:
        setup = setup_from_link(args.setup) if args.setup else Setup()
    except SetupError as error:
        raise UsageError(f"--setup: {error}") from None
    if csv is not None:
        setup = replace(setup, data="csv", target=args.target)
    elif args.dataset is not None:
        setup = replace(setup, data=args.dataset)
    try:
        return Session(setup, csv, epochs=args.epochs, out=args.out, say=_say)
    except SetupError as error:  # the table's columns, or settings that clash
        raise (DataError if csv else UsageError)(str(error)) from None


def _say(line: str) -> None:
    print(line, flush=True)


def _serve(server, session, out: str | None) -> int:
    """``serve_forever`` until Ctrl-C or SIGTERM; then stop training and save."""
    status = 0
    try:
        with SigtermAsInterrupt() as sigterm:
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                status = sigterm.status
    finally:
        server.server_close()
        session.close()
    saved = ""
    if out is not None:
        session.save(out)
        saved = f"; saved {out}"
    name = "Ctrl-C" if status == 130 else "SIGTERM"
    raise Interrupted(
        f"stopped by {name} at epoch {session.run.snapshot.epoch}{saved}", status
    )


def _bind_message(args: argparse.Namespace, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {args.port} is in use; choose another with --port, or --port 0 "
            "for a free one"
        )
    return f"cannot listen on {args.host} port {args.port}: {error.strerror or error}"
