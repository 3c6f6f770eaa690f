"""Nothing of the user's is replaced by an output: ``plainnet export`` and
``to_onnx`` never write over their own input, nor over a file of another kind
(without ``--force``), a FIFO or a read-only file; two outputs of one command
are never the same file; saves refuse an empty name, a folder, a FIFO and a
read-only file before writing anything."""

import os
import stat

import numpy as np
import pytest

import plainnet as pn
from plainnet import cli, model_files

pytest.importorskip("onnx")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder holding m.npz, a small network's model file."""
    monkeypatch.chdir(tmp_path)
    net = pn.Sequential([pn.Dense(2, 3), pn.ReLU(), pn.Dense(3, 2)], seed=0)
    net.fit(np.eye(2), [0, 1], loss="cross_entropy", epochs=2)
    model_files.save(net, "m.npz")
    return tmp_path


def run(capsys, *args) -> tuple[int, str]:
    """``plainnet ARGS`` in this process: its exit status and stderr."""
    status = cli.main([str(a) for a in args])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("out", ["m.npz", "./m.npz", "link.onnx"])
def test_export_refuses_its_own_input(folder, capsys, out):
    os.symlink("m.npz", folder / "link.onnx")
    before = (folder / "m.npz").read_bytes()
    status, err = run(capsys, "export", "m.npz", out)
    assert status == 2 and "one of this command's inputs" in err, err
    assert (folder / "m.npz").read_bytes() == before
    pn.load("m.npz")  # still a model file


def test_to_onnx_refuses_its_own_input(folder):
    before = (folder / "m.npz").read_bytes()
    os.symlink("m.npz", folder / "link.onnx")
    for out in ("m.npz", "./m.npz", folder / "link.onnx"):
        with pytest.raises(pn.ExportError, match="the model file being exported"):
            pn.to_onnx("m.npz", out)
    assert (folder / "m.npz").read_bytes() == before


def test_export_refuses_another_kind_of_file_unless_forced(folder, capsys):
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "plot.png").write_bytes(b"\x89PNG\r\n\x1a\nrest")
    for name in ("data.csv", "plot.png"):
        before = (folder / name).read_bytes()
        status, err = run(capsys, "export", "m.npz", name)
        assert status == 2 and "--force" in err and "ONNX" in err, err
        assert (folder / name).read_bytes() == before
    assert run(capsys, "export", "m.npz", "data.csv", "--force")[0] == 0
    assert (folder / "data.csv").read_bytes()[:1] == b"\x08"  # now an ONNX model
    # an ONNX file (its first field is ir_version) is replaced without --force
    assert run(capsys, "export", "m.npz", "data.csv")[0] == 0


def test_export_never_writes_into_a_fifo_or_a_read_only_file(folder, capsys):
    os.mkfifo(folder / "pipe.onnx")
    status, err = run(capsys, "export", "m.npz", "pipe.onnx", "--force")
    assert status == 2 and "not a regular file" in err, err
    assert stat.S_ISFIFO(os.stat(folder / "pipe.onnx").st_mode)
    assert run(capsys, "export", "m.npz", "old.onnx")[0] == 0
    os.chmod(folder / "old.onnx", 0o444)
    before = (folder / "old.onnx").read_bytes()
    status, err = run(capsys, "export", "m.npz", "old.onnx", "--force")
    assert status == 2 and "read-only" in err, err
    assert (folder / "old.onnx").read_bytes() == before
    assert stat.S_IMODE(os.stat(folder / "old.onnx").st_mode) == 0o444


@pytest.mark.parametrize("plot", ["same.png", "./same.png", "sub/../same.png"])
def test_two_outputs_of_one_command_are_never_one_file(folder, capsys, plot):
    (folder / "sub").mkdir()
    status, err = run(
        capsys, "train", "--dataset", "moons", "--out", "same.png", "--plot", plot
    )
    assert status == 2 and "are the same file" in err, err
    assert not (folder / "same.png").exists()  # refused before any work
    # also when the file exists already (a model from an earlier run)
    model_files.save(pn.load("m.npz"), "same.png")
    before = (folder / "same.png").read_bytes()
    status, err = run(
        capsys, "train", "--dataset", "moons", "--out", "same.png", "--plot", plot
    )
    assert status == 2 and "are the same file" in err, err
    assert (folder / "same.png").read_bytes() == before


@pytest.mark.parametrize(
    "name, error, words",
    [
        ("", ValueError, "empty"),
        (".", IsADirectoryError, "folder"),
        ("pipe", OSError, "FIFO"),
        ("locked.npz", PermissionError, "read-only"),
    ],
)
def test_saves_refuse_what_is_not_a_writable_regular_file(folder, name, error, words):
    os.mkfifo(folder / "pipe")
    model_files.save(pn.load("m.npz"), "locked.npz")
    os.chmod(folder / "locked.npz", 0o444)
    before = sorted(os.listdir(folder)), sorted(os.listdir(folder.parent))
    net = pn.load("m.npz")
    with pytest.raises(error, match=words):
        model_files.save(net, name)
    with pytest.raises(error, match=words):
        pn.to_onnx(net, name)
    # no temporary file anywhere
    assert (sorted(os.listdir(folder)), sorted(os.listdir(folder.parent))) == before
