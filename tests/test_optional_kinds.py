"""Kinds of model file registered by optional modules: loading one imports its
module, and without the extra that module needs, the error names the extra."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import environment
from plainnet.model_files.kinds import KINDS, OPTIONAL_KINDS

DATA = Path(__file__).resolve().parent / "data"
WITHOUT_SKLEARN = """
import sys
sys.modules["sklearn"] = None  # as if scikit-learn were not installed
import plainnet
try:
    plainnet.load(sys.argv[1])
except plainnet.ModelFileError as error:
    print(error)
"""


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("classifier.npz", "NeuralNetClassifier"),
        ("regressor.npz", "NeuralNetRegressor"),
    ],
)
def test_loading_an_estimator_without_sklearn_names_the_extra(file, name):
    path = str(DATA / file)
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_SKLEARN, path],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == (
        f"{path}: this is a {name} model file, which needs scikit-learn: "
        'pip install ".[sklearn]" (from a checkout of plainnet)'
    )


@pytest.mark.parametrize("kind", sorted(OPTIONAL_KINDS))
def test_each_optional_module_registers_its_kinds(kind):
    optional = OPTIONAL_KINDS[kind]
    importlib.import_module(optional.module)
    assert KINDS[kind].cls.__name__ == optional.class_name
