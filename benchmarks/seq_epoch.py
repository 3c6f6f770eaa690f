"""One training epoch of recurrent networks, plainnet against PyTorch CPU with
the same threads in the same run, and where one step of the loop over time
spends its time.

    python benchmarks/seq_epoch.py [--rounds N] [--only gru|lstm] [--threads N]
                                   [--json PATH]

Models (float32, softmax cross-entropy, Adam(lr=1e-3), one epoch in order,
seeded normal inputs and integer labels 0..9):

* ``gru``: MNIST-1D's GRU (Greydanus, 2020): bidirectional, 1 input and 6
  units per direction, 40 steps, every step's output (480 values) into one
  Dense(480, 10); batch 100, 4,000 sequences. The inputs are a NumPy stand-in
  of MNIST-1D's shape (4,000 x 40): the time of an epoch does not depend on
  the values, and the real set needs the ``mnist1d`` package;
* ``lstm``: LSTM with 32 inputs and 64 units over 50 steps, the last state into
  Dense(64, 10); batch 64, 2,048 sequences.

Peers: ``plainnet-numpy`` (the NumPy passes, ``kernels="numpy"``),
``plainnet-numba`` (the compiled loops of the ``fast`` extra, when numba is
installed), and PyTorch (``nn.GRU``/``nn.LSTM`` with ``batch_first=True``, when
installed) with ``torch.set_num_threads`` equal to the BLAS threads NumPy uses
(``--threads N`` caps both; plainnet's loop over time runs its small per-step
products on one thread whatever the cap, see ``SERIAL_STEP_WORK``).
Each peer first trains on two batches (numba compiles its loops then); the
rounds are interleaved across the peers, so that load from elsewhere on a
shared machine hits all alike; each figure is the best round, with the range
of the rounds beside it.

The step breakdown times, in isolation and with the model's shapes, each
operation of one step of the loop over time (forward and backward), the whole
step as the layer runs it, and the cost of one call that does nothing (a NumPy
function on one element, a compiled loop's dispatch): the loop pays it for
every operation, 40 or 50 times a batch, in each direction.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from _timing import best_of, blas_info, interleaved, per_call

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import plainnet as pn
from plainnet import backend
from plainnet.backend.kernels import numba_installed

LR = 1e-3
DTYPE = np.float32
#: from the issue: (max x PyTorch for the NumPy passes, for the compiled loops)
TARGETS = (1.5, 1.0)


class Model:
    """One benchmarked network: its sizes, plainnet's layers and PyTorch's."""

    def __init__(self, cell, features, units, steps, bidirectional, every_step,
                 batch, samples) -> None:  # fmt: skip
        self.cell, self.features, self.units = cell, features, units
        self.steps, self.bidirectional = steps, bidirectional
        self.every_step, self.batch, self.samples = every_step, batch, samples

    @property
    def width(self) -> int:
        """The values the recurrent layer hands the Dense layer per sample."""
        directions = 2 if self.bidirectional else 1
        return directions * self.units * (self.steps if self.every_step else 1)

    def plainnet(self) -> pn.Sequential:
        recurrent = getattr(pn, self.cell)(
            self.units, return_sequences=self.every_step,
            bidirectional=self.bidirectional,
        )  # fmt: skip
        head = [pn.Flatten()] if self.every_step else []
        return pn.Sequential(
            [recurrent, *head, pn.Dense(10)], seed=0, dtype="float32",
            input_shape=(self.steps, self.features),
        )  # fmt: skip

    def torch(self):
        import torch

        rnn = getattr(torch.nn, self.cell)(
            self.features, self.units, batch_first=True,
            bidirectional=self.bidirectional,
        )  # fmt: skip
        head = torch.nn.Linear(self.width, 10)
        every_step = self.every_step

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.rnn, self.head = rnn, head

            def forward(self, x):
                out, _ = self.rnn(x)
                features = out.flatten(1) if every_step else out[:, -1]
                return self.head(features)

        return Net()


MODELS = {
    "gru": Model("GRU", 1, 6, 40, True, True, 100, 4_000),
    "lstm": Model("LSTM", 32, 64, 50, False, False, 64, 2_048),
}


def make_data(model: Model, seed: int = 0):
    rng = np.random.default_rng(seed)
    shape = (model.samples, model.steps, model.features)
    return rng.standard_normal(shape, dtype=DTYPE), rng.integers(0, 10, model.samples)


# ----------------------------------------------------------------------- peers


def plainnet_epoch(model: Model, X, y, kernels: str) -> Callable[[], None]:
    def fit() -> None:
        before = backend.CPU.choice
        backend.CPU.use_kernels(kernels)
        try:
            net = model.plainnet()
            net.fit(X, y, loss="cross_entropy", optimizer=pn.Adam(lr=LR), epochs=1,
                    batch_size=model.batch, shuffle=False)  # fmt: skip
        finally:
            backend.CPU.use_kernels(before)

    return fit


def torch_epoch(model: Model, X, y) -> Callable[[], None]:
    import torch

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    slices = [slice(s, s + model.batch) for s in range(0, len(X), model.batch)]

    def fit() -> None:
        torch.manual_seed(0)
        net = model.torch()
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        loss_fn = torch.nn.CrossEntropyLoss()
        for s in slices:
            opt.zero_grad()
            loss_fn(net(Xt[s]), yt[s]).backward()
            opt.step()

    return fit


def torch_status() -> str | None:
    """None if PyTorch imports (its threads set to NumPy's BLAS threads)."""
    try:
        import torch
    except ImportError as exc:
        return f"not installed ({exc})"
    threads = [i.get("num_threads") for i in blas_info() if i.get("num_threads")]
    if threads:
        torch.set_num_threads(int(threads[0]))
    return None


def peers(model: Model, X, y) -> tuple[dict[str, Callable[[], None]], dict]:
    """The epoch of each peer that can run here, and why the others cannot."""
    epochs = {"plainnet-numpy": plainnet_epoch(model, X, y, "numpy")}
    skipped = {}
    if numba_installed():
        epochs["plainnet-numba"] = plainnet_epoch(model, X, y, "numba")
    else:
        skipped["plainnet-numba"] = 'numba is not installed: pip install ".[fast]"'
    status = torch_status()
    if status is None:
        epochs["pytorch"] = torch_epoch(model, X, y)
    else:
        skipped["pytorch"] = status
    return epochs, skipped


# ------------------------------------------------------------ where a step goes


def step_breakdown(model: Model, kernels: str, calls: int = 2000) -> dict[str, float]:
    """Microseconds of each operation of one step (forward and backward) of
    the first direction, in isolation, and of the whole step as the layer
    runs it; with the given twin of the cells."""
    before = backend.CPU.choice
    backend.CPU.use_kernels(kernels)
    try:
        return _step_breakdown(model, calls)
    finally:
        backend.CPU.use_kernels(before)


def _step_breakdown(model: Model, calls: int) -> dict[str, float]:
    net = model.plainnet()
    layer, ops = net.layers[0], net.ops
    X = make_data(model)[0][: model.batch]
    out = net.forward(X, training=True)
    net.backward(np.full_like(out, 1e-3))
    run = {name: layer.saved[name] for name in layer.saved if name != "xt"}
    W_hh, b_hh = layer.params["W_hh"], layer.params["b_hh"]
    t = model.steps // 2
    dstate = {s: np.full((model.batch, model.units), 1e-3, DTYPE) for s in layer.STATES}
    dgi = np.zeros((model.batch, W_hh.shape[0]), DTYPE)
    dgh = np.zeros_like(dgi)
    h = run["h"][t]
    W_hh_T = np.ascontiguousarray(W_hh.T)  # as the layer keeps it for its steps
    gates = np.empty_like(dgi)
    one = np.zeros(1, DTYPE)
    timed = {
        "a NumPy call on one element": lambda: np.add(one, one, out=one),
        "a view of one step (x[t, ...])": lambda: run["h"][t, ...],
        "h @ W_hh.T (out=, W_hh.T contiguous)": lambda: ops.matmul(
            h, W_hh_T, out=gates
        ),
        "+= bias": lambda: gates.__iadd__(b_hh),
        "dgates @ W_hh (out=)": lambda: ops.matmul(dgi, W_hh, out=dstate["h"]),
    }
    if backend.CPU.kernels == "numba":
        from plainnet.backend.kernels import KERNELS

        tiny = [np.zeros((1, k), DTYPE) for k in (1, 1, 2, 1, 3, 3, 3)]
        loop = KERNELS["gru_cell_backward"].compiled
        timed["a compiled loop's call on one unit (7 arrays)"] = lambda: loop(*tiny)
    if model.cell == "GRU":
        cell = (run["gi"][t], run["gh"][t], run["h"][t], run["rz"][t], run["n"][t],
                run["h"][t + 1])  # fmt: skip
        back = (dstate["h"], run["h"][t], run["rz"][t], run["n"][t], run["gh"][t],
                dgi, dgh)  # fmt: skip
        timed["cell forward (ops.gru_cell)"] = lambda: ops.gru_cell(*cell)
        timed["cell backward (ops.gru_cell_backward)"] = (
            lambda: ops.gru_cell_backward(*back)
        )
    else:
        cell = (run["gates"][t], run["c"][t], run["c"][t + 1], run["tanh_c"][t],
                run["h"][t + 1])  # fmt: skip
        back = (dstate["h"], dstate["c"], run["gates"][t], run["c"][t],
                run["tanh_c"][t], dgi, np.empty_like(dgi))  # fmt: skip
        timed["cell forward (ops.lstm_cell)"] = lambda: ops.lstm_cell(*cell)
        timed["cell backward (ops.lstm_cell_backward)"] = (
            lambda: ops.lstm_cell_backward(*back)
        )
    timed["whole step forward (layer._step)"] = lambda: layer._step(
        t, t, t + 1, run, W_hh_T, b_hh
    )
    timed["whole step backward (layer._step_back)"] = lambda: layer._step_back(
        t, t, t + 1, run, dstate, dgi, dgh, W_hh
    )
    # on one BLAS thread, as the layer runs its steps (SERIAL_STEP_WORK)
    with np.errstate(all="ignore"), ops.single_threaded():
        return {name: per_call(fn, calls) * 1e6 for name, fn in timed.items()}


def layer_share(model: Model, kernels: str, batches: int = 5) -> dict[str, float]:
    """Milliseconds per batch of the recurrent layer's forward and backward,
    and of the rest of the training step, within ``fit``'s own order."""
    import time

    before = backend.CPU.choice
    backend.CPU.use_kernels(kernels)
    try:
        net = model.plainnet()
        X = make_data(model)[0]
        totals = [0.0, 0.0]
        for b in range(batches):
            x = X[b * model.batch : (b + 1) * model.batch]
            start = time.perf_counter()
            out = net.layers[0].forward(x, True)
            totals[0] += time.perf_counter() - start
            start = time.perf_counter()
            net.layers[0].backward(np.full_like(out, 1e-3), need_input_grad=False)
            totals[1] += time.perf_counter() - start
    finally:
        backend.CPU.use_kernels(before)
    forward, backward = (total / batches * 1e3 for total in totals)
    return {"forward_ms": forward, "backward_ms": backward}


# ------------------------------------------------ the recurrent models' section


def measure(name: str, rounds: int) -> dict[str, Any]:
    """The epochs of every peer on the recurrent model ``name``, the layer's
    share of a batch and the step breakdown."""
    model = MODELS[name]
    X, y = make_data(model)
    epochs, skipped = peers(model, X, y)
    warm = peers(model, X[: 2 * model.batch], y[: 2 * model.batch])[0]
    for epoch in warm.values():  # compile the loops (numba), load libraries
        epoch()
    fns = {peer: partial(best_of, epoch, 1) for peer, epoch in epochs.items()}
    times, errors = interleaved(fns, rounds)
    twins = ["numpy", *(["numba"] if numba_installed() else [])]
    return {
        "samples": model.samples,
        "batch": model.batch,
        "best_s": {k: min(v) for k, v in times.items()},
        "rounds_s": times,
        "errors": errors,
        "skipped": skipped,
        "layer_ms": {k: layer_share(model, k) for k in twins},
        "step_us": {k: step_breakdown(model, k) for k in twins},
    }


def report(name: str, r: dict[str, Any]) -> None:
    """Print what :func:`measure` found."""
    model = MODELS[name]
    best = r["best_s"]
    directions = 2 if model.bidirectional else 1
    print(
        f"\n== {name}: {model.cell}({model.features} -> {model.units}"
        f"{', bidirectional' if model.bidirectional else ''}) over {model.steps} "
        f"steps, batch {model.batch}, one epoch of {r['samples']:,} sequences"
    )
    torch_time = best.get("pytorch")
    for peer, t in best.items():
        spread = f"{min(r['rounds_s'][peer]):.3f}-{max(r['rounds_s'][peer]):.3f}s"
        ratio = f"{t / torch_time:6.2f}x pytorch" if torch_time else ""
        print(f"   {peer:<15} {t:8.3f}s  (rounds {spread})  {ratio}")
    for peer, why in r["skipped"].items():
        print(f"   {peer}: skipped, {why}")
    for peer, error in r["errors"].items():
        print(f"   {peer} failed: {error}")
    if torch_time:
        twins = ("plainnet-numpy", "plainnet-numba")
        for peer, target in zip(twins, TARGETS, strict=True):
            if peer in best:
                ratio = best[peer] / torch_time
                verdict = "ok" if ratio <= target else "MISSED"
                print(f"   {peer} / pytorch = {ratio:.2f}x (target <= {target}x: "
                      f"{verdict})")  # fmt: skip
    batches = -(-model.samples // model.batch)
    for twin, layer in r["layer_ms"].items():
        both = layer["forward_ms"] + layer["backward_ms"]
        print(
            f"   recurrent layer ({twin}): forward {layer['forward_ms']:.2f} ms, "
            f"backward {layer['backward_ms']:.2f} ms per batch; x {batches} "
            f"batches = {both * batches / 1e3:.3f} s of the epoch"
        )
    twins = list(r["step_us"])
    print(f"   one step of one direction, microseconds: {' / '.join(twins)}")
    operations = dict.fromkeys(op for twin in twins for op in r["step_us"][twin])
    for op in operations:
        cells = " / ".join(
            f"{r['step_us'][t][op]:7.2f}" if op in r["step_us"][t] else "      -"
            for t in twins
        )
        print(f"     {op:<45} {cells}")
    per_batch = model.steps * directions
    for twin in twins:
        step = r["step_us"][twin]
        both = step["whole step forward (layer._step)"] + step[
            "whole step backward (layer._step_back)"
        ]
        print(
            f"   {twin}: a step forward and back, {both:.1f} us, x {model.steps} steps"
            f" x {directions} direction(s) = {both * per_batch / 1e3:.2f} ms per batch"
        )


# ------------------------------------------------------------------------ main

#: The benchmark's sections by name: ``(measure(name, rounds) -> figures,
#: report(name, figures))``. Other sequence models add theirs here.
SECTIONS: dict[str, tuple[Callable, Callable]] = {
    name: (measure, report) for name in MODELS
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="best of (default 3)")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="one section")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--threads", type=int, help="cap NumPy's BLAS and PyTorch at N threads"
    )
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)  # torch_status then gives torch as many
    print(f"BLAS: {blas_info()}  load {os.getloadavg()}")
    print("gru's inputs: a NumPy stand-in of MNIST-1D's shape (see the docstring)")
    figures = {}
    for name in [args.only] if args.only else SECTIONS:
        run, show = SECTIONS[name]
        figures[name] = run(name, args.rounds)
        show(name, figures[name])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
