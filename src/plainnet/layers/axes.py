"""SwapAxes: the bridge between the two layouts of a sequence.

Convolutions take sequences channels-first, ``(n, channels, length)`` (PyTorch's
and ONNX's ``Conv1d``); recurrent and attention layers take them batch-first
with the features last, ``(n, steps, features)`` (PyTorch's
``batch_first=True``, Keras). One sample's two axes swapped turn either into
the other.
"""

import numpy as np  # in type hints only: layers compute through self.ops

from .base import Layer, ShapeError
from .registry import register_layer


@register_layer
class SwapAxes(Layer):
    """Swap the two axes of each sample: ``(n, a, b)`` to ``(n, b, a)``.

    ``Y[i, t, c] = X[i, c, t]``; backward swaps the gradient back,
    ``dX[i, c, t] = dY[i, t, c]``. The output is a contiguous copy (the layers
    after it read it step by step), and nothing is kept for backward.

    Example
    -------
    A convolution's channels become a recurrent layer's features::

        >>> Sequential([Conv1D(1, 8, 5), ReLU(), SwapAxes(), GRU(16), Dense(3)],
        ...            input_shape=(1, 40))    # (n, 8, 36) -> (n, 36, 8)
    """

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 2:
            raise ShapeError(
                "expects samples of two axes, (n, channels, length) or "
                "(n, steps, features)"
            )
        return (input_shape[1], input_shape[0])

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        new = self._buffer if training else self._fresh
        n, a, b = x.shape
        y = new("y", (n, b, a), x.dtype)
        self.ops.copyto(y, self.ops.swapaxes(x, 1, 2))
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        if not need_input_grad:
            return None
        n, b, a = grad_out.shape
        dx = self._buffer("dx", (n, a, b), grad_out.dtype)
        self.ops.copyto(dx, self.ops.swapaxes(grad_out, 1, 2))
        return dx
