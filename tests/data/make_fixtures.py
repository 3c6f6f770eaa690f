"""Write the model-file fixtures of ``tests/test_model_file_fixtures.py``.

The ``.npz`` files beside this script were written by plainnet 0.1.0 in model
file format 1, together with ``expected.npz`` (each model's inputs and its exact
predictions at save time) and ``expected.json`` (the CLI model's metadata). They
pin that format: every later plainnet must keep reading them and predicting
bit-identically. Do not rerun this script after changing the format (that would
overwrite the record of the old one); add new fixtures for a new format instead.

Run from the repository's root, with plainnet importable::

    PYTHONPATH=src python tests/data/make_fixtures.py
"""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import plainnet as pn
from plainnet.classic import seed_training_set
from plainnet.model_files import read_model_file

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(7)
X = RNG.standard_normal((24, 2))
Y = (X[:, 0] * X[:, 1] > 0).astype(int)


def sequential(dtype: str) -> pn.Sequential:
    """A small classifier network, trained a few epochs with Adam and validation."""
    net = pn.Sequential(
        [pn.Dense(2, 6), pn.Tanh(), pn.Dense(6, 2)], seed=5, dtype=dtype
    )
    net.fit(
        X,
        Y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.05),
        epochs=4,
        batch_size=8,
        validation_data=(X[:6], Y[:6]),
    )
    return net


def write_sequentials(expected: dict) -> None:
    for dtype in ("float64", "float32"):
        name = f"sequential_{dtype}"
        net = sequential(dtype)
        net.save(HERE / f"{name}.npz", metadata={"task": "classify", "classes": [0, 1]})
        expected[f"{name}.X"] = X
        expected[f"{name}.predict"] = net.predict(X)
        expected[f"{name}.predict_proba"] = net.predict_proba(X)
        # Resuming must continue the saved optimizer and generator states.
        net.fit(X, Y, epochs=1, batch_size=8)
        expected[f"{name}.resumed"] = net.predict(X)


def write_neural_networks(expected: dict) -> None:
    inputs, outputs = seed_training_set()
    # Short runs: the file keeps the cost of every iteration in its history.
    seed = pn.NeuralNetwork([3, 1])
    seed.train(inputs, outputs, iterations=150)
    xor = pn.NeuralNetwork([2, 4, 1], seed=2)
    xor.train([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], iterations=100)
    for name, model, situations in (
        ("neural_network_3_1", seed, np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0]])),
        ("neural_network_2_4_1", xor, np.array([[0, 0], [0, 1], [1, 0], [1, 1]])),
    ):
        model.save(HERE / f"{name}.npz")
        expected[f"{name}.X"] = situations
        expected[f"{name}.think"] = model.think(situations)


def write_estimators(expected: dict) -> None:
    level = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    labels = np.array(["cat", "dog", "emu"])[level]
    settings = {"hidden_layer_sizes": (5,), "batch_size": 8, "max_epochs": 3}
    classifier = pn.NeuralNetClassifier(random_state=0, **settings).fit(X, labels)
    regressor = pn.NeuralNetRegressor(random_state=0, **settings).fit(X, X.sum(1))
    for name, model in (("classifier", classifier), ("regressor", regressor)):
        model.save(HERE / f"{name}.npz")
        expected[f"{name}.X"] = X
        expected[f"{name}.predict"] = model.predict(X)
    expected["classifier.predict_proba"] = classifier.predict_proba(X)


def write_cli_model(expected: dict) -> dict:
    """Train with ``plainnet train`` and record what the CLI's reader sees."""
    path = HERE / "cli_moons.npz"
    subprocess.run(
        [sys.executable, "-m", "plainnet", "train", "--dataset", "moons",
         "--hidden", "6", "--epochs", "3", "--seed", "1", "--quiet",
         "--out", str(path)],
        check=True,
    )  # fmt: skip
    contents = read_model_file(path)
    expected["cli_moons.X"] = X
    expected["cli_moons.predict"] = contents.network.predict(X)
    return {"cli_moons": {"kind": contents.kind, "metadata": contents.metadata}}


def main() -> None:
    warnings.simplefilter("ignore", ConvergenceWarning)  # the fits are short
    expected: dict[str, np.ndarray] = {}
    write_sequentials(expected)
    write_neural_networks(expected)
    write_estimators(expected)
    described = write_cli_model(expected)
    np.savez(HERE / "expected.npz", **expected)
    text = json.dumps(described, indent=1, sort_keys=True)
    (HERE / "expected.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
