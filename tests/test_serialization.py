"""Model files: round trips, exact resumption, atomic saves, and hostile files.

Each "Files" row of FAULTS.md has a test here; the command line's use of model
files is tested in test_cli.py.
"""

import io
import json
import os
import tempfile
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plainnet as pn
from plainnet import model_files
from plainnet.errors import ModelFileError

RNG = np.random.default_rng(0)
X = RNG.standard_normal((60, 4))
Y_CLASS = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)


def classifier(dtype="float64", seed=3) -> pn.Sequential:
    return pn.Sequential(
        [pn.Dense(4, 8), pn.Tanh(), pn.Dense(8, 6), pn.LeakyReLU(0.2), pn.Dense(6, 3)],
        seed=seed,
        dtype=dtype,
    )


def trained(dtype="float64", optimizer=None, epochs=3) -> pn.Sequential:
    net = classifier(dtype)
    net.fit(
        X,
        Y_CLASS,
        loss="cross_entropy",
        optimizer=optimizer or pn.Adam(lr=0.01),
        epochs=epochs,
        batch_size=16,
        validation_data=(X[:10], Y_CLASS[:10]),
    )
    return net


@pytest.fixture
def saved(tmp_path):
    """A trained classifier and the path of its model file."""
    net = trained()
    path = tmp_path / "model.npz"
    net.save(path, metadata={"task": "classify", "classes": ["a", "b", "c"]})
    return net, path


# -- the file's contents -------------------------------------------------------
def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def write_members(path, contents: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def document(path) -> dict:
    raw = members(path)["plainnet.npy"]
    return json.loads(np.load(io.BytesIO(raw)).tobytes())


def with_document(path, change) -> None:
    """Rewrite the model file at ``path`` with ``change(document)`` applied."""
    doc = document(path)
    change(doc)
    contents = members(path)
    text = json.dumps(doc).encode()
    contents["plainnet.npy"] = npy(np.frombuffer(text, np.uint8))
    write_members(path, contents)


def refused(path, *words) -> str:
    """Load ``path``, expecting a ModelFileError naming the file and ``words``."""
    with pytest.raises(ModelFileError) as caught:
        pn.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for word in words:
        assert word in message
    return message


# -- round trips ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_predicts_bit_identically(tmp_path, dtype):
    net = trained(dtype)
    net.save(tmp_path / "m.npz")
    loaded = pn.load(tmp_path / "m.npz")
    assert isinstance(loaded, pn.Sequential)
    assert loaded.get_config() == net.get_config()
    assert loaded.parameters.dtype == np.dtype(dtype)
    assert np.array_equal(loaded.parameters, net.parameters)
    assert np.array_equal(loaded.predict(X), net.predict(X))
    assert np.array_equal(loaded.predict_proba(X), net.predict_proba(X))
    assert loaded.history.loss == net.history.loss
    assert loaded.history.val_loss == net.history.val_loss
    assert loaded.loss.name == "cross_entropy"
    assert repr(loaded.optimizer) == repr(net.optimizer)


def test_the_file_is_a_plain_npz_with_a_json_document(saved):
    net, path = saved
    with np.load(path, allow_pickle=False) as arrays:
        assert set(arrays.files) == {
            "plainnet",
            "weights/layers.0.W",
            "weights/layers.0.b",
            "weights/layers.2.W",
            "weights/layers.2.b",
            "weights/layers.4.W",
            "weights/layers.4.b",
            "optimizer/m",
            "optimizer/v",
        }
        assert np.array_equal(arrays["weights/layers.0.W"], net.layers[0].params["W"])
    doc = document(path)
    assert doc["format"] == "plainnet.model"
    assert doc["format_version"] == model_files.FORMAT_VERSION
    assert doc["plainnet_version"] == pn.__version__
    assert doc["kind"] == "sequential"
    assert doc["network"]["layers"][3] == {
        "class": "LeakyReLU",
        "config": {"alpha": 0.2},
    }
    assert doc["loss"] == "cross_entropy"
    assert doc["optimizer"]["name"] == "adam"
    assert doc["metadata"] == {"task": "classify", "classes": ["a", "b", "c"]}


def test_metadata_comes_back(saved):
    _, path = saved
    contents = model_files.read_model_file(path)
    assert contents.kind == "sequential"
    assert contents.metadata == {"task": "classify", "classes": ["a", "b", "c"]}
    assert contents.network is contents.model


def test_untrained_network_and_no_optimizer(tmp_path):
    net = classifier()
    net.save(tmp_path / "fresh.npz")
    loaded = pn.load(tmp_path / "fresh.npz")
    assert loaded.loss is None and loaded.optimizer is None
    assert np.array_equal(loaded.predict(X), net.predict(X))

    trained_net = trained()
    trained_net.save(tmp_path / "weights.npz", include_optimizer=False)
    assert not any(
        n.startswith("optimizer/") for n in members(tmp_path / "weights.npz")
    )
    assert pn.load(tmp_path / "weights.npz").optimizer is None


def test_the_seeds_network_round_trips(tmp_path):
    inputs = [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]]
    outputs = [0, 1, 1, 0]
    network = pn.NeuralNetwork([3, 1])
    network.train(inputs, outputs, iterations=1000)
    network.save(tmp_path / "seed.npz")
    loaded = pn.load(tmp_path / "seed.npz")
    assert isinstance(loaded, pn.NeuralNetwork)
    assert repr(loaded) == repr(network)
    assert np.array_equal(loaded.think([1, 0, 0]), network.think([1, 0, 0]))
    network.train(inputs, outputs, iterations=500)
    loaded.train(inputs, outputs, iterations=500)
    assert np.array_equal(loaded.synaptic_weights, network.synaptic_weights)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "make_optimizer",
    [lambda: pn.Adam(lr=0.01), lambda: pn.SGD(lr=0.05, momentum=0.9, nesterov=True)],
    ids=["adam", "sgd-nesterov"],
)
def test_training_resumes_exactly(tmp_path, dtype, make_optimizer):
    """10 epochs straight == 5 epochs, save, load, 5 more (shuffling included)."""
    straight = classifier(dtype)
    straight.fit(
        X,
        Y_CLASS,
        loss="cross_entropy",
        optimizer=make_optimizer(),
        epochs=10,
        batch_size=16,
    )
    first = classifier(dtype)
    first.fit(
        X,
        Y_CLASS,
        loss="cross_entropy",
        optimizer=make_optimizer(),
        epochs=5,
        batch_size=16,
    )
    first.save(tmp_path / "half.npz")
    resumed = pn.load(tmp_path / "half.npz")
    resumed.fit(X, Y_CLASS, epochs=5, batch_size=16)
    assert np.array_equal(resumed.parameters, straight.parameters)
    assert resumed.history.loss == straight.history.loss
    assert resumed.optimizer.state["step"] == straight.optimizer.state["step"]


def test_a_legacy_random_state_is_saved_too(tmp_path):
    net = pn.Sequential([pn.Dense(4, 3)], seed=np.random.RandomState(7))
    net.fit(X, Y_CLASS, loss="cross_entropy", epochs=2, batch_size=8)
    net.save(tmp_path / "m.npz")
    loaded = pn.load(tmp_path / "m.npz")
    net.fit(X, Y_CLASS, epochs=2, batch_size=8)
    loaded.fit(X, Y_CLASS, epochs=2, batch_size=8)
    assert np.array_equal(loaded.parameters, net.parameters)


# -- what save refuses ---------------------------------------------------------
def test_save_refuses_what_it_could_not_load_back(tmp_path):
    net = trained()
    net.parameters[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.save(tmp_path / "nan.npz")
    with pytest.raises(TypeError, match="cannot save a dict"):
        model_files.save({}, tmp_path / "dict.npz")

    class Custom(pn.Tanh):
        pass

    with pytest.raises(ValueError, match="Custom"):
        pn.Sequential([pn.Dense(2, 2), Custom()]).save(tmp_path / "custom.npz")
    with pytest.raises(ValueError, match="feature_names"):
        trained().save(tmp_path / "m.npz", metadata={"feature_names": ["only one"]})
    with pytest.raises(ValueError, match="unknown metadata"):
        trained().save(tmp_path / "m.npz", metadata={"colour": "red"})
    with pytest.raises(ValueError, match="names no 'classes'"):
        trained().save(tmp_path / "m.npz", metadata={"task": "classify"})
    # undecodable bytes of a header, read with surrogateescape
    header = b"pr\xe9sident".decode("utf-8", "surrogateescape")
    with pytest.raises(ValueError, match=r"'target' holds text that is not valid"):
        trained().save(tmp_path / "m.npz", metadata={"target": header})
    assert os.listdir(tmp_path) == []


# -- atomic saves --------------------------------------------------------------
def test_a_failed_rename_leaves_the_old_file_and_no_temporary(saved, monkeypatch):
    _, path = saved
    before = path.read_bytes()

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        classifier(seed=99).save(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.npz"]


def test_an_interrupted_write_leaves_the_old_file(saved):
    _, path = saved
    before = path.read_bytes()

    def interrupted(file):
        file.write(b"PK\x03\x04 half a model")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model_files.atomic_write(path, interrupted)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.npz"]


# -- files that are not models -------------------------------------------------
def test_missing_empty_foreign_and_folder(tmp_path):
    refused(tmp_path / "nowhere.npz", "no such model file")
    refused(tmp_path, "folder")
    (tmp_path / "empty.npz").write_bytes(b"")
    refused(tmp_path / "empty.npz", "empty")
    (tmp_path / "text.npz").write_text("sepal_length,species\n5.1,setosa\n")
    refused(tmp_path / "text.npz", "not a plainnet model file")
    np.savez(tmp_path / "plain.npz", W=np.ones(3))
    refused(tmp_path / "plain.npz", "not a plainnet model file", "plain NumPy")
    np.savez_compressed(tmp_path / "squeezed.npz", plainnet=np.ones(3))
    refused(tmp_path / "squeezed.npz", "compressed")


def test_truncated_files(saved):
    _, path = saved
    data = path.read_bytes()
    for length in (10, 100, len(data) // 2, len(data) - 30, len(data) - 1):
        path.write_bytes(data[:length])
        refused(path, "truncated")


def test_a_flipped_byte_in_the_weights_is_caught(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    start = data.index(b"weights/layers.2.W")
    offset = data.index(b"\n", data.index(b"{'descr'", start)) + 20  # inside the data
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))
    refused(path, "damaged", "CRC")


def test_a_newer_format_asks_to_upgrade(saved):
    _, path = saved
    with_document(
        path, lambda doc: doc.update(format_version=2, plainnet_version="9.0")
    )
    refused(path, "newer plainnet", "'9.0'", "upgrade plainnet")


def test_a_document_of_another_format(saved):
    _, path = saved
    with_document(path, lambda doc: doc.update(format="keras"))
    refused(path, "not a plainnet model file")


# -- hostile files -------------------------------------------------------------
class _Payload:
    """Unpickling this would create a file: proof that no pickle is ever loaded."""

    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_an_object_array_is_refused_without_unpickling(saved, tmp_path):
    _, path = saved
    _Payload.marker = str(tmp_path / "pwned")
    contents = members(path)
    payload = np.empty((4, 8), dtype=object)
    payload[...] = _Payload()
    contents["weights/layers.0.W.npy"] = npy(payload)
    write_members(path, contents)
    refused(path, "weights/layers.0.W", "dtype object")
    assert not os.path.exists(_Payload.marker)


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "__import__", "Layer"])
def test_code_names_in_the_config_resolve_nowhere(saved, name):
    _, path = saved
    with_document(path, lambda doc: doc["network"]["layers"][1].update({"class": name}))
    refused(path, "layer 1", "unknown layer class", repr(name))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda doc: doc.update(loss="builtins.eval"), ["unknown loss"]),
        (lambda doc: doc["optimizer"].update(name="os.system"), ["unknown optimizer"]),
        (lambda doc: doc.update(kind="os.system"), ["unknown kind"]),
        (
            lambda doc: doc["rng"]["state"].update(bit_generator="os.system"),
            ["random generator"],
        ),
        (
            lambda doc: doc["network"]["layers"][0]["config"].update(init="os.system"),
            ["layer 0", "initializer"],
        ),
        (
            lambda doc: doc["network"]["layers"][0]["config"].update(n_in="4"),
            ["layer 0", "positive int"],
        ),
        (
            lambda doc: doc["network"]["layers"][0]["config"].update(n_in=5),
            ["weights/layers.0.W", "architecture declares (5, 8)"],
        ),
        (
            lambda doc: doc["network"]["layers"][0]["config"].update(
                command="rm -rf /"
            ),
            ["layer 0", "command"],
        ),
        (lambda doc: doc["optimizer"]["config"].update(lr=-1), ["adam", "lr"]),
        (lambda doc: doc["optimizer"]["state"].update(step="5"), ["counters"]),
        (lambda doc: doc["history"].update(loss="all good"), ["history"]),
        (lambda doc: doc["metadata"].update(classes=["a", "b"]), ["3 outputs"]),
        (lambda doc: doc["metadata"].update(scaling={"mean": [0]}), ["scaling"]),
        (lambda doc: doc["network"].update(dtype="object"), ["dtype"]),
        (lambda doc: doc.update(extra=1), ["unknown field(s) ['extra']"]),
        (lambda doc: doc.pop("network"), ["missing field(s) ['network']"]),
    ],
)
def test_every_field_is_checked(saved, change, words):
    _, path = saved
    with_document(path, change)
    refused(path, *words)


def test_an_enormous_declared_array_is_refused_before_allocating(saved):
    _, path = saved
    huge = 2**20

    def declare_huge(doc):
        doc["network"]["layers"][0]["config"]["n_out"] = huge
        doc["network"]["layers"][2]["config"]["n_in"] = huge

    with_document(path, declare_huge)
    contents = members(path)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (4, huge)}
    )
    contents["weights/layers.0.W.npy"] = header.getvalue()
    write_members(path, contents)
    tracemalloc.start()
    try:
        refused(path, "declares", "parameters", "more than the file")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_an_array_header_not_matching_the_architecture(saved):
    _, path = saved
    contents = members(path)
    contents["weights/layers.0.W.npy"] = npy(np.ones((8, 4)))
    write_members(path, contents)
    refused(path, "weights/layers.0.W", "shape (8, 4)", "(4, 8)")


def test_extra_and_missing_arrays(saved):
    _, path = saved
    contents = members(path)
    contents["weights/layers.9.W.npy"] = npy(np.ones(3))
    del contents["optimizer/m.npy"]
    write_members(path, contents)
    refused(path, "missing ['optimizer/m']", "unexpected ['weights/layers.9.W']")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_weights_are_refused(saved, bad):
    net, path = saved
    contents = members(path)
    weights = net.layers[2].params["W"].copy()
    weights[1, 1] = bad
    contents["weights/layers.2.W.npy"] = npy(weights)
    write_members(path, contents)
    refused(path, "weights/layers.2.W", "NaN or inf")


# -- random bytes --------------------------------------------------------------
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def load_bytes(tmp_path, data: bytes):
    """Load ``data`` as a model file: it loads, or raises ModelFileError only."""
    path = tmp_path / "fuzz.npz"
    path.write_bytes(data)
    try:
        return pn.load(path)
    except ModelFileError as error:
        assert str(error).startswith(str(path))
        return None


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_only_give_a_model_file_error(tmp_path, data):
    assert load_bytes(tmp_path, data) is None
    assert load_bytes(tmp_path, b"PK\x03\x04" + data) is None


def _valid_file() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.npz")
        trained().save(path, metadata={"task": "classify", "classes": [0, 1, 2]})
        with open(path, "rb") as file:
            return file.read()


VALID = _valid_file()


@FUZZ
@given(length=st.integers(0, len(VALID) - 1))
def test_every_truncation_gives_a_model_file_error(tmp_path, length):
    assert load_bytes(tmp_path, VALID[:length]) is None


@FUZZ
@given(position=st.integers(0, len(VALID) - 1), chunk=st.binary(min_size=1, max_size=8))
def test_overwritten_bytes_load_or_give_a_model_file_error(tmp_path, position, chunk):
    data = VALID[:position] + chunk + VALID[position + len(chunk) :]
    model = load_bytes(tmp_path, data)
    if model is not None:  # the change hit bytes no reader looks at
        assert isinstance(model, pn.Sequential)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(field=st.sampled_from(model_files.DOCUMENT_FIELDS), value=JSON)
def test_any_json_in_any_field_loads_or_gives_a_model_file_error(
    tmp_path, field, value
):
    path = tmp_path / "fuzz.npz"
    path.write_bytes(VALID)
    with_document(path, lambda doc: doc.update({field: value}))
    load_bytes(tmp_path, path.read_bytes())


def test_a_neural_network_declaring_other_sizes_is_refused(tmp_path):
    path = tmp_path / "seed.npz"
    pn.NeuralNetwork([3, 1]).save(path)
    with_document(path, lambda doc: doc["config"].update(sizes=[3, 10**6, 10**6, 1]))
    refused(path, "invalid neural_network settings", "layer sizes")


def test_an_optimizer_that_never_stepped(tmp_path):
    net = classifier()
    net.optimizer = pn.SGD(lr=0.1, momentum=0.5)
    net.save(tmp_path / "m.npz")
    loaded = pn.load(tmp_path / "m.npz")
    assert loaded.optimizer.state["step"] == 0
    assert not loaded.optimizer.state["velocity"].any()


def test_a_non_finite_optimizer_state_is_not_saved(tmp_path):
    net = trained()
    net.optimizer.state["v"][0] = np.inf
    with pytest.raises(ValueError, match="include_optimizer=False"):
        net.save(tmp_path / "m.npz")
    net.save(tmp_path / "m.npz", include_optimizer=False)
    assert np.array_equal(pn.load(tmp_path / "m.npz").predict(X), net.predict(X))


def test_dropout_networks_resume_exactly(tmp_path):
    """Dropout draws its masks from the network's generator: restored too."""

    def make():
        return pn.Sequential(
            [pn.Dense(4, 16), pn.ReLU(), pn.Dropout(0.3), pn.Dense(16, 3)], seed=5
        )

    straight = make()
    straight.fit(X, Y_CLASS, loss="cross_entropy", epochs=6, batch_size=16)
    first = make()
    first.fit(X, Y_CLASS, loss="cross_entropy", epochs=3, batch_size=16)
    first.save(tmp_path / "dropout.npz")
    resumed = pn.load(tmp_path / "dropout.npz")
    resumed.fit(X, Y_CLASS, epochs=3, batch_size=16)
    assert np.array_equal(resumed.parameters, straight.parameters)
