"""What a model file may hold, checked on both sides: state its layer cannot
hold (a negative variance) is refused on loading and non-finite weights on
exporting; layer counts and document sizes are bounded before the JSON is
parsed; configs hold plain JSON values (NumPy integers given to a layer
included); a ``sequential`` file's settings hold no unknown keys."""

import io
import json
import zipfile

import numpy as np
import pytest

import plainnet as pn
from plainnet import model_files
from plainnet.errors import ModelFileError
from plainnet.layers import LAYERS
from test_layer_harness import EXAMPLES
from test_serialization import members, npy, with_document, write_members


def batchnorm_model(path):
    net = pn.Sequential([pn.Dense(3, 4), pn.BatchNorm(), pn.Dense(4, 2)], seed=0)
    X = np.random.default_rng(0).normal(size=(40, 3))
    net.fit(X, np.arange(40) % 2, loss="cross_entropy", epochs=2)
    net.save(path)
    return net, X


def with_array(path, name: str, change) -> None:
    """Rewrite the array member ``name`` of the model file with ``change``."""
    contents = members(path)
    array = np.load(io.BytesIO(contents[f"{name}.npy"])).copy()
    change(array)
    contents[f"{name}.npy"] = npy(array)
    write_members(path, contents)


def refused(path, *words) -> str:
    with pytest.raises(ModelFileError) as caught:
        pn.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    for word in words:
        assert word in message, message
    return message


# -- state its layer cannot hold -------------------------------------------------
def test_a_negative_running_variance_is_refused_naming_file_layer_and_array(
    tmp_path,
):
    path = tmp_path / "bn.npz"
    batchnorm_model(path)

    def negative(array):
        array[2] = -0.5

    with_array(path, "state/layers.1.running_var", negative)
    refused(
        path, "layer 1 (BatchNorm)", "'state/layers.1.running_var'", "negative", "-0.5"
    )


def test_a_running_variance_of_zero_still_loads(tmp_path):
    path = tmp_path / "bn.npz"
    _, X = batchnorm_model(path)
    with_array(path, "state/layers.1.running_var", lambda a: a.fill(0.0))
    assert np.isfinite(pn.load(path).predict(X)).all()  # eps keeps it finite


def test_to_onnx_refuses_non_finite_weights_as_save_does(tmp_path):
    pytest.importorskip("onnx")
    net, _ = batchnorm_model(tmp_path / "bn.npz")
    for where in (net.parameters, net.state):
        keep = where[0]
        where[0] = np.nan
        with pytest.raises(ValueError, match="NaN or inf"):
            net.save(tmp_path / "nan.npz")
        named = r"layers\.0\.W|layers\.1\.running_mean"
        with pytest.raises(pn.ExportError, match=named):
            pn.to_onnx(net, tmp_path / "nan.onnx")
        where[0] = keep
    assert not (tmp_path / "nan.onnx").exists()
    assert not (tmp_path / "nan.npz").exists()


# -- limits checked before parsing -------------------------------------------------
def test_a_million_relu_layers_are_refused_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "deep.npz"
    pn.Sequential([pn.Dense(2, 2), pn.ReLU()], seed=0).save(path)
    doc = json.loads(np.load(io.BytesIO(members(path)["plainnet.npy"])).tobytes())
    relu = json.dumps(doc["network"]["layers"][1])
    text = json.dumps(doc).replace(relu, ", ".join([relu] * 1_000_000))
    assert len(text) > 30_000_000
    contents = members(path)
    contents["plainnet.npy"] = npy(np.frombuffer(text.encode(), np.uint8))
    write_members(path, contents)

    def no_parsing(*args, **kwargs):
        raise AssertionError("the document was parsed")

    monkeypatch.setattr(json, "loads", no_parsing)
    refused(path, "too large", str(model_files.MAX_DOCUMENT_BYTES))


def test_many_layers_or_objects_in_a_small_document_are_refused_by_count(
    tmp_path, monkeypatch
):
    path = tmp_path / "deep.npz"
    pn.Sequential([pn.Dense(2, 2), pn.ReLU()], seed=0).save(path)
    doc = json.loads(np.load(io.BytesIO(members(path)["plainnet.npy"])).tobytes())
    relu = doc["network"]["layers"][1]

    def set_document(document):
        contents = members(path)
        raw = json.dumps(document).encode()
        contents["plainnet.npy"] = npy(np.frombuffer(raw, np.uint8))
        write_members(path, contents)

    deep = json.loads(json.dumps(doc))
    deep["network"]["layers"] += [relu] * model_files.MAX_LAYERS
    set_document(deep)
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("parsed"))
    refused(path, "layers", str(model_files.MAX_LAYERS))
    monkeypatch.undo()

    wide = json.loads(json.dumps(doc))
    wide["metadata"]["source"] = [[]] * model_files.MAX_JSON_CONTAINERS
    set_document(wide)
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("parsed"))
    refused(path, "JSON objects and lists", str(model_files.MAX_JSON_CONTAINERS))


def test_save_refuses_what_loading_would_refuse(tmp_path):
    layers = [pn.Dense(2, 2)] + [pn.ReLU() for _ in range(model_files.MAX_LAYERS)]
    net = pn.Sequential(layers, seed=0)
    with pytest.raises(ValueError, match=f"at most {model_files.MAX_LAYERS} layers"):
        net.save(tmp_path / "deep.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_real_model_is_far_below_the_limits(tmp_path):
    path = tmp_path / "m.npz"
    batchnorm_model(path)
    raw = members(path)["plainnet.npy"]
    assert len(raw) < model_files.MAX_DOCUMENT_BYTES / 1000
    assert zipfile.is_zipfile(path) and pn.load(path).built


# -- configs of plain values -------------------------------------------------------
def numpy_values(value):
    """``value`` with its ints, floats and booleans as NumPy scalars, and its
    lists as tuples of them (as a user's NumPy code passes them)."""
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, list):
        return tuple(numpy_values(v) for v in value)
    return value


def plain(value) -> bool:
    if isinstance(value, list):
        return all(plain(v) for v in value)
    if isinstance(value, dict):  # a block's layers, as their entries
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return type(value) in (int, float, str, bool, type(None))


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_stores_plain_values_given_numpy_arguments(name):
    config = EXAMPLES[name][0]().get_config()
    layer = LAYERS[name](**{k: numpy_values(v) for k, v in config.items()})
    stored = layer.get_config()
    assert all(plain(v) for v in stored.values()), stored
    assert json.loads(json.dumps(stored)) == config


def test_a_conv2d_given_numpy_integers_saves_and_loads(tmp_path):
    net = pn.Sequential(
        [pn.Conv2D(1, 2, np.int64(3), stride=np.int32(1)), pn.Flatten(), pn.Dense(2)],
        input_shape=(1, 5, 5),
        seed=0,
    )
    net.save(tmp_path / "cnn.npz")
    loaded = pn.load(tmp_path / "cnn.npz")
    X = np.random.default_rng(0).normal(size=(3, 1, 5, 5))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_unknown_settings_of_a_sequential_file_are_refused_by_name(tmp_path):
    path = tmp_path / "m.npz"
    pn.Sequential([pn.Dense(2, 2)], seed=0).save(path)
    with_document(path, lambda doc: doc["config"].update(dropout_everywhere=0.5))
    refused(path, "sequential", "'dropout_everywhere'")
