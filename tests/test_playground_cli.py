"""``plainnet playground`` as a command: it prints its URL, trains with
``--autostart`` up to ``--epochs``, saves ``--out`` then and at Ctrl-C or
SIGTERM, and says in one line what is wrong with its options."""

import json
import signal
import socket
import subprocess
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

import plainnet as pn
from cli_helpers import command, environment, plainnet_cli, write_flowers
from playground_helpers import wait_for

URL_LINE = "plainnet playground: "


@pytest.fixture
def launch(tmp_path):
    """``launch(*options)`` starts ``plainnet playground --no-browser OPTIONS``
    in tmp_path and returns the process once it has printed its URL (in
    ``process.url``); every process still running is killed afterwards."""
    started = []

    def start(*options):
        process = subprocess.Popen(
            command("playground", "--no-browser", *options),
            cwd=tmp_path,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        line = process.stdout.readline()
        assert line.startswith(URL_LINE), line + process.stderr.read()
        process.url = line[len(URL_LINE) :].strip()
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=60)


def state_of(url: str) -> dict:
    """The server's state, asked as the page asks."""
    parts = urlsplit(url)
    token = parse_qs(parts.query)["token"][0]
    request = urllib.request.Request(
        f"http://{parts.netloc}/api/state", headers={"X-Playground-Token": token}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def stop(process, signum=signal.SIGINT) -> tuple[int, str, str]:
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_autostart_trains_to_the_limit_saves_and_ctrl_c_ends(launch, tmp_path):
    process = launch(
        "--autostart", "--epochs", 30, "--out", "m.npz", "--dataset", "xor"
    )
    assert process.url.startswith("http://127.0.0.1:")
    assert "#data=xor&" in process.url
    assert process.stdout.readline() == "Ctrl-C stops it and saves m.npz\n"
    line = process.stdout.readline()
    assert line.startswith("run 1: trained 30 epochs, loss ")
    assert line.endswith("; saved m.npz\n")
    assert state_of(process.url)["status"] == "finished"
    status, _, err = stop(process)
    assert status == 130
    assert err == "plainnet playground: stopped by Ctrl-C at epoch 30; saved m.npz\n"
    assert len(pn.load(tmp_path / "m.npz").history.loss) == 30


@pytest.mark.parametrize(
    ("signum", "status", "name"),
    [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")],
)
def test_ctrl_c_or_sigterm_during_training_saves_out(
    launch, tmp_path, signum, status, name
):
    process = launch("--autostart", "--out", "m.npz")
    wait_for(lambda: state_of(process.url)["epoch"] >= 5)
    returned, _, err = stop(process, signum)
    assert returned == status
    assert err.startswith(f"plainnet playground: stopped by {name} at epoch ")
    assert err.endswith("; saved m.npz\n")
    epochs = int(err.split("at epoch ")[1].split(";")[0])
    assert len(pn.load(tmp_path / "m.npz").history.loss) == epochs >= 5


def test_a_link_sets_up_the_page_and_a_csv_file_its_data(launch, tmp_path):
    write_flowers(tmp_path / "flowers.csv")
    process = launch(
        "--csv",
        "flowers.csv",
        "--target",
        "species",
        "--setup",
        "http://127.0.0.1:1/?token=old#hidden=3&lr=0.1",
    )
    state = state_of(process.url)
    assert state["setup"]["data"] == "csv"
    assert (state["setup"]["hidden"], state["setup"]["lr"]) == ("3", 0.1)
    assert state["data"]["classes"] == ["setosa", "versicolor", "virginica"]
    assert stop(process)[0] == 130


def test_another_host_is_said_with_a_warning(launch):
    process = launch("--host", "127.0.0.2")
    assert process.url.startswith("http://127.0.0.2:")
    assert state_of(process.url)["status"] == "ready"
    _, _, err = stop(process)
    assert err.startswith(
        "plainnet playground: warning: listening on 127.0.0.2: other machines"
    )


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = plainnet_cli(
            "playground", "--no-browser", "--port", port, cwd=tmp_path
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"plainnet playground: error: port {port} is in use; choose another with "
        "--port, or --port 0 for a free one\n"
    )


@pytest.mark.parametrize(
    ("options", "status", "says"),
    [
        (["--csv", "flowers.csv"], 2, "--csv FILE and --target COLUMN go together"),
        (["--csv", "none.csv", "--target", "a"], 1, "none.csv"),
        (
            ["--csv", "flowers.csv", "--target", "colour"],
            1,
            "flowers.csv has no column 'colour'",
        ),
        (["--setup", "lr=0"], 2, "--setup: lr must be a number above 0"),
        (["--port", "70000"], 2, "expected a port number from 0 to 65535"),
        (
            ["--out", "flowers.csv", "--csv", "flowers.csv", "--target", "species"],
            2,
            "is one of this command's inputs",
        ),
    ],
)
def test_bad_options_get_one_line(tmp_path, options, status, says):
    write_flowers(tmp_path / "flowers.csv")
    result = plainnet_cli("playground", "--no-browser", *options, cwd=tmp_path)
    assert result.returncode == status
    assert says in result.stderr.splitlines()[-1]


def test_the_help_names_every_option(tmp_path):
    result = plainnet_cli("playground", "--help", cwd=tmp_path)
    for option in (
        "--port",
        "--host",
        "--no-browser",
        "--dataset",
        "--csv",
        "--target",
        "--autostart",
        "--epochs",
        "--out",
        "--setup",
    ):
        assert option in result.stdout
