"""The seed's 15,000 full-batch iterations: plainnet against a hand-written loop.

    python benchmarks/seed_loop.py [--repeat 7] [--iterations 15000]

Both run in this process, in ``--repeat`` interleaved rounds; the figures that
matter are the ratios, best against best and the median of each round's ratio
(the machine is shared and noisy, so an absolute time means little).
PyTorch is timed too when it is installed. Target: plainnet <= 1.8x the hand loop.
"""

import argparse
import time
from collections.abc import Callable

import numpy as np
from _timing import interleaved

import plainnet as pn
from plainnet.classic import seed_training_set


def hand_written(iterations: int) -> np.ndarray:
    """The seed's algorithm, straight NumPy."""
    inputs, outputs = seed_training_set()
    inputs = inputs.astype(float)
    np.random.seed(1)
    weights = 2 * np.random.random((3, 1)) - 1
    for _ in range(iterations):
        output = 1 / (1 + np.exp(-(inputs @ weights)))
        weights += inputs.T @ ((outputs - output) * output * (1 - output))
    return weights


def with_plainnet(iterations: int) -> np.ndarray:
    inputs, outputs = seed_training_set()
    network = pn.NeuralNetwork([3, 1])
    network.train(inputs, outputs, iterations=iterations)
    return network.synaptic_weights


def with_torch(iterations: int):
    import torch

    torch.set_num_threads(1)
    inputs, outputs = (
        torch.tensor(a, dtype=torch.float64) for a in seed_training_set()
    )
    np.random.seed(1)
    weights = torch.tensor(2 * np.random.random((3, 1)) - 1, requires_grad=True)
    optimizer = torch.optim.SGD([weights], lr=1.0)
    for _ in range(iterations):
        optimizer.zero_grad()
        output = torch.sigmoid(inputs @ weights)
        (0.5 * ((outputs - output) ** 2).sum()).backward()
        optimizer.step()
    return weights.detach().numpy()


def timed(run: Callable[[int], object], iterations: int) -> Callable[[], float]:
    """A timing function for ``interleaved``: one run's time in seconds."""

    def once() -> float:
        start = time.perf_counter()
        run(iterations)
        return time.perf_counter() - start

    return once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=15000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    np.testing.assert_allclose(
        with_plainnet(args.iterations), hand_written(args.iterations), atol=1e-8
    )
    runs = {
        "hand-written NumPy loop": hand_written,
        "plainnet NeuralNetwork.train": with_plainnet,
    }
    try:
        import torch  # noqa: F401

        runs["PyTorch (autograd + optim.SGD)"] = with_torch
    except ImportError:
        print("PyTorch is not installed: skipped (pip install torch==2.13.0)")
    print(f"{args.iterations} iterations, best of {args.repeat} interleaved rounds")
    fns = {name: timed(run, args.iterations) for name, run in runs.items()}
    times, errors = interleaved(fns, args.repeat)
    baseline = times["hand-written NumPy loop"]
    print(f"{'':32s} {'best':>10}   {'x hand':>6}   {'median of per-round ratios':>26}")
    for name, ts in times.items():
        ratios = sorted(t / b for t, b in zip(ts, baseline, strict=True))
        print(
            f"{name:32s} {min(ts) * 1e3:8.1f} ms   {min(ts) / min(baseline):5.2f}x"
            f"   {ratios[len(ratios) // 2]:5.2f}x"
        )
    for name, error in errors.items():
        print(f"{name}: failed: {error}")
    spread = max(baseline) / min(baseline)
    if spread > 1.2:
        print(f"NOISY: the hand-written loop varied {spread:.2f}x across rounds")


if __name__ == "__main__":
    main()
