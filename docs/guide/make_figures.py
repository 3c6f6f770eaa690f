"""Draw every figure of the guide (docs/guide/figures/*.png).

    python docs/guide/make_figures.py            # all figures, into docs/guide/figures
    python docs/guide/make_figures.py --quick    # fewer iterations: a smoke test
    python docs/guide/make_figures.py --out DIR  # somewhere else

The tests run ``--quick --out TMP``, so a change to plainnet that breaks a
figure breaks the tests. Needs matplotlib and scikit-learn.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import plainnet as pn
from plainnet.plot import plot_neuron

HERE = Path(__file__).resolve().parent


def figure(width: float, height: float) -> Figure:
    """A figure on matplotlib's Agg canvas (no window, no pyplot)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, out: Path, name: str) -> None:
    fig.savefig(out / name, dpi=80)
    print(f"wrote {out / name}")


# -- chapter 1 -------------------------------------------------------------------
def chapter1(out: Path, quick: bool) -> None:
    plot_neuron(out / "01-neuron.png", 1500 if quick else 15000)
    print(f"wrote {out / '01-neuron.png'}")


# -- chapter 2 -------------------------------------------------------------------
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


def xor_snapshots(sizes, moments):
    """The network's output over the plane after each number of iterations."""
    net = pn.NeuralNetwork(sizes, seed=0, bias=True)
    grid = np.linspace(-0.5, 1.5, 81)
    plane = np.array([[x, y] for y in grid for x in grid])
    done, pictures = 0, []
    for moment in moments:
        if moment > done:
            net.train(XOR_X, XOR_Y, iterations=moment - done)
            done = moment
        pictures.append(net.think(plane).reshape(len(grid), len(grid)))
    return pictures


def chapter2(out: Path, quick: bool) -> None:
    moments = (0, 10, 100, 500) if quick else (0, 100, 1000, 10000)
    rows = {
        "one neuron [2, 1]": xor_snapshots([2, 1], moments),
        "hidden layer [2, 4, 1]": xor_snapshots([2, 4, 1], moments),
    }
    fig = figure(9, 4.6)
    axes = fig.subplots(2, len(moments), sharex=True, sharey=True)
    for row, (label, pictures) in zip(axes, rows.items(), strict=True):
        for ax, moment, picture in zip(row, moments, pictures, strict=True):
            image = ax.imshow(
                picture,
                origin="lower",
                extent=(-0.5, 1.5, -0.5, 1.5),
                vmin=0,
                vmax=1,
                cmap="coolwarm",
            )
            ax.contour(
                np.linspace(-0.5, 1.5, 81),
                np.linspace(-0.5, 1.5, 81),
                picture,
                levels=[0.5],
                colors="k",
                linewidths=1,
            )
            ax.scatter(
                XOR_X[:, 0],
                XOR_X[:, 1],
                c=XOR_Y,
                cmap="coolwarm",
                edgecolors="k",
                s=60,
                vmin=0,
                vmax=1,
            )
            ax.set_title(f"{label}\nafter {moment} iterations", fontsize=9)
        row[0].set_ylabel("input 2")
    for ax in axes[-1]:
        ax.set_xlabel("input 1")
    fig.colorbar(image, ax=axes, shrink=0.8, label="output")
    save(fig, out, "02-xor.png")


# -- chapter 4 -------------------------------------------------------------------
def digits_run(quick: bool):
    """The chapter's digits network, trained as the chapter trains it."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, test_size=0.25, stratify=y, random_state=0
    )
    X_fit, X_val, y_fit, y_val = train_test_split(
        X_train, y_train, test_size=0.2, stratify=y_train, random_state=0
    )
    net = pn.Sequential([pn.Dense(64, 64), pn.ReLU(), pn.Dense(64, 10)], seed=0)
    accuracy = []
    net.fit(
        X_fit,
        y_fit,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=1e-3),
        epochs=20 if quick else 200,
        batch_size=32,
        validation_data=(X_val, y_val),
        early_stopping=pn.EarlyStopping(patience=10),
        callbacks=[
            lambda epoch, logs: accuracy.append(
                (net.predict(X_val).argmax(axis=1) == y_val).mean()
            )
        ],
    )
    return net, accuracy, (X_test, y_test)


def chapter4(out: Path, quick: bool) -> None:
    from plainnet.metrics import confusion_matrix

    net, accuracy, (X_test, y_test) = digits_run(quick)
    history = net.history
    fig = figure(8, 3)
    left, right = fig.subplots(1, 2)
    epochs = np.arange(1, len(history.loss) + 1)
    left.plot(epochs, history.loss, label="training")
    left.plot(epochs, history.val_loss, label="validation")
    left.set(
        xlabel="epoch", ylabel="cross-entropy", yscale="log", title="learning curves"
    )
    left.legend()
    right.plot(epochs, accuracy)
    right.set(xlabel="epoch", ylabel="validation accuracy", title="accuracy")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    save(fig, out, "04-curves.png")

    predicted = net.predict(X_test).argmax(axis=1)
    matrix = confusion_matrix(y_test, predicted, labels=range(10))
    fig = figure(4.6, 4)
    ax = fig.subplots()
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(
                j,
                i,
                count,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if count > matrix.max() / 2 else "black",
            )
    ax.set(
        xticks=range(10),
        yticks=range(10),
        xlabel="predicted digit",
        ylabel="true digit",
        title="confusion matrix (test set)",
    )
    save(fig, out, "04-confusion.png")

    wrong = np.flatnonzero(predicted != y_test)[:8]
    fig = figure(8, 1.6)
    axes = fig.subplots(1, 8)
    for ax in axes:
        ax.axis("off")
    for ax, index in zip(axes, wrong, strict=False):
        ax.imshow(X_test[index].reshape(8, 8), cmap="gray_r")
        ax.set_title(f"true {y_test[index]}\nsaid {predicted[index]}", fontsize=9)
    save(fig, out, "04-misclassified.png")


# -- chapter 5 -------------------------------------------------------------------
def chapter5(out: Path, quick: bool) -> None:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    images = (X / 16).reshape(-1, 1, 8, 8)
    net = pn.Sequential(
        [
            pn.Conv2D(1, 8, 3, padding=1),
            pn.ReLU(),
            pn.MaxPool2D(2),
            pn.Flatten(),
            pn.Dense(8 * 4 * 4, 10),
        ],
        seed=0,
    )
    net.fit(
        images,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=1e-2),
        epochs=3 if quick else 20,
        batch_size=32,
    )
    W = net.layers[0].params["W"]  # (out, in, kh, kw)
    fig = figure(8, 1.6)
    for ax, kernel in zip(fig.subplots(1, 8), W[:, 0], strict=True):
        limit = np.abs(kernel).max()
        ax.imshow(kernel, cmap="coolwarm", vmin=-limit, vmax=limit)
        ax.set(xticks=[], yticks=[])
    fig.suptitle("the 8 learned 3x3 filters (red +, blue -)")
    save(fig, out, "05-filters.png")
    maps = net.layers[1].forward(net.layers[0].forward(images[:1], False), False)
    fig = figure(8, 1.9)
    axes = fig.subplots(1, 9)
    axes[0].imshow(images[0, 0], cmap="gray_r")
    axes[0].set_title(f"digit {y[0]}", fontsize=9)
    for index, ax in enumerate(axes[1:]):
        ax.imshow(maps[0, index], cmap="viridis")
        ax.set_title(f"map {index}", fontsize=9)
    for ax in axes:
        ax.set(xticks=[], yticks=[])
    save(fig, out, "05-feature-maps.png")


# -- chapter 6 -------------------------------------------------------------------
def chapter6(out: Path, quick: bool) -> None:
    from sklearn.datasets import load_digits

    from plainnet.datasets import make_dataset

    fig = figure(9, 6)
    (a, b), (c, d) = fig.subplots(2, 2)

    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(200)
    for lr in (4, 0.4):  # full batch: one step an epoch, every step drawn
        net = pn.Sequential([pn.Dense(3, 16), pn.Tanh(), pn.Dense(16, 1)], seed=0)
        try:
            net.fit(X, y, loss="mse", optimizer=pn.SGD(lr=lr), epochs=30)
            stopped = None
        except pn.TrainingDivergedError as error:
            stopped = re.search(r"the cost became (\S+)", str(error)).group(1)
        losses = net.history.loss  # every epoch kept
        (line,) = a.plot(
            np.arange(1, len(losses) + 1), losses, marker=".", label=f"SGD lr={lr}"
        )
        if stopped is not None:  # the epoch whose cost ran away: marked, not kept
            epoch = len(losses) + 1
            a.plot(epoch, float(stopped), "x", color=line.get_color(), markersize=10)
            a.annotate(
                f"epoch {epoch}: {float(stopped):.2g}, over a thousand times\n"
                "the untrained loss: training stops, epoch 2's weights kept",
                (epoch, float(stopped)),
                xytext=(10, -6),
                textcoords="offset points",
                fontsize=8,
            )
    a.set(
        xlabel="epoch",
        ylabel="training loss (MSE), log scale",
        yscale="log",
        ylim=(0.1, 1e7),
        title="divergence: the loss runs away, and training stops",
    )

    X_digits, y_digits = load_digits(return_X_y=True)
    epochs = 5 if quick else 20
    for lr in (0.1, 0.001):
        diagnostics = pn.Diagnostics()
        net = pn.Sequential(
            [
                pn.Dense(64, 64),
                pn.ReLU(),
                pn.Dense(64, 64),
                pn.ReLU(),
                pn.Dense(64, 10),
            ],
            seed=0,
        )
        net.fit(
            X_digits / 16,
            y_digits,
            loss="cross_entropy",
            optimizer=pn.Adam(lr=lr),
            epochs=epochs,
            batch_size=32,
            callbacks=[diagnostics],
        )
        b.plot(diagnostics.epochs, diagnostics.layers[1]["dead"], label=f"Adam lr={lr}")
    b.set(
        xlabel="epoch", ylabel="dead ReLUs of layer 1", ylim=(0, 1), title="dead ReLUs"
    )

    for scale, label in ((1, "raw pixels 0..16"), (16, "pixels / 16")):
        diagnostics = pn.Diagnostics()
        net = pn.Sequential(
            [pn.Dense(64, 32, init="uniform"), pn.Sigmoid(), pn.Dense(32, 10)], seed=0
        )
        net.fit(
            X_digits / scale,
            y_digits,
            loss="cross_entropy",
            optimizer=pn.Adam(lr=1e-3),
            epochs=epochs,
            batch_size=32,
            callbacks=[diagnostics],
        )
        c.plot(diagnostics.epochs, diagnostics.layers[1]["saturated"], label=label)
    c.set(
        xlabel="epoch",
        ylabel="saturated sigmoids of layer 1",
        ylim=(0, 1),
        title="saturated sigmoids",
    )

    X, y = make_dataset("moons", 30, noise=0.35, seed=0)
    validation = make_dataset("moons", 300, noise=0.35, seed=1)
    net = pn.Sequential(
        [pn.Dense(2, 128), pn.ReLU(), pn.Dense(128, 128), pn.ReLU(), pn.Dense(128, 2)],
        seed=0,
    )
    stopper = pn.EarlyStopping(patience=40)
    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=0.01),
        epochs=60,
        validation_data=validation,
        early_stopping=stopper,
    )
    epochs_seen = np.arange(1, len(net.history.loss) + 1)
    d.plot(epochs_seen, net.history.loss, label="training")
    d.plot(epochs_seen, net.history.val_loss, label="validation")
    d.axvline(
        stopper.best_epoch,
        color="grey",
        linestyle="--",
        label=f"kept: epoch {stopper.best_epoch}",
    )
    d.set(xlabel="epoch", ylabel="cross-entropy", title="overfitting")
    for ax in (a, b, c, d):
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="center right" if ax is a else "best")
    save(fig, out, "06-failures.png")


CHAPTERS = {1: chapter1, 2: chapter2, 4: chapter4, 5: chapter5, 6: chapter6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the guide's figures.")
    parser.add_argument("--quick", action="store_true", help="short runs")
    parser.add_argument("--out", type=Path, default=HERE / "figures")
    parser.add_argument(
        "--chapter",
        type=int,
        action="append",
        choices=sorted(CHAPTERS),
        help="only these chapters",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for number in args.chapter or sorted(CHAPTERS):
        CHAPTERS[number](args.out, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
