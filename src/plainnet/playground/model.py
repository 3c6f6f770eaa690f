"""The network, optimizer and training settings a setup stands for, built with
plainnet's public API (the shown Python code writes the same calls out)."""

from __future__ import annotations

import math

from .. import schedules
from ..hooks import L2Penalty
from ..layers import Dense, Dropout, Identity, Layer, LeakyReLU, ReLU, Sigmoid, Tanh
from ..network import Sequential
from ..optimizers import SGD, Adagrad, Adam, Optimizer, RMSprop
from .settings import Setup, SetupError

#: Each hidden activation's class, by the name the page uses.
ACTIVATIONS = {
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "identity": Identity,
}
#: Each optimizer's class and settings other than the learning rate.
OPTIMIZERS = {
    "adam": (Adam, {}),
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "rmsprop": (RMSprop, {}),
    "adagrad": (Adagrad, {}),
}


def n_outputs(setup: Setup, n_classes: int) -> int:
    """One logit per class for cross-entropy; one output for the two-class
    losses (which refuse more classes)."""
    if setup.loss == "cross_entropy":
        return n_classes
    if n_classes != 2:
        raise SetupError(
            f"loss {setup.loss} gives one output, for two classes, but the data has "
            f"{n_classes}; choose cross_entropy"
        )
    return 1


def build_layers(setup: Setup, n_inputs: int, n_classes: int) -> list[Layer]:
    """``Dense`` layers of the setup's widths, each hidden one followed by the
    activation (and ``Dropout``), ending in logits (or the seed's sigmoid for
    the ``sse`` loss)."""
    sizes = [n_inputs, *setup.hidden, n_outputs(setup, n_classes)]
    layers: list[Layer] = []
    for index in range(len(sizes) - 1):
        layers.append(
            Dense(sizes[index], sizes[index + 1], bias=setup.bias, init=setup.init)
        )
        if index < len(sizes) - 2:
            layers.append(ACTIVATIONS[setup.activation]())
            if setup.dropout:
                layers.append(Dropout(setup.dropout))
    if setup.loss == "sse":
        layers.append(Sigmoid())
    return layers


def build_network(setup: Setup, n_inputs: int, n_classes: int) -> Sequential:
    """The setup's network, seeded with the setup's seed."""
    return Sequential(build_layers(setup, n_inputs, n_classes), seed=setup.seed)


def batch_size(setup: Setup, n_train: int) -> int | None:
    """The batch size ``fit`` gets: ``None`` (the whole set) for 0."""
    return None if setup.batch == 0 or setup.batch >= n_train else setup.batch


def learning_rate(setup: Setup, n_train: int) -> float | schedules.Schedule:
    """The setup's learning rate, or its schedule spanning ``decay`` epochs
    (counted in updates: ``decay`` times the batches of an epoch)."""
    if setup.schedule == "constant":
        return setup.lr
    return schedules.for_training(
        setup.schedule, setup.lr, setup.decay * updates_per_epoch(setup, n_train)
    )


def updates_per_epoch(setup: Setup, n_train: int) -> int:
    size = batch_size(setup, n_train)
    return 1 if size is None else math.ceil(n_train / size)


def build_optimizer(setup: Setup, n_train: int) -> Optimizer:
    kind, settings = OPTIMIZERS[setup.optimizer]
    return kind(lr=learning_rate(setup, n_train), **settings)


def l2_hook(setup: Setup, net: Sequential, n_train: int) -> L2Penalty | None:
    """The L2 penalty on the weights, divided by the batch size, or None."""
    if not setup.l2:
        return None
    return L2Penalty(net, alpha=setup.l2, n=batch_size(setup, n_train) or n_train)
