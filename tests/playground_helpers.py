"""Running the playground's session and server inside a test."""

import contextlib
import http.client
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from plainnet.playground.server import TOKEN_HEADER, PlaygroundServer
from plainnet.playground.session import Session
from plainnet.playground.settings import Setup, setup_from_link

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"


def guide_links() -> dict[str, str]:
    """The playground links of guide chapter 2, by data set (``xor``, ``seed``)."""
    text = (GUIDE / "02-xor.md").read_text(encoding="utf-8")
    links = re.findall(r"`(#data=[^`]+)`", text)
    return {re.match(r"#data=(\w+)", link).group(1): link for link in links}


def wait_for(condition: Callable[[], object], seconds: float = 60.0) -> None:
    """Return once ``condition()`` is true; fail after ``seconds``."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "waited in vain"
        time.sleep(0.01)


@contextlib.contextmanager
def session_of(link: str = "", **options) -> Iterator[Session]:
    """A session of the setup in ``link`` (a URL fragment), closed afterwards;
    the lines it prints are collected in ``session.said``."""
    said: list[str] = []
    session = Session(setup_from_link(link, Setup()), say=said.append, **options)
    session.said = said
    try:
        yield session
    finally:
        session.close()


def train(session: Session, epochs: int) -> None:
    """Train the session's run to its epoch limit ``epochs``."""
    session.epochs = epochs
    session.control("start")
    wait_for(lambda: session.state()["status"] in ("finished", "diverged", "stopped"))


@contextlib.contextmanager
def server_of(session: Session, host: str = "127.0.0.1") -> Iterator[PlaygroundServer]:
    """The session's server, answering in a thread; shut down afterwards."""
    server = PlaygroundServer(session, host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def ask(
    server: PlaygroundServer,
    method: str,
    path: str,
    body: bytes | dict | None = None,
    *,
    token: str | None = "",
    host: str | None = None,
    headers: dict | None = None,
) -> tuple[int, bytes, dict]:
    """One request: the server's token in the header (``token=None``: none),
    the Host header of ``127.0.0.1:PORT`` unless ``host`` is given. Returns
    the status, the body and the headers."""
    address = server.server_address[0]
    address = "127.0.0.1" if address == "0.0.0.0" else address  # this machine
    connection = http.client.HTTPConnection(address, server.server_port, timeout=60)
    sent = {"Host": host or f"127.0.0.1:{server.server_port}", **(headers or {})}
    if token is not None:
        sent[TOKEN_HEADER] = token or server.token
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    try:
        connection.putrequest(method, path, skip_host=True)
        for name, value in sent.items():
            connection.putheader(name, value)
        if body is not None and "Content-Length" not in sent:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def ask_json(server: PlaygroundServer, method: str, path: str, body=None, **kw):
    """``ask``, with the answer's JSON."""
    status, content, _ = ask(server, method, path, body, **kw)
    return status, json.loads(content)
