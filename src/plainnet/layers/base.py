"""The layer contract that every layer follows."""

from typing import Any

import numpy as np

from .._buffers import BufferCache


class Layer(BufferCache):
    """Base class: a layer without parameters that passes its input through.

    Subclasses override ``forward``/``backward``, and ``param_shapes`` /
    ``initial_params`` if they hold parameters.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    # -- shapes and parameters -------------------------------------------------
    def output_size(self, n_in: int) -> int:
        """Number of output features for ``n_in`` input features."""
        return n_in

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every parameter, by name (empty for a layer without any)."""
        return {}

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        """Freshly drawn float64 values for every parameter, by name."""
        return {}

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Use the given arrays (views into a network's buffers) as parameters."""
        self.params, self.grads = params, grads
        self._clear_buffers()

    # -- the math --------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """The output for ``x`` (caching what backward needs when training)."""
        return x

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        """Store parameter gradients; return ``dX`` (``None`` if not needed)."""
        return grad_out

    # -- description -----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, as JSON-compatible values."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        """Rebuild a layer from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
