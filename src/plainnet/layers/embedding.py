"""Embedding: integer ids (tokens, categories) to learned vectors."""

from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import initializers
from .._validation import check_int
from .base import Layer
from .registry import register_layer


@register_layer
class Embedding(Layer):
    """A table of ``vocab_size`` learned vectors of ``dim`` values: each integer
    id of the input is replaced by its row of ``W`` (PyTorch's ``nn.Embedding``,
    whose ``weight`` copies into ``W`` unchanged).

    Forward, for ids ``X`` of shape ``(n, steps)``::

        Y[i, t, :] = W[X[i, t], :]                      (a gather, ops.take)

    Backward: the ids get no gradient; each row of ``W`` gets the sum of the
    output gradients at the positions holding its id (a scatter-add, so an id
    seen twice gets both gradients)::

        dW = 0;   dW[X[i, t], :] += G[i, t, :]   for every i, t

    Parameters
    ----------
    vocab_size : int
        Number of ids: the input holds integers from 0 to ``vocab_size - 1``.
    dim : int
        Length of each vector.
    padding_idx : int or None, default None
        An id whose vector is zero and stays zero: its row of ``W`` starts at
        zero and gets no gradient, as in PyTorch, so padding added to short
        sequences contributes nothing.
    init : str, default "normal"
        Initializer of ``W`` (:mod:`plainnet.initializers`); ``"normal"`` draws
        ``N(0, 1)``, as PyTorch does.

    Notes
    -----
    Takes integer ids (``input_kind = "ids"``), so it comes first in a
    network, which checks the ids (a negative id, one past the table or a
    number that is not whole is refused, naming it and its position) and
    keeps them integer. Input of shape ``(n, *shape)``, usually ``(n,
    steps)``; output ``(n, *shape, dim)``, of the network's float dtype.

    Example
    -------
    >>> net = Sequential([Embedding(1000, 16), GRU(32), Dense(2)],
    ...                  input_shape=(40,))
    >>> net.fit(ids, labels, loss="cross_entropy")   # ids: int array (n, 40)
    """

    input_kind = "ids"

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        padding_idx: int | None = None,
        init: str = "normal",
    ) -> None:
        super().__init__()
        self.vocab_size = check_int("Embedding vocab_size", vocab_size)
        self.dim = check_int("Embedding dim", dim)
        if padding_idx is not None:
            padding_idx = check_int("Embedding padding_idx", padding_idx, low=0)
            if padding_idx >= self.vocab_size:
                raise ValueError(
                    f"Embedding padding_idx must be an id below vocab_size="
                    f"{self.vocab_size}, got {padding_idx}"
                )
        initializers.get(init)
        self.padding_idx = padding_idx
        self.init = init

    @property
    def n_ids(self) -> int:
        """The number of valid ids (``vocab_size``): the network checks that
        every id of ``X`` is in ``[0, n_ids)``."""
        return self.vocab_size

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (*input_shape, self.dim)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W": (self.vocab_size, self.dim)}

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        W = initializers.get(self.init)((self.vocab_size, self.dim), rng)
        if self.padding_idx is not None:
            W[self.padding_idx] = 0.0
        return {"W": W}

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        W = self.params["W"]
        new = self._buffer if training else self._fresh
        y = self.ops.take(W, x, axis=0, out=new("y", (*x.shape, self.dim), W.dtype))
        if training:
            self.save_for_backward(ids=x)
        return y

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        """Fill ``dW`` (repeated ids add up); return ``None``: ids have no
        gradient."""
        ops, dW = self.ops, self.grads["W"]
        dW[...] = 0.0
        ids = ops.reshape(self.saved["ids"], (-1,))
        ops.scatter_add(dW, ids, ops.reshape(grad_out, (-1, self.dim)))
        if self.padding_idx is not None:
            dW[self.padding_idx, ...] = 0.0
        return None

    def get_config(self) -> dict[str, Any]:
        return {
            "vocab_size": self.vocab_size,
            "dim": self.dim,
            "padding_idx": self.padding_idx,
            "init": self.init,
        }
