"""What the page draws of a network, computed from a copy of its weights:
the class over a grid of the plane of the two drawn features, each neuron's
output over a coarser grid, the weights, and the accuracy on the training and
test points. :class:`Drawer` does it for one run, in the server's threads.

Images travel as base64 bytes (one or two per grid cell), which the page puts
on a canvas as they are: row 0 is the top of the picture (the largest value of
the feature drawn up).
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from ..layers import Dense, Dropout, Layer, Sigmoid, Tanh
from ..network import Sequential
from .data import PlaygroundData

#: A loss's output function: logits of shape (n, k) to what they mean.
Output = Callable[[np.ndarray], np.ndarray]
#: Cells per side of the decision boundary's grid and of each neuron's image.
GRID = 64
NEURON_GRID = 24
#: The page draws at most this many neuron images and this many weights as lines.
MAX_NEURONS = 64
MAX_LINES = 2000
#: Drawing may take at most this share of the time: a slower drawing is
#: redrawn less often (the page gets fewer updates, training goes on).
DRAW_SHARE = 0.2


class Drawer:
    """Draws one run's weights on a network of its own (the training thread
    keeps the run's), for the server's threads.

    Parameters
    ----------
    layers : list of Layer
        Built like the run's network's.
    data : PlaygroundData
    output_function : callable
        The loss's: logits to probabilities.
    """

    def __init__(
        self, layers: list[Layer], data: PlaygroundData, output_function: Output
    ) -> None:
        self.net = Sequential(layers)
        self.data, self.output_function = data, output_function
        self.extent = extent(data)
        self._X = data.network_input(data.X)
        self._grid = grid_rows(data, self.extent, GRID)
        self._neuron_grid = grid_rows(data, self.extent, NEURON_GRID)
        self._lock = threading.Lock()
        self._drawn: dict | None = None
        self._next = 0.0

    def latest(self, version: int, epoch: int, parameters: np.ndarray) -> dict:
        """The drawing of the weights ``parameters`` (of snapshot ``version``,
        after ``epoch`` epochs), or the last drawing while drawing again would
        take more than ``DRAW_SHARE`` of the time."""
        with self._lock:
            now, drawn = time.perf_counter(), self._drawn
            if drawn is not None and (drawn["version"] == version or now < self._next):
                return drawn
            np.copyto(self.net.parameters, parameters)
            try:
                self._drawn = self._draw(version, epoch)
            except (ValueError, ArithmeticError):  # weights too large to draw
                if drawn is None:
                    raise
                return drawn
            cost = time.perf_counter() - now
            self._drawn["milliseconds"] = round(1000 * cost, 1)
            self._next = now + cost / DRAW_SHARE
            return self._drawn

    def _draw(self, version: int, epoch: int) -> dict:
        net, output, data = self.net, self.output_function, self.data
        proba = probabilities(net, output, self._X)
        return {
            "version": version,
            "epoch": epoch,
            "boundary": boundary_image(probabilities(net, output, self._grid)),
            "neurons": neuron_images(net, output, self._neuron_grid),
            "weights": weights(net),
            "accuracy": accuracy(proba[data.train], data.y[data.train]),
            "test_accuracy": accuracy(proba[data.test], data.y[data.test]),
        }


def drawing_notes(sizes: list[int]) -> list[str]:
    """What the page leaves out of the drawing of a network of layers of
    ``sizes`` (inputs first)."""
    notes = []
    neurons = sum(sizes[1:])
    n_weights = sum(a * b for a, b in itertools.pairwise(sizes))
    if neurons > MAX_NEURONS:
        notes.append(
            f"the network has {neurons} neurons; the page draws the first "
            f"{MAX_NEURONS}: use fewer or narrower layers to see them all"
        )
    if n_weights > MAX_LINES:
        notes.append(
            f"the network has {n_weights:,} weights; the page draws weights and "
            f"formulas up to {MAX_LINES:,}: use fewer or narrower layers to see "
            "them"
        )
    return notes


def extent(data: PlaygroundData) -> list[float]:
    """``[left, right, bottom, top]``: the drawn features' range over all points,
    widened by a tenth on each side (by 1 for a constant feature)."""
    bounds = []
    for column in data.axes:
        low, high = float(data.X[:, column].min()), float(data.X[:, column].max())
        margin = (high - low) / 10 or 1.0
        bounds += [low - margin, high + margin]
    return bounds


def grid_rows(data: PlaygroundData, box: list[float], size: int) -> np.ndarray:
    """The network's input at the centres of a ``size`` x ``size`` grid over
    ``box``, row by row from the top, shape (size * size, len(data.inputs)):
    the drawn features vary, the others keep their training mean."""
    left, right, bottom, top = box
    across = left + (np.arange(size) + 0.5) * (right - left) / size
    up = top - (np.arange(size) + 0.5) * (top - bottom) / size
    rows = np.repeat(data.X[data.train].mean(axis=0, keepdims=True), size * size, 0)
    rows[:, data.axes[0]] = np.tile(across, size)
    rows[:, data.axes[1]] = np.repeat(up, size)
    return data.network_input(rows)


def probabilities(
    net: Sequential, output_function: Output, X: np.ndarray
) -> np.ndarray:
    """Class probabilities, shape (n, n_classes); one sigmoid output gives two."""
    proba = output_function(net.predict(X))
    return np.column_stack([1 - proba, proba]) if proba.shape[1] == 1 else proba


def boundary_image(proba: np.ndarray) -> str:
    """Two bytes per cell, base64: the most probable class and how sure the
    network is of it, from 0 (as unsure as a coin of ``n_classes`` sides) to
    255 (certain)."""
    n_classes = proba.shape[1]
    best = proba.argmax(axis=1)
    top = proba.max(axis=1)
    sure = (top - 1 / n_classes) / (1 - 1 / n_classes)
    cells = np.empty((len(proba), 2), dtype=np.uint8)
    cells[:, 0] = best
    cells[:, 1] = np.clip(np.rint(sure * 255), 0, 255)
    return _base64(cells)


def neuron_images(
    net: Sequential, output_function: Output, X: np.ndarray, limit: int = MAX_NEURONS
) -> list[str]:
    """Per layer of neurons (each ``Dense`` with its activation), the images of
    its neurons' outputs over the grid rows ``X``, one after the other in one
    base64 text, one byte per cell: 0 for the lowest value the activation can
    give (or minus the largest size a neuron reaches), 128 for zero, 255 for
    the highest; the output layer shows probabilities. Stops after ``limit``
    images."""
    images: list[str] = []
    count = 0
    for values, low in neuron_outputs(net, output_function, X):
        width = min(values.shape[1], limit - count)
        images.append(_images(values[:, :width], low))
        count += width
        if count == limit:
            break
    return images


def neuron_outputs(
    net: Sequential, output_function: Output, X: np.ndarray
) -> Iterator[tuple[np.ndarray, float | None]]:
    """Yield ``(outputs of shape (n, width), lowest value or None)`` for each
    layer of neurons: after each hidden ``Dense``'s activation, and the output
    probabilities. ``None``: no bound (ReLU, identity)."""
    taps = _neuron_taps(net)
    for index, layer in enumerate(net.layers):
        X = layer.forward(X, training=False)
        if index == len(net.layers) - 1:
            last = X if isinstance(layer, Sigmoid) else output_function(X)
            yield last, 0.0
        elif index in taps:
            low = -1.0 if isinstance(layer, Tanh) else 0.0
            yield X, low if isinstance(layer, (Tanh, Sigmoid)) else None


def _neuron_taps(net: Sequential) -> set[int]:
    """The layers whose outputs are a hidden layer's neurons: the one after each
    ``Dense`` but the last (its activation), or the ``Dense`` itself."""
    dense = [i for i, layer in enumerate(net.layers) if isinstance(layer, Dense)]
    taps = set()
    for index in dense[:-1]:
        after = net.layers[index + 1]
        taps.add(index if isinstance(after, (Dense, Dropout)) else index + 1)
    return taps


def _images(values: np.ndarray, low: float | None) -> str:
    """One byte per value, column after column: ``low`` .. its mirror mapped
    to 0 .. 255 (the whole drawing in a few NumPy calls, so that it does not
    wait long for the training thread's turns)."""
    if low is None:  # unbounded: each column scaled by the largest size it has
        scale = np.abs(values).max(axis=0)
        unit = values / np.where(scale > 0, scale, 1.0)
    elif low == 0.0:
        unit = 2 * values - 1  # 0 .. 1 to -1 .. 1
    else:
        unit = values
    cells = np.clip(np.rint((unit + 1) * 127.5), 0, 255).astype(np.uint8)
    return _base64(cells.T)


def accuracy(proba: np.ndarray, y: np.ndarray) -> float | None:
    """The fraction of rows whose most probable class is ``y``; None for none."""
    return float(np.mean(proba.argmax(axis=1) == y)) if len(y) else None


def weights(net: Sequential, limit: int = MAX_LINES) -> list[dict] | None:
    """Each ``Dense`` layer's ``W`` (n_in, n_out) and ``b`` as lists, to four
    significant digits; None when the network has more than ``limit``
    weights."""
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    if sum(layer.params["W"].size for layer in dense) > limit:
        return None
    return [
        {
            "W": _rounded(layer.params["W"]),
            "b": _rounded(layer.params["b"]) if "b" in layer.params else None,
        }
        for layer in dense
    ]


def _rounded(array: np.ndarray) -> list:
    """Four significant digits, as (nested) lists."""
    return np.vectorize(lambda v: float(f"{v:.4g}"), otypes=[float])(array).tolist()


def _base64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")
