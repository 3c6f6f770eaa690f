"""A small residual CNN on scikit-learn's 8x8 digits.

    python examples/residual_cnn_digits.py [--epochs 15] [--seed 0]

Two residual blocks, each ``x + BN(conv(ReLU(BN(conv(x)))))`` as in He et al.
(2016), between a first convolution and a linear classifier. ``summary()``
shows the layers inside each block indented under it; their weights live in
the network's one flat buffer like any other layer's (``layers.2.0.W``), so
training, saving and exporting need nothing special. Prints the summary, the
test accuracy and the fit time. Needs scikit-learn (pip install ".[sklearn]"
from a checkout).
"""

import argparse
import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import plainnet as pn
from plainnet import metrics


def block(channels: int) -> pn.Residual:
    """``x + f(x)``: two 3x3 convolutions that keep the shape."""
    return pn.Residual(
        [
            pn.Conv2D(channels, channels, 3, padding=1), pn.BatchNorm(), pn.ReLU(),
            pn.Conv2D(channels, channels, 3, padding=1), pn.BatchNorm(),
        ]
    )  # fmt: skip


def residual_cnn(seed: int) -> pn.Sequential:
    layers = [
        pn.Conv2D(1, 16, 3, padding=1), pn.BatchNorm(), pn.ReLU(),
        block(16), pn.ReLU(), pn.MaxPool2D(2),  # 16 x 4 x 4
        block(16), pn.ReLU(), pn.MaxPool2D(2),  # 16 x 2 x 2
        pn.Flatten(), pn.Dense(10),
    ]  # fmt: skip
    return pn.Sequential(layers, seed=seed, input_shape=(1, 8, 8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X.reshape(-1, 1, 8, 8) / 16, y, test_size=0.25, random_state=0, stratify=y
    )
    net = residual_cnn(args.seed)
    print(net.summary())
    start = time.perf_counter()
    net.fit(
        X_train,
        y_train,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=3e-3),
        epochs=args.epochs,
        batch_size=32,
    )
    seconds = time.perf_counter() - start
    accuracy = metrics.accuracy(y_test, net.predict(X_test).argmax(axis=1))
    print(f"test accuracy {accuracy:.4f} after {args.epochs} epochs ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
