"""Export to ONNX: every registered layer and every kind of model gives a graph
that passes ONNX's full check, holds standard operators only, and computes in
onnxruntime what plainnet computes (to 1e-5 in float32, 1e-10 in float64, for
batches of 1 and 1,000 rows). Failed exports name the layer and write nothing;
without the extra, the function and the command say what to install.

Parity tests need ``onnx`` and ``onnxruntime`` (the test extra installs them)
and are skipped with a reason without them; the registry tests run anywhere.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import environment, write_flowers, write_prices
from plainnet import cli
from plainnet.layers import LAYERS, Layer
from plainnet.onnx import TRANSLATIONS, check_exportable, model_from_file
from plainnet.preprocessing import Standardizer
from test_layer_harness import EXAMPLES

HAVE_RUNTIME = all(importlib.util.find_spec(m) for m in ("onnx", "onnxruntime"))
needs_runtime = pytest.mark.skipif(
    not HAVE_RUNTIME,
    reason='needs onnx and onnxruntime: pip install ".[test]" (or ".[onnx]" '
    "and onnxruntime)",
)
DTYPES = ["float32", "float64"]
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
BATCHES = (1, 1000)
#: The estimators stop at max_epochs while still improving, and say so.
quiet_estimators = pytest.mark.filterwarnings("ignore:.*stopped at max_epochs")


def exported(model, tmp_path, **options):
    """Export ``model``; check the file (full check, standard operators only,
    opset 17) and return an onnxruntime session on it."""
    import onnx
    import onnxruntime

    path = tmp_path / "model.onnx"
    pn.to_onnx(model, path, **options)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert {node.domain for node in proto.graph.node} <= {""}
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)]
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def run(session, X) -> dict[str, np.ndarray]:
    """Every output of the graph for ``X``, by name."""
    names = [output.name for output in session.get_outputs()]
    values = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip(names, values, strict=True))


def assert_close(actual, expected, dtype: str, scale: float = 1.0) -> None:
    """Equal to the dtype's tolerance, relative and absolute; ``scale`` is the
    unit of the absolute one (a target's scale, where values in the target's
    units are the network's standardized output times it)."""
    tolerance = TOLERANCE[dtype]
    assert actual.dtype == np.dtype(dtype)
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance * scale)


def inputs(shape, dtype, seed=0):
    """Random rows of each batch size, of ``shape`` per sample."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, *shape)).astype(dtype) for n in BATCHES]


# -- the registry ----------------------------------------------------------------
def test_every_registered_layer_has_a_translation():
    assert set(LAYERS) <= set(TRANSLATIONS), sorted(set(LAYERS) - set(TRANSLATIONS))


def test_a_custom_layer_is_named_as_not_exportable():
    class Doubler(Layer):
        def forward(self, x, training=True):
            return 2 * x

    net = pn.Sequential([pn.Dense(3, 2), Doubler()], seed=0)
    with pytest.raises(pn.ExportError, match=r"layer 1 \(Doubler\(\)\).*custom"):
        check_exportable(net.layers)


def test_a_registered_layer_without_translation_is_named(monkeypatch):
    monkeypatch.delitem(TRANSLATIONS, "Tanh")
    net = pn.Sequential([pn.Dense(3, 2), pn.Tanh()], seed=0)
    with pytest.raises(pn.ExportError, match=r"layer 1 \(Tanh\(\)\).*no ONNX"):
        check_exportable(net.layers)


def test_import_plainnet_onnx_imports_no_onnx():
    code = (
        "import sys, plainnet.onnx, plainnet.onnx.translations; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'onnx'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "[]"


WITHOUT_ONNX = """
import sys
sys.modules["onnx"] = None  # as if the onnx extra were not installed
import plainnet
try:
    plainnet.to_onnx(plainnet.Sequential([plainnet.Dense(2, 1)]), sys.argv[1])
except ImportError as error:
    print(error)
sys.exit(plainnet.cli.main(["export", sys.argv[2], sys.argv[1]]))
"""


def test_without_onnx_the_function_and_the_command_say_what_to_install(tmp_path):
    model = tmp_path / "model.npz"
    pn.Sequential([pn.Dense(2, 1)], seed=0).save(model)
    out = tmp_path / "model.onnx"
    result = subprocess.run(
        [sys.executable, "-c", "import plainnet.cli\n" + WITHOUT_ONNX, out, model],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    hint = 'exporting to ONNX needs the onnx package: pip install ".[onnx]"'
    assert result.stdout.startswith(hint)
    assert result.returncode == 1
    assert result.stderr.startswith(f"plainnet export: error: {hint}")
    assert not out.exists()


# -- every layer -----------------------------------------------------------------
LAYER_CASES = [
    (name, shape) for name in sorted(LAYERS) for shape in EXAMPLES.get(name, (0, []))[1]
]


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "shape"), LAYER_CASES)
def test_each_layer_runs_as_in_plainnet(name, shape, dtype, tmp_path):
    net = pn.Sequential([EXAMPLES[name][0]()], seed=0, dtype=dtype, input_shape=shape)
    rng = np.random.default_rng(1)  # weights and running statistics far from 0, 1
    net.parameters[...] = rng.standard_normal(net.parameters.shape)
    net.state[...] = rng.uniform(0.5, 2, net.state.shape)
    session = exported(net, tmp_path)
    for X in inputs(shape, dtype):
        assert_close(run(session, X)["output"], net.predict(X), dtype)


# -- the models --------------------------------------------------------------------
def blobs(n=200, n_features=6, seed=0):
    """Features and a 3-class label that depends on them."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
def test_sequential_logits_and_probabilities(dtype, tmp_path):
    X, y = blobs()
    layers = [
        pn.Dense(6, 16),
        pn.LeakyReLU(0.1),
        pn.Dropout(0.2),
        pn.Dense(16, 8),
        pn.Tanh(),
        pn.Dense(3),
    ]
    net = pn.Sequential(layers, seed=0, dtype=dtype)
    net.fit(X, y, loss="cross_entropy", epochs=3, batch_size=32)
    logits = exported(net, tmp_path)
    probabilities = exported(net, tmp_path, output_function=True)
    for X in inputs((6,), dtype, seed=1):
        assert_close(run(logits, X)["output"], net.predict(X), dtype)
        assert_close(run(probabilities, X)["output"], net.predict_proba(X), dtype)


@needs_runtime
def test_sequential_sigmoid_output_function(tmp_path):
    X, y = blobs()
    net = pn.Sequential([pn.Dense(6, 8), pn.ReLU(), pn.Dense(2)], seed=0)
    net.fit(X, np.column_stack([y == 1, y == 2]), loss="binary_cross_entropy")
    session = exported(net, tmp_path, output_function=True)
    for X in inputs((6,), "float64"):
        assert_close(run(session, X)["output"], net.predict_proba(X), "float64")


def test_an_output_function_needs_the_loss(tmp_path):
    pytest.importorskip("onnx")
    net = pn.Sequential([pn.Dense(6, 3)], seed=0)
    with pytest.raises(pn.ExportError, match="train it first"):
        pn.to_onnx(net, tmp_path / "net.onnx", output_function=True)
    assert list(tmp_path.iterdir()) == []


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [[3, 1], [2, 4, 1]])
def test_neural_network_is_think(sizes, dtype, tmp_path):
    model = pn.NeuralNetwork(sizes, seed=1, dtype=dtype)
    X = np.random.default_rng(0).integers(0, 2, (8, sizes[0]))
    model.train(X, X[:, :1], iterations=50)
    session = exported(model, tmp_path)
    for X in inputs((sizes[0],), dtype):
        assert_close(run(session, X)["output"], model.think(X), dtype)


@needs_runtime
@quiet_estimators
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("labels", ["ints", "strings", "floats"])
def test_classifier_label_and_probabilities(labels, dtype, tmp_path):
    pytest.importorskip("sklearn")
    X, y = blobs()
    y = {
        "ints": y * 10 - 5,
        "strings": np.array(["a", "bb", "c"])[y],
        "floats": y + 1.0,
    }[labels]
    model = pn.NeuralNetClassifier((8,), max_epochs=5, random_state=0, dtype=dtype)
    model.fit(X, y)
    session = exported(model, tmp_path)
    for X in inputs((6,), dtype, seed=1):
        outputs = run(session, X)
        np.testing.assert_array_equal(outputs["label"], model.predict(X))
        assert_close(outputs["probabilities"], model.predict_proba(X), dtype)


@needs_runtime
@quiet_estimators
def test_multilabel_classifier(tmp_path):
    pytest.importorskip("sklearn")
    X, y = blobs()
    Y = np.column_stack([y == 1, y == 2, X[:, 2] > 0]).astype(int)
    model = pn.NeuralNetClassifier((8,), max_epochs=5, random_state=0)
    model.fit(X, Y)
    session = exported(model, tmp_path)
    for X in inputs((6,), "float32", seed=1):
        outputs = run(session, X)
        np.testing.assert_array_equal(outputs["label"], model.predict(X))
        assert_close(outputs["probabilities"], model.predict_proba(X), "float32")


@needs_runtime
@quiet_estimators
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_targets", [None, 2])
def test_regressor_variable(n_targets, dtype, tmp_path):
    pytest.importorskip("sklearn")
    X, _ = blobs()
    y = 100 * X[:, 0] + 50 if n_targets is None else X[:, :2] @ [[1, 2], [3, -4]]
    model = pn.NeuralNetRegressor((8,), max_epochs=5, random_state=0, dtype=dtype)
    model.fit(X, y)
    session = exported(model, tmp_path)
    for X in inputs((6,), dtype, seed=1):
        expected = model.predict(X).reshape(len(X), -1)
        assert_close(run(session, X)["variable"], expected, dtype)


# -- plainnet train models: their preprocessing in the graph ---------------------
def trained_predictor(task: str, dtype: str) -> pn.Predictor:
    """A network with the metadata ``plainnet train`` stores beside it."""
    X, y = blobs()
    X = X * [1, 10, 100, 0.1, 5, 1] + [0, 50, -300, 1, 0, 7]  # raw columns
    scaler = Standardizer().fit(X)
    metadata = {
        "task": task,
        "target": "y",
        "scaling": scaler.to_dict(),
        "feature_names": [f"f{i}" for i in range(6)],
    }
    if task == "classify":
        metadata["classes"] = ["low", "mid", "high"]
        target, loss, n_out = y, "cross_entropy", 3
    else:
        values = (1000 * X[:, :1] + 20).astype(np.float64)
        target_scaler = Standardizer().fit(values)
        metadata["target_scaling"] = target_scaler.to_dict()
        target, loss, n_out = target_scaler.transform(values), "mse", 1
    net = pn.Sequential(
        [pn.Dense(6, 8), pn.ReLU(), pn.Dense(n_out)], seed=0, dtype=dtype
    )
    net.fit(scaler.transform(X), target, loss=loss, epochs=3)
    return pn.Predictor(net, metadata)


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("task", ["classify", "regress"])
def test_predictor_takes_raw_columns(task, dtype, tmp_path):
    predictor = trained_predictor(task, dtype)
    session = exported(predictor, tmp_path)
    for X in inputs((6,), dtype, seed=1):
        X = X * [1, 10, 100, 0.1, 5, 1] + [0, 50, -300, 1, 0, 7]
        X = X.astype(dtype)
        outputs = run(session, X)
        if task == "classify":
            np.testing.assert_array_equal(outputs["label"], predictor.predict(X))
            assert_close(outputs["probabilities"], predictor.predict_proba(X), dtype)
        else:
            expected = predictor.predict(X).reshape(-1, 1)
            scale = predictor.metadata["target_scaling"]["scale"][0]
            assert_close(outputs["variable"], expected, dtype, scale)


@needs_runtime
def test_metadata_describes_inputs_outputs_and_classes(tmp_path):
    import onnx

    pn.to_onnx(trained_predictor("classify", "float32"), tmp_path / "m.onnx")
    props = {
        p.key: json.loads(p.value)
        for p in onnx.load(tmp_path / "m.onnx").metadata_props
    }
    assert props["inputs"] == [
        {"name": "input", "dtype": "float32", "shape": ["batch", 6]}
    ]
    assert props["outputs"] == [
        {"name": "label", "dtype": "string", "shape": ["batch"]},
        {"name": "probabilities", "dtype": "float32", "shape": ["batch", 3]},
    ]
    assert props["classes"] == ["low", "mid", "high"]
    assert props["feature_names"] == [f"f{i}" for i in range(6)]
    assert props["task"] == "classify"


# -- the command line ------------------------------------------------------------
def train(folder: Path, data: Path, target: str) -> Path:
    out = folder / f"{target}.npz"
    args = [
        "train",
        str(data),
        "--target",
        target,
        "--epochs",
        "5",
        "--quiet",
        "--out",
        str(out),
    ]
    assert cli.main(args) == 0
    return out


@needs_runtime
def test_export_command_on_plainnet_train_files(tmp_path, capsys):
    flowers = train(tmp_path, write_flowers(tmp_path / "flowers.csv"), "species")
    prices = train(tmp_path, write_prices(tmp_path / "prices.csv"), "price")
    capsys.readouterr()
    files = [(flowers, "flowers.csv", "label"), (prices, "prices.csv", "variable")]
    for model, data, output in files:
        out = tmp_path / f"{model.stem}.onnx"
        assert cli.main(["export", str(model), str(out)]) == 0
        assert f"exported {model} to {out}" in capsys.readouterr().out
        predictor = model_from_file(model)
        session = exported(predictor, tmp_path)
        X = predictor.read_features(tmp_path / data).X
        expected = predictor.predict(X)
        got = run(session, X)[output]
        if output == "label":
            np.testing.assert_array_equal(got, expected)
        else:
            assert_close(got[:, 0], expected, "float64")


@needs_runtime
def test_export_command_on_an_estimator_file(tmp_path, capsys):
    pytest.importorskip("sklearn")
    data = Path(__file__).resolve().parent / "data" / "classifier.npz"
    out = tmp_path / "classifier.onnx"
    assert cli.main(["export", str(data), str(out)]) == 0
    assert "outputs label (" in capsys.readouterr().out
    assert out.exists()


def test_info_says_whether_a_model_can_be_exported(tmp_path, capsys, monkeypatch):
    model = tmp_path / "net.npz"
    pn.Sequential([pn.Dense(2, 3), pn.Tanh()], seed=0).save(model)
    assert cli.main(["info", str(model)]) == 0
    assert f"ONNX export: possible (plainnet export {model} OUT.onnx" in (
        capsys.readouterr().out
    )
    monkeypatch.delitem(TRANSLATIONS, "Tanh")
    assert cli.main(["info", str(model)]) == 0
    assert "ONNX export: not possible: cannot export layer 1 (Tanh())" in (
        capsys.readouterr().out
    )


@needs_runtime
def test_a_failed_export_writes_nothing(tmp_path, capsys, monkeypatch):
    model = tmp_path / "net.npz"
    pn.Sequential([pn.Dense(2, 3), pn.Tanh()], seed=0).save(model)
    out = tmp_path / "net.onnx"
    out.write_bytes(b"the previous export")
    monkeypatch.delitem(TRANSLATIONS, "Tanh")
    assert cli.main(["export", str(model), str(out)]) == 1
    assert "plainnet export: error: cannot export layer 1 (Tanh())" in (
        capsys.readouterr().err
    )
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz", "net.onnx"]


@needs_runtime
def test_onnx_is_the_real_package_not_plainnets():
    import onnx

    from plainnet.onnx import graph

    assert graph.onnx is onnx
    assert Path(pn.__file__).resolve().parent not in Path(onnx.__file__).parents


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "layer",
    [
        lambda: pn.BatchNorm(affine=False, eps=1e-3),
        lambda: pn.LayerNorm(affine=False, eps=0.5),
    ],
)
def test_normalisation_without_affine_parameters(layer, dtype, tmp_path):
    net = pn.Sequential([pn.Dense(4, 6), layer(), pn.Dense(2)], seed=0, dtype=dtype)
    net.state[...] = np.random.default_rng(1).uniform(0.5, 2, net.state.shape)
    session = exported(net, tmp_path)
    for X in inputs((4,), dtype):
        assert_close(run(session, X)["output"], net.predict(X), dtype)


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
def test_a_convolutional_network(dtype, tmp_path):
    layers = [
        pn.Conv2D(1, 4, 5, padding=2),
        pn.BatchNorm(),
        pn.ReLU(),
        pn.MaxPool2D(2),
        pn.Conv2D(4, 8, 3, stride=2),
        pn.ReLU(),
        pn.AvgPool2D(2),
        pn.Flatten(),
        pn.Dense(10),
    ]
    net = pn.Sequential(layers, seed=0, dtype=dtype, input_shape=(1, 16, 16))
    net.state[...] = np.random.default_rng(1).uniform(0.5, 2, net.state.shape)
    session = exported(net, tmp_path)
    for X in inputs((1, 16, 16), dtype):
        assert_close(run(session, X)["output"], net.predict(X), dtype)


@needs_runtime
@quiet_estimators
@pytest.mark.parametrize("dtype", DTYPES)
def test_an_estimator_built_from_layers_takes_flat_rows(dtype, tmp_path):
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 36)), rng.integers(0, 3, 60)
    layers = [pn.Conv2D(1, 3, 3), pn.ReLU(), pn.MaxPool2D(2)]
    model = pn.NeuralNetClassifier(layers=layers, input_shape=(1, 6, 6),
                                   max_epochs=3, random_state=0, dtype=dtype)
    session = exported(model.fit(X, y), tmp_path)
    for X in inputs((36,), dtype, seed=1):
        outputs = run(session, X)
        np.testing.assert_array_equal(outputs["label"], model.predict(X))
        assert_close(outputs["probabilities"], model.predict_proba(X), dtype)
