"""Latency of an exported model in onnxruntime beside plainnet's own ``predict``,
for one sample and for 10,000 rows, as ratios in one run.

    python benchmarks/onnx_latency.py [--rounds N] [--threads N] [--dtype float32]

Model: a 784-256-128-10 MLP (ReLU, logits), He-initialised by plainnet's seed 0,
exported with ``pn.to_onnx``. Inputs: seeded standard normal rows. Every figure
is the best of ``--rounds`` rounds, each round timing every contestant in turn
(interleaved, as in ``_timing.interleaved``), so that load from elsewhere hits
both alike. One sample is timed over many calls per round. onnxruntime runs on
the CPU provider with ``--threads`` intra-op threads (default: its own choice).
Skipped with a message when onnx or onnxruntime is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np
from _timing import SETTLE_S, best_of, interleaved, per_call

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import plainnet as pn

SIZES = (784, 256, 128, 10)
ROWS = 10_000
ONE_SAMPLE_CALLS = 2000


def network(dtype: str) -> pn.Sequential:
    layers = pn.layers.dense_stack(SIZES, "relu", init="he_normal")
    return pn.Sequential(layers, seed=0, dtype=dtype)


def session(net: pn.Sequential, folder: str, threads: int | None):
    import onnxruntime

    path = Path(folder) / "mlp.onnx"
    pn.to_onnx(net, path)
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(
        str(path), options, providers=["CPUExecutionProvider"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    args = parser.parse_args()
    missing = [m for m in ("onnx", "onnxruntime") if not importlib.util.find_spec(m)]
    if missing:
        print(
            f"skipped: needs {' and '.join(missing)} "
            '(pip install ".[onnx]" onnxruntime, from a checkout of plainnet)'
        )
        return 0
    import onnxruntime

    net = network(args.dtype)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((ROWS, SIZES[0])).astype(args.dtype)
    one = X[:1]
    with tempfile.TemporaryDirectory() as folder:
        ort = session(net, folder, args.threads)
        run = ort.run
        largest = np.abs(run(None, {"input": X})[0] - net.predict(X)).max()
        timings = {
            ("one sample", "plainnet"): lambda: per_call(
                lambda: net.predict(one), ONE_SAMPLE_CALLS, 1
            ),
            ("one sample", "onnxruntime"): lambda: per_call(
                lambda: run(None, {"input": one}), ONE_SAMPLE_CALLS, 1
            ),
            (f"{ROWS:,} rows", "plainnet"): lambda: best_of(lambda: net.predict(X), 1),
            (f"{ROWS:,} rows", "onnxruntime"): lambda: best_of(
                lambda: run(None, {"input": X}), 1
            ),
        }
        times, errors = interleaved(timings, rounds=args.rounds, settle=SETTLE_S)
    print(
        f"784-256-128-10 MLP, {args.dtype}, best of {args.rounds} interleaved "
        f"rounds; onnxruntime {onnxruntime.__version__}, numpy {np.__version__}; "
        f"largest difference of the outputs {largest:.2g}"
    )
    print(f"{'':<14}{'plainnet':>12}{'onnxruntime':>14}{'ratio ort/plainnet':>21}")
    for what in ("one sample", f"{ROWS:,} rows"):
        mine, theirs = (
            min(times.get((what, who), [np.nan])) for who in ("plainnet", "onnxruntime")
        )
        print(f"{what:<14}{_time(mine):>12}{_time(theirs):>14}{theirs / mine:>20.2f}x")
    for key, error in errors.items():
        print(f"{' '.join(key)} failed: {error}")
    return 0


def _time(seconds: float) -> str:
    """``12.3 us`` or ``4.56 ms``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    sys.exit(main())
