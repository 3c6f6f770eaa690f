"""Nothing of the user's is lost: one test for each way a user's model, file
or run could be lost or corrupted that was found by attacking the library, and a
fuzz test of the loader."""

import contextlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plainnet as pn
from cli_helpers import (
    environment,
    plainnet_cli,
    start_long_training,
    write_prices,
)
from plainnet import losses, model_files
from plainnet.errors import ModelFileError
from plainnet.layers.activations import sigmoid, softmax
from plainnet.model_files.archive import Archive
from test_serialization import with_document


def small_model(path, **metadata):
    net = pn.Sequential([pn.Dense(2, 3), pn.ReLU(), pn.Dense(3, 2)], seed=0)
    net.fit(np.eye(2), [0, 1], loss="cross_entropy", epochs=2)
    model_files.save(net, path, metadata=metadata or None)
    return net


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path, contents: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def with_text(path, text: str) -> None:
    """Replace the model file's JSON document by ``text``, as it is."""
    contents = members(path)
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.frombuffer(text.encode(), np.uint8))
    contents["plainnet.npy"] = buffer.getvalue()
    write_members(path, contents)


def document(path) -> dict:
    raw = members(path)["plainnet.npy"]
    return json.loads(np.load(io.BytesIO(raw)).tobytes())


def refused(path, *words) -> str:
    with pytest.raises(ModelFileError) as caught:
        model_files.read_model_file(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- 1. --out never replaces the user's inputs ------------------------------------
def test_1_out_naming_an_input_or_another_kind_of_file_is_refused(tmp_path):
    data = write_prices(tmp_path / "d.csv")
    before = data.read_bytes()
    result = plainnet_cli(
        "train", "d.csv", "--target", "price", "--out", "d.csv", cwd=tmp_path
    )
    assert result.returncode == 2 and "one of this command's inputs" in result.stderr
    assert "training" not in result.stdout and data.read_bytes() == before

    (tmp_path / "notes.txt").write_text("my notes\n")
    result = plainnet_cli(
        "train",
        "d.csv",
        "--target",
        "price",
        "--out",
        "notes.txt",
        "--epochs",
        "1",
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "--force" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "my notes\n"
    ok(
        plainnet_cli(
            "train",
            "d.csv",
            "--target",
            "price",
            "--out",
            "notes.txt",
            "--epochs",
            "1",
            "--force",
            cwd=tmp_path,
        )
    )

    small_model(tmp_path / "m.npz")
    model = (tmp_path / "m.npz").read_bytes()
    result = plainnet_cli("predict", "m.npz", "d.csv", "--out", "m.npz", cwd=tmp_path)
    assert result.returncode == 2 and (tmp_path / "m.npz").read_bytes() == model


def test_1_a_read_only_file_is_never_replaced(tmp_path):
    write_prices(tmp_path / "d.csv")
    small_model(tmp_path / "m.npz")
    os.chmod(tmp_path / "m.npz", 0o444)
    before = (tmp_path / "m.npz").read_bytes()
    result = plainnet_cli(
        "train", "d.csv", "--target", "price", "--out", "m.npz", "--force", cwd=tmp_path
    )
    assert result.returncode == 2 and "read-only" in result.stderr
    assert (tmp_path / "m.npz").read_bytes() == before


# -- 2. evaluate: a text cell in a regression target ----------------------------------
def test_2_evaluate_regression_with_a_text_target_cell_is_one_line(tmp_path):
    write_prices(tmp_path / "d.csv")
    ok(
        plainnet_cli(
            "train", "d.csv", "--target", "price", "--epochs", "2", cwd=tmp_path
        )
    )
    (tmp_path / "bad.csv").write_text("size,age,price\n50,3,100\n60,4,lots\n")
    result = plainnet_cli("evaluate", "model.npz", "bad.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "'lots' is not a number" in result.stderr


# -- 3. permissions and symlinks ----------------------------------------------------
def test_3_a_resave_keeps_permissions_and_a_symlink_writes_its_target(tmp_path):
    path = tmp_path / "m.npz"
    net = small_model(path)
    os.chmod(path, 0o600)
    model_files.save(net, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    real = tmp_path / "real.npz"
    small_model(real)
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    net.save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    np.testing.assert_array_equal(pn.load(real).parameters, net.parameters)


# -- 4. the loader raises only ModelFileError ------------------------------------------
def test_4_huge_json_integers_and_floats(tmp_path):
    path = tmp_path / "m.npz"
    small_model(path)
    doc = document(path)
    text = json.dumps(doc).replace('"loss": [', '"loss": [1' + "0" * 400 + ", ", 1)
    with_text(path, text)
    refused(path, "too large")
    small_model(path)
    text = json.dumps(doc).replace('"loss": [', '"loss": [1e999, ', 1)
    with_text(path, text)
    refused(path)


def test_4_a_sparse_file_declaring_huge_arrays_is_refused_without_allocating(
    tmp_path,
):
    """The file's apparent size (a terabyte, mostly a hole inside an extra
    member) would pass a size check; the members' own sizes do not."""
    path = tmp_path / "m.npz"
    small_model(path)
    doc = document(path)
    doc["network"]["layers"][0]["config"].update(n_in=2, n_out=300_000)
    doc["network"]["layers"][2]["config"].update(n_in=300_000, n_out=300_000)
    doc["optimizer"] = None
    with_text(path, json.dumps(doc))
    contents = members(path)
    with open(path, "wb") as file, zipfile.ZipFile(file, "w") as archive:
        for name, data in contents.items():
            if not name.startswith("optimizer/"):
                archive.writestr(name, data)
        with archive.open("padding.npy", "w", force_zip64=True) as member:
            member._fileobj.seek(2**40, 1)  # a hole: nothing written
            member._file_size = member._compress_size = 2**40
    assert os.path.getsize(path) > 2**40
    refused(path, "declares")


def test_4_an_unseekable_path_is_named(tmp_path):
    small_model(tmp_path / "m.npz")
    data = (tmp_path / "m.npz").read_bytes()
    read_end, write_end = os.pipe()  # as <(cat m.npz) gives: /dev/fd/N
    os.write(write_end, data[:4096])  # fits in the pipe's buffer
    os.close(write_end)
    try:
        refused(f"/dev/fd/{read_end}", "not a regular file")
    finally:
        os.close(read_end)


def test_4_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "m.npz"
    os.mkfifo(fifo)
    code = (
        "import plainnet as pn\n"
        f"try: pn.load({str(fifo)!r})\n"
        "except pn.ModelFileError as e: print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "FIFO" in result.stdout and str(fifo) in result.stdout


def test_4_bytes_after_the_archive_are_refused(tmp_path):
    path = tmp_path / "m.npz"
    small_model(path)
    with open(path, "ab") as file:
        file.write(b"appended")
    refused(path, "after the end of the archive")


def test_4_duplicate_json_keys_are_refused(tmp_path):
    path = tmp_path / "m.npz"
    small_model(path)
    text = json.dumps(document(path))
    with_text(path, text.replace('"kind": ', '"kind": "sequential", "kind": ', 1))
    refused(path, "twice", "kind")


def test_4_metadata_that_contradicts_itself_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    small_model(path)
    doc = document(path)
    doc["metadata"] = {"target": "a", "feature_names": ["a", "b"]}
    with_text(path, json.dumps(doc))
    refused(path, "target 'a' is also a feature")
    doc["metadata"] = {"task": "regress", "target": "y"}
    with_text(path, json.dumps(doc))
    refused(path, "'regress'", "2 outputs")


def test_4_native_byte_order_is_not_assumed(tmp_path):
    """A big-endian machine asks for ``>f8``: the stored ``<f8`` must be read
    (and converted), not refused."""
    path = tmp_path / "m.npz"
    net = small_model(path)
    with open(path, "rb") as file, Archive(str(path), file) as archive:
        W = archive.array("weights/layers.0.W", (2, 3), np.dtype(">f8"))
    assert W.dtype == np.dtype(">f8")
    np.testing.assert_array_equal(W, net.layers[0].params["W"])
    contents = members(path)  # a member written big-endian is refused
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, net.layers[0].params["W"].astype(">f8"))
    contents["weights/layers.0.W.npy"] = buffer.getvalue()
    write_members(path, contents)
    refused(path, "dtype")


# -- 5. no floating-point warnings at the extremes ----------------------------------
def test_5_logits_of_1000_raise_nothing_under_errstate_raise():
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    with np.errstate(all="raise"):
        sigmoid(z, np.empty_like(z))
        softmax(z, np.empty_like(z))
        losses.CrossEntropy().value_and_gradient(z, np.array([0, 1]))
        losses.BinaryCrossEntropy().value_and_gradient(z, np.array([[1.0, 0], [0, 1]]))
        pn.Sequential([pn.Sigmoid()], input_shape=(2,)).predict(z)


# -- 6. infinite settings ---------------------------------------------------------
def test_6_infinite_learning_rate_and_huge_step_counts_are_refused(tmp_path):
    for optimizer in (pn.Adam, pn.SGD):
        with pytest.raises(ValueError, match="lr"):
            optimizer(lr=float("inf"))
    path = tmp_path / "m.npz"
    small_model(path)
    text = json.dumps(document(path))
    doc = document(path)
    steps = doc["optimizer"]["state"]["step"]
    with_text(path, text.replace(f'"step": {steps}', '"step": 1' + "0" * 320))
    refused(path)
    doc["optimizer"]["state"]["step"] = 2**62
    with_text(path, json.dumps(doc))
    refused(path, "step")


# -- 7. errors that name the right thing, before the work ---------------------------
def test_7_save_errors_name_the_target_not_the_temporary(tmp_path):
    net = pn.Sequential([pn.Dense(2, 2)], seed=0)
    target = tmp_path / "missing-folder" / "m.npz"
    with pytest.raises(OSError) as caught:
        net.save(target)
    assert caught.value.filename == str(target)
    assert "tmp" not in str(caught.value).replace(str(tmp_path), "")


def test_7_empty_out_is_refused_before_training(tmp_path):
    write_prices(tmp_path / "d.csv")
    result = plainnet_cli(
        "train", "d.csv", "--target", "price", "--out", "", cwd=tmp_path
    )
    assert result.returncode == 2 and "empty" in result.stderr
    assert "training" not in result.stdout


def test_7_a_700000_column_header_gives_a_short_line(tmp_path):
    header = ",".join(f"column_{i}" for i in range(700_000))
    (tmp_path / "wide.csv").write_text(header + "\n" + ",".join(["1"] * 700_000) + "\n")
    result = plainnet_cli("train", "wide.csv", "--target", "y", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr) < 1000 and result.stderr.count("\n") == 1
    assert "700000 in all" in result.stderr


# -- 8. killed saves and SIGTERM ----------------------------------------------------
def test_8_a_killed_save_leaves_no_temporary_for_good(tmp_path):
    small_model(tmp_path / "m.npz")
    code = (
        "import plainnet as pn\npn.Sequential([pn.Dense(2, 2)], seed=1).save('m.npz')\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
        env=environment(PLAINNET_TEST_PAUSE_BEFORE_RENAME="60"),
    )
    assert "pausing" in process.stdout.readline()
    process.kill()
    process.wait(timeout=30)
    left = [p for p in tmp_path.iterdir() if p.name != "m.npz"]
    assert len(left) == 1 and left[0].name.startswith(".m.npz.plainnet-tmp-")
    old = time.time() - 3600
    os.utime(left[0], (old, old))
    small_model(tmp_path / "m.npz")  # the next save clears it
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_8_sigterm_during_training_saves_the_best_model_and_exits_143(tmp_path):
    process = start_long_training(tmp_path)
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "interrupted by SIGTERM: the best model so far is in best.npz" in err
    history = model_files.read_model_file(tmp_path / "best.npz").network.history
    assert history.interrupted and 0 < len(history.loss) < 100000


# -- 9. terminal escapes in a model's metadata ---------------------------------------
def test_9_escape_sequences_in_metadata_are_escaped_when_printed(tmp_path):
    evil = "\x1b]0;owned\x07\x1b[31m"
    path = tmp_path / "m.npz"
    small_model(
        path,
        task="classify",
        classes=[f"a{evil}", "b"],
        source=f"x{evil}",
        target=f"t{evil}",
        feature_names=["u", "v"],
    )
    (tmp_path / "d.csv").write_text("u,v\n1,2\n")
    for args in (
        ("info", "m.npz"),
        ("predict", "m.npz", "d.csv", "--proba"),
        ("think", "--model", "m.npz", "1", "2"),
    ):
        result = plainnet_cli(*args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr
        assert "\\x1b" in result.stdout


# -- the fuzz test ---------------------------------------------------------------
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "kind",
    "config",
    "network",
    "loss",
    "optimizer",
    "rng",
    "history",
    "metadata",
    "format_version",
    "plainnet_version",
]


@pytest.fixture(scope="module")
def valid_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "m.npz"
    small_model(path, task="classify", classes=["a", "b"], feature_names=["u", "v"])
    return path, document(path)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    field=st.sampled_from(FIELDS),
    value=JSON,
    depth=st.integers(0, 2),
    huge=st.sampled_from(["", "1" + "0" * 400, "1e999", "-1e400"]),
)
def test_random_json_in_a_valid_model_file_gives_only_model_file_error(
    valid_document, tmp_path_factory, field, value, depth, huge
):
    source, doc = valid_document
    doc = json.loads(json.dumps(doc))
    where = doc
    key = field
    for _ in range(depth):  # go into the field's dicts, when it has some
        inner = where[key]
        if not isinstance(inner, dict) or not inner:
            break
        where, key = inner, sorted(inner)[0]
    where[key] = value
    text = json.dumps(doc)
    if huge:
        text = text.replace('"plainnet_version"', f'"x": {huge}, "plainnet_version"')
    path = tmp_path_factory.mktemp("case") / "m.npz"
    path.write_bytes(source.read_bytes())
    with_text(path, text)
    with contextlib.suppress(ModelFileError):
        model_files.read_model_file(path)


def test_7_standardizer_refuses_a_feature_beyond_1e150_by_name():
    X = np.array([[1.0, 2.0], [3.0, 1e200]])
    with pytest.raises(pn.DataError, match=r"feature.s. 'big'"):
        pn.preprocessing.Standardizer().fit(X, ["small", "big"])


def test_a_loaded_estimators_settings_must_describe_its_network(tmp_path):
    # Fault 10: settings in a file are what the next fit builds; a file whose
    # hidden_layer_sizes ask for (100000, 100000) is refused, never allocated.
    pytest.importorskip("sklearn")
    X, y = np.random.default_rng(0).standard_normal((30, 3)), np.arange(30) % 2
    path = tmp_path / "clf.npz"
    pn.NeuralNetClassifier((4,), max_epochs=2, random_state=0).fit(X, y).save(path)
    huge = {"tuple": [100000, 100000]}
    with_document(
        path, lambda doc: doc["config"]["params"].update(hidden_layer_sizes=huge)
    )
    message = "settings describe a network of 10000700002 parameters"
    with pytest.raises(pn.ModelFileError, match=message):
        pn.load(path)
