"""One training epoch and one prediction pass of a 784-256-128-10 MLP, for
plainnet and its peers, as ratios to the GEMM floor measured in the same run.

    python benchmarks/mlp_epoch.py [--quick] [--json PATH] [--rounds N]
                                   [--no-scaling] [--no-memory]

Model: 784-256-128-10, ReLU, softmax cross-entropy, Adam(lr=1e-3), batch 128,
float32, one epoch over 60,000 synthetic samples (seeded normal X, integer labels
0..9), no shuffling. Every figure is the best of 5 rounds, interleaved across
the peers so that load from elsewhere hits all alike.

Floors (NumPy matmuls into preallocated ``out=`` buffers, nothing else):

* epoch: per batch the forward products X@W1, H1@W2, H2@W3 and the backward
  products dW3 = H2.T@G3, dH2 = G3@W3.T, dW2, dH1, dW1 (no dX of the first
  layer), the last partial batch included;
* prediction: the three forward products over the whole data set in one pass,
  the cheapest way BLAS can do them; a library that predicts in chunks pays for
  its chunking against this floor.
* one sample: the plain NumPy expression ``relu(relu(x@W1+b1)@W2+b2)@W3+b3``.

Peers: PyTorch CPU, scikit-learn ``MLPClassifier``, a textbook NumPy loop that
allocates as it goes, the reference loop (the tightest hand-written NumPy loop
we know, with plainnet's Adam kernel; see ``reference_peer``: what any library
doing these products and this Adam step can reach here), twice like plainnet,
and plainnet through its public API, twice: ``plainnet``
with its default kernels (the compiled Adam step when numba is installed) and
``plainnet numpy-step`` with ``PLAINNET_KERNELS=numpy``'s; a missing one is
reported and skipped. Each timed fit builds a fresh model, then runs one epoch.
Targets: ``plainnet`` (compiled step) at most 1.3x the epoch floor,
``plainnet numpy-step`` at most 1.6x.

Then, in each environment, where plainnet's epoch goes (products, the rest of
forward and backward, the loss, the optimizer; see ``breakdown_section``) and
the Adam step alone against the memory-bandwidth limit (``adam_step.py``).

The machine may set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: the script re-runs
itself (``--child``) with both unset and prints both tables. Scaling (samples
and first-layer width) and memory (peak RSS of fitting 200,000 x 784, each fit
in its own subprocess) run in the machine's environment only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import adam_step
import numpy as np
from _timing import (
    BLAS_ENV_VARS,
    SETTLE_S,
    best_of,
    blas_env,
    blas_info,
    interleaved,
    per_call,
    run_json_child,
)

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SIZES = (784, 256, 128, 10)
BATCH = 128
LR = 1e-3
N_SAMPLES = 60_000
MEMORY_SAMPLES = 200_000
DTYPE = np.float32

Sizes = tuple[int, ...]
Weights = list[tuple[np.ndarray, np.ndarray]]


@dataclass
class Peer:
    """A library under test: ``fit()`` trains a fresh model for one epoch,
    ``predict()`` runs the last fitted model over the data set and
    ``predict_one()`` over a single sample."""

    fit: Callable[[], object]
    predict: Callable[[], object]
    predict_one: Callable[[], object] | None = None


def make_data(n: int, n_in: int = SIZES[0], seed: int = 0) -> tuple[np.ndarray, ...]:
    """Seeded synthetic data: X (n, n_in) float32 normal, y (n,) int64 in 0..9."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in), dtype=DTYPE)
    y = rng.integers(0, SIZES[-1], size=n)
    return X, y


def init_weights(sizes: Sizes, seed: int = 0) -> Weights:
    """He-normal weights (n_in, n_out) and zero biases, float32."""
    rng = np.random.default_rng(seed)
    return [
        (
            (rng.standard_normal((a, b), dtype=DTYPE) * np.sqrt(2 / a)).astype(DTYPE),
            np.zeros(b, DTYPE),
        )
        for a, b in pairwise(sizes)
    ]


def batches(n: int, batch: int = BATCH) -> list[slice]:
    """Consecutive batch slices covering 0..n, the last one possibly shorter."""
    return [slice(s, min(s + batch, n)) for s in range(0, n, batch)]


# ---------------------------------------------------------------- GEMM floors


def floor_epoch(X: np.ndarray, sizes: Sizes) -> Callable[[], None]:
    """Exactly the matmuls of one training epoch, into buffers allocated here."""
    Ws = [W for W, _ in init_weights(sizes)]
    acts = [np.empty((BATCH, k), DTYPE) for k in sizes[1:]]  # H1, H2, logits
    grads = [np.full((BATCH, k), 1e-3, DTYPE) for k in sizes[1:]]  # G1, G2, G3
    dWs = [np.empty_like(W) for W in Ws]
    slices = batches(len(X))

    def epoch() -> None:
        for s in slices:
            m = s.stop - s.start
            ins = [X[s], acts[0][:m], acts[1][:m]]
            for x, W, out in zip(ins, Ws, acts, strict=True):
                np.matmul(x, W, out=out[:m])
            for i in reversed(range(len(Ws))):
                np.matmul(ins[i].T, grads[i][:m], out=dWs[i])
                if i > 0:
                    np.matmul(grads[i][:m], Ws[i].T, out=grads[i - 1][:m])

    return epoch


def floor_predict(X: np.ndarray, sizes: Sizes) -> Callable[[], None]:
    """The three forward matmuls over the whole data set in one pass."""
    Ws = [W for W, _ in init_weights(sizes)]
    acts = [np.empty((len(X), k), DTYPE) for k in sizes[1:]]

    def predict() -> None:
        x = X
        for W, out in zip(Ws, acts, strict=True):
            x = np.matmul(x, W, out=out)

    return predict


# ---------------------------------------------------------------------- peers


def numpy_forward(X: np.ndarray, weights: Weights) -> np.ndarray:
    """Logits of the plain NumPy expression, ReLU between layers."""
    for i, (W, b) in enumerate(weights):
        X = X @ W + b
        if i < len(weights) - 1:
            X = np.maximum(X, 0)
    return X


def numpy_peer(X: np.ndarray, y: np.ndarray, sizes: Sizes) -> Peer:
    """A straightforward hand-written NumPy loop, allocating as it goes."""
    state: dict[str, Weights] = {"weights": init_weights(sizes)}

    def fit() -> None:
        weights = init_weights(sizes)
        params = [p for layer in weights for p in layer]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        b1, b2, eps = 0.9, 0.999, 1e-8
        Y = np.eye(sizes[-1], dtype=DTYPE)[y]
        for t, s in enumerate(batches(len(X)), start=1):
            acts = [X[s]]
            for i, (W, b) in enumerate(weights):
                z = acts[-1] @ W + b
                acts.append(np.maximum(z, 0) if i < len(weights) - 1 else z)
            e = np.exp(acts[-1] - acts[-1].max(axis=1, keepdims=True))
            g = (e / e.sum(axis=1, keepdims=True) - Y[s]) / len(acts[0])  # softmax+CE
            grads = []
            for i in reversed(range(len(weights))):
                grads[:0] = [acts[i].T @ g, g.sum(axis=0)]
                if i > 0:
                    g = (g @ weights[i][0].T) * (acts[i] > 0)
            for p, dp, mp, vp in zip(params, grads, m, v, strict=True):
                mp[:] = b1 * mp + (1 - b1) * dp
                vp[:] = b2 * vp + (1 - b2) * dp * dp
                p -= LR * (mp / (1 - b1**t)) / (np.sqrt(vp / (1 - b2**t)) + eps)
        state["weights"] = weights

    return Peer(fit, lambda: numpy_forward(X, state["weights"]))


def reference_peer(
    X: np.ndarray, y: np.ndarray, sizes: Sizes, kernel: str = "auto"
) -> Peer:
    """The tightest loop we know how to write by hand with NumPy: buffers
    allocated once, ReLU against zeros, bias gradients as ``1^T G``, the fused
    softmax + cross-entropy gradient, and plainnet's Adam kernel (compiled or
    NumPy, as ``kernel`` says) on each array. No library can beat it by much
    with the same products; it shows what the floor leaves out (the Adam
    step's memory traffic and the element-wise passes)."""
    from plainnet.backend import NumpyBackend

    adam = NumpyBackend(kernels=kernel).adam
    rows = min(BATCH, len(X))
    state: dict[str, Weights] = {"weights": init_weights(sizes)}

    def buffers() -> list[np.ndarray]:
        return [np.empty((rows, k), DTYPE) for k in sizes[1:]]

    def fit() -> None:
        weights = init_weights(sizes)
        params = [p for layer in weights for p in layer]
        grads = [np.empty_like(p) for p in params]
        moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
        work = [np.empty_like(p) for p in params]
        acts, deltas = buffers(), buffers()
        zeros = [np.zeros(k, DTYPE) for k in sizes[1:]]
        ones = np.ones(rows, DTYPE)
        for t, s in enumerate(batches(len(X)), start=1):
            m = s.stop - s.start
            ins = [X[s]]
            for i, (W, b) in enumerate(weights):
                z = np.matmul(ins[i], W, out=acts[i][:m])
                z += b
                if i < len(weights) - 1:
                    ins.append(np.maximum(z, zeros[i], out=z))
            g = deltas[-1][:m]
            np.subtract(z, z.max(axis=1, keepdims=True), out=g)
            np.exp(g, out=g)
            g /= g.sum(axis=1, keepdims=True)
            g[np.arange(m), y[s]] -= 1  # softmax + cross-entropy: P - T
            g *= 1 / m
            for i in reversed(range(len(weights))):
                np.matmul(ins[i].T, g, out=grads[2 * i])
                np.matmul(ones[:m], g, out=grads[2 * i + 1])
                if i > 0:
                    dx = np.matmul(g, weights[i][0].T, out=deltas[i - 1][:m])
                    g = np.multiply(dx, ins[i] > 0, out=dx)
            for p, dp, (mp, vp), wk in zip(
                params, grads, moments, work, strict=True
            ):
                adam(
                    p.reshape(-1),
                    dp.reshape(-1),
                    mp.reshape(-1),
                    vp.reshape(-1),
                    wk.reshape(-1),
                    lr=LR,
                    beta1=0.9,
                    beta2=0.999,
                    eps=1e-8,
                    weight_decay=0.0,
                    t=t,
                )
        state["weights"] = weights

    return Peer(fit, lambda: numpy_forward(X, state["weights"]))


def reference_numpy_peer(X: np.ndarray, y: np.ndarray, sizes: Sizes) -> Peer:
    """The reference loop with the NumPy Adam step."""
    return reference_peer(X, y, sizes, "numpy")


def torch_peer(X: np.ndarray, y: np.ndarray, sizes: Sizes) -> Peer:
    """PyTorch CPU: nn.Sequential, CrossEntropyLoss, torch.optim.Adam."""
    import torch
    from torch import nn

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    x1 = Xt[:1]
    state: dict[str, nn.Module] = {}

    def fit() -> None:
        torch.manual_seed(0)
        layers: list[nn.Module] = []
        for a, b in pairwise(sizes):
            layers += [nn.Linear(a, b), nn.ReLU()]
        model = nn.Sequential(*layers[:-1])
        opt = torch.optim.Adam(model.parameters(), lr=LR)
        loss_fn = nn.CrossEntropyLoss()
        for s in batches(len(X)):
            opt.zero_grad()
            loss_fn(model(Xt[s]), yt[s]).backward()
            opt.step()
        state["model"] = model

    def predict(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return state["model"](x)

    return Peer(fit, lambda: predict(Xt), lambda: predict(x1))


def sklearn_peer(X: np.ndarray, y: np.ndarray, sizes: Sizes) -> Peer:
    """scikit-learn MLPClassifier, one Adam epoch without shuffling."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    state: dict[str, MLPClassifier] = {}

    def fit() -> None:
        clf = MLPClassifier(
            hidden_layer_sizes=sizes[1:-1],
            solver="adam",
            learning_rate_init=LR,
            batch_size=BATCH,
            max_iter=1,
            alpha=0,
            shuffle=False,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            state["clf"] = clf.fit(X, y)

    return Peer(fit, lambda: state["clf"].predict(X))


def plainnet_model(sizes: Sizes) -> Any:
    """A fresh plainnet Sequential of the benchmark's shape."""
    import plainnet as pn

    layers: list[Any] = []
    for a, b in pairwise(sizes):
        layers += [pn.Dense(a, b), pn.ReLU()]
    return pn.Sequential(layers[:-1], seed=0, dtype="float32")


def plainnet_fit(net: Any, X: np.ndarray, y: np.ndarray) -> None:
    import plainnet as pn

    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=LR),
        epochs=1,
        batch_size=BATCH,
        shuffle=False,
    )


def plainnet_peer(
    X: np.ndarray, y: np.ndarray, sizes: Sizes, kernel: str = "auto"
) -> Peer:
    """plainnet through its public API, with the kernels ``kernel`` chooses."""
    from plainnet import backend

    state: dict[str, Any] = {}
    x1 = X[:1]

    def fit() -> None:
        state["net"] = net = plainnet_model(sizes)
        before = backend.CPU.choice
        backend.CPU.use_kernels(kernel)
        try:
            plainnet_fit(net, X, y)
        finally:
            backend.CPU.use_kernels(before)

    return Peer(fit, lambda: state["net"].predict(X), lambda: state["net"].predict(x1))


def plainnet_numpy_peer(X: np.ndarray, y: np.ndarray, sizes: Sizes) -> Peer:
    """plainnet with the NumPy Adam step (``PLAINNET_KERNELS=numpy``)."""
    return plainnet_peer(X, y, sizes, "numpy")


PEERS: dict[str, Callable[[np.ndarray, np.ndarray, Sizes], Peer]] = {
    "plainnet": plainnet_peer,
    "plainnet numpy-step": plainnet_numpy_peer,
    "pytorch": torch_peer,
    "sklearn": sklearn_peer,
    "numpy loop": numpy_peer,
    "reference loop": reference_peer,
    "reference numpy-step": reference_numpy_peer,
}
MODULES = {
    "plainnet": "plainnet",
    "plainnet numpy-step": "plainnet",
    "pytorch": "torch",
    "sklearn": "sklearn",
    "reference loop": "plainnet",
    "reference numpy-step": "plainnet",
}


def load_peer(name: str, X: np.ndarray, y: np.ndarray, sizes: Sizes) -> Peer | str:
    """The peer, or why it is skipped."""
    module = MODULES.get(name)
    if module is not None:
        try:
            __import__(module)
        except Exception as exc:
            return f"import {module} failed: {exc!r}"
    return PEERS[name](X, y, sizes)


# ------------------------------------------------------------------- sections


SECTIONS = ("epoch", "predict", "one_sample")


def timers(peer: Peer, one_calls: int) -> dict[str, Callable[[], float]]:
    """One timing function per section the peer takes part in."""
    out = {
        "epoch": lambda: best_of(peer.fit, 1),
        "predict": lambda: best_of(peer.predict, 1),
    }
    if (one := peer.predict_one) is not None:
        out["one_sample"] = lambda: per_call(one, one_calls, 1)
    return out


def main_section(n: int, one_calls: int, rounds: int) -> dict[str, Any]:
    """Epoch, prediction and one-sample times of every peer and their floors."""
    X, y = make_data(n)
    w, x1 = init_weights(SIZES), X[:1]
    floor = Peer(
        floor_epoch(X, SIZES), floor_predict(X, SIZES), lambda: numpy_forward(x1, w)
    )
    fns = {("floor", section): fn for section, fn in timers(floor, one_calls).items()}
    skipped: dict[str, str] = {}
    for name in PEERS:
        peer = load_peer(name, X, y, SIZES)
        if isinstance(peer, str):
            skipped[name] = peer
        else:
            fns |= {(name, sec): fn for sec, fn in timers(peer, one_calls).items()}
    times, errors = interleaved(fns, rounds, settle=SETTLE_S)
    for (name, _), error in errors.items():
        skipped.setdefault(name, f"failed: {error}")  # e.g. a half-written plainnet
    result: dict[str, Any] = {section: {} for section in SECTIONS}
    result["rounds"] = {}
    for (name, section), ts in times.items():
        if name not in skipped:
            result[section][name] = min(ts)
            result["rounds"][f"{section} {name}"] = ts
    result["skipped"] = skipped
    return result


PARTS = ("forward", "loss", "backward", "optimizer")


def plainnet_parts(X: np.ndarray, y: np.ndarray, kernel: str) -> dict[str, float]:
    """One epoch of plainnet's training step, as Sequential.fit runs it, with
    each part timed (seconds, summed over the batches)."""
    import plainnet as pn
    from plainnet import backend, losses

    net = plainnet_model(SIZES)
    loss = losses.get("cross_entropy")
    target = loss.prepare_target(y, SIZES[-1], net.dtype)
    optimizer = pn.Adam(lr=LR)
    optimizer.prepare(net.parameters)
    totals = dict.fromkeys(PARTS, 0.0)
    clock = time.perf_counter
    before = backend.CPU.choice
    backend.CPU.use_kernels(kernel)
    try:
        for s in batches(len(X)):
            t0 = clock()
            output = net.forward(X[s], training=True)
            t1 = clock()
            _, grad = loss.value_and_gradient(output, target[s])
            t2 = clock()
            net.backward(grad)
            t3 = clock()
            optimizer.step(net.parameters, net.gradients)
            t4 = clock()
            for part, dt in zip(
                PARTS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True
            ):
                totals[part] += dt
    finally:
        backend.CPU.use_kernels(before)
    return totals


def breakdown_section(n: int, rounds: int) -> dict[str, Any]:
    """Where plainnet's epoch goes, with the NumPy and the compiled Adam step:
    the products (the GEMM floor), the rest of forward and backward, the loss
    and the optimizer; each the best of ``rounds`` interleaved rounds."""
    from plainnet.backend.kernels import numba_installed

    X, y = make_data(n)
    floor = floor_epoch(X, SIZES)
    names = ["numpy"] + (["numba"] if numba_installed() else [])
    best: dict[str, Any] = {"floor": math.inf} | {k: {} for k in names}
    for _ in range(rounds):
        for kernel in names:
            best["floor"] = min(best["floor"], best_of(floor, 1))
            parts = plainnet_parts(X, y, kernel)
            for part, t in parts.items():
                best[kernel][part] = min(best[kernel].get(part, math.inf), t)
    return best


def warm_up() -> None:
    """Import numba and load (or compile) the compiled kernels before timing."""
    from plainnet.backend.kernels import numba_installed

    if numba_installed():
        adam_step.adam_steps(16)


def print_breakdown(result: dict[str, Any]) -> None:
    floor = result["floor"]
    kernels = [k for k in ("numpy", "numba") if k in result]
    print("   plainnet's epoch by part (best of the rounds each), s and x floor:")
    print(f"   {'part':<26}" + "".join(f"{k + ' step':>22}" for k in kernels))
    rows = {
        "products (GEMM floor)": {k: floor for k in kernels},
        "rest of forward/backward": {
            k: result[k]["forward"] + result[k]["backward"] - floor for k in kernels
        },
        "loss": {k: result[k]["loss"] for k in kernels},
        "optimizer": {k: result[k]["optimizer"] for k in kernels},
        "total": {k: sum(result[k].values()) for k in kernels},
    }
    for label, row in rows.items():
        cells = "".join(f"{row[k]:>12.3f}s {row[k] / floor:>7.2f}x" for k in kernels)
        print(f"   {label:<26}{cells}")
    if any(row < 0 for row in rows["rest of forward/backward"].values()):
        print("   NOISY: the floor's best round was slower than plainnet's forward")


def scaling_section(n: int, rounds: int) -> dict[str, Any]:
    """Epoch time of the floor and plainnet at 1x/2x/4x samples and at first
    hidden widths 256/512/1024."""
    cases = [(f"{k}x samples", k * n, SIZES) for k in (1, 2, 4)]
    cases += [(f"width {w}", n, (784, w, 128, 10)) for w in (256, 512, 1024)]
    out: dict[str, Any] = {}
    for label, m, sizes in cases:
        X, y = make_data(m)
        floor = floor_epoch(X, sizes)
        fns = {"floor": lambda f=floor: best_of(f, 1)}
        peer = load_peer("plainnet", X, y, sizes)
        if not isinstance(peer, str):
            fns["plainnet"] = lambda f=peer.fit: best_of(f, 1)
        all_times, errors = interleaved(fns, rounds)
        row = {name: min(ts) for name, ts in all_times.items()}
        if isinstance(peer, str):
            errors["plainnet"] = peer
        out[label] = row | {"samples": m, "sizes": sizes, "skipped": errors}
        ratio = row["plainnet"] / row["floor"] if "plainnet" in row else None
        print(f"  {label:<12} floor {row['floor']:6.2f}s  plainnet ", end="")
        print(f"{row['plainnet']:6.2f}s {ratio:5.2f}x" if ratio else errors)
    return out


def memory_child(peer: str, n: int) -> dict[str, Any]:
    """Peak RSS of fitting one epoch on n x 784 float32, in this process."""

    def peak() -> int:
        # getrusage's ru_maxrss survives exec on Linux, so a child started by a
        # big parent inherits the parent's peak; VmHWM belongs to this image only.
        status = Path("/proc/self/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB

    if peer == "plainnet":
        import plainnet  # noqa: F401  (its import is part of the baseline)
    before = peak()
    X, y = make_data(n)
    model_bytes = sum(W.nbytes + b.nbytes for W, b in init_weights(SIZES))
    if peer == "plainnet":
        plainnet_fit(plainnet_model(SIZES), X, y)
    else:
        numpy_peer(X, y, SIZES).fit()
    data = X.nbytes + model_bytes
    after = peak()
    return {
        "peer": peer,
        "samples": n,
        "x_plus_model_bytes": data,
        "baseline_rss_bytes": before,
        "peak_rss_bytes": after,
        "peak_over_data": after / data,
        "growth_over_data": (after - before) / data,
    }


def memory_section(n: int) -> dict[str, Any]:
    """Each peer's memory fit in its own fresh interpreter."""
    out: dict[str, Any] = {}
    for peer in ("numpy", "plainnet"):
        try:
            out[peer] = run_json_child(
                Path(__file__), ["--memory-child", peer, "--samples", str(n)]
            )
        except Exception as exc:
            out[peer] = {"skipped": repr(exc)}
        r = out[peer]
        if "skipped" in r:
            print(f"  {peer:<12} skipped: {r['skipped']}")
            continue
        mb = r["peak_rss_bytes"] / 2**20
        print(
            f"  {peer:<12} peak RSS {mb:6.0f} MB = {r['peak_over_data']:.3f}x"
            f" (X + model), growth past the interpreter {r['growth_over_data']:.3f}x"
        )
    return out


# ------------------------------------------------------------------- printing


def print_table(title: str, result: dict[str, Any]) -> None:
    print(f"\n== {title}")
    print(f"   OpenBLAS vars: {result['env']}, load {result['load_average']}")
    for lib in result["blas"]:
        print(f"   {lib}")
    if "torch" in result:
        print(f"   torch: {result['torch']}")
    units = {"epoch": ("s", 1), "predict": ("ms", 1e3), "one_sample": ("us", 1e6)}
    for section, (unit, scale) in units.items():
        times = result[section]
        floor = times["floor"]
        print(f"   {section:<20} {'time':>10} {'x floor':>8}")
        for name, t in times.items():
            print(f"   {name:<20} {t * scale:>8.2f}{unit:<2} {t / floor:>7.2f}x")
    print(
        "   targets: epoch of plainnet (compiled step) <= 1.30x, "
        "plainnet numpy-step <= 1.60x the floor"
    )
    epoch = result["epoch"]
    for ours, reference in (
        ("plainnet", "reference loop"),
        ("plainnet numpy-step", "reference numpy-step"),
    ):
        if ours in epoch and reference in epoch:
            print(
                f"   {ours} / {reference}: {epoch[ours] / epoch[reference]:.2f}x "
                f"(the reference is {epoch[reference] / epoch['floor']:.2f}x the floor)"
            )
    if "breakdown" in result:
        print_breakdown(result["breakdown"])
    if "adam_step" in result:
        adam_step.print_table(result["adam_step"])
    floor_runs = result["rounds"]["epoch floor"]
    spread = max(floor_runs) / min(floor_runs)
    if spread > 1.2:
        print(f"   NOISY: the epoch floor varied {spread:.2f}x across rounds")
    for name, why in result["skipped"].items():
        print(f"   skipped {name}: {why}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """This environment's main section, plus the child's and the extras."""
    quick = args.quick
    n = args.samples or (6_000 if quick else N_SAMPLES)
    where = "unset" if args.child else "machine's"
    print(f"-- measuring ({where} OpenBLAS environment, {n} samples)", flush=True)
    warm_up()
    result = main_section(n, 300 if quick else 3000, args.rounds)
    result["breakdown"] = breakdown = breakdown_section(n, args.rounds)
    breakdown["floor"] = min(breakdown["floor"], result["epoch"]["floor"])
    result["adam_step"] = adam_step.measure(rounds=args.rounds)
    result.update(samples=n, env=blas_env(), blas=blas_info())
    result["load_average"] = os.getloadavg()  # other work on a shared machine
    try:
        import torch

        result["torch"] = {
            "threads": torch.get_num_threads(),
            "mkl": torch.backends.mkl.is_available(),  # torch's GEMMs, not OpenBLAS
        }
    except ImportError:
        pass
    print_table(f"{where} environment", result)
    if args.child:
        return result
    figures = {"machine_env": result}
    child_args = ["--child", "--samples", str(n), "--rounds", str(args.rounds)]
    figures["unset_env"] = run_json_child(Path(__file__), child_args, BLAS_ENV_VARS)
    if not args.no_scaling:
        print("\n== scaling (machine's environment)", flush=True)
        figures["scaling"] = scaling_section(n, args.rounds)
    if not args.no_memory:
        print("\n== memory (machine's environment)", flush=True)
        figures["memory"] = memory_section(20_000 if quick else MEMORY_SAMPLES)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write all figures to this file")
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--samples", type=int, help="override the sample count")
    parser.add_argument("--rounds", type=int, default=5, help="best of (default 5)")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        figures = memory_child(args.memory_child, args.samples or MEMORY_SAMPLES)
    else:
        figures = run(args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
