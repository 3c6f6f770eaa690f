"""Sequence models, plainnet against a PyTorch twin: a small causal
Transformer that learns to write (the character model of
``examples/char_model.py``).

    python benchmarks/seq_epoch.py --transformer [--steps 1200] [--rounds 5]
                                   [--breakdown] [--json PATH]
    python benchmarks/seq_epoch.py --transformer --quick   # a smoke test

The twin: the same architecture in PyTorch (``nn.Embedding``, a learned
position table, ``nn.TransformerEncoderLayer(norm_first=True,
activation="gelu", dropout=0, batch_first=True)`` with a causal mask,
``nn.LayerNorm``, ``nn.Linear``), its initial weights copied from plainnet's,
trained on the same batches in the same order with the same Adam and the same
learning rate at every step, in float32, with ``torch.set_num_threads`` equal
to the BLAS threads NumPy uses.

Two measurements:

* quality: both train for ``--steps`` updates (the batches: seeded
  permutations of the training windows, one after another), then their
  validation loss in bits per character; the target is plainnet within 2% of
  PyTorch;
* speed: time per training step, in ``--rounds`` interleaved rounds of
  ``--round-steps`` steps each (plainnet through ``fit``, PyTorch through its
  usual loop), on a machine that may be shared: the table gives each one's
  median and range, and the ratio's median and range over the rounds (the
  target: at most 1.5x PyTorch).

``--breakdown`` times each of plainnet's layers (those inside the residual
blocks too) forward and backward over a few batches, outside ``fit``: where a
step's time goes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import plainnet as pn
from plainnet import text
from plainnet.layers.base import walk

STEPS, DIM, HEADS, HIDDEN, BLOCKS = 64, 128, 4, 512, 2
BATCH, LR, WARMUP = 32, 3e-3, 100
TARGET_BITS, TARGET_RATIO = 0.02, 1.5


# -- the data, the models --------------------------------------------------------
def transformer_data(seed: int = 0) -> dict:
    """plainnet's docstrings as windows: the first 90% for training (windows
    every 32 characters), the rest for validation (side by side)."""
    corpus = text.docstrings_text()
    tokenizer = pn.CharTokenizer.from_text(corpus)
    ids = tokenizer.encode(corpus)
    split = int(0.9 * len(ids))
    X, y = text.windows(ids[:split], STEPS, stride=STEPS // 2)
    X_val, y_val = text.windows(ids[split:], STEPS)
    return {
        "tokenizer": tokenizer, "X": X, "y": y, "X_val": X_val, "y_val": y_val,
        "rng": np.random.default_rng(seed),
    }  # fmt: skip


def batches_for(data: dict, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_steps * BATCH`` training windows: seeded permutations of all of
    them, one after another (the same for both libraries)."""
    n, rows = len(data["X"]), []
    while sum(map(len, rows)) < n_steps * BATCH:
        rows.append(data["rng"].permutation(n))
    order = np.concatenate(rows)[: n_steps * BATCH]
    return data["X"][order], data["y"][order]


def plainnet_model(vocab: int, seed: int = 0) -> pn.Sequential:
    layers = pn.layers.language_model(vocab, STEPS, DIM, HEADS, HIDDEN, BLOCKS)
    return pn.Sequential(layers, input_shape=(STEPS,), seed=seed, dtype="float32")


def schedule(total: int) -> pn.CosineDecay:
    return pn.CosineDecay(LR, total, warmup=min(WARMUP, total // 10), final_lr=LR / 10)


def torch_twin(net: pn.Sequential):
    """The PyTorch model of the same architecture, with ``net``'s weights."""
    import torch
    from torch import nn

    class Twin(nn.Module):
        def __init__(self, vocab: int) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocab, DIM)
            self.positions = nn.Parameter(torch.zeros(STEPS, DIM))
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
            self.head = nn.Linear(DIM, vocab)
            mask = torch.triu(torch.ones(STEPS, STEPS, dtype=torch.bool), diagonal=1)
            self.register_buffer("mask", mask)

        def forward(self, ids):
            h = self.embedding(ids) + self.positions
            for block in self.blocks:
                h = block(h, src_mask=self.mask, is_causal=True)
            return self.head(self.norm(h))

    twin = Twin(net.layers[0].vocab_size)
    copy_weights(net, twin)
    return twin


def copy_weights(net: pn.Sequential, twin) -> None:
    """plainnet's weights into the twin (``Dense``'s ``W`` transposed)."""
    import torch

    def put(target, value) -> None:
        with torch.no_grad():
            target.copy_(torch.from_numpy(np.ascontiguousarray(value)))

    embedding, positions, *blocks, norm, head = net.layers
    put(twin.embedding.weight, embedding.params["W"])
    put(twin.positions, positions.params["W"])
    for block, (attention, feed_forward) in zip(
        twin.blocks, zip(blocks[::2], blocks[1::2], strict=True), strict=True
    ):
        norm1, mha = attention.layers
        norm2, linear1, _, linear2 = feed_forward.layers
        for ours, theirs in ((norm1, block.norm1), (norm2, block.norm2)):
            put(theirs.weight, ours.params["gamma"])
            put(theirs.bias, ours.params["beta"])
        put(block.self_attn.in_proj_weight, mha.params["in_proj_weight"])
        put(block.self_attn.in_proj_bias, mha.params["in_proj_bias"])
        put(block.self_attn.out_proj.weight, mha.params["out_proj_weight"])
        put(block.self_attn.out_proj.bias, mha.params["out_proj_bias"])
        for ours, theirs in ((linear1, block.linear1), (linear2, block.linear2)):
            put(theirs.weight, ours.params["W"].T)
            put(theirs.bias, ours.params["b"])
    put(twin.norm.weight, norm.params["gamma"])
    put(twin.norm.bias, norm.params["beta"])
    put(twin.head.weight, head.params["W"].T)
    put(twin.head.bias, head.params["b"])


class TorchTrainer:
    """The twin's training loop: Adam with plainnet's schedule's rate set
    before every step, cross-entropy over every position."""

    def __init__(self, twin, total: int) -> None:
        import torch

        self.torch, self.twin = torch, twin
        self.optimizer = torch.optim.Adam(twin.parameters(), lr=LR)
        self.schedule, self.step_count = schedule(total), 0

    def train(self, X: np.ndarray, y: np.ndarray) -> None:
        torch, vocab = self.torch, self.twin.head.out_features
        for start in range(0, len(X), BATCH):
            ids = torch.from_numpy(X[start : start + BATCH])
            target = torch.from_numpy(y[start : start + BATCH]).reshape(-1)
            for group in self.optimizer.param_groups:
                group["lr"] = self.schedule.rate(self.step_count)
            self.optimizer.zero_grad()
            logits = self.twin(ids).reshape(-1, vocab)
            torch.nn.functional.cross_entropy(logits, target).backward()
            self.optimizer.step()
            self.step_count += 1

    def bits(self, X: np.ndarray, y: np.ndarray) -> float:
        torch, vocab = self.torch, self.twin.head.out_features
        with torch.no_grad():
            logits = self.twin(torch.from_numpy(np.array(X))).reshape(-1, vocab)
            target = torch.from_numpy(np.array(y)).reshape(-1)
            loss = torch.nn.functional.cross_entropy(logits, target)
        return text.bits_per_character(loss.item())


def plainnet_trainer(net: pn.Sequential, total: int):
    """``train(X, y)``: ``fit`` one pass in order, the optimizer (and its
    schedule's step count) carried on from call to call."""
    optimizer = pn.Adam(lr=schedule(total))

    def train(X: np.ndarray, y: np.ndarray) -> None:
        net.fit(
            X, y, loss="cross_entropy", optimizer=optimizer, epochs=1,
            batch_size=BATCH, shuffle=False,
        )  # fmt: skip

    return train


def plainnet_bits(net: pn.Sequential, X: np.ndarray, y: np.ndarray) -> float:
    return text.bits_per_character(pn.CrossEntropy().value(net.predict(X), y))


# -- the measurements ------------------------------------------------------------
def transformer_quality(n_steps: int) -> dict:
    """Both trained for ``n_steps`` updates on the same batches: validation
    bits per character and plainnet's relative difference."""
    data = transformer_data()
    net = plainnet_model(len(data["tokenizer"]))
    trainer = TorchTrainer(torch_twin(net), n_steps)
    train = plainnet_trainer(net, n_steps)
    X, y = batches_for(data, n_steps)
    start = time.perf_counter()
    train(X, y)
    ours_seconds = time.perf_counter() - start
    start = time.perf_counter()
    trainer.train(X, y)
    theirs_seconds = time.perf_counter() - start
    ours = plainnet_bits(net, data["X_val"], data["y_val"])
    theirs = trainer.bits(data["X_val"], data["y_val"])
    return {
        "steps": n_steps,
        "plainnet_bits": ours,
        "pytorch_bits": theirs,
        "relative_difference": (ours - theirs) / theirs,
        "plainnet_seconds": ours_seconds,
        "pytorch_seconds": theirs_seconds,
    }


def transformer_timing(rounds: int, round_steps: int) -> dict:
    """Seconds per training step of each, in interleaved rounds, and the ratio
    of each round."""
    data = transformer_data(seed=1)
    total = (rounds + 1) * round_steps
    net = plainnet_model(len(data["tokenizer"]))
    trainer = TorchTrainer(torch_twin(net), total)
    train = plainnet_trainer(net, total)
    X, y = batches_for(data, total)
    chunks = [
        (X[i : i + round_steps * BATCH], y[i : i + round_steps * BATCH])
        for i in range(0, len(X), round_steps * BATCH)
    ]
    train(*chunks[0])  # warm up both: buffers, compiled kernels, allocator
    trainer.train(*chunks[0])
    ours, theirs = [], []
    for chunk in chunks[1:]:
        for runner, times in ((train, ours), (trainer.train, theirs)):
            start = time.perf_counter()
            runner(*chunk)
            times.append((time.perf_counter() - start) / round_steps)
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    return {"plainnet": ours, "pytorch": theirs, "ratio": ratios}


def transformer_breakdown(batches: int = 5) -> list[tuple[str, float, float]]:
    """Milliseconds per batch of each layer's forward and backward (the layers
    inside a residual block too, and the block's own total), outside ``fit``."""
    data = transformer_data()
    net = plainnet_model(len(data["tokenizer"]))
    X, y = batches_for(data, batches)
    loss = pn.CrossEntropy()
    times: dict[str, list[float]] = {}
    for layer_path, layer in walk(net.layers):
        _time_methods(layer, layer_path, times)
    with np.errstate(under="ignore"):
        for start in range(0, len(X), BATCH):
            batch = net.check_input(X[start : start + BATCH])
            output = net.forward(batch, training=True)
            _, grad = loss.value_and_gradient(output, y[start : start + BATCH])
            net.backward(grad)
    rows = []
    for layer_path, layer in walk(net.layers):
        name = f"{layer_path} {type(layer).__name__}"
        forward = 1000 * sum(times[f"{layer_path}.forward"]) / batches
        backward = 1000 * sum(times[f"{layer_path}.backward"]) / batches
        rows.append((name, forward, backward))
    return rows


def _time_methods(layer, layer_path: str, times: dict) -> None:
    """Wrap the layer's ``forward`` and ``backward`` to add up their times."""
    for method in ("forward", "backward"):
        inner = getattr(layer, method)
        key = f"{layer_path}.{method}"
        times[key] = []

        def timed(*args, _inner=inner, _key=key, **kwargs):
            start = time.perf_counter()
            result = _inner(*args, **kwargs)
            times[_key].append(time.perf_counter() - start)
            return result

        setattr(layer, method, timed)


# -- the report --------------------------------------------------------------------
def _spread(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return (
        f"{mid * scale:.{digits}f} ({low * scale:.{digits}f}-{high * scale:.{digits}f})"
    )


def report_transformer(quality: dict | None, timing: dict | None, breakdown) -> None:
    print(
        f"Transformer: {BLOCKS} blocks, dim {DIM}, {HEADS} heads, hidden {HIDDEN}, "
        f"{STEPS} steps, batch {BATCH}, float32"
    )
    if quality is not None:
        verdict = "OK" if abs(quality["relative_difference"]) <= TARGET_BITS else "MISS"
        print(
            f"  validation after {quality['steps']} steps: plainnet "
            f"{quality['plainnet_bits']:.4f} bits/char, PyTorch "
            f"{quality['pytorch_bits']:.4f}: {quality['relative_difference']:+.2%} "
            f"[{verdict}: within {TARGET_BITS:.0%}]"
        )
    if timing is not None:
        ratio = statistics.median(timing["ratio"])
        verdict = "OK" if ratio <= TARGET_RATIO else "MISS"
        print(
            f"  ms per step, median (range) of {len(timing['ratio'])} rounds: "
            f"plainnet {_spread(timing['plainnet'], 1000)}, PyTorch "
            f"{_spread(timing['pytorch'], 1000)}"
        )
        print(
            f"  plainnet / PyTorch: {_spread(timing['ratio'], digits=2)}x "
            f"[{verdict}: at most {TARGET_RATIO}x]"
        )
    if breakdown:
        print(f"  {'layer':<24}{'forward ms':>11}{'backward ms':>12}")
        for name, forward, backward in breakdown:
            print(f"  {name:<24}{forward:>11.2f}{backward:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transformer", action="store_true", help="this section")
    parser.add_argument("--steps", type=int, default=1200, help="quality run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--round-steps", type=int, default=20)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a smoke test")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import torch
    from threadpoolctl import threadpool_info

    threads = max(
        (
            info["num_threads"]
            for info in threadpool_info()
            if info["user_api"] == "blas"
        ),
        default=1,
    )
    torch.set_num_threads(threads)
    print(f"PyTorch {torch.__version__} with {threads} threads (NumPy's BLAS threads)")
    if args.quick:
        args.steps, args.rounds, args.round_steps = 20, 2, 3
    quality = None if args.no_quality else transformer_quality(args.steps)
    timing = transformer_timing(args.rounds, args.round_steps)
    breakdown = transformer_breakdown() if args.breakdown else None
    report_transformer(quality, timing, breakdown)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"transformer": {"quality": quality, "timing": timing}}, indent=1
            )
        )


if __name__ == "__main__":
    main()
