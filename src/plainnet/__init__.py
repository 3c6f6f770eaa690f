"""plainnet: neural networks in plain Python and NumPy.

>>> import plainnet as pn
>>> net = pn.Sequential([pn.Dense(2, 8), pn.Tanh(), pn.Dense(8, 1)], seed=0)
>>> nn = pn.NeuralNetwork([3, 1])   # the seed's single sigmoid neuron
"""

from . import gradcheck, initializers, kernels, schedules
from ._version import __version__ as __version__
from .callbacks import EarlyStopping, History
from .classic import NeuralNetwork
from .errors import DataError, ModelFileError, PlainnetError, TrainingDivergedError
from .layers import (
    BatchNorm,
    Dense,
    Dropout,
    Flatten,
    Identity,
    Layer,
    LayerNorm,
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
from .optimizers import LBFGS, SGD, Adagrad, Adam, Optimizer, RMSprop
from .predictor import Predictor
from .schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    ReduceOnPlateau,
    Schedule,
    StepDecay,
)
from .training import TrainingInterrupted

__all__ = [
    "LBFGS",
    "MSE",
    "SGD",
    "SSE",
    "Adagrad",
    "Adam",
    "BatchNorm",
    "BinaryCrossEntropy",
    "Constant",
    "CosineDecay",
    "CrossEntropy",
    "DataError",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "ExponentialDecay",
    "Flatten",
    "History",
    "Identity",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Loss",
    "ModelFileError",
    "NeuralNetwork",
    "Optimizer",
    "PlainnetError",
    "Predictor",
    "RMSprop",
    "ReLU",
    "ReduceOnPlateau",
    "Schedule",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "StepDecay",
    "Tanh",
    "TrainingDivergedError",
    "TrainingInterrupted",
    "activations",
    "gradcheck",
    "initializers",
    "kernels",
    "load",
    "schedules",
]


def __getattr__(name: str):
    # The scikit-learn estimators need scikit-learn, an optional extra: it is
    # imported on first use, and its absence raises ImportError naming the extra.
    if name in ("NeuralNetClassifier", "NeuralNetRegressor"):
        from . import sklearn

        return getattr(sklearn, name)
    raise AttributeError(f"module 'plainnet' has no attribute {name!r}")
