"""Building the usual stacks of layers: ``Dense`` stacks from a list of
sizes, the Transformer's block, and a language model of such blocks."""

from collections.abc import Sequence
from itertools import pairwise

from .activations import GELU
from .activations import get as get_activation
from .attention import MultiHeadAttention
from .base import Layer
from .core import Dense, Dropout
from .embedding import Embedding
from .normalization import LayerNorm
from .positional import PositionalEmbedding
from .residual import Residual


def dense_stack(
    sizes: Sequence[int],
    activation: str = "relu",
    *,
    dropout: float = 0.0,
    bias: bool = True,
    init: str = "glorot_uniform",
    activate_output: bool = False,
) -> list[Layer]:
    """``Dense`` layers between consecutive ``sizes``, each hidden one followed by
    ``activation`` (and ``Dropout(dropout)`` when ``dropout > 0``).

    Parameters
    ----------
    sizes : sequence of int
        Widths from the inputs to the outputs: ``[784, 256, 10]`` gives
        ``Dense(784, 256), act, Dense(256, 10)``.
    activate_output : bool, default False
        Also put ``activation`` after the last ``Dense`` (the seed's network
        ends in its sigmoid); by default the output is linear (logits).

    Returns
    -------
    list of Layer
    """
    layers: list[Layer] = []
    last = len(sizes) - 2
    for index, (n_in, n_out) in enumerate(pairwise(sizes)):
        layers.append(Dense(n_in, n_out, bias=bias, init=init))
        if index < last or activate_output:
            layers.append(get_activation(activation))
        if index < last and dropout:
            layers.append(Dropout(dropout))
    return layers


def transformer_block(
    dim: int,
    heads: int,
    hidden: int,
    *,
    causal: bool = False,
    dropout: float = 0.0,
) -> list[Layer]:
    """The layers of one pre-norm Transformer block, PyTorch's
    ``nn.TransformerEncoderLayer(dim, heads, hidden, norm_first=True,
    activation="gelu", batch_first=True)``, for ``(n, steps, dim)``::

        x = x + MultiHeadAttention(LayerNorm(x))
        x = x + Dense(hidden, dim)(GELU(Dense(dim, hidden)(LayerNorm(x))))

    Parameters
    ----------
    dim : int
        The model dimension (each step's features), a multiple of ``heads``.
    heads : int
        Attention heads.
    hidden : int
        Width of the feed-forward layer between the two ``Dense`` (PyTorch's
        ``dim_feedforward``; often ``4 * dim``).
    causal : bool, default False
        Each step attends only to itself and the steps before it (a language
        model); PyTorch's ``is_causal`` mask.
    dropout : float, default 0.0
        Where PyTorch's block drops: the attention weights, each branch's
        output and the feed-forward's hidden units (``Dropout`` layers are
        added only when it is above 0).

    Returns
    -------
    list of Layer
        ``[Residual([LayerNorm, MultiHeadAttention]), Residual([LayerNorm,
        Dense, GELU, Dense])]``, each ``LayerNorm`` over the last axis.

    Example
    -------
    >>> layers = [*transformer_block(64, 4, 256, causal=True), LayerNorm(axes="last")]
    """
    attention = [LayerNorm(axes="last"), MultiHeadAttention(heads, causal, dropout)]
    feed_forward = [LayerNorm(axes="last"), Dense(dim, hidden), GELU()]
    if dropout:
        attention.append(Dropout(dropout))
        feed_forward.append(Dropout(dropout))
    feed_forward.append(Dense(hidden, dim))
    if dropout:
        feed_forward.append(Dropout(dropout))
    return [Residual(attention), Residual(feed_forward)]


def language_model(
    vocab_size: int,
    steps: int,
    dim: int = 128,
    heads: int = 4,
    hidden: int | None = None,
    blocks: int = 2,
    *,
    dropout: float = 0.0,
) -> list[Layer]:
    """The layers of a small causal Transformer that predicts the next token
    (GPT's shape, Radford et al., 2018): ids ``(n, steps)`` to logits ``(n,
    steps, vocab_size)``, each step's from the steps up to it::

        Embedding(vocab_size, dim), PositionalEmbedding(steps, dim),
        blocks x transformer_block(dim, heads, hidden, causal=True),
        LayerNorm(axes="last"), Dense(dim, vocab_size)

    Parameters
    ----------
    vocab_size : int
        Tokens (characters, for ``CharTokenizer``'s ids).
    steps : int
        The window: the longest context the model sees.
    dim, heads, blocks : int, default 128, 4, 2
        Model dimension, attention heads (dividing ``dim``), blocks.
    hidden : int, optional
        The feed-forward width; default ``4 * dim``.
    dropout : float, default 0.0
        As in :func:`transformer_block`.

    Returns
    -------
    list of Layer
        For ``Sequential(layers, input_shape=(steps,))`` and
        ``fit(X, y, loss="cross_entropy")`` with ``X`` and ``y`` ids of shape
        ``(n, steps)``, ``y`` the next token at each step
        (:func:`plainnet.text.windows`).

    Example
    -------
    >>> net = Sequential(language_model(len(tokenizer), 64), input_shape=(64,))
    """
    hidden = 4 * dim if hidden is None else hidden
    layers: list[Layer] = [Embedding(vocab_size, dim), PositionalEmbedding(steps, dim)]
    for _ in range(blocks):
        layers += transformer_block(dim, heads, hidden, causal=True, dropout=dropout)
    return [*layers, LayerNorm(axes="last"), Dense(dim, vocab_size)]
