"""Layers: the contract (``base``), the layers with parameters (``core``), the
normalisation layers (``normalization``), the activations, and the one registry
that model files and configs look names up in.
"""

from .activations import (
    ACTIVATIONS,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from .base import Layer, ShapeError
from .builders import dense_stack
from .core import Dense, Dropout, Flatten
from .normalization import BatchNorm, LayerNorm
from .registry import LAYERS, layer_from_config, register_layer

__all__ = [
    "ACTIVATIONS", "LAYERS", "Activation", "BatchNorm", "Dense", "Dropout", "Flatten",
    "Identity", "Layer", "LayerNorm", "LeakyReLU", "ReLU", "ShapeError", "Sigmoid",
    "Softmax", "Tanh",
    "dense_stack",
    "layer_from_config", "register_layer",
]
