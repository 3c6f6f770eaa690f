"""The network's random generator, on the host: initial weights, shuffling and
dropout masks are drawn here with NumPy, so every device starts and trains
from the same numbers."""

import numpy as np

from ._messages import shown

Generator = np.random.Generator | np.random.RandomState


def make_rng(seed) -> Generator:
    """A Generator from an int or None; a given Generator or RandomState as is."""
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
    ):
        raise ValueError(
            f"seed must be an int, a numpy Generator or None, got {shown(seed)}"
        )
    return np.random.default_rng(seed)


def get_state(rng: Generator):
    """The generator's state, to draw the same numbers again with ``set_state``."""
    if isinstance(rng, np.random.RandomState):
        return rng.get_state()
    return rng.bit_generator.state


def set_state(rng: Generator, state) -> None:
    """Put back a state from ``get_state``."""
    if isinstance(rng, np.random.RandomState):
        rng.set_state(state)
    else:
        rng.bit_generator.state = state
