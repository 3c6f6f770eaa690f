"""Multi-head self-attention on sequences ``(n, steps, dim)``, with PyTorch's
arithmetic (``torch.nn.MultiheadAttention(dim, heads, batch_first=True)``) and
parameters laid out as PyTorch lays them out, so that weights copy across.

Every step looks at every step (or, causal, at those up to itself) and takes a
weighted mean of what they offer; the weights come from how well its query
matches their keys. Each of ``heads`` heads does this in a ``dim / heads``
slice of the features, and the heads' results are joined and mixed.
"""

import math
from typing import Any

import numpy as np  # in type hints only: layers compute through self.ops

from .. import initializers
from .._validation import check_bool, check_int, check_number
from .activations import _softmax
from .base import Layer, ShapeError
from .registry import register_layer


@register_layer
class MultiHeadAttention(Layer):
    """Self-attention with ``heads`` heads (Vaswani et al., 2017).

    Parameters
    ----------
    heads : int
        Number of heads; the model dimension ``dim`` (the input's last axis,
        learned when the network is built) must be a multiple of it.
    causal : bool, default False
        Each step attends only to itself and the steps before it (a language
        model must not see the character it is predicting).
    dropout : float, default 0.0
        Dropout on the attention weights while training, in [0, 1), as
        PyTorch's ``dropout``.

    Attributes
    ----------
    params : ``in_proj_weight`` ``(3 dim, dim)`` and ``in_proj_bias``
        ``(3 dim,)``: the query, key and value projections stacked in that
        order; ``out_proj_weight`` ``(dim, dim)`` and ``out_proj_bias``
        ``(dim,)``. PyTorch's names and layout (``y = x @ W.T + b``), unlike
        ``Dense``'s ``(n_in, n_out)``.

    Notes
    -----
    For ``X`` of shape ``(n, T, dim)``, with ``d = dim / heads`` and each head
    ``h`` taking its slice of ``d`` features from each of ``Q``, ``K``, ``V``::

        [Q K V] = X W_in^T + b_in                     (n, T, 3 dim)
        S_h = Q_h K_h^T / sqrt(d)  (+ -inf above the diagonal if causal)
        P_h = softmax(S_h)  over the last axis        (n, T, T) per head
        O_h = P_h V_h                                 (n, T, d)
        Y = [O_1 ... O_heads] W_out^T + b_out         (n, T, dim)

    The softmax subtracts each row's maximum, so scores of +-1e4 stay finite.
    Backward, with ``G = dL/dY``, ``M = [O_1 ... O_heads]`` and per head::

        dW_out = G^T M        dM = G W_out        dV_h = P_h^T dO_h
        dP_h = dO_h V_h^T     dS_h = P_h * (dP_h - rowsum(dO_h * O_h))
        dQ_h = dS_h K_h / sqrt(d)                 dK_h = dS_h^T Q_h / sqrt(d)
        dW_in = d[Q K V]^T X        dX = d[Q K V] W_in

    (``rowsum(dP * P)`` is ``rowsum(dO * O)``, the cheaper one: a ``d``-wide
    sum instead of a ``T``-wide one.) ``forward`` keeps the input, ``[Q K V]``
    (``Q`` already divided by ``sqrt(d)``), ``P`` and ``M``.

    Example
    -------
    >>> Sequential([MultiHeadAttention(heads=4, causal=True)], input_shape=(64, 128))
    """

    def __init__(self, heads: int, causal: bool = False, dropout: float = 0.0) -> None:
        super().__init__()
        self.heads = check_int("MultiHeadAttention heads", heads)
        self.causal = check_bool("MultiHeadAttention causal", causal)
        check_number("MultiHeadAttention dropout", dropout, 0, 1, kind="")
        self.dropout = float(dropout)
        self.rng = None

    # -- shapes and parameters ----------------------------------------------------
    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 2:
            raise ShapeError("expects (n, steps, dim)")
        dim = input_shape[1]
        if dim % self.heads:
            fits = [h for h in range(1, dim + 1) if dim % h == 0]
            raise ShapeError(
                f"splits the model dimension among {self.heads} heads, but "
                f"dim={dim} is not a multiple of {self.heads}: choose heads "
                f"among {fits[:12]} or a dim that {self.heads} divides"
            )
        return tuple(input_shape)

    @property
    def dim(self) -> int:
        """The model dimension, learned in ``build``."""
        if self.input_shape is None:
            raise ValueError(f"{self!r} is not built yet: its dim is unknown")
        return self.input_shape[1]

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        dim = self.dim
        return {
            "in_proj_weight": (3 * dim, dim),
            "in_proj_bias": (3 * dim,),
            "out_proj_weight": (dim, dim),
            "out_proj_bias": (dim,),
        }

    def initial_params(self, rng) -> dict[str, np.ndarray]:
        """Glorot-uniform projections (PyTorch's for ``in_proj_weight``) and
        zero biases, as PyTorch starts them."""
        shapes = self.param_shapes()
        return {
            "in_proj_weight": initializers.glorot_uniform(
                shapes["in_proj_weight"], rng
            ),
            "in_proj_bias": initializers.zeros(shapes["in_proj_bias"]),
            "out_proj_weight": initializers.glorot_uniform(
                shapes["out_proj_weight"], rng
            ),
            "out_proj_bias": initializers.zeros(shapes["out_proj_bias"]),
        }

    # -- the math --------------------------------------------------------------------
    def _heads(self, qkv, which: int):
        """``Q``, ``K`` or ``V`` (``which`` = 0, 1, 2) of ``qkv`` ``(n, T, 3,
        heads, d)`` as ``(n, heads, T, d)``: a view, no copy."""
        return self.ops.transpose(qkv[:, :, which, ...], (0, 2, 1, 3))

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        ops, params = self.ops, self.params
        n, steps, dim = x.shape
        heads, d = self.heads, dim // self.heads
        new = self._buffer if training else self._fresh
        rows = ops.reshape(x, (n * steps, dim))
        qkv, weights = self._attention(rows, (n, steps, dim), new)
        attended, mask = self._dropped(weights, training)
        merged = new("merged", (n, steps, heads, d), x.dtype)  # [O_1 ... O_heads]
        v = self._heads(qkv, 2)
        ops.matmul(attended, v, out=ops.transpose(merged, (0, 2, 1, 3)))
        merged = ops.reshape(merged, (n * steps, dim))
        y = ops.matmul(
            merged, params["out_proj_weight"].T, out=new("y", (n * steps, dim), x.dtype)
        )
        y += params["out_proj_bias"]
        if training:
            kept = {} if mask is None else {"mask": mask, "dropped": attended}
            self.save_for_backward(x=rows, qkv=qkv, P=weights, merged=merged, **kept)
        return ops.reshape(y, (n, steps, dim))

    def _attention(self, rows: np.ndarray, shape: tuple[int, int, int], new):
        """``[Q K V]`` ``(n, T, 3, heads, d)`` (``Q`` divided by ``sqrt(d)``)
        and the attention weights ``P`` ``(n, heads, T, T)`` of the input's
        ``rows`` ``(n * T, dim)``, in arrays from ``new``."""
        ops, params = self.ops, self.params
        n, steps, dim = shape
        heads, d = self.heads, dim // self.heads
        qkv = ops.matmul(
            rows,
            params["in_proj_weight"].T,
            out=new("qkv", (n * steps, 3 * dim), rows.dtype),
        )
        qkv += params["in_proj_bias"]
        qkv[:, :dim] *= 1.0 / math.sqrt(d)  # Q / sqrt(d): scales S, in Q's d
        qkv = ops.reshape(qkv, (n, steps, 3, heads, d))
        q, k = self._heads(qkv, 0), self._heads(qkv, 1)
        weights = new("P", (n, heads, steps, steps), rows.dtype)
        ops.matmul(q, ops.swapaxes(k, 2, 3), out=weights)  # S = Q K^T / sqrt(d)
        if self.causal:
            weights += self._future_mask(steps, rows.dtype)
        _softmax(ops, weights, weights)  # P
        return qkv, weights

    def attention_weights(self, x: np.ndarray) -> np.ndarray:
        """What each step attends to: the weights ``P`` ``(n, heads, T, T)``
        for ``x`` ``(n, T, dim)`` (row ``t`` of a head: how much step ``t``
        takes from each step), as ``predict`` computes them; nothing is kept.
        PyTorch's ``need_weights=True, average_attn_weights=False``."""
        n, steps, dim = x.shape
        rows = self.ops.reshape(x, (n * steps, dim))
        with self.ops.errstate(under="ignore"):
            return self._attention(rows, (n, steps, dim), self._fresh)[1]

    def _future_mask(self, steps: int, dtype) -> np.ndarray:
        """``(steps, steps)``: 0 on and below the diagonal, -inf above (the
        future), added to the scores."""
        ops = self.ops
        index = ops.arange(steps)
        future = ops.greater(
            ops.reshape(index, (1, steps)), ops.reshape(index, (steps, 1))
        )
        blocked = ops.full((steps, steps), -math.inf, dtype)
        return ops.where(future, blocked, ops.zeros((steps, steps), dtype))

    def _dropped(self, weights: np.ndarray, training: bool) -> tuple:
        """The attention weights after dropout and the mask, or the weights
        themselves and None when dropout is off."""
        if not training or self.dropout == 0:
            return weights, None
        mask = self._dropout_mask(weights.shape, weights.dtype, self.dropout)
        dropped = self._buffer("dropped", weights.shape, weights.dtype)
        return self.ops.multiply(weights, mask, out=dropped), mask

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True):
        ops, params, saved = self.ops, self.params, self.saved
        n, steps, dim = grad_out.shape
        heads, d = self.heads, dim // self.heads
        qkv, weights, merged = saved["qkv"], saved["P"], saved["merged"]
        grad = ops.reshape(grad_out, (n * steps, dim))
        ops.matmul(grad.T, merged, out=self.grads["out_proj_weight"])
        ones = self._constant("ones", (n * steps,), grad.dtype, 1.0)
        ops.matmul(ones, grad, out=self.grads["out_proj_bias"])
        d_merged = ops.matmul(
            grad,
            params["out_proj_weight"],
            out=self._buffer("dM", grad.shape, grad.dtype),
        )
        d_merged = ops.reshape(d_merged, (n, steps, heads, d))
        d_out = ops.transpose(d_merged, (0, 2, 1, 3))  # dO, (n, heads, T, d)
        d_qkv = self._buffer("dqkv", (n, steps, 3, heads, d), grad.dtype)
        q, k, v = (self._heads(qkv, which) for which in range(3))
        dq, dk, dv = (self._heads(d_qkv, which) for which in range(3))
        attended = saved.get("dropped", weights)
        ops.matmul(ops.swapaxes(attended, 2, 3), d_out, out=dv)  # dV = P^T dO
        d_scores = self._buffer("dS", weights.shape, grad.dtype)
        ops.matmul(d_out, ops.swapaxes(v, 2, 3), out=d_scores)  # dP = dO V^T
        if "mask" in saved:
            d_scores *= saved["mask"]
        # dS = P * (dP - rowsum(dO * O)), with rowsum(dO * O) = rowsum(dP * P)
        product = ops.multiply(
            d_merged,
            ops.reshape(merged, (n, steps, heads, d)),
            out=self._buffer("dO_O", (n, steps, heads, d), grad.dtype),
        )
        rowsum = ops.sum(product, axis=3, keepdims=True)  # (n, T, heads, 1)
        d_scores -= ops.transpose(rowsum, (0, 2, 1, 3))
        d_scores *= weights
        ops.matmul(d_scores, k, out=dq)  # d(Q / sqrt(d)) = dS K
        dq *= 1.0 / math.sqrt(d)
        ops.matmul(ops.swapaxes(d_scores, 2, 3), q, out=dk)  # dK = dS^T (Q/sqrt(d))
        d_rows = ops.reshape(d_qkv, (n * steps, 3 * dim))
        ops.matmul(d_rows.T, saved["x"], out=self.grads["in_proj_weight"])
        ops.matmul(ones, d_rows, out=self.grads["in_proj_bias"])
        if not need_input_grad:
            return None
        dx = ops.matmul(
            d_rows,
            params["in_proj_weight"],
            out=self._buffer("dx", (n * steps, dim), grad.dtype),
        )
        return ops.reshape(dx, (n, steps, dim))

    def get_config(self) -> dict[str, Any]:
        return {"heads": self.heads, "causal": self.causal, "dropout": self.dropout}
