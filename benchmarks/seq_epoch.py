"""Sequence models, plainnet against PyTorch CPU with the same threads in the
same run: one training epoch of recurrent networks and where one step of the
loop over time spends its time; a small causal Transformer that learns to
write, its validation loss and its time per step against a PyTorch twin.

    python benchmarks/seq_epoch.py [--rounds N] [--only gru|lstm|transformer]
                                   [--threads N] [--transformer-steps N]
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

``transformer``: the character model of ``examples/char_model.py`` (float32:
``Embedding``, learned positions, 2 pre-norm blocks of dimension 128 with 4
heads and a GELU feed-forward layer of 512, windows of 64 characters of
plainnet's docstrings, batch 32) against a PyTorch twin of the same
architecture (``nn.Embedding``, a position table, ``nn.TransformerEncoderLayer(
norm_first=True, activation="gelu", dropout=0, batch_first=True)`` with a
causal mask, ``nn.LayerNorm``, ``nn.Linear``), its initial weights copied from
plainnet's, trained on the same batches in the same order with Adam at the
same rate every step (plainnet's cosine schedule). Two measurements: quality,
both trained for ``--transformer-steps`` updates and then their validation
loss in bits per character (the target: plainnet within 2% of PyTorch); and
speed, seconds per training step in interleaved rounds of ``ROUND_STEPS``
steps each, plainnet through ``fit`` (the median and range of the rounds, and
of their ratios; the target: at most 1.5x PyTorch). The layer table gives
plainnet's milliseconds per batch in each layer's forward and backward, those
inside the residual blocks too: where a step's time goes.
"""

from __future__ import annotations

import argparse
import json
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
    per_call,
    torch_adam_epoch,
    torch_status,
)

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import plainnet as pn
from plainnet import backend
from plainnet.backend.kernels import numba_installed

LR = 1e-3
DTYPE = np.float32
#: the targets: (max x PyTorch for the NumPy passes, for the compiled loops)
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
    return torch_adam_epoch(model.torch, X, y, model.batch, LR)


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
    W_hh_T = np.ascontiguousarray(W_hh.T)  # laid out as the layer keeps it
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
        # a gradient of h of its own: the product timed above writes zeros
        # into dstate["h"], and dc would then shrink, call after call, into
        # subnormal numbers, which take the CPU many times as long
        dh = np.full_like(dstate["h"], 1e-3)
        back = (dh, dstate["c"], run["gates"][t], run["c"][t],
                run["tanh_c"][t], dgi, np.empty_like(dgi))  # fmt: skip
        timed["cell forward (ops.lstm_cell)"] = lambda: ops.lstm_cell(*cell)
        timed["cell backward (ops.lstm_cell_backward)"] = (
            lambda: ops.lstm_cell_backward(*back)
        )
    timed["whole step forward (layer._step)"] = lambda: layer._step(
        t, t, t + 1, run, W_hh_T, b_hh
    )

    def step_back():
        # from a fresh gradient each time (with a copy of 64 x 64 values, well
        # under a microsecond): repeated, the step's own output would shrink
        # into subnormal numbers, as the cell's above
        for array in dstate.values():
            array[...] = 1e-3
        layer._step_back(t, t, t + 1, run, dstate, dgi, dgh, W_hh)

    timed["whole step backward (layer._step_back)"] = step_back
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
    times, errors = interleaved(fns, rounds, settle=SETTLE_S)
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


# ------------------------------------------------------ the Transformer's section

#: examples/char_model.py's model: window, model dimension, heads, feed-forward
#: width, blocks; batch, peak learning rate, warm-up steps
WINDOW, DIM, HEADS, HIDDEN, BLOCKS = 64, 128, 4, 512, 2
LM_BATCH, LM_LR, LM_WARMUP = 32, 3e-3, 100
#: the targets: validation bits within 2% of PyTorch's, a step at most 1.5x
LM_TARGETS = (0.02, 1.5)
#: updates of the quality run (``--transformer-steps``), steps per timed round
QUALITY_STEPS, ROUND_STEPS = 1200, 20


def text_windows(seed: int = 0) -> dict:
    """plainnet's docstrings as windows: the first 90% for training (a window
    every 32 characters), the rest for validation (side by side)."""
    from plainnet import text

    corpus = text.docstrings_text()
    tokenizer = pn.CharTokenizer.from_text(corpus)
    ids = tokenizer.encode(corpus)
    split = int(0.9 * len(ids))
    X, y = text.windows(ids[:split], WINDOW, stride=WINDOW // 2)
    X_val, y_val = text.windows(ids[split:], WINDOW)
    return {
        "vocabulary": len(tokenizer), "X": X, "y": y, "X_val": X_val,
        "y_val": y_val, "rng": np.random.default_rng(seed),
    }  # fmt: skip


def text_batches(data: dict, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_steps * LM_BATCH`` training windows: seeded permutations of all of
    them, one after another (the same for both libraries)."""
    n, rows, needed = len(data["X"]), [], n_steps * LM_BATCH
    while sum(map(len, rows)) < needed:
        rows.append(data["rng"].permutation(n))
    order = np.concatenate(rows)[:needed]
    return data["X"][order], data["y"][order]


def char_model(vocabulary: int) -> pn.Sequential:
    layers = pn.layers.language_model(vocabulary, WINDOW, DIM, HEADS, HIDDEN, BLOCKS)
    return pn.Sequential(layers, input_shape=(WINDOW,), seed=0, dtype="float32")


def lm_schedule(total: int) -> pn.CosineDecay:
    warmup = min(LM_WARMUP, total // 10)
    return pn.CosineDecay(LM_LR, total, warmup=warmup, final_lr=LM_LR / 10)


def torch_char_model(net: pn.Sequential):
    """The PyTorch model of the same architecture, with ``net``'s weights."""
    import torch
    from torch import nn

    class Twin(nn.Module):
        def __init__(self, vocabulary: int) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocabulary, DIM)
            self.positions = nn.Parameter(torch.zeros(WINDOW, DIM))
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(
                    DIM,
                    HEADS,
                    HIDDEN,
                    dropout=0.0,
                    activation="gelu",
                    batch_first=True,
                    norm_first=True,
                )
                for _ in range(BLOCKS)
            )
            self.norm = nn.LayerNorm(DIM)
            self.head = nn.Linear(DIM, vocabulary)
            future = torch.triu(torch.ones(WINDOW, WINDOW, dtype=torch.bool), 1)
            self.register_buffer("mask", future)

        def forward(self, ids):
            h = self.embedding(ids) + self.positions
            for block in self.blocks:
                h = block(h, src_mask=self.mask, is_causal=True)
            return self.head(self.norm(h))

    twin = Twin(net.layers[0].vocab_size)
    copy_char_model(net, twin)
    return twin


def copy_char_model(net: pn.Sequential, twin) -> None:
    """plainnet's weights into the twin (``Dense``'s ``W`` transposed)."""
    import torch

    def put(target, value) -> None:
        with torch.no_grad():
            target.copy_(torch.from_numpy(np.ascontiguousarray(value)))

    embedding, positions, *blocks, norm, head = net.layers
    put(twin.embedding.weight, embedding.params["W"])
    put(twin.positions, positions.params["W"])
    pairs = zip(blocks[::2], blocks[1::2], strict=True)
    for block, (attention, feed_forward) in zip(twin.blocks, pairs, strict=True):
        norm1, mha = attention.layers
        norm2, linear1, _, linear2 = feed_forward.layers
        for ours, theirs in ((norm1, block.norm1), (norm2, block.norm2)):
            put(theirs.weight, ours.params["gamma"])
            put(theirs.bias, ours.params["beta"])
        for name in ("in_proj_weight", "in_proj_bias"):
            put(getattr(block.self_attn, name), mha.params[name])
        put(block.self_attn.out_proj.weight, mha.params["out_proj_weight"])
        put(block.self_attn.out_proj.bias, mha.params["out_proj_bias"])
        for ours, theirs in ((linear1, block.linear1), (linear2, block.linear2)):
            put(theirs.weight, ours.params["W"].T)
            put(theirs.bias, ours.params["b"])
    put(twin.norm.weight, norm.params["gamma"])
    put(twin.norm.bias, norm.params["beta"])
    put(twin.head.weight, head.params["W"].T)
    put(twin.head.bias, head.params["b"])


class TorchCharTrainer:
    """The twin's loop: Adam at plainnet's schedule's rate, set before every
    step; cross-entropy over every position."""

    def __init__(self, twin, total: int) -> None:
        import torch

        self.torch, self.twin = torch, twin
        self.optimizer = torch.optim.Adam(twin.parameters(), lr=LM_LR)
        self.schedule, self.step_count = lm_schedule(total), 0

    def train(self, X: np.ndarray, y: np.ndarray) -> None:
        torch, vocabulary = self.torch, self.twin.head.out_features
        for start in range(0, len(X), LM_BATCH):
            ids = torch.from_numpy(np.array(X[start : start + LM_BATCH]))
            target = torch.from_numpy(np.array(y[start : start + LM_BATCH]))
            for group in self.optimizer.param_groups:
                group["lr"] = self.schedule.rate(self.step_count)
            self.optimizer.zero_grad()
            logits = self.twin(ids).reshape(-1, vocabulary)
            torch.nn.functional.cross_entropy(logits, target.reshape(-1)).backward()
            self.optimizer.step()
            self.step_count += 1

    def bits(self, X: np.ndarray, y: np.ndarray) -> float:
        torch, vocabulary = self.torch, self.twin.head.out_features
        with torch.no_grad():
            logits = self.twin(torch.from_numpy(np.array(X))).reshape(-1, vocabulary)
            target = torch.from_numpy(np.array(y)).reshape(-1)
            loss = torch.nn.functional.cross_entropy(logits, target).item()
        return pn.text.bits_per_character(loss)


def plainnet_char_trainer(net: pn.Sequential, total: int) -> Callable:
    """``train(X, y)``: one pass of ``fit`` in order, the optimizer (and its
    schedule's step count) carried on from call to call."""
    optimizer = pn.Adam(lr=lm_schedule(total))

    def train(X: np.ndarray, y: np.ndarray) -> None:
        net.fit(
            X, y, loss="cross_entropy", optimizer=optimizer, epochs=1,
            batch_size=LM_BATCH, shuffle=False,
        )  # fmt: skip

    return train


def char_quality(n_steps: int) -> dict[str, float]:
    """Both trained for ``n_steps`` updates on the same batches: their
    validation bits per character and plainnet's relative difference."""
    data = text_windows()
    net = char_model(data["vocabulary"])
    twin = TorchCharTrainer(torch_char_model(net), n_steps)
    X, y = text_batches(data, n_steps)
    plainnet_char_trainer(net, n_steps)(X, y)
    twin.train(X, y)
    loss = pn.CrossEntropy().value(net.predict(data["X_val"]), data["y_val"])
    ours = pn.text.bits_per_character(loss)
    theirs = twin.bits(data["X_val"], data["y_val"])
    return {
        "steps": n_steps,
        "plainnet_bits": ours,
        "pytorch_bits": theirs,
        "relative_difference": (ours - theirs) / theirs,
    }


def char_step_times(rounds: int) -> dict[str, list[float]]:
    """Seconds per training step of each, in interleaved rounds of
    ``ROUND_STEPS`` steps (after a round each to warm up)."""
    data = text_windows(seed=1)
    total = (rounds + 1) * ROUND_STEPS
    net = char_model(data["vocabulary"])
    twin = TorchCharTrainer(torch_char_model(net), total)
    train = plainnet_char_trainer(net, total)
    X, y = text_batches(data, total)
    size = ROUND_STEPS * LM_BATCH
    chunks = [(X[i : i + size], y[i : i + size]) for i in range(0, len(X), size)]
    train(*chunks[0])  # buffers, compiled loops, the allocators
    twin.train(*chunks[0])
    times: dict[str, list[float]] = {"plainnet": [], "pytorch": []}
    for chunk in chunks[1:]:
        for peer, runner in (("plainnet", train), ("pytorch", twin.train)):
            start = time.perf_counter()
            runner(*chunk)
            times[peer].append((time.perf_counter() - start) / ROUND_STEPS)
    pairs = zip(times["plainnet"], times["pytorch"], strict=True)
    times["ratio"] = [ours / theirs for ours, theirs in pairs]
    return times


def char_layer_times(batches: int = 5) -> dict[str, tuple[float, float]]:
    """Milliseconds per batch in each of plainnet's layers (those inside the
    residual blocks too, under their path), forward and backward, timed around
    each call outside ``fit``."""
    from plainnet.layers.base import walk

    data = text_windows()
    net = char_model(data["vocabulary"])
    X, y = text_batches(data, batches)
    spent: dict[str, list[float]] = {}
    for path, layer in walk(net.layers):
        for method in ("forward", "backward"):
            spent[f"{path} {method}"] = []
            timed = _timed(getattr(layer, method), spent[f"{path} {method}"])
            setattr(layer, method, timed)
    loss = pn.CrossEntropy()
    with np.errstate(under="ignore"):
        for start in range(0, len(X), LM_BATCH):
            ids = net.check_input(X[start : start + LM_BATCH])
            _, grad = loss.value_and_gradient(
                net.forward(ids, training=True), y[start : start + LM_BATCH]
            )
            net.backward(grad)
    return {
        f"{path} {type(layer).__name__}": tuple(
            1000 * sum(spent[f"{path} {m}"]) / batches for m in ("forward", "backward")
        )
        for path, layer in walk(net.layers)
    }


def _timed(method: Callable, times: list[float]) -> Callable:
    """``method``, adding the seconds of each call to ``times``."""

    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = method(*args, **kwargs)
        times.append(time.perf_counter() - start)
        return result

    return timed


def measure_transformer(
    name: str, rounds: int, steps: int = QUALITY_STEPS
) -> dict[str, Any]:
    """The Transformer's quality run, its timed rounds and its layer table."""
    status = torch_status()
    if status is not None:
        return {"skipped": f"PyTorch {status}"}
    return {
        "quality": char_quality(steps),
        "step_s": char_step_times(rounds),
        "layer_ms": char_layer_times(),
    }


def report_transformer(name: str, r: dict[str, Any]) -> None:
    """Print what :func:`measure_transformer` found."""
    print(
        f"\n== {name}: {BLOCKS} blocks, dim {DIM}, {HEADS} heads, hidden {HIDDEN}, "
        f"windows of {WINDOW}, batch {LM_BATCH}, float32"
    )
    if "skipped" in r:
        print(f"   skipped: {r['skipped']}")
        return
    bits_target, time_target = LM_TARGETS
    q = r["quality"]
    verdict = "ok" if abs(q["relative_difference"]) <= bits_target else "MISSED"
    print(
        f"   validation after {q['steps']} steps: plainnet {q['plainnet_bits']:.4f}"
        f" bits/char, pytorch {q['pytorch_bits']:.4f}: "
        f"{q['relative_difference']:+.2%} (target within {bits_target:.0%}: {verdict})"
    )
    t = r["step_s"]
    ratio = float(np.median(t["ratio"]))
    verdict = "ok" if ratio <= time_target else "MISSED"
    print(
        f"   ms per step, median (range) of {len(t['ratio'])} rounds: plainnet "
        f"{_spread(t['plainnet'], 1000)}, pytorch {_spread(t['pytorch'], 1000)}"
    )
    print(
        f"   plainnet / pytorch = {_spread(t['ratio'], 1, 2)}x "
        f"(target <= {time_target}x: {verdict})"
    )
    print(f"   {'layer':<26}{'forward ms':>11}{'backward ms':>12}")
    for layer, (forward, backward) in r["layer_ms"].items():
        print(f"   {layer:<26}{forward:>11.2f}{backward:>12.2f}")


def _spread(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    """``median (lowest-highest)`` of ``values`` times ``scale``."""
    low, mid, high = (scale * v for v in (min(values), np.median(values), max(values)))
    return f"{mid:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


# ------------------------------------------------------------------------ main

#: The benchmark's sections by name: ``(measure(name, rounds) -> figures,
#: report(name, figures))``. Other sequence models add theirs here.
SECTIONS: dict[str, tuple[Callable, Callable]] = {
    **{name: (measure, report) for name in MODELS},
    "transformer": (measure_transformer, report_transformer),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="best of (default 3)")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="one section")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--threads", type=int, help="cap NumPy's BLAS and PyTorch at N threads"
    )
    parser.add_argument(
        "--transformer-steps",
        type=int,
        default=QUALITY_STEPS,
        help="updates of the Transformer's quality run",
    )
    args = parser.parse_args()
    SECTIONS["transformer"] = (
        partial(measure_transformer, steps=args.transformer_steps),
        report_transformer,
    )
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
