"""Export to ONNX: every registered layer and every kind of model gives a graph
that passes ONNX's full check, holds standard operators only, and computes in
onnxruntime what plainnet computes (to 1e-5 in float32, 1e-10 in float64, for
batches of 1 and 1,000 rows). Failed exports name the layer and write nothing;
without the extra, the function and the command say what to install.

Parity tests need ``onnx`` and ``onnxruntime`` (the test extra installs them)
and are skipped with a reason without them; the registry tests run anywhere.
"""

import csv
import importlib.util
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import environment, write_flowers, write_prices
from plainnet import cli
from plainnet.data import MISSING_VALUES, _is_missing
from plainnet.layers import LAYERS, Layer
from plainnet.onnx import TRANSLATIONS, check_exportable, model_from_file
from plainnet.onnx.tables import MISSING_CELLS
from plainnet.preprocessing import Standardizer
from plainnet.tables import TablePreprocessor
from test_layer_harness import EXAMPLES, takes_ids
from test_layer_harness import inputs as layer_inputs
from titanic import write_titanic

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
    """Every output of the graph for ``X`` (its one input, or inputs by name),
    by name."""
    names = [output.name for output in session.get_outputs()]
    feed = X if isinstance(X, dict) else {session.get_inputs()[0].name: X}
    values = session.run(None, feed)
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
    (name, shape) for name in sorted(EXAMPLES) for shape in EXAMPLES[name][1]
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
    samples = inputs(shape, dtype)
    if takes_ids(name):  # integer ids over the whole table
        samples = [layer_inputs(name, shape, n=n) for n in BATCHES]
    for X in samples:
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


# -- sequences ---------------------------------------------------------------------
@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["SimpleRNN", "GRU", "LSTM"])
@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"return_sequences": True},
        {"bidirectional": True},
        {"return_sequences": True, "bidirectional": True, "learn_initial_state": True},
    ],
)
def test_recurrent_layers_in_every_setting(name, settings, dtype, tmp_path):
    """ONNX's RNN, GRU (gates z, r, h; linear_before_reset=1) and LSTM (i, o,
    f, c) in float32, the steps written out in float64: as plainnet computes."""
    layer = getattr(pn, name)(5, **settings)
    net = pn.Sequential([layer], seed=0, dtype=dtype, input_shape=(7, 3))
    rng = np.random.default_rng(2)  # biases far from zero, the two different
    net.parameters[...] = rng.uniform(-0.8, 0.8, net.parameters.shape)
    session = exported(net, tmp_path)
    for X in inputs((7, 3), dtype):
        assert_close(run(session, X)["output"], net.predict(X), dtype)


@needs_runtime
def test_token_ids_through_an_embedding_and_a_gru(tmp_path):
    net = pn.Sequential(
        [pn.Embedding(30, 8, padding_idx=0), pn.GRU(6, bidirectional=True),
         pn.Dense(3)],
        seed=0, dtype="float32", input_shape=(12,),
    )  # fmt: skip
    session = exported(net, tmp_path)
    assert session.get_inputs()[0].type == "tensor(int64)"
    ids = np.random.default_rng(0).integers(0, 30, (50, 12))
    assert_close(run(session, ids)["output"], net.predict(ids), "float32")


@needs_runtime
@quiet_estimators
def test_an_estimator_of_a_convolution_and_a_gru(tmp_path):
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 40)).astype("float32")
    y = (X[:, :20].sum(axis=1) > 0).astype(int)
    model = pn.NeuralNetClassifier(
        layers=[pn.Conv1D(1, 4, 5), pn.ReLU(), pn.SwapAxes(),
                pn.GRU(6, return_sequences=True, bidirectional=True)],
        input_shape=(1, 40), max_epochs=2, random_state=0, dtype="float32",
    ).fit(X, y)  # fmt: skip
    session = exported(model, tmp_path)
    outputs = run(session, X)
    np.testing.assert_array_equal(outputs["label"], model.predict(X))
    assert_close(outputs["probabilities"], model.predict_proba(X), "float32")


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


# -- plainnet train on a table: its columns, filling and one-hot in the graph ----
def cells(path: Path) -> dict[str, list[str]]:
    """A CSV file's cells as written, by column."""
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {name: [row[name] for row in rows] for name in rows[0]}


def column_feed(session, columns: dict, rows=slice(None)) -> dict[str, np.ndarray]:
    """Each input of the graph from its column's cells, as the metadata maps
    them: a number column as floats of the input's type (NaN where missing), a
    text column as strings with the spaces around them stripped, each of shape
    (n_rows, 1)."""
    dtypes = {i.name: i.type for i in session.get_inputs()}
    mapping = json.loads(session.get_modelmeta().custom_metadata_map["columns"])
    feed = {}
    for column in mapping:
        values = columns[column["column"]][rows]
        if column["kind"] == "number":
            values = [float(v) if v.strip() else np.nan for v in values]
            dtype = FLOATS[dtypes[column["input"]]]
            feed[column["input"]] = np.array(values, dtype).reshape(-1, 1)
        else:
            values = [v.strip() for v in values]  # as the graph takes them
            feed[column["input"]] = np.array(values, dtype=object).reshape(-1, 1)
    return feed


FLOATS = {"tensor(float)": "float32", "tensor(double)": "float64"}
#: Cells a deployed model receives: missing ones in the spellings the reader
#: knows, in any case, and categories not seen in training (``Female`` too).
MESSY = {
    "Sex": ["", "NA", "n/a", "NaN", "null", "None", "?", "#N/A", "<NA>", "-nan",
            "Female", "other", "female", "male"],
    "Embarked": ["nan", "NULL", "X", "s", "C", "Q", "S", "na", "", "NONE", "+NaN",
                 "<na>", "N/a", "nUlL"],
    "Age": ["", "", "3", "", "80", "", "", "12.5", "", "", "", "1", "", ""],
    "Fare": ["", "7.25", "", "", "", "512", "", "", "", "", "", "", "", "0"],
}


def titanic_model(folder: Path, *options: str) -> tuple[pn.Predictor, dict]:
    """``plainnet train`` on the Titanic-like file with only the target (and
    ``options``); returns the model and the file's cells, the first rows
    overwritten with :data:`MESSY`."""
    data = write_titanic(folder / "titanic.csv")
    model = folder / "titanic.npz"
    args = ["train", str(data), "--target", "Survived", "--quiet", "--out", str(model)]
    assert cli.main([*args, *options]) == 0
    columns = cells(data)
    for name, messy in MESSY.items():
        columns[name][: len(messy)] = messy
    return model_from_file(model), columns


def predicted(predictor: pn.Predictor, columns: dict) -> tuple:
    """``predict`` and ``predict_proba`` of ``columns`` (warning of the unseen)."""
    with pytest.warns(UserWarning, match="not seen in training"):
        labels = predictor.predict(columns)
    with pytest.warns(UserWarning, match="not seen in training"):
        return labels, predictor.predict_proba(columns)


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", [(), ("--missing-indicator",)])
def test_a_table_model_takes_its_raw_columns(options, dtype, tmp_path, capsys):
    predictor, columns = titanic_model(tmp_path, *options)
    capsys.readouterr()
    predictor = pn.Predictor(predictor.network.astype(dtype), predictor.metadata)
    session = exported(predictor, tmp_path)
    labels, probabilities = predicted(predictor, columns)
    outputs = run(session, column_feed(session, columns))  # the whole file
    np.testing.assert_array_equal(outputs["label"], labels)
    assert_close(outputs["probabilities"], probabilities, dtype)
    for row in range(len(MESSY["Sex"]) + 2):  # batch 1: every messy row
        outputs = run(session, column_feed(session, columns, slice(row, row + 1)))
        np.testing.assert_array_equal(outputs["label"], labels[row : row + 1])
        assert_close(outputs["probabilities"], probabilities[row : row + 1], dtype)


@needs_runtime
def test_a_table_model_describes_its_inputs(tmp_path, capsys):
    import onnx

    predictor, _ = titanic_model(tmp_path, "--missing-indicator")
    out = tmp_path / "titanic.onnx"
    assert cli.main(["export", str(tmp_path / "titanic.npz"), str(out)]) == 0
    assert "inputs Pclass (float64, batch x 1), Sex (string, batch x 1)," in (
        capsys.readouterr().out
    )
    props = {p.key: json.loads(p.value) for p in onnx.load(out).metadata_props}
    names = ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]
    kinds = ["number", "category", *["number"] * 4, "category"]
    assert props["columns"] == [
        {"input": n, "column": n, "kind": k} for n, k in zip(names, kinds, strict=True)
    ]
    assert props["inputs"] == [
        {
            "name": n,
            "dtype": "float64" if k == "number" else "string",
            "shape": ["batch", 1],
        }
        for n, k in zip(names, kinds, strict=True)
    ]
    assert props["feature_names"] == predictor.table.feature_names_out_
    assert "Age_missing" in props["feature_names"]


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
def test_a_table_regression(dtype, tmp_path, capsys):
    data = write_titanic(tmp_path / "titanic.csv")
    model = tmp_path / "fare.npz"
    args = ["train", str(data), "--target", "Fare", "--quiet", "--out", str(model)]
    assert cli.main(args) == 0
    capsys.readouterr()
    predictor = model_from_file(model)
    assert predictor.task == "regress"
    predictor = pn.Predictor(predictor.network.astype(dtype), predictor.metadata)
    columns = cells(data)
    for name in ("Sex", "Embarked", "Age"):
        columns[name][: len(MESSY[name])] = MESSY[name]
    session = exported(predictor, tmp_path)
    with pytest.warns(UserWarning, match="not seen in training"):
        expected = predictor.predict(columns).reshape(-1, 1)
    scale = predictor.metadata["target_scaling"]["scale"][0]
    got = run(session, column_feed(session, columns))["variable"]
    assert_close(got, expected, dtype, scale)
    got = run(session, column_feed(session, columns, slice(2, 3)))["variable"]
    assert_close(got, expected[2:3], dtype, scale)


def identity_of(table: TablePreprocessor) -> pn.Predictor:
    """A model whose output is its table's features: the graph's encoding."""
    width = len(table.feature_names_out_)
    net = pn.Sequential([pn.Identity()], seed=0, input_shape=(width,))
    return pn.Predictor(net, {"table": table.to_dict()})


@needs_runtime
def test_the_encoding_is_transform_exactly_with_names_made_inputs(tmp_path):
    training = {
        "Home port": ["a", "b", "b", "", "c", "b"],
        "2nd class": [1.5, None, 3.0, 4.0, None, 2.0],
        "label": ["NA", "x", "y", "y", "007", "7"],
    }
    table = TablePreprocessor(missing_indicator=True).fit(training)
    session = exported(identity_of(table), tmp_path)
    inputs = [i.name for i in session.get_inputs()]
    assert inputs == ["Home_port", "_2nd_class", "label_2"]
    spellings = ["", " ", "NA", "nA", "N/A", "#n/a", "<Na>", "NAN", "+nan"]
    spellings += ["-NaN", "NULL", "nONe", "?", "None"]
    new = {
        "Home port": [*spellings, "a", "B", "c", "d"],
        "2nd class": [None, 1.0, *[None] * 14, -7.0, 1e6],
        "label": ["007", "7", "07", "y", "x", *spellings[:-1]],
    }
    with pytest.warns(UserWarning, match="not seen in training"):
        expected = table.transform(new)
    text = {k: [("" if v is None else str(v)) for v in c] for k, c in new.items()}
    got = run(session, column_feed(session, text))["variable"]
    np.testing.assert_array_equal(got, expected)


@needs_runtime
def test_the_other_column_of_capped_categories_is_transform_exactly(tmp_path):
    cells = ["a"] * 4 + ["b"] * 3 + ["c", "d", "", "NA"]
    table = TablePreprocessor(max_categories=3, missing_indicator=True).fit(
        {"town": cells}
    )
    names = ["town=a", "town=b", "town=(other)", "town_missing"]
    assert table.feature_names_out_ == names
    session = exported(identity_of(table), tmp_path)
    new = {"town": ["a", "b", "c", "d", "never seen", "", "NA", "B"]}
    expected = table.transform(new)
    got = run(session, column_feed(session, new))["variable"]
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(expected[:, 2], [0, 0, 1, 1, 1, 0, 0, 1])


def test_the_missing_spellings_are_every_case_of_the_readers():
    assert all(_is_missing(cell) for cell in MISSING_CELLS)
    assert {cell.lower() for cell in MISSING_CELLS} == {*MISSING_VALUES, "+nan", "-nan"}
    # every character that lowers into one of their letters is ASCII, so the
    # ASCII cases of each word are all its spellings
    letters = set("".join(MISSING_VALUES))
    lowering = [c for c in map(chr, range(sys.maxunicode + 1)) if c.lower() in letters]
    assert all(c.isascii() for c in lowering)


def a_surrogate(state):
    """A category that is no Unicode text (``os.fsdecode`` makes them)."""
    state["columns"][0]["categories"][1] = "\udc80"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (a_surrogate, r"column 'Home port' has the category '\\udc80', which is not"),
        (
            lambda state: state["columns"][0].update(indicator=False),
            "it makes 4 features, but the network takes 5",
        ),
        (
            lambda state: state["columns"][0].update(kind="date"),
            "stored table preprocessing: table state: column 'Home port' must be",
        ),
    ],
)
def test_a_table_that_cannot_be_translated_is_refused(change, message, tmp_path):
    pytest.importorskip("onnx")
    predictor = identity_of(small_table())
    change(predictor.metadata["table"])
    with pytest.raises(pn.ExportError, match=message):
        pn.to_onnx(predictor, tmp_path / "table.onnx")
    assert list(tmp_path.iterdir()) == []


def small_table() -> TablePreprocessor:
    return TablePreprocessor(missing_indicator=True).fit(
        {"Home port": ["a", "b", ""], "age": [1.0, None, 3.0]}
    )


def test_info_says_why_a_table_cannot_be_exported(tmp_path, capsys):
    model = tmp_path / "table.npz"
    predictor = identity_of(small_table())
    predictor.network.save(model, metadata=predictor.metadata)
    # a category from a file name (os.fsdecode leaves undecodable bytes as lone
    # surrogates): save refuses it, but JSON escapes it and the reader takes it
    with zipfile.ZipFile(model) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = np.load(io.BytesIO(members["plainnet.npy"]))
    text = document.tobytes().decode().replace('"b"', '"\\udc80"')
    buffer = io.BytesIO()
    np.save(buffer, np.frombuffer(text.encode(), np.uint8))
    members["plainnet.npy"] = buffer.getvalue()
    with zipfile.ZipFile(model, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert cli.main(["info", str(model)]) == 0
    assert (
        "ONNX export: not possible: cannot export the stored table preprocessing: "
        r"column 'Home port' has the category '\udc80', which is not Unicode text"
    ) in capsys.readouterr().out


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
        got = run(session, column_feed(session, cells(tmp_path / data)))[output]
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
    previous = b"\x08\x08 the previous export"  # an ONNX model starts so
    out.write_bytes(previous)
    monkeypatch.delitem(TRANSLATIONS, "Tanh")
    assert cli.main(["export", str(model), str(out)]) == 1
    assert "plainnet export: error: cannot export layer 1 (Tanh())" in (
        capsys.readouterr().err
    )
    assert out.read_bytes() == previous
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


@needs_runtime
@pytest.mark.parametrize("dtype", DTYPES)
def test_the_character_model_runs_as_in_plainnet(dtype, tmp_path):
    """examples/char_model.py's architecture (Embedding, learned positions, two
    residual blocks of causal attention and a GELU feed-forward layer, LayerNorm
    over the last axis), trained a little so that no weight is at its start:
    int64 ids in, the logits of every step out, as predict gives them."""
    steps, vocabulary = 64, 95
    net = pn.Sequential(
        pn.layers.language_model(vocabulary, steps),
        input_shape=(steps,),
        seed=0,
        dtype=dtype,
    )
    rng = np.random.default_rng(2)
    ids = rng.integers(0, vocabulary, (64, steps + 1))
    net.fit(ids[:, :-1], ids[:, 1:], loss="cross_entropy", epochs=2, batch_size=16)
    session = exported(net, tmp_path)
    assert session.get_inputs()[0].type == "tensor(int64)"
    for n in (1, 64):
        X = rng.integers(0, vocabulary, (n, steps))
        assert_close(run(session, X)["output"], net.predict(X), dtype)
