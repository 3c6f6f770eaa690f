"""The playground's server, over HTTP and without a browser: the token, the Host
header, the size limits, bad JSON and impossible settings (an error the page
shows, never a crash), and the routes that train, upload and hand out the
model and the code."""

import json

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import write_flowers
from plainnet.playground.server import MAX_JSON_BYTES, MAX_UPLOAD_BYTES
from playground_helpers import ask, ask_json, server_of, session_of, wait_for


@pytest.fixture
def server():
    with session_of() as session, server_of(session) as server:
        yield server


# -- the token and the Host header -------------------------------------------------
def test_the_page_carries_its_token_and_forbids_anything_from_elsewhere(server):
    status, body, headers = ask(server, "GET", f"/?token={server.token}", token=None)
    assert status == 200
    page = body.decode()
    assert f'<meta name="playground-token" content="{server.token}">' in page
    assert f'src="static/playground.js?token={server.token}"' in page
    assert "http://" not in page and "https://" not in page
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["Referrer-Policy"] == "no-referrer"
    status, body, headers = ask(server, "GET", "/static/playground.js")
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")


@pytest.mark.parametrize(
    "path", ["/", "/static/playground.js", "/api/state", "/api/model"]
)
@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_request_without_the_token_is_refused(server, path, token):
    status, body, _ = ask(server, "GET", path, token=token)
    assert status == 403
    assert (
        "needs the token of the URL that plainnet playground printed"
        in (json.loads(body)["error"])
    )


def test_a_foreign_host_header_is_refused(server):
    port = server.server_port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}"):
        status, body = ask_json(server, "GET", "/api/state", host=host)
        assert status == 403
        assert "the Host header" in body["error"]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert ask(server, "GET", "/api/state", host=host)[0] == 200


def test_on_every_address_any_ip_address_of_the_machine_is_a_host():
    with session_of() as session, server_of(session, host="0.0.0.0") as server:
        port = server.server_port
        assert ask(server, "GET", "/api/state", host=f"10.1.2.3:{port}")[0] == 200
        for host in (f"evil.example:{port}", f"10.1.2.3:{port + 1}"):
            assert ask(server, "GET", "/api/state", host=host)[0] == 403


def test_another_address_is_allowed_only_when_it_is_given():
    with session_of() as session, server_of(session, host="127.0.0.2") as server:
        assert server.url().startswith(f"http://127.0.0.2:{server.server_port}/?token=")
        host = f"127.0.0.2:{server.server_port}"
        assert ask(server, "GET", "/api/state", host=host)[0] == 200


# -- limits and bad requests -------------------------------------------------------
def test_bodies_over_their_limit_are_refused_unread(server):
    big = {"setup": {"target": "x" * MAX_JSON_BYTES}}
    status, body = ask_json(server, "POST", "/api/setup", big)
    assert status == 413
    assert f"at most {MAX_JSON_BYTES:,} are accepted" in body["error"]
    # an upload that only says it is large: refused before its body is read
    claimed = {"Content-Length": str(MAX_UPLOAD_BYTES + 1)}
    status, body = ask_json(server, "POST", "/api/upload", b"a,b", headers=claimed)
    assert status == 413
    status, body = ask_json(server, "POST", "/api/setup")
    assert status == 411


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/api/setup", b"{not json", "the request body is not JSON"),
        ("/api/setup", b"\xff\xfe", "the request body is not JSON"),
        ("/api/setup", b"[1, 2]", "expected a JSON object, got list"),
        ("/api/setup", b"[" * 50000, "the request body is not JSON"),
        ("/api/setup", {"lr": 1}, 'expected {"setup": {...}, "reset": false}'),
        ("/api/setup", {"setup": {"lr": "fast"}}, "lr must be a number above 0"),
        (
            "/api/setup",
            {"setup": {"data": "spirals", "classes": 3, "loss": "sse"}},
            "loss sse gives one output",
        ),
        ("/api/setup", {"setup": {"data": "/etc/passwd"}}, "data must be one of"),
        (
            "/api/setup",
            {"setup": {"data": "csv", "target": "/etc/passwd"}},
            "no CSV file: upload one",
        ),
        ("/api/control", {"action": "fly"}, "unknown action 'fly'"),
        ("/api/upload?name=a.csv", b"a,b\n1", "a.csv: line 2"),
    ],
)
def test_bad_requests_get_an_error_the_page_shows(server, path, body, says):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    status, answer = ask_json(server, "POST", path, body)
    assert status == 400
    assert says in answer["error"]
    assert ask(server, "GET", "/api/state")[0] == 200  # and the server goes on


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/../../etc/passwd"),
        ("GET", "/static/../server.py"),
        ("GET", "/static/settings.py"),
        ("POST", "/"),
        ("GET", "/api/setup"),
    ],
)
def test_no_other_file_or_route_is_served(server, method, path):
    status, body = ask_json(server, method, path, b"{}" if method == "POST" else None)
    assert status == 404
    assert body["error"].startswith("no such page")


@pytest.mark.parametrize("run", ["one", "%C2%B2"])  # "²" passes str.isdigit
def test_a_wrong_query_number_is_a_bad_request(server, run):
    status, body = ask_json(server, "GET", f"/api/state?run={run}")
    assert status == 400
    assert body["error"].startswith("run must be a whole number, got ")


# -- the routes at work ------------------------------------------------------------
def test_train_pause_and_take_the_model_and_the_code(server, tmp_path):
    status, answer = ask_json(
        server, "POST", "/api/setup", {"setup": {"data": "circles", "hidden": "6"}}
    )
    assert status == 200
    assert answer["setup"]["hidden"] == "6"
    assert "data=circles" in answer["fragment"]
    assert ask(server, "POST", "/api/control", {"action": "start"})[0] == 200

    def epochs():
        return ask_json(server, "GET", "/api/state")[1]["epoch"]

    wait_for(lambda: epochs() >= 5)
    ask(server, "POST", "/api/control", {"action": "pause"})
    wait_for(lambda: ask_json(server, "GET", "/api/state")[1]["status"] == "paused")
    status, model, headers = ask(server, "GET", "/api/model")
    assert status == 200
    assert headers["Content-Disposition"] == 'attachment; filename="playground.npz"'
    (tmp_path / "playground.npz").write_bytes(model)
    net = pn.load(tmp_path / "playground.npz")
    run = server.session.run
    np.testing.assert_array_equal(net.predict(run.X), run.net.predict(run.X))
    status, code, headers = ask(server, "GET", "/api/code")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b'X, y = make_dataset("circles", 200, seed=0)' in code


def test_an_uploaded_csv_file_becomes_the_data(server, tmp_path):
    content = write_flowers(tmp_path / "flowers.csv").read_bytes()
    status, answer = ask_json(server, "POST", "/api/upload?name=flowers.csv", content)
    assert status == 200
    assert answer["csv"]["columns"] == [
        "sepal_length",
        "sepal_width",
        "petal_length",
        "species",
    ]
    setup = {"data": "csv", "target": "species"}
    status, answer = ask_json(
        server, "POST", "/api/setup", {"setup": setup, "reset": True}
    )
    assert status == 200
    state = ask_json(server, "GET", "/api/state")[1]
    assert state["data"]["classes"] == ["setosa", "versicolor", "virginica"]
    assert state["csv"]["name"] == "flowers.csv"
    assert state["drawing"]["boundary"]
