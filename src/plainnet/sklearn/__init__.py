"""scikit-learn estimators over :class:`~plainnet.Sequential`.

:class:`NeuralNetClassifier` and :class:`NeuralNetRegressor` build a network of
``Dense`` layers from their parameters and train it with ``Sequential.fit``;
they add what scikit-learn expects around it (input validation, label encoding,
``partial_fit``, ``warm_start``, fitted attributes) and nothing else. The
trained network is ``model_``. Importing this package also makes them savable
as model files (:mod:`plainnet.sklearn.files`).

They need scikit-learn >= 1.6: from a checkout of plainnet,
``pip install ".[sklearn]"``. ``import plainnet`` itself never imports it.

Every module here imports scikit-learn absolutely (``from sklearn... import``),
so this package's name hides nothing.
"""

try:  # scikit-learn itself (imports are absolute), not this package
    from sklearn.utils.validation import validate_data  # noqa: F401  new in 1.6
except ImportError as error:  # scikit-learn missing, or older than 1.6
    raise ImportError(
        "NeuralNetClassifier and NeuralNetRegressor need scikit-learn >= 1.6; "
        'install it from a checkout of plainnet with: pip install ".[sklearn]"'
    ) from error

from . import files
from .classifier import NeuralNetClassifier
from .regressor import NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

files.register_kinds(NeuralNetClassifier, NeuralNetRegressor)
