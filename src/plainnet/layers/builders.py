"""Building the usual stacks of layers from a list of sizes."""

from collections.abc import Sequence
from itertools import pairwise

from .activations import get as get_activation
from .base import Layer
from .core import Dense, Dropout


def dense_stack(
    sizes: Sequence[int],
    activation: str = "relu",
    *,
    dropout: float = 0.0,
    bias: bool = True,
    init: str = "glorot_uniform",
    activate_output: bool = False,
) -> list[Layer]:
    """``Dense`` layers between consecutive ``sizes``, each hidden one followed by
    ``activation`` (and ``Dropout(dropout)`` when ``dropout > 0``).

    Parameters
    ----------
    sizes : sequence of int
        Widths from the inputs to the outputs: ``[784, 256, 10]`` gives
        ``Dense(784, 256), act, Dense(256, 10)``.
    activate_output : bool, default False
        Also put ``activation`` after the last ``Dense`` (the seed's network
        ends in its sigmoid); by default the output is linear (logits).

    Returns
    -------
    list of Layer
    """
    layers: list[Layer] = []
    last = len(sizes) - 2
    for index, (n_in, n_out) in enumerate(pairwise(sizes)):
        layers.append(Dense(n_in, n_out, bias=bias, init=init))
        if index < last or activate_output:
            layers.append(get_activation(activation))
        if index < last and dropout:
            layers.append(Dropout(dropout))
    return layers
