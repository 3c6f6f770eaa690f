"""Training figures with matplotlib (the optional extra: ``pip install ".[plot]"``).

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
    *,
    kept_epoch: int | None = None,
    log_loss: bool = False,
    loss_label: str = "loss",
    scatter: "tuple[np.ndarray, np.ndarray, str] | None" = None,
    feature_names: Sequence[str] = ("x1", "x2"),
) -> None:
    """Save a figure of the training curves, and the decision boundary or the
    predictions against the truth if given.

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
    kept_epoch : int, optional
        The epoch whose weights were kept, marked on every curve panel.
    log_loss : bool, default False
        Draw the loss on a logarithmic axis.
    loss_label : str, default "loss"
        The loss axis's label (which loss, in which units).
    scatter : (actual, predicted, name), optional
        For regression: arrays of shape (n_samples,) in the target's units,
        drawn against each other beside the line ``predicted = actual``.
    feature_names : (str, str), default ("x1", "x2")
        The decision boundary's axis labels.
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [
        names
        for names in (("loss", "val_loss"), ("accuracy", "val_accuracy"))
        if any(curves.get(name) for name in names)
    ]
    extra = [p for p in (boundary, scatter) if p is not None]
    n_panels = max(len(panels) + len(extra), 1)
    figure = Figure(figsize=(5 * n_panels, 4), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, n_panels, squeeze=False)[0]
    for ax, names in zip(axes, panels, strict=False):
        label = loss_label if names[0] == "loss" else "accuracy (fraction correct)"
        _curves(ax, names, curves, label, kept_epoch)
        if names[0] == "loss" and log_loss:
            ax.set_yscale("log")
    if boundary is not None:
        _decision_boundary(axes[len(panels)], *boundary)
        axes[len(panels)].set_xlabel(feature_names[0])
        axes[len(panels)].set_ylabel(feature_names[1])
    if scatter is not None:
        _predicted_against_actual(axes[-1], *scatter)
    if title:
        figure.suptitle(title)
    figure.savefig(os.fspath(path), dpi=100)


def plot_model(
    path: "str | os.PathLike[str]",
    predictor,
    *,
    boundary=None,
    scatter: "tuple[np.ndarray, np.ndarray] | None" = None,
    log_loss: bool = False,
) -> None:
    """:func:`plot_training` for a trained model (a :class:`plainnet.Predictor`):
    the curves of its history and metadata, its kept epoch and units.

    Parameters
    ----------
    path : str or path-like
    predictor : Predictor
    boundary : see :func:`plot_training`
    scatter : (actual, predicted), optional
        Arrays of shape (n_samples,) in the target's units.
    log_loss : bool, default False
    """
    history, metadata = predictor.network.history, predictor.metadata
    curves = {
        "loss": history.loss,
        "val_loss": history.val_loss,
        **metadata.get("metrics", {}),
    }
    target = str(metadata.get("target", "the target"))
    if predictor.task == "classify":
        loss_label = "cross-entropy (nats per row)"
    elif predictor.task == "regress":
        loss_label = f"mean squared error of {target} (in standard deviations^2)"
    else:
        loss_label = "loss"
    names = predictor.feature_names
    plot_training(
        path,
        curves,
        boundary,
        title=f"plainnet on {metadata.get('source', 'its data')}"[:100],
        kept_epoch=metadata.get("kept_epoch"),
        log_loss=log_loss,
        loss_label=loss_label,
        scatter=None if scatter is None else (*scatter, target),
        feature_names=names[:2] if len(names) >= 2 else ("x1", "x2"),
    )


def _curves(
    ax,
    names: Sequence[str],
    curves: dict[str, Sequence[float]],
    label: str,
    kept_epoch: int | None,
) -> None:
    """One panel: a metric and its validation counterpart per epoch."""
    for name in names:
        values = curves.get(name) or []
        if values:
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, label=name.replace("val_", "validation "))
    if kept_epoch is not None:
        ax.axvline(
            kept_epoch,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"kept epoch {kept_epoch}",
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    ax.legend()


def _predicted_against_actual(
    ax, actual: np.ndarray, predicted: np.ndarray, name: str
) -> None:
    """Each row's prediction against its true value, in the target's units."""
    ax.scatter(actual, predicted, s=10, alpha=0.6)
    low = float(min(actual.min(), predicted.min()))
    high = float(max(actual.max(), predicted.max()))
    ax.plot([low, high], [low, high], color="grey", linewidth=1)
    ax.set_xlabel(f"actual {name}")
    ax.set_ylabel(f"predicted {name}")
    ax.set_title("predictions (validation rows)")
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
