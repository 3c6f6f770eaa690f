"""A small CNN against an MLP on scikit-learn's 8x8 digits, on the same split.

    python examples/cnn_digits.py [--seeds 3]

Both are NeuralNetClassifier: the MLP from hidden_layer_sizes, the CNN from a
list of layers with input_shape=(1, 8, 8), so that each flat row of 64 pixels
is seen as a one-channel image. Prints test accuracy and fit time per seed.
Needs scikit-learn (pip install ".[sklearn]" from a checkout).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

import plainnet as pn


def models(seed: int) -> dict[str, pn.NeuralNetClassifier]:
    common = {"random_state": seed, "early_stopping": True, "max_epochs": 200}
    cnn_layers = [
        pn.Conv2D(1, 16, 3, padding=1), pn.ReLU(), pn.MaxPool2D(2),
        pn.Conv2D(16, 32, 3, padding=1), pn.ReLU(), pn.MaxPool2D(2),
        pn.Flatten(), pn.Dense(64), pn.ReLU(),
    ]
    return {
        "MLP (100,)": pn.NeuralNetClassifier((100,), learning_rate=1e-3, **common),
        "CNN": pn.NeuralNetClassifier(
            layers=cnn_layers, input_shape=(1, 8, 8), learning_rate=3e-3,
            batch_size=32, **common,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, test_size=0.25, random_state=0, stratify=y
    )
    results: dict[str, list[tuple[float, float]]] = {}
    for seed in range(args.seeds):
        for name, model in models(seed).items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            accuracy = model.score(X_test, y_test)
            results.setdefault(name, []).append((accuracy, seconds))
            print(
                f"seed {seed}  {name:11s} accuracy {accuracy:.4f}  "
                f"fit {seconds:.2f} s"
            )
    print("\nmean over seeds:")
    for name, runs in results.items():
        accuracy, seconds = np.mean(runs, axis=0)
        print(f"  {name:11s} accuracy {accuracy:.4f}  fit {seconds:.2f} s")


if __name__ == "__main__":
    main()
