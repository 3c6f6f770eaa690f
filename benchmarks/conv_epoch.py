"""One training epoch of two small CNNs, plainnet and PyTorch, as ratios to
each other and to the matrix-product floor measured in the same run, with
plainnet's time per layer; LeNet-5's prediction on 10,000 images; LeNet-5
training's peak memory, each library in its own process.

    python benchmarks/conv_epoch.py [--full] [--samples N] [--rounds N]
                                    [--json PATH] [--only cnn1d|lenet]
                                    [--no-predict] [--no-memory]

Models (float32, softmax cross-entropy, Adam(lr=1e-3), batch 128, one epoch
without shuffling over seeded normal X and integer labels 0..9):

* ``cnn1d``: sequences of length 40, Conv1D(1,25,5,stride 2,pad 1)-ReLU-
  Conv1D(25,25,3,2,1)-ReLU-Conv1D(25,25,3,2,1)-ReLU-Flatten-Dense(125,10),
  4,000 samples;
* ``lenet``: LeNet-5 on 28x28x1, Conv2D(1,6,5,pad 2)-ReLU-MaxPool2D(2)-
  Conv2D(6,16,5)-ReLU-MaxPool2D(2)-Flatten-Dense(400,120)-ReLU-Dense(120,84)-
  ReLU-Dense(84,10), 6,000 samples (60,000 with ``--full``).

Floor: per batch, only the matrix products the layers need, into preallocated
buffers: for a convolution ``W_mat @ X_col``, ``dW = G_col @ X_col.T`` and
``dX_col = W_mat.T @ G_col`` (no dX for the first layer); for a Dense layer
``X @ W``, ``X.T @ G`` and ``G @ W.T``. No im2col, col2im, pooling,
activation, loss or optimizer step.

plainnet runs twice: with its compiled kernels (numba, the ``fast`` extra)
and on the NumPy path (``PLAINNET_KERNELS=numpy``). PyTorch (if installed) runs
with ``torch.set_num_threads`` equal to the BLAS threads NumPy uses. Every
figure is the best of ``--rounds`` rounds, the rounds interleaved across
floor, both plainnets and PyTorch, after one untimed warm-up of each; NOISY
flags a floor (or, for prediction, a PyTorch) whose rounds varied by more than
1.2x (load from elsewhere on a shared machine). The per-layer breakdown times
each plainnet layer's forward and backward (compiled kernels) over the same
batches, outside ``fit``.

Prediction: ``net.predict`` (blocks of 2,048 rows) against PyTorch's model on
all 10,000 images under ``torch.no_grad()``, interleaved the same way.

Memory: each of plainnet (kernels), plainnet (NumPy path) and PyTorch trains
LeNet-5 for one epoch in a fresh interpreter and reads its peak resident
memory (``VmHWM``): the whole process's peak, and its growth during the epoch
past a warm state (the library imported, the data made, and one epoch of two
samples run, which loads what runs the code: numba and the compiled loops
for plainnet's kernels).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from _timing import (
    SETTLE_S,
    best_of,
    blas_info,
    interleaved,
    run_json_child,
    torch_adam_epoch,
    torch_status,
)

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import plainnet as pn

BATCH = 128
LR = 1e-3
DTYPE = np.float32
#: plainnet's targets against PyTorch, by model: the epoch with the compiled
#: kernels, the epoch on the NumPy path, prediction and the training's memory
TARGETS: dict[str, dict[str, float]] = {
    "cnn1d": {"plainnet": 0.5},
    "lenet": {"plainnet": 1.0, "plainnet-numpy": 1.5, "predict": 1.0, "memory": 1.5},
}
KERNELS = {"plainnet": "auto", "plainnet-numpy": "numpy"}
PREDICT_SAMPLES = 10_000


def cnn1d_layers() -> list:
    return [
        pn.Conv1D(1, 25, 5, stride=2, padding=1), pn.ReLU(),
        pn.Conv1D(25, 25, 3, stride=2, padding=1), pn.ReLU(),
        pn.Conv1D(25, 25, 3, stride=2, padding=1), pn.ReLU(),
        pn.Flatten(), pn.Dense(125, 10),
    ]  # fmt: skip


def lenet_layers() -> list:
    return [
        pn.Conv2D(1, 6, 5, padding=2), pn.ReLU(), pn.MaxPool2D(2),
        pn.Conv2D(6, 16, 5), pn.ReLU(), pn.MaxPool2D(2),
        pn.Flatten(),
        pn.Dense(400, 120), pn.ReLU(), pn.Dense(120, 84), pn.ReLU(),
        pn.Dense(84, 10),
    ]  # fmt: skip


MODELS: dict[str, tuple[Callable[[], list], tuple[int, ...], int]] = {
    "cnn1d": (cnn1d_layers, (1, 40), 4_000),
    "lenet": (lenet_layers, (1, 28, 28), 6_000),
}


def make_data(n: int, shape: tuple[int, ...], seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, *shape), dtype=DTYPE), rng.integers(0, 10, n)


def batches(n: int) -> list[slice]:
    return [slice(s, min(s + BATCH, n)) for s in range(0, n, BATCH)]


def plainnet_net(name: str):
    make, shape, _ = MODELS[name]
    return pn.Sequential(make(), seed=0, dtype="float32", input_shape=shape)


# ----------------------------------------------------------------------- floor


def floor_epoch(name: str, n: int) -> Callable[[], None]:
    """The matrix products of one epoch, into buffers allocated here."""
    net = plainnet_net(name)
    rng = np.random.default_rng(1)
    shape, products = net.input_shape, []
    for index, layer in enumerate(net.layers):
        out = layer.output_shape(shape)
        if "W" in layer.params:
            products.append(_layer_products(layer, shape, out, index > 0, rng))
        shape = out
    slices = batches(n)

    def epoch() -> None:
        for s in slices:
            m = s.stop - s.start
            for run in products:
                run(m)

    return epoch


def _layer_products(layer, shape, out, need_dx: bool, rng):
    """One layer's forward, dW and dX products for a batch of ``m`` rows."""
    W = layer.params["W"]
    if W.ndim == 2:  # Dense: rows are samples
        k, p, o = W.shape[0], 1, W.shape[1]
    else:  # a convolution: X_col is (C * prod(kernel), n * prod(out))
        o, k, p = W.shape[0], W[0].size, math.prod(out[1:])
    w = rng.standard_normal((o, k), dtype=DTYPE)
    x_col = rng.standard_normal((k, BATCH * p), dtype=DTYPE)
    g_col = rng.standard_normal((o, BATCH * p), dtype=DTYPE)
    y, dw, dx = np.empty_like(g_col), np.empty_like(w), np.empty_like(x_col)

    def run(m: int) -> None:
        cols = m * p
        np.matmul(w, x_col[:, :cols], out=y[:, :cols])
        np.matmul(g_col[:, :cols], x_col[:, :cols].T, out=dw)
        if need_dx:
            np.matmul(w.T, g_col[:, :cols], out=dx[:, :cols])

    return run


# ----------------------------------------------------------------------- peers


def plainnet_epoch(name: str, X, y, kernels: str = "auto") -> Callable[[], None]:
    """A fresh network's epoch, with the CPU's fused steps chosen by
    ``kernels`` ("auto": compiled when numba is installed; "numpy")."""

    def fit() -> None:
        with kernels_chosen(kernels):
            net = plainnet_net(name)
            net.fit(X, y, loss="cross_entropy", optimizer=pn.Adam(lr=LR),
                    epochs=1, batch_size=BATCH, shuffle=False)  # fmt: skip

    return fit


class kernels_chosen:
    """The CPU backend's kernels set to ``choice`` inside a ``with`` block."""

    def __init__(self, choice: str) -> None:
        self.choice = choice

    def __enter__(self) -> None:
        self.before = pn.backend.CPU.choice
        pn.backend.CPU.use_kernels(self.choice)

    def __exit__(self, *exc) -> None:
        pn.backend.CPU.use_kernels(self.before)


def torch_model(name: str):
    from torch import nn

    if name == "cnn1d":
        return nn.Sequential(
            nn.Conv1d(1, 25, 5, 2, 1), nn.ReLU(), nn.Conv1d(25, 25, 3, 2, 1),
            nn.ReLU(), nn.Conv1d(25, 25, 3, 2, 1), nn.ReLU(), nn.Flatten(),
            nn.Linear(125, 10),
        )  # fmt: skip
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )  # fmt: skip


def torch_epoch(name: str, X, y) -> Callable[[], None]:
    return torch_adam_epoch(lambda: torch_model(name), X, y, BATCH, LR)


# ------------------------------------------------------------------ prediction


def plainnet_predict(X, kernels: str) -> Callable[[], None]:
    net = plainnet_net("lenet")

    def predict() -> None:
        with kernels_chosen(kernels):
            net.predict(X)

    return predict


def torch_predict(X) -> Callable[[], None]:
    import torch

    torch.manual_seed(0)
    model, Xt = torch_model("lenet").eval(), torch.from_numpy(X)

    def predict() -> None:
        with torch.no_grad():
            model(Xt)

    return predict


def measure_predict(rounds: int) -> dict[str, Any]:
    X = make_data(PREDICT_SAMPLES, MODELS["lenet"][1], seed=1)[0]
    fns = {peer: plainnet_predict(X, k) for peer, k in KERNELS.items()}
    skipped = torch_status()
    if skipped is None:
        fns["pytorch"] = torch_predict(X)
    for fn in fns.values():
        fn()  # warm-up: compiles or loads the kernels
    fns = {k: partial(best_of, f, 1) for k, f in fns.items()}
    times, errors = interleaved(fns, rounds, settle=SETTLE_S)
    return {
        "samples": PREDICT_SAMPLES,
        "best_s": {k: min(v) for k, v in times.items()},
        "rounds_s": times,
        "errors": errors,
        "pytorch_skipped": skipped,
    }


def report_predict(r: dict[str, Any]) -> None:
    best = r["best_s"]
    print(f"\n== lenet: predict {r['samples']:,} images")
    for peer, t in best.items():
        print(f"   {peer:<15} {1e3 * t:8.1f} ms")
    if "pytorch" in best:
        spread = max(r["rounds_s"]["pytorch"]) / best["pytorch"]
        if spread > 1.2:
            print(f"   NOISY: PyTorch varied {spread:.2f}x across rounds")
        for peer in KERNELS:
            if peer in best:
                target = TARGETS["lenet"]["predict"] if peer == "plainnet" else None
                print_ratio(peer, best[peer] / best["pytorch"], target)
    elif r["pytorch_skipped"]:
        print(f"   pytorch: {r['pytorch_skipped']}")
    for peer, error in r["errors"].items():
        print(f"   {peer} failed: {error}")


# ---------------------------------------------------------------------- memory


def peak_rss() -> int:
    """This process's peak resident memory in bytes (``VmHWM``: unlike
    ``getrusage``, it does not carry over a parent's peak across ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise OSError("no VmHWM in /proc/self/status (Linux only)")


def memory_child(peer: str, n: int) -> dict[str, Any]:
    """Peak memory of one LeNet-5 epoch of ``peer``, in this process."""
    if peer == "pytorch":
        skipped = torch_status()
        if skipped is not None:
            raise ImportError(skipped)
    X, y = make_data(n, MODELS["lenet"][1])
    if peer == "pytorch":
        warm, epoch = torch_epoch("lenet", X[:2], y[:2]), torch_epoch("lenet", X, y)
    else:
        warm = plainnet_epoch("lenet", X[:2], y[:2], KERNELS[peer])
        epoch = plainnet_epoch("lenet", X, y, KERNELS[peer])
    warm()
    before = peak_rss()
    epoch()
    after = peak_rss()
    return {"peer": peer, "samples": n, "baseline_rss_bytes": before,
            "peak_rss_bytes": after, "growth_bytes": after - before}  # fmt: skip


def measure_memory(n: int) -> dict[str, Any]:
    """Each peer's epoch in its own fresh interpreter."""
    out: dict[str, Any] = {}
    for peer in (*KERNELS, "pytorch"):
        try:
            out[peer] = run_json_child(
                Path(__file__), ["--memory-child", peer, "--samples", str(n)]
            )
        except Exception as exc:
            out[peer] = {"skipped": repr(exc)}
    return out


def report_memory(r: dict[str, Any]) -> None:
    print("\n== lenet: training's peak memory, one epoch, each in its own process")
    for peer, row in r.items():
        if "skipped" in row:
            print(f"   {peer:<15} skipped: {row['skipped']}")
            continue
        peak, growth = row["peak_rss_bytes"] / 2**20, row["growth_bytes"] / 2**20
        print(f"   {peer:<15} peak {peak:6.0f} MB, epoch growth {growth:6.0f} MB")
    torch_row = r.get("pytorch", {})
    if "growth_bytes" not in torch_row:
        return
    for peer in KERNELS:
        row = r.get(peer, {})
        if "growth_bytes" in row:
            peak = row["peak_rss_bytes"] / torch_row["peak_rss_bytes"]
            print_ratio(f"{peer} peak", peak, TARGETS["lenet"]["memory"])
            growth = row["growth_bytes"] / torch_row["growth_bytes"]
            print_ratio(f"{peer} growth", growth, None)  # the target is the peak


# ------------------------------------------------------------------- breakdown


def breakdown(name: str, X, max_batches: int = 20) -> list[dict[str, Any]]:
    """Milliseconds per batch of each layer's forward and backward."""
    net = plainnet_net(name)
    rows = [[0.0, 0.0] for _ in net.layers]
    slices = batches(len(X))[:max_batches]
    for s in slices:
        x = X[s]
        for i, layer in enumerate(net.layers):
            start = time.perf_counter()
            x = layer.forward(x, True)
            rows[i][0] += time.perf_counter() - start
        g = np.full_like(x, 1e-3)
        for i in reversed(range(len(net.layers))):
            start = time.perf_counter()
            g = net.layers[i].backward(g, need_input_grad=i > 0)
            rows[i][1] += time.perf_counter() - start
    k = 1e3 / len(slices)
    return [
        {"layer": f"{i} {layer!r}", "forward_ms": f * k, "backward_ms": b * k}
        for i, (layer, (f, b)) in enumerate(zip(net.layers, rows, strict=True))
    ]


# ------------------------------------------------------------------------ main


def measure(name: str, n: int, rounds: int) -> dict[str, Any]:
    X, y = make_data(n, MODELS[name][1])
    epochs = {"floor": floor_epoch(name, n)}
    for peer, kernels in KERNELS.items():
        epochs[peer] = plainnet_epoch(name, X, y, kernels)
    skipped = torch_status()
    if skipped is None:
        epochs["pytorch"] = torch_epoch(name, X, y)
    warm = make_data(2 * BATCH, MODELS[name][1], seed=2)
    for kernels in KERNELS.values():  # compile or load the kernels
        plainnet_epoch(name, *warm, kernels)()
    if skipped is None:
        torch_epoch(name, *warm)()
    fns = {peer: partial(best_of, epoch, 1) for peer, epoch in epochs.items()}
    times, errors = interleaved(fns, rounds, settle=SETTLE_S)
    result: dict[str, Any] = {
        "samples": n,
        "best_s": {k: min(v) for k, v in times.items()},
        "rounds_s": times,
        "errors": errors,
        "pytorch_skipped": skipped,
        "layers": breakdown(name, X),
    }
    return result


def print_ratio(peer: str, ratio: float, target: float | None) -> None:
    goal = "" if target is None else f" (target <= {target}x)"
    print(f"   {peer} / pytorch = {ratio:.2f}x{goal}")


def report(name: str, r: dict[str, Any]) -> None:
    best = r["best_s"]
    floor = best["floor"]
    print(f"\n== {name}: one epoch, {r['samples']:,} samples, batch {BATCH}")
    for peer, t in best.items():
        print(f"   {peer:<15} {t:8.3f}s  {t / floor:6.2f}x floor")
    spread = max(r["rounds_s"]["floor"]) / floor
    if spread > 1.2:
        print(f"   NOISY: the floor varied {spread:.2f}x across rounds")
    if "pytorch" in best:
        for peer in KERNELS:
            if peer in best:
                target = TARGETS[name].get(peer)
                print_ratio(peer, best[peer] / best["pytorch"], target)
    elif r["pytorch_skipped"]:
        print(f"   pytorch: {r['pytorch_skipped']}")
    for peer, error in r["errors"].items():
        print(f"   {peer} failed: {error}")
    print(f"   {'plainnet layer':<52} {'fwd ms':>7} {'bwd ms':>7}  (per batch)")
    for row in r["layers"]:
        label = row["layer"][:52]
        print(f"   {label:<52} {row['forward_ms']:7.3f} {row['backward_ms']:7.3f}")
    total = sum(row["forward_ms"] + row["backward_ms"] for row in r["layers"])
    print(f"   {'sum of layers':<52} {total:15.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="LeNet on 60,000")
    parser.add_argument("--samples", type=int, help="LeNet's training samples")
    parser.add_argument("--rounds", type=int, default=3, help="best of (default 3)")
    parser.add_argument("--only", choices=sorted(MODELS), help="one model")
    parser.add_argument("--no-predict", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    lenet_n = args.samples or (60_000 if args.full else MODELS["lenet"][2])
    if args.memory_child:
        figures: dict[str, Any] = memory_child(args.memory_child, lenet_n)
        args.json.write_text(json.dumps(figures) + "\n")
        return
    print(f"BLAS: {blas_info()}  load {os.getloadavg()}")
    figures = {}
    for name in [args.only] if args.only else MODELS:
        n = lenet_n if name == "lenet" else MODELS[name][2]
        figures[name] = measure(name, n, args.rounds)
        report(name, figures[name])
    if args.only in (None, "lenet") and not args.no_predict:
        figures["lenet_predict"] = measure_predict(args.rounds)
        report_predict(figures["lenet_predict"])
    if args.only in (None, "lenet") and not args.no_memory:
        figures["lenet_memory"] = measure_memory(lenet_n)
        report_memory(figures["lenet_memory"])
    print(f"load {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
