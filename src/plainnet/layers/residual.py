"""Residual: a block of layers whose input is added to its output,
``y = x + f(x)`` (He et al., 2016).

The block is one layer to the network around it: its parameters are its inner
layers' parameters, named by their index inside it (``"0.gamma"``, ``"1.W"``),
so they live in the network's flat buffers like any other (``layers.3.1.W``),
and the optimizers, hooks, model files and gradient checks need nothing more.
"""

from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .base import Layer, ShapeError, describe_shape
from .registry import layer_entries, layer_from_config, register_layer
from .shapes import check_shapes, input_shape_of


@register_layer
class Residual(Layer):
    """``y = x + f(x)``, with ``f`` the given layers applied in order.

    Parameters
    ----------
    layers : sequence of Layer
        The block ``f``; together they must give back their input's shape.
        Each belongs to the block (and the block's network) from now on. A
        ``Residual`` may hold another. A layer may also be given as its entry
        ``{"class": name, "config": {...}}`` (what ``get_config`` stores),
        looked up only in the layer registry.

    Notes
    -----
    Backward, with ``G = dL/dy``: the layers of ``f`` backpropagate ``G`` as a
    ``Sequential`` would, and the block returns ``dL/dx = G + df/dx^T G``: the
    gradient flows through the addition unchanged, which is what keeps deep
    stacks of blocks trainable.

    Example
    -------
    >>> block = Residual([Conv2D(8, 8, 3, padding=1), BatchNorm(), ReLU()])
    >>> Residual([LayerNorm(axes="last"), MultiHeadAttention(heads=4)])
    """

    def __init__(self, layers) -> None:
        super().__init__()
        if isinstance(layers, Layer) or not hasattr(layers, "__iter__"):
            raise TypeError(
                f"Residual takes a list of layers, got {type(layers).__name__}: "
                "write Residual([layer, ...])"
            )
        layers = [
            layer_from_config(layer) if isinstance(layer, dict) else layer
            for layer in layers
        ]
        if not layers:
            raise ValueError("Residual needs at least one layer, got none")
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Residual's layer {index} must be a plainnet Layer (or its "
                    f"config entry), got {type(layer).__name__}"
                )
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError(
                "Residual holds the same layer object twice: make a new one for "
                "each place"
            )
        self.layers = layers
        self._rng = None

    def sublayers(self) -> list[Layer]:
        return list(self.layers)

    def claim(self, network) -> None:
        super().claim(network)
        for layer in self.layers:
            layer.claim(network)

    @property
    def rng(self):
        """The generator of the layers inside that draw while training
        (``Dropout``); setting it (as ``Sequential`` does) hands it to them."""
        return self._rng

    @rng.setter
    def rng(self, rng) -> None:
        self._rng = rng
        for layer in self.layers:
            if hasattr(layer, "rng"):
                layer.rng = rng

    @property
    def needs_two_samples(self) -> bool:
        """Whether a layer inside cannot train on a batch of one sample."""
        return any(getattr(layer, "needs_two_samples", False) for layer in self.layers)

    # -- shapes, parameters and state ----------------------------------------------
    def declared_input_shape(self) -> tuple[int, ...] | None:
        return input_shape_of(self.layers, None)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        shape = tuple(input_shape)
        for index, layer in enumerate(self.layers):
            try:
                shape = layer.output_shape(shape)
            except ShapeError as error:
                raise ShapeError(
                    f"cannot take it: its layer {index} ({layer!r}) {error}"
                ) from None
        if shape != tuple(input_shape):
            raise ShapeError(
                f"adds its layers' output to its input, but they turn "
                f"{describe_shape(input_shape)} into {describe_shape(shape)}; "
                "the block must give back its input's shape"
            )
        return shape

    def build(self, input_shape: tuple[int, ...]) -> None:
        self.output_shape(input_shape)
        check_shapes(self.layers, input_shape)
        self.input_shape = tuple(input_shape)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        return self._prefixed("param_shapes")

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        return self._prefixed("state_shapes")

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        return {
            f"{index}.{name}": value
            for index, layer in enumerate(self.layers)
            for name, value in layer.initial_params(rng).items()
        }

    def initial_state(self) -> dict[str, np.ndarray]:
        return self._prefixed("initial_state")

    def _prefixed(self, method: str) -> dict[str, Any]:
        """What each inner layer's ``method`` returns, named ``"{index}.{name}"``."""
        return {
            f"{index}.{name}": value
            for index, layer in enumerate(self.layers)
            for name, value in getattr(layer, method)().items()
        }

    def bind(self, params, grads, state=None, ops=None) -> None:
        """Take the views for every inner layer and hand each its own, under
        the names it gave them."""
        super().bind(params, grads, state, ops)
        for index, layer in enumerate(self.layers):
            prefix = f"{index}."
            layer.bind(
                *(_inner(arrays, prefix) for arrays in (params, grads, self.state)),
                ops=self.ops,
            )

    # -- the math --------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        h = x
        for layer in self.layers:
            h = layer.forward(h, training)
        new = self._buffer if training else self._fresh
        return self.ops.add(x, h, out=new("y", x.shape, x.dtype))

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        grad = grad_out
        for index in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[index].backward(
                grad, need_input_grad=index > 0 or need_input_grad
            )
        if not need_input_grad:
            return None
        dx = self._buffer("dx", grad_out.shape, grad_out.dtype)
        return self.ops.add(grad_out, grad, out=dx)  # the identity's share, G

    # -- description -------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """``{"layers": [...]}``, each inner layer as its registry entry."""
        return {"layers": layer_entries(self.layers)}

    def __repr__(self) -> str:
        return f"Residual([{', '.join(map(repr, self.layers))}])"


def _inner(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The arrays named ``prefix + name``, by ``name``."""
    return {
        name[len(prefix) :]: array
        for name, array in arrays.items()
        if name.startswith(prefix)
    }
