"""Training figures with matplotlib (the optional extra ``plainnet[plot]``).

The figures are drawn on matplotlib's Agg canvas directly, without pyplot, so
plotting never opens a window and never changes the caller's backend.
"""

import os
from collections.abc import Callable, Sequence

import numpy as np

# plainnet is installed from a checkout: it is on no public package index.
INSTALL_HINT = (
    'plotting needs matplotlib: pip install ".[plot]" (from a checkout of plainnet)'
)


def require_matplotlib() -> None:
    """Raise ``ImportError`` with the install command if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(INSTALL_HINT) from None


def plot_training(
    path: "str | os.PathLike[str]",
    curves: dict[str, Sequence[float]],
    boundary: "tuple[Callable, np.ndarray, np.ndarray, Sequence] | None" = None,
    title: str = "",
) -> None:
    """Save a PNG of the training curves, and the decision boundary if given.

    Parameters
    ----------
    path : str or path-like
        The image file (its suffix picks the format: .png, .pdf, .svg).
    curves : dict of str to list of float
        Per-epoch values by name: ``loss`` and ``val_loss`` share one panel,
        ``accuracy`` and ``val_accuracy`` another. Empty lists are skipped.
    boundary : (predict, X, y, classes), optional
        For 2-D data: ``predict`` maps an array of shape (n, 2) to class
        codes of shape (n,); ``X`` of shape (n_samples, 2) are the training
        points, ``y`` of shape (n_samples,) their codes and ``classes`` the
        labels shown in the legend.
    title : str, optional
        Shown above the figure.
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [
        names
        for names in (("loss", "val_loss"), ("accuracy", "val_accuracy"))
        if any(curves.get(name) for name in names)
    ]
    n_panels = len(panels) + (boundary is not None)
    figure = Figure(figsize=(5 * max(n_panels, 1), 4), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, max(n_panels, 1), squeeze=False)[0]
    for ax, names in zip(axes, panels, strict=False):
        _curves(ax, names, curves)
    if boundary is not None:
        _decision_boundary(axes[-1], *boundary)
    if title:
        figure.suptitle(title)
    figure.savefig(os.fspath(path), dpi=100)


def _curves(ax, names: Sequence[str], curves: dict[str, Sequence[float]]) -> None:
    """One panel: a metric and its validation counterpart per epoch."""
    for name in names:
        values = curves.get(name) or []
        if values:
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, label=name.replace("val_", "validation "))
    ax.set_xlabel("epoch")
    ax.set_ylabel(names[0])
    ax.grid(alpha=0.3)
    ax.legend()


def _decision_boundary(
    ax, predict: Callable, X: np.ndarray, y: np.ndarray, classes: Sequence
) -> None:
    """Colour the plane by predicted class, with the training points on top."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9)
    grid_x, grid_y = np.meshgrid(
        np.linspace(low[0] - margin[0], high[0] + margin[0], 200),
        np.linspace(low[1] - margin[1], high[1] + margin[1], 200),
    )
    codes = predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    n_classes = len(classes)
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(
        grid_x,
        grid_y,
        codes.reshape(grid_x.shape),
        levels=levels,
        cmap="tab10",
        vmin=0,
        vmax=9,
        alpha=0.3,
    )
    for code, label in enumerate(classes):
        chosen = y == code
        ax.scatter(
            X[chosen, 0],
            X[chosen, 1],
            s=12,
            color=f"C{code % 10}",
            edgecolors="k",
            linewidths=0.3,
            label=str(label),
        )
    ax.set_title("decision boundary")
    ax.legend(fontsize="small")


def trace_seed_neuron(iterations: int = 15000) -> dict[str, np.ndarray]:
    """Train the seed's neuron and record, at every iteration, its three weights,
    its cost and its answer for the new situation ``[1, 0, 0]``.

    Returns
    -------
    dict with ``weights`` of shape (iterations + 1, 3) (before the first update,
    then after each), ``cost`` of shape (iterations,) (the sum of squared errors
    before each update) and ``decision`` of shape (iterations + 1,).
    """
    from .classic import NeuralNetwork, seed_training_set

    inputs, outputs = seed_training_set()
    neuron = NeuralNetwork([3, 1])
    new = np.array([[1.0, 0.0, 0.0]])
    weights = [neuron.synaptic_weights.ravel().copy()]
    decision = [float(neuron.think(new)[0, 0])]

    def record(epoch: int, logs: dict) -> None:
        weights.append(neuron.synaptic_weights.ravel().copy())
        decision.append(float(neuron.network.forward(new, training=False)[0, 0]))

    neuron.network.fit(
        inputs,
        outputs,
        loss="sse",
        optimizer=neuron.optimizer,
        epochs=iterations,
        batch_size=None,
        shuffle=False,
        callbacks=[record],
    )
    cost = 2 * np.asarray(neuron.network.history.loss)  # the loss is half of it
    return {"weights": np.array(weights), "cost": cost, "decision": np.array(decision)}


def plot_neuron(path: "str | os.PathLike[str]", iterations: int = 15000) -> None:
    """Save the figure of the seed's neuron learning: its three weights, its cost
    (log scale) and its answer for ``[1, 0, 0]``, over the iterations."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    trace = trace_seed_neuron(iterations)
    steps = np.arange(len(trace["weights"]))
    figure = Figure(figsize=(10, 3.2), layout="constrained")
    FigureCanvasAgg(figure)
    left, middle, right = figure.subplots(1, 3)
    for index in range(3):
        left.plot(steps, trace["weights"][:, index], label=f"weight {index + 1}")
    left.set(xlabel="iteration", ylabel="weight", title="the three weights")
    left.legend(fontsize="small")
    middle.plot(np.arange(1, len(trace["cost"]) + 1), trace["cost"])
    middle.set(
        xlabel="iteration",
        ylabel="sum of squared errors",
        yscale="log",
        title="the cost",
    )
    right.plot(steps, trace["decision"])
    right.axhline(1, color="grey", linewidth=0.5)
    right.set(
        xlabel="iteration",
        ylabel="output",
        ylim=(0, 1.05),
        title="the answer for [1, 0, 0]",
    )
    for ax in (left, middle, right):
        ax.set_xscale("symlog", linthresh=10)  # the first iterations matter most
        ax.set_xlim(0, iterations)
        ax.grid(alpha=0.3)
    figure.savefig(os.fspath(path), dpi=80)
