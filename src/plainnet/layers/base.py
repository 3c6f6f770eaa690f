"""The layer contract that every layer follows.

Arrays are batch-first: a layer maps ``X`` of shape ``(n_samples, *input_shape)``
to ``Y`` of shape ``(n_samples, *output_shape)``. Images and the inputs of
convolutions are channels-first, as in PyTorch and ONNX: ``(n, channels,
length)`` and ``(n, channels, height, width)``; sequences for recurrent layers
are ``(n, steps, features)`` (the layout of sequences, below).

A layer's life, in order:

1. ``__init__`` stores and checks the constructor's arguments (nothing else).
2. ``build(input_shape)`` learns one sample's input shape, when the network is
   put together; from then on ``param_shapes()`` and ``state_shapes()`` are known.
3. ``bind(params, grads, state)`` hands it views into the network's flat buffers.
4. ``forward(x, training)`` and ``backward(grad_out)``, batch after batch.

A layer computes through its backend, ``self.ops`` (:mod:`plainnet.backend`),
which its network hands it with the views: ``ops.matmul(x, W, out=y)`` is
``np.matmul`` on the CPU and CuPy's on a GPU. A layer names no array library.

A layer belongs to one network: the first ``Sequential`` that takes it binds
it to its buffers, and a second one refuses it (copy it with
``type(layer).from_config(layer.get_config())``).

What a layer takes is said by its class attribute ``input_kind``: ``"values"``
(numbers, which the network casts to its float dtype: every layer but one) or
``"ids"`` (integer indices from 0 to ``n_ids - 1``, as ``Embedding`` takes). A
network whose first layer takes ids checks ``X`` as integers in that range,
keeps it integer through batching and prediction, and asks no gradient of it;
such a layer can only come first.

The layout of sequences: recurrent and attention layers take them batch-first
with the features last, ``(n, steps, features)`` (PyTorch's
``batch_first=True``, Keras's layout), and give ``(n, steps, units)`` (or
``(n, units)`` for the last step only); convolutions and pooling keep channels
first, ``(n, channels, length)``, as PyTorch and ONNX lay them out; ``SwapAxes``
turns either layout into the other (``(n, channels, length)`` to ``(n, length,
channels)``, and back). Token ids are ``(n, steps)`` integers, which
``Embedding`` makes ``(n, steps, dim)``.
"""

import weakref
from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .._buffers import BufferCache


class ShapeError(ValueError):
    """A layer cannot take the shape it is given. The message says what the layer
    expects ("expects 100 features"); ``Sequential`` adds which layer it is and
    what the layer before it gives."""


class Layer(BufferCache):
    """Base class: a layer without parameters that passes its input through.

    Subclasses override ``forward``/``backward``; ``output_shape`` if they change
    the shape; ``build`` if their parameter shapes depend on the input shape;
    ``param_shapes``/``initial_params`` if they hold parameters, and
    ``state_shapes``/``initial_state`` if they hold non-trainable arrays.

    Attributes
    ----------
    params, grads : dict of ndarray
        Trainable parameters and their gradients, under the same keys.
    state : dict of ndarray
        Non-trainable arrays (running statistics): saved and loaded with the
        parameters, never touched by an optimizer or a gradient hook.
    saved : dict of ndarray
        What the last ``forward(training=True)`` kept for ``backward``, and
        nothing else; ``forward(training=False)`` never adds to it.
    input_shape : tuple of int or None
        One sample's input shape, once built.
    input_kind : {"values", "ids"}
        What the layer takes (a class attribute; see the module's docstring).
        A layer of ``"ids"`` also has ``n_ids``, the number of valid ids.
    """

    input_kind = "values"
    #: Whether ``forward`` may return a view of its input (``Flatten``): the
    #: network then never applies the next activation in place to it.
    gives_view = False

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.saved: dict[str, np.ndarray] = {}
        self.input_shape: tuple[int, ...] | None = None
        self._network = None

    # -- the network it belongs to -------------------------------------------------
    def claim(self, network) -> None:
        """Belong to ``network``; a layer already in another (living) network
        raises ``ValueError`` saying how to copy it."""
        owner = getattr(self, "_network", None)
        owner = owner() if owner is not None else None
        if owner is not None and owner is not network:
            name = type(self).__name__
            raise ValueError(
                f"{self!r} already belongs to another network, whose weights it "
                f"holds; give this network a copy: {name}.from_config(layer."
                "get_config()) for fresh weights, or copy.deepcopy(network) for "
                "the whole trained network"
            )
        self._network = weakref.ref(network)

    def __getstate__(self) -> dict:
        # the network re-claims its layers when it is unpickled or copied
        return {k: v for k, v in super().__getstate__().items() if k != "_network"}

    # -- shapes -----------------------------------------------------------------
    def declared_input_shape(self) -> tuple[int, ...] | None:
        """One sample's input shape if the constructor fixes it (``Dense(784, 10)``
        takes ``(784,)``), else ``None``."""
        return None

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """One sample's output shape for one sample's ``input_shape``; raises
        :class:`ShapeError` when the layer cannot take that shape."""
        return tuple(input_shape)

    def build(self, input_shape: tuple[int, ...]) -> None:
        """Learn one sample's input shape (checked by ``output_shape``)."""
        self.output_shape(input_shape)
        self.input_shape = tuple(input_shape)

    def describe_output(self, input_shape: tuple[int, ...]) -> str:
        """The output shape in words, for error messages ("125 features")."""
        return describe_shape(self.output_shape(input_shape))

    # -- parameters and state ----------------------------------------------------
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every parameter, by name (empty for a layer without any)."""
        return {}

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        """Freshly drawn float64 values for every parameter, by name (NumPy
        arrays, drawn on the host: every device starts from the same ones)."""
        return {}

    def state_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every non-trainable array, by name (empty for most layers)."""
        return {}

    def initial_state(self) -> dict[str, np.ndarray]:
        """Starting float64 values of every non-trainable array, by name."""
        return {}

    def invalid_state(self) -> dict[str, str]:
        """The state arrays (bound, e.g. loaded from a file) that this layer
        cannot hold, by name, each with what is wrong; empty when all is well."""
        return {}

    def bind(
        self,
        params: dict[str, np.ndarray],
        grads: dict[str, np.ndarray],
        state: dict[str, np.ndarray] | None = None,
        ops=None,
    ) -> None:
        """Use the given arrays (views into a network's buffers) as parameters,
        gradients and state, and compute with the backend ``ops`` (default: the
        one the layer has, the CPU's at first)."""
        self.params, self.grads, self.state = params, grads, state or {}
        if ops is not None:
            self.ops = ops
        self.saved = {}
        self._clear_buffers()

    def sublayers(self) -> list["Layer"]:
        """The layers this one holds and runs, in order (a ``Residual``'s); none
        for most layers. Their parameters and state are this layer's, named
        ``"{index}.{name}"`` (``"1.W"``)."""
        return []

    # -- the math ----------------------------------------------------------------
    def save_for_backward(self, **arrays: np.ndarray) -> None:
        """Keep exactly these arrays for ``backward`` (replacing what was kept)."""
        self.saved = arrays

    def _dropout_mask(self, shape: tuple[int, ...], dtype, rate: float) -> np.ndarray:
        """A fresh inverted-dropout mask of ``shape``: each entry 0 with
        probability ``rate``, else ``1 / (1 - rate)``, drawn from the network's
        generator ``self.rng`` (which the layer needs: set by ``Sequential``)."""
        if getattr(self, "rng", None) is None:
            raise RuntimeError(
                f"{type(self).__name__} draws dropout masks from the network's "
                "generator: use it inside a Sequential, or set "
                "layer.rng = np.random.default_rng(seed)"
            )
        mask = self._buffer("mask", shape, dtype)
        return self.ops.dropout_mask(self.rng, shape, rate, out=mask)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """The output for ``x`` (keeping what backward needs when training)."""
        return x

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        """Store parameter gradients; return ``dX`` (``None`` if not needed)."""
        return grad_out if need_input_grad else None

    # -- description -------------------------------------------------------------
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


def walk(layers: "list[Layer]", prefix: str = ""):
    """Every layer of ``layers`` and, depth first, every layer held inside one,
    as ``(path, layer)``: ``"3"``, then ``"3.0"`` and ``"3.1"`` for the two
    layers of a ``Residual`` at index 3 (the names of their parameters,
    ``"layers.3.1.W"``, follow the same path)."""
    for index, layer in enumerate(layers):
        path = f"{prefix}{index}"
        yield path, layer
        yield from walk(layer.sublayers(), f"{path}.")


def describe_shape(shape: tuple[int, ...]) -> str:
    """``(125,)`` as "125 features", ``(6, 14, 14)`` as "shape (n, 6, 14, 14)"."""
    if len(shape) == 1:
        return f"{shape[0]} features"
    return "shape (n, " + ", ".join(map(str, shape)) + ")"
