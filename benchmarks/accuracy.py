"""Accuracy and wall time of plainnet's scikit-learn estimators beside their peers.

    python benchmarks/accuracy.py [--seeds 3] [--threads N] [--json PATH]

Classification: scikit-learn's bundled digits (1,797 8x8 images), features / 16,
a 25% stratified test split (random_state=0), hidden layers (100, 100) with ReLU,
Adam(lr=1e-3), batches of 200, at most 200 epochs, L2 alpha=1e-4.

Regression: scikit-learn's diabetes (442 samples, 10 features), standardised
with a StandardScaler fitted on the training part, a 25% test split
(random_state=0), otherwise the same settings; scored by R^2.

Peers, each a fresh model per seed (0, 1, 2, ...), timed per ``fit``:

* plainnet ``NeuralNetClassifier`` / ``NeuralNetRegressor`` (defaults but for
  the hidden layers), float32;
* scikit-learn ``MLPClassifier`` / ``MLPRegressor`` (defaults but for the hidden
  layers), float64 as it computes in the input's dtype;
* PyTorch, if installed (``pip install torch==2.13.0``): the same network in
  float32, ``torch.optim.Adam`` with ``weight_decay=alpha / batch_size`` (the
  same L2 gradient), shuffled batches, 200 epochs.

plainnet and scikit-learn stop early when the training loss (with the L2
term) has not improved by tol=1e-4 for 10 epochs (their default); the epochs
column shows how many they ran. The peers run in turn for each seed so that
they share the machine's load. ``--threads N`` caps every peer's BLAS/OpenMP
threads (threadpoolctl) and PyTorch's at N: on a busy machine, threads that
wait for a core make these small matrix products many times slower.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
from _timing import blas_info
from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from plainnet import NeuralNetClassifier, NeuralNetRegressor

HIDDEN = (100, 100)
EPOCHS = 200
BATCH = 200
ALPHA = 1e-4

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
# a peer: (training data, seed) -> (predict function, epochs run)
Peer = Callable[[Split, int], tuple[Callable[[np.ndarray], np.ndarray], int]]


def digits() -> Split:
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, stratify=y, random_state=0)


def diabetes() -> Split:
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def sklearn_style(make: Callable[[int], object]) -> Peer:
    """A peer from an estimator factory ``make(seed)``."""

    def fit(split: Split, seed: int):
        model = make(seed).fit(split[0], split[2])
        return model.predict, model.n_iter_

    return fit


def torch_peer(classify: bool) -> Peer | None:
    """PyTorch: nn.Sequential trained by a plain loop, or None if not installed."""
    try:
        import torch
        from torch import nn
    except ImportError:
        return None

    def fit(split: Split, seed: int):
        X_train, _, y_train, _ = split
        torch.manual_seed(seed)
        X = torch.from_numpy(X_train.astype(np.float32))
        if classify:
            y = torch.from_numpy(y_train.astype(np.int64))
            n_out, loss_fn = int(y.max()) + 1, nn.CrossEntropyLoss()
        else:
            y = torch.from_numpy(y_train.astype(np.float32).reshape(-1, 1))
            n_out, loss_fn = 1, nn.MSELoss()
        sizes = [X.shape[1], *HIDDEN]
        layers: list[nn.Module] = []
        for n_in, width in pairwise(sizes):
            layers += [nn.Linear(n_in, width), nn.ReLU()]
        model = nn.Sequential(*layers, nn.Linear(sizes[-1], n_out))
        optimizer = torch.optim.Adam(
            model.parameters(), lr=1e-3, weight_decay=ALPHA / BATCH
        )
        for _ in range(EPOCHS):
            for index in torch.randperm(len(X)).split(BATCH):
                optimizer.zero_grad()
                loss_fn(model(X[index]), y[index]).backward()
                optimizer.step()

        def predict(X_new: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                out = model(torch.from_numpy(X_new.astype(np.float32))).numpy()
            return out.argmax(axis=1) if classify else out.ravel()

        return predict, EPOCHS

    return fit


def run(name: str, split: Split, peers: dict[str, Peer], score, seeds: int) -> dict:
    """Fit every peer once per seed, in turn; mean score and mean time per fit."""
    results = {peer: {"scores": [], "seconds": [], "epochs": []} for peer in peers}
    for seed in range(seeds):
        for peer, fit in peers.items():
            start = time.perf_counter()
            predict, epochs = fit(split, seed)
            results[peer]["seconds"].append(time.perf_counter() - start)
            results[peer]["scores"].append(float(score(split[3], predict(split[1]))))
            results[peer]["epochs"].append(int(epochs))
    print(f"\n{name}: mean of {seeds} seeds")
    print(f"{'peer':<32}{'score':>8}{'s / fit':>10}  epochs")
    for peer, result in results.items():
        mean = float(np.mean(result["scores"]))
        seconds = float(np.mean(result["seconds"]))
        epochs = "/".join(str(e) for e in result["epochs"])
        print(f"{peer:<32}{mean:>8.4f}{seconds:>10.2f}  {epochs}")
        result.update(mean_score=mean, mean_seconds=seconds)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, help="cap every peer's threads")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)

    classifiers: dict[str, Peer] = {
        "plainnet NeuralNetClassifier": sklearn_style(
            lambda s: NeuralNetClassifier(HIDDEN, random_state=s)
        ),
        "scikit-learn MLPClassifier": sklearn_style(
            lambda s: MLPClassifier(HIDDEN, max_iter=EPOCHS, random_state=s)
        ),
    }
    regressors: dict[str, Peer] = {
        "plainnet NeuralNetRegressor": sklearn_style(
            lambda s: NeuralNetRegressor(HIDDEN, random_state=s)
        ),
        "scikit-learn MLPRegressor": sklearn_style(
            lambda s: MLPRegressor(
                hidden_layer_sizes=HIDDEN, max_iter=EPOCHS, random_state=s
            )
        ),
    }
    for peers, classify in ((classifiers, True), (regressors, False)):
        torch = torch_peer(classify)
        if torch is None:
            print("PyTorch is not installed: skipped (pip install torch==2.13.0)")
        else:
            peers["PyTorch (plain loop)"] = torch

    if args.threads and "PyTorch (plain loop)" in classifiers:
        import torch

        torch.set_num_threads(args.threads)
    with threadpool_limits(args.threads):
        print(f"BLAS: {blas_info()}; load average {os.getloadavg()[0]:.2f}")
        results = {
            "digits accuracy": run(
                "digits, accuracy", digits(), classifiers, accuracy_score, args.seeds
            ),
            "diabetes R^2": run(
                "diabetes, R^2", diabetes(), regressors, r2_score, args.seeds
            ),
        }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
