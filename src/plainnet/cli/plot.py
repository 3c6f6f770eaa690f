"""``plainnet plot``: redraw a saved model's learning curves (and, given data,
a regressor's predictions against the truth)."""

import argparse

import numpy as np

from .._messages import shown
from ..predictor import Predictor
from .common import UsageError, add_command, check_output

SUFFIXES = (".png", ".pdf", ".svg")
EXAMPLES = """
  plainnet plot model.npz                      # writes model.png
  plainnet plot model.npz --out curves.svg --log-loss
  plainnet plot houses.npz --data test.csv     # and predicted against actual
"""


def add_parser(commands) -> None:
    """Register ``plot``."""
    p = add_command(
        commands,
        "plot",
        "redraw a saved model's learning curves",
        "Draw the learning curves stored in MODEL.npz (loss and, for a "
        "classifier, accuracy,\nper epoch), with the kept epoch marked. With "
        "--data, a regressor's predictions for\nthose rows are drawn against "
        "the true values, in the target's units. Needs matplotlib.",
        EXAMPLES,
    )
    p.add_argument("model", metavar="MODEL.npz", help="a model file")
    p.add_argument(
        "--out", metavar="FILE.png", help="the image (default: MODEL with .png)"
    )
    p.add_argument(
        "--data", metavar="DATA.csv", help="labelled rows to draw predictions for"
    )
    p.add_argument("--log-loss", action="store_true", help="loss on a log scale")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out file that is not an image",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Redraw the learning curves of a model file."""
    out = args.out or args.model.rsplit(".", 1)[0] + ".png"
    if not out.lower().endswith(SUFFIXES):
        raise UsageError(f"--out {out}: the name must end with {', '.join(SUFFIXES)}")
    check_output(out, [args.model, args.data], "plot", args.force)
    from ..plot import plot_model, require_matplotlib

    require_matplotlib()
    predictor = Predictor.load(args.model)
    scatter = None
    if args.data is not None:
        if predictor.task != "regress" or predictor.target is None:
            raise UsageError("--data draws a regressor's predictions; this is not one")
        rows = predictor.read_rows(args.data, target=predictor.target)
        if rows.y.dtype.kind != "f":
            raise UsageError(
                f"{args.data}: column {shown(predictor.target)} holds text"
            )
        scatter = (rows.y.astype(np.float64), predictor.predict(rows.features))
    if not predictor.network.history.loss:
        raise UsageError(f"{args.model} holds no training history to draw")
    plot_model(out, predictor, scatter=scatter, log_loss=args.log_loss)
    print(f"plot saved to {out}")
    return 0
