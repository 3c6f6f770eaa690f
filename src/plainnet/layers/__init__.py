"""Layers: the contract (``base``), the layers of a perceptron (``core``),
embeddings (``embedding``), convolutions (``conv``), the bridge between the
two layouts of a sequence (``axes``), recurrent layers (``recurrent``),
pooling (``pooling``), normalisation (``normalization``), the activations,
residual blocks (``residual``), attention and positions (``attention``,
``positional``), and the one registry that model files and configs look names
up in.
"""

from .activations import (
    ACTIVATIONS,
    GELU,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from .attention import MultiHeadAttention
from .axes import SwapAxes
from .base import Layer, ShapeError
from .builders import dense_stack, language_model, transformer_block
from .conv import Conv1D, Conv2D
from .core import Dense, Dropout, Flatten
from .embedding import Embedding
from .normalization import BatchNorm, LayerNorm
from .pooling import (
    AvgPool1D,
    AvgPool2D,
    GlobalAvgPool,
    MaxPool1D,
    MaxPool2D,
)
from .positional import PositionalEmbedding
from .recurrent import GRU, LSTM, SimpleRNN
from .registry import LAYERS, layer_entries, layer_from_config, register_layer
from .residual import Residual

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "GRU",
    "LAYERS",
    "LSTM",
    "Activation",
    "AvgPool1D",
    "AvgPool2D",
    "BatchNorm",
    "Conv1D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GlobalAvgPool",
    "Identity",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "MaxPool1D",
    "MaxPool2D",
    "MultiHeadAttention",
    "PositionalEmbedding",
    "ReLU",
    "Residual",
    "ShapeError",
    "Sigmoid",
    "SimpleRNN",
    "Softmax",
    "SwapAxes",
    "Tanh",
    "dense_stack",
    "language_model",
    "layer_entries",
    "layer_from_config",
    "register_layer",
    "transformer_block",
]
