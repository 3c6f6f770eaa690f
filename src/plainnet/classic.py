"""``NeuralNetwork``: the seed's class, in the seed's words, over a ``Sequential``.

The seed builds one sigmoid neuron with three inputs and no bias, draws its
weights with ``np.random.seed(1); 2 * np.random.random((3, 1)) - 1``, and trains
it 15,000 times on the whole training set with::

    output = sigmoid(inputs @ weights)
    weights += inputs.T @ ((outputs - output) * output * (1 - output))

``NeuralNetwork([3, 1])`` is exactly that network: ``Dense(3, 1, bias=False,
init="uniform")`` and ``Sigmoid()``, trained on the ``sse`` loss with
``SGD(lr=1)`` over the full batch, initialised from NumPy's legacy
``RandomState(seed)`` as ``np.random.seed`` does.
"""

import warnings

import numpy as np

from ._messages import shown
from .callbacks import History
from .layers import Dense, dense_stack
from .model_files import ModelKind, register_kind, save
from .network import Sequential
from .optimizers import SGD


class NeuralNetwork:
    """A fully connected network with the seed's vocabulary.

    Parameters
    ----------
    sizes : sequence of int, default (3, 1)
        Widths from the inputs to the outputs: ``[3, 1]`` is the seed's single
        neuron, ``[2, 4, 1]`` has a hidden layer of 4 neurons. (Called ``layers``
        before; ``layers=`` still works, with a ``DeprecationWarning``: in
        plainnet ``layers`` means Layer objects, as in ``Sequential``.)
    seed : int, default 1
        Seed of NumPy's legacy generator (the seed uses ``np.random.seed(1)``).
    bias : bool or None, default None
        ``None`` decides by the shape: no biases for a single layer of neurons
        (exactly the seed's network), biases when there are hidden layers (a
        hidden layer without biases cannot learn XOR: every boundary would pass
        through the origin).
    activation : str, default "sigmoid"
        Activation of every layer.
    learning_rate : float, default 1.0
        The seed's update has none, i.e. 1.
    dtype : {"float64", "float32"}, default "float64"

    Example
    -------
    >>> nn = NeuralNetwork([3, 1])
    >>> nn.train([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], [0, 1, 1, 0])
    >>> nn.think([1, 0, 0])          # array([0.99995...])
    """

    def __init__(
        self,
        sizes=(3, 1),
        seed: int = 1,
        bias: bool | None = None,
        activation: str = "sigmoid",
        learning_rate: float = 1.0,
        dtype: str = "float64",
        *,
        layers=None,
    ) -> None:
        if layers is not None:
            warnings.warn(
                "NeuralNetwork(layers=...) is now NeuralNetwork(sizes=...)",
                DeprecationWarning,
                stacklevel=2,
            )
            sizes = layers
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(
                "layer sizes need at least two (inputs and outputs), got "
                f"{shown(sizes)}"
            )
        for size in sizes:
            if (
                isinstance(size, bool)
                or not isinstance(size, (int, np.integer))
                or size < 1
            ):
                raise ValueError(
                    f"layer sizes must be positive ints, got {shown(sizes)}"
                )
        self.sizes = [int(size) for size in sizes]
        self.seed = seed
        self.bias = len(sizes) > 2 if bias is None else bool(bias)
        self.activation = activation
        self.learning_rate = learning_rate
        stack = dense_stack(
            sizes, activation, bias=self.bias, init="uniform", activate_output=True
        )
        self.network = Sequential(stack, seed=np.random.RandomState(seed), dtype=dtype)
        self.optimizer = SGD(lr=learning_rate)

    def train(
        self, training_inputs, training_outputs, iterations: int = 15000
    ) -> History:
        """Adjust the weights ``iterations`` times, each on the whole training set.

        ``training_outputs`` may be 1-D (one output) or of shape
        ``(n_samples, n_outputs)``. Returns the history of the cost (the ``sse``
        loss, half the sum of squared errors) before each adjustment.
        """
        return self.network.fit(
            training_inputs,
            training_outputs,
            loss="sse",
            optimizer=self.optimizer,
            epochs=iterations,
            batch_size=None,
            shuffle=False,
        )

    def think(self, inputs) -> np.ndarray:
        """The network's output for ``inputs``.

        One situation (1-D, like ``[1, 0, 0]``) gives a 1-D output, as in the
        seed; a 2-D table of situations gives one row per situation.
        """
        array = np.asarray(inputs)
        if array.ndim == 1:
            return self.network.predict(array.reshape(1, -1))[0]
        return self.network.predict(array)

    def cost(self, inputs, outputs) -> float:
        """The seed's cost: the sum of the squared errors ``(target - output)**2``."""
        predicted = self.think(inputs)
        target = np.asarray(outputs, dtype=predicted.dtype).reshape(predicted.shape)
        return float(np.sum((target - predicted) ** 2))

    @property
    def synaptic_weights(self):
        """The weights: one array for a single layer (the seed's attribute), else
        a list with each layer's weight matrix of shape ``(n_in, n_out)``."""
        weights = [
            layer.params["W"]
            for layer in self.network.layers
            if isinstance(layer, Dense)
        ]
        return weights[0] if len(weights) == 1 else weights

    def save(self, path, *, include_optimizer: bool = True) -> None:
        """Write the network to a ``.npz`` model file; ``plainnet.load(path)``
        reads it back. See :func:`plainnet.model_files.save`."""
        save(self, path, include_optimizer=include_optimizer)

    @property
    def history(self) -> History:
        return self.network.history

    def __repr__(self) -> str:
        return (
            f"NeuralNetwork(sizes={self.sizes}, seed={self.seed}, bias={self.bias}, "
            f"activation={self.activation!r}, learning_rate={self.learning_rate})"
        )


def seed_training_set() -> tuple[np.ndarray, np.ndarray]:
    """The seed's training set: inputs of shape (4, 3) and outputs of shape (4, 1)."""
    inputs = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]])
    outputs = np.array([[0, 1, 1, 0]]).T
    return inputs, outputs


# -- NeuralNetwork in model files: its settings saved beside its network --------
def _neural_network_from_config(config: dict, network: Sequential) -> NeuralNetwork:
    """A ``NeuralNetwork`` of ``config``'s settings using the loaded ``network``."""
    if "layers" in config and "sizes" not in config:  # files of plainnet <= 0.1.0
        config = {("sizes" if k == "layers" else k): v for k, v in config.items()}
    dense = [layer for layer in network.layers if isinstance(layer, Dense)]
    sizes = [layer.n_in for layer in dense[:1]] + [layer.n_out for layer in dense]
    if config.get("sizes") != sizes:  # checked before NeuralNetwork allocates them
        raise ValueError(f"its layer sizes are not those of the stored layers {sizes}")
    model = NeuralNetwork(**config)
    if model.network.get_config() != network.get_config():
        raise ValueError("its settings do not describe the stored layers")
    model.network = network
    if network.optimizer is not None:
        model.optimizer = network.optimizer
    return model


register_kind(
    ModelKind(
        "neural_network",
        NeuralNetwork,
        lambda model: model.network,
        lambda model: {
            "sizes": model.sizes,
            "seed": model.seed,
            "bias": model.bias,
            "activation": model.activation,
            "learning_rate": model.learning_rate,
            "dtype": model.network.dtype.name,
        },
        _neural_network_from_config,
    )
)
