"""How many iterations each solver needs on small problems: the seed's table,
XOR and the built-in data sets, full batch.

    python benchmarks/solvers.py [--target 0.05] [--max-iterations 3000]

Each solver trains the same seeded network from the same initial weights on
the whole data set (one iteration = one update for the first-order solvers,
one L-BFGS iteration, which may evaluate the cost several times, for LBFGS)
until the training cost (binary cross-entropy) falls below ``--target``. The
table gives the iterations needed ("-0.12": never, within ``--max-iterations``
or before L-BFGS's own convergence tests stopped it, with the cost reached),
L-BFGS's cost evaluations in brackets, and the final
training accuracy. Learning rates are each solver's usual full-batch choice,
not tuned per data set.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import plainnet as pn
from plainnet.datasets import make_dataset

SOLVERS = {
    "sgd": lambda: pn.SGD(lr=0.5, momentum=0.9),
    "adam": lambda: pn.Adam(lr=0.05),
    "rmsprop": lambda: pn.RMSprop(lr=0.01),
    "adagrad": lambda: pn.Adagrad(lr=0.5),
    "lbfgs": lambda: pn.LBFGS(),
}


def problems() -> dict[str, tuple[np.ndarray, np.ndarray, list[int]]]:
    """Data and layer sizes: the seed's single neuron, XOR's four points with a
    hidden layer, and the 200-point built-in data sets with two."""
    out = {"seed": (*make_dataset("seed"), [3, 1])}
    out["xor (4 points)"] = (*make_dataset("xor", 4), [2, 8, 1])
    for name in ("xor", "moons", "circles", "spirals"):
        out[name] = (*make_dataset(name, 200), [2, 16, 16, 1])
    return out


def network(sizes: list[int]) -> pn.Sequential:
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [pn.Dense(n_in, n_out), pn.Tanh()]
    return pn.Sequential(layers[:-1], seed=0)


def run(X, y, sizes, solver: str, target: float, most: int) -> dict:
    net = network(sizes)
    optimizer = SOLVERS[solver]()
    start = time.perf_counter()
    net.fit(
        X,
        y.reshape(-1, 1).astype(float),
        loss="binary_cross_entropy",
        optimizer=optimizer,
        epochs=most,
        batch_size=None,
        callbacks=[lambda epoch, logs: logs["loss"] < target],
    )
    seconds = time.perf_counter() - start
    loss = net.history.loss
    reached = bool(loss) and loss[-1] < target
    accuracy = float(((net.predict(X).ravel() > 0) == (y > 0)).mean())
    evaluations = optimizer.state.get("evaluations")
    return {
        "iterations": len(loss) if reached else None,
        "evaluations": evaluations,
        "final_loss": loss[-1] if loss else None,
        "accuracy": accuracy,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.05)
    parser.add_argument("--max-iterations", type=int, default=3000)
    args = parser.parse_args()
    try:
        import scipy  # noqa: F401
    except ImportError:
        print("LBFGS skipped: SciPy is not installed (pip install '.[lbfgs]')")
        SOLVERS.pop("lbfgs")
    print(
        f"iterations to a training cost below {args.target} (full batch; at most "
        f"{args.max_iterations}; [cost evaluations]; final accuracy)"
    )
    print(f"{'data':<16}" + "".join(f"{s:>20}" for s in SOLVERS))
    for name, (X, y, sizes) in problems().items():
        cells = []
        for solver in SOLVERS:
            r = run(X, y, sizes, solver, args.target, args.max_iterations)
            its = str(r["iterations"])
            if r["iterations"] is None:  # stopped or ran out: say where it got
                its = f"-{r['final_loss']:.2g}"
            if r["evaluations"] is not None:
                its += f" [{r['evaluations']}]"
            cells.append(f"{its} ({r['accuracy']:.0%})")
        print(f"{name:<16}" + "".join(f"{c:>20}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
