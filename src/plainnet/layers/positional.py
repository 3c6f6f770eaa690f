"""PositionalEmbedding: a learned vector per position, added to a sequence.

Attention by itself cannot tell the steps apart (it is a weighted mean over
all of them, whatever their order); adding each position's own learned
vector lets the model use where a character sits.
"""

from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .._validation import check_int
from .base import Layer, ShapeError
from .registry import register_layer

#: The starting values' standard deviation (GPT-2's).
INIT_STD = 0.02


@register_layer
class PositionalEmbedding(Layer):
    """``y[:, t, :] = x[:, t, :] + W[t]``: a learned vector per position.

    Parameters
    ----------
    max_steps : int
        The longest sequence the layer takes; ``W`` has one row per position.
    dim : int
        The features of each step (the input's last axis).

    Attributes
    ----------
    params : ``W`` of shape ``(max_steps, dim)``, drawn from ``N(0, 0.02^2)``.

    Notes
    -----
    A sequence of ``T <= max_steps`` steps uses the first ``T`` rows. Backward,
    with ``G = dL/dy``: ``dW[t] = sum over the batch of G[:, t, :]`` for
    ``t < T`` (0 for the rows not used) and ``dx = G``.

    Example
    -------
    >>> Sequential([Embedding(80, 64), PositionalEmbedding(128, 64), ...])
    """

    def __init__(self, max_steps: int, dim: int) -> None:
        super().__init__()
        self.max_steps = check_int("PositionalEmbedding max_steps", max_steps)
        self.dim = check_int("PositionalEmbedding dim", dim)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 2:
            raise ShapeError("expects (n, steps, dim)")
        steps, dim = input_shape
        if dim != self.dim:
            raise ShapeError(f"expects {self.dim} features per step (dim)")
        if steps > self.max_steps:
            raise ShapeError(
                f"has positions for at most {self.max_steps} steps (max_steps), "
                f"but the sequences have {steps}: give it max_steps={steps} or "
                f"more, or cut the sequences to {self.max_steps} steps"
            )
        return tuple(input_shape)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W": (self.max_steps, self.dim)}

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        return {"W": INIT_STD * rng.standard_normal((self.max_steps, self.dim))}

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        new = self._buffer if training else self._fresh
        positions = self.params["W"][: x.shape[1], ...]
        return self.ops.add(x, positions, out=new("y", x.shape, x.dtype))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        steps, dW = grad_out.shape[1], self.grads["W"]
        self.ops.sum(grad_out, axis=0, out=dW[:steps, ...])
        if steps < self.max_steps:
            dW[steps:, ...] = 0.0
        return grad_out if need_input_grad else None

    def get_config(self) -> dict[str, Any]:
        return {"max_steps": self.max_steps, "dim": self.dim}
