"""plainnet: neural networks in plain Python and NumPy.

>>> import plainnet as pn
>>> net = pn.Sequential([pn.Dense(2, 8), pn.Tanh(), pn.Dense(8, 1)], seed=0)
>>> nn = pn.NeuralNetwork([3, 1])   # the seed's single sigmoid neuron
"""

from . import backend, gradcheck, initializers, schedules, text
from ._version import __version__ as __version__
from .callbacks import EarlyStopping, History
from .classic import NeuralNetwork
from .diagnostics import Diagnostics, diagnose
from .errors import (
    DataError,
    ExportError,
    ModelFileError,
    PlainnetError,
    TrainingDivergedError,
)
from .layers import (
    GELU,
    GRU,
    LSTM,
    AvgPool1D,
    AvgPool2D,
    BatchNorm,
    Conv1D,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAvgPool,
    Identity,
    Layer,
    LayerNorm,
    LeakyReLU,
    MaxPool1D,
    MaxPool2D,
    MultiHeadAttention,
    PositionalEmbedding,
    ReLU,
    Residual,
    Sigmoid,
    SimpleRNN,
    Softmax,
    SwapAxes,
    Tanh,
    activations,
)
from .losses import MSE, SSE, BinaryCrossEntropy, CrossEntropy, Loss
from .model_files import load
from .network import Sequential
from .onnx import to_onnx
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
from .tables import TablePreprocessor
from .tabular import TrainedTable, train_table
from .text import sample
from .tokenizer import CharTokenizer
from .training import TrainingInterrupted

__all__ = [
    "GELU",
    "GRU",
    "LBFGS",
    "LSTM",
    "MSE",
    "SGD",
    "SSE",
    "Adagrad",
    "Adam",
    "AvgPool1D",
    "AvgPool2D",
    "BatchNorm",
    "BinaryCrossEntropy",
    "CharTokenizer",
    "Constant",
    "Conv1D",
    "Conv2D",
    "CosineDecay",
    "CrossEntropy",
    "DataError",
    "Dense",
    "Diagnostics",
    "Dropout",
    "EarlyStopping",
    "Embedding",
    "ExponentialDecay",
    "ExportError",
    "Flatten",
    "GlobalAvgPool",
    "History",
    "Identity",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Loss",
    "MaxPool1D",
    "MaxPool2D",
    "ModelFileError",
    "MultiHeadAttention",
    "NeuralNetwork",
    "Optimizer",
    "PlainnetError",
    "PositionalEmbedding",
    "Predictor",
    "RMSprop",
    "ReLU",
    "ReduceOnPlateau",
    "Residual",
    "Schedule",
    "Sequential",
    "Sigmoid",
    "SimpleRNN",
    "Softmax",
    "StepDecay",
    "SwapAxes",
    "TablePreprocessor",
    "Tanh",
    "TrainedTable",
    "TrainingDivergedError",
    "TrainingInterrupted",
    "activations",
    "backend",
    "diagnose",
    "gradcheck",
    "initializers",
    "load",
    "sample",
    "schedules",
    "text",
    "to_onnx",
    "train_table",
]


def __getattr__(name: str):
    # The scikit-learn estimators need scikit-learn, an optional extra: it is
    # imported on first use, and its absence raises ImportError naming the extra.
    if name in ("NeuralNetClassifier", "NeuralNetRegressor"):
        from . import sklearn

        return getattr(sklearn, name)
    raise AttributeError(f"module 'plainnet' has no attribute {name!r}")
