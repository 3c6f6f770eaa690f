"""An MLP, a 1-D CNN and a GRU on the same shifted waveforms.

    python examples/gru_sequences.py [--samples 3000] [--seeds 3]

The task of ``examples/cnn_sequences.py``: four classes of waveform (sine,
square, sawtooth, triangle) at a random period, phase (a shift in time),
amplitude and offset, plus noise; 64 time steps. The MLP sees 64 unrelated
numbers; the CNN's filters slide along the sequence; the GRU reads it one step
at a time, ``(n, 64, 1)``, carrying 32 numbers from each step to the next, and
the class is read from its last state. Neither of the last two cares where a
shape occurred. Prints each model's test accuracy and fit time per seed, then
their means. Needs scikit-learn (pip install ".[sklearn]" from a checkout).
"""

import argparse
import time
import warnings

import numpy as np
from cnn_sequences import LENGTH, models, waveforms
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

import plainnet as pn


def all_models(seed: int) -> dict[str, pn.NeuralNetClassifier]:
    """cnn_sequences.py's MLP and CNN, and a GRU with the same training."""
    gru = pn.NeuralNetClassifier(
        layers=[pn.GRU(32)], input_shape=(LENGTH, 1), learning_rate=3e-3,
        batch_size=64, random_state=seed, early_stopping=True, max_epochs=200,
    )  # fmt: skip
    return {**models(seed), "GRU(32)": gru}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    X, y = waveforms(args.samples, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    results: dict[str, list[tuple[float, float]]] = {}
    for seed in range(args.seeds):
        for name, model in all_models(seed).items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            accuracy = model.score(X_test, y_test)
            results.setdefault(name, []).append((accuracy, seconds))
            print(
                f"seed {seed}  {name:13s} accuracy {accuracy:.4f}  "
                f"fit {seconds:.2f} s  ({model.n_iter_} epochs)"
            )
    print("\nmean over seeds:")
    for name, runs in results.items():
        accuracy, seconds = np.mean(runs, axis=0)
        print(f"  {name:13s} accuracy {accuracy:.4f}  fit {seconds:.2f} s")


if __name__ == "__main__":
    main()
