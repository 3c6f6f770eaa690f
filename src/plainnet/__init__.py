"""plainnet: neural networks in plain Python and NumPy.

>>> import plainnet as pn
>>> net = pn.Sequential([pn.Dense(2, 8), pn.Tanh(), pn.Dense(8, 1)], seed=0)
>>> nn = pn.NeuralNetwork([3, 1])   # the seed's single sigmoid neuron
"""

from . import gradcheck, initializers
from ._version import __version__ as __version__
from .classic import NeuralNetwork
from .errors import DataError, ModelFileError, PlainnetError, TrainingDivergedError
from .layers import (
    Dense,
    Dropout,
    Flatten,
    Identity,
    Layer,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    activations,
)
from .losses import MSE, SSE, BinaryCrossEntropy, CrossEntropy, Loss
from .model_files import load
from .network import Sequential
from .optimizers import SGD, Adam, Optimizer
from .predictor import Predictor
from .tables import TablePreprocessor
from .training import EarlyStopping, History, TrainingInterrupted

__all__ = [
    "MSE", "SGD", "SSE", "Adam", "BinaryCrossEntropy", "CrossEntropy", "DataError",
    "Dense", "Dropout", "EarlyStopping", "Flatten", "History", "Identity", "Layer",
    "LeakyReLU", "Loss", "ModelFileError", "NeuralNetwork", "Optimizer",
    "PlainnetError", "Predictor", "ReLU", "Sequential", "Sigmoid", "Softmax",
    "TablePreprocessor", "Tanh", "TrainingDivergedError", "TrainingInterrupted",
    "activations", "gradcheck", "initializers", "load",
]


def __getattr__(name: str):
    # The scikit-learn estimators need scikit-learn, an optional extra: it is
    # imported on first use, and its absence raises ImportError naming the extra.
    if name in ("NeuralNetClassifier", "NeuralNetRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'plainnet' has no attribute {name!r}")
