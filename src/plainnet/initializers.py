"""Weight initializers: functions ``init(shape, rng) -> float64 array``.

``rng`` is a ``numpy.random.Generator`` or a legacy ``numpy.random.RandomState``;
both offer ``random`` and ``standard_normal``, which is all an initializer draws.
Values are drawn in float64 and cast by the network, so a float32 and a float64
network built with the same seed start from the same (rounded) weights.
"""

from collections.abc import Callable

import numpy as np

from ._messages import shown

Initializer = Callable[[tuple[int, ...], object], np.ndarray]


def uniform(shape: tuple[int, ...], rng) -> np.ndarray:
    """The seed's initializer: ``2 * U[0, 1) - 1``, uniform in [-1, 1).

    With ``rng = np.random.RandomState(1)`` and shape ``(3, 1)`` this is exactly
    the seed's ``np.random.seed(1); 2 * np.random.random((3, 1)) - 1``.
    """
    return 2 * rng.random(shape) - 1


def glorot_uniform(shape: tuple[int, ...], rng) -> np.ndarray:
    """Glorot and Bengio (2010): ``U[-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return limit * (2 * rng.random(shape) - 1)


def he_normal(shape: tuple[int, ...], rng) -> np.ndarray:
    """He et al. (2015): ``N(0, 2 / fan_in)``, suited to ReLU layers."""
    fan_in, _ = _fans(shape)
    return np.sqrt(2.0 / fan_in) * rng.standard_normal(shape)


def normal(shape: tuple[int, ...], rng) -> np.ndarray:
    """``N(0, 1)``: PyTorch's starting values for an embedding's vectors."""
    return rng.standard_normal(shape)


def zeros(shape: tuple[int, ...], rng=None) -> np.ndarray:
    """All zeros (the default for biases)."""
    return np.zeros(shape)


def ones(shape: tuple[int, ...], rng=None) -> np.ndarray:
    """All ones (normalisation layers' starting scale)."""
    return np.ones(shape)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Fan-in and fan-out of a weight of shape ``(n_in, n_out)`` (Dense) or
    ``(out_channels, in_channels, *kernel)`` (a convolution, PyTorch's layout:
    each output sees ``in_channels * prod(kernel)`` inputs, and each input
    feeds ``out_channels * prod(kernel)`` outputs)."""
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    window = int(np.prod(shape[2:]))
    return shape[1] * window, shape[0] * window


INITIALIZERS: dict[str, Initializer] = {
    "uniform": uniform,
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
    "normal": normal,
    "zeros": zeros,
}


def get(name: str) -> Initializer:
    """Return the initializer called ``name``; unknown names raise ``ValueError``."""
    if not isinstance(name, str) or name not in INITIALIZERS:
        raise ValueError(
            f"unknown initializer {shown(name)}; expected one of {sorted(INITIALIZERS)}"
        )
    return INITIALIZERS[name]
