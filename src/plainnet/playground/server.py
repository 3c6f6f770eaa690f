"""The playground's web server: the page's static files and a small JSON API on
the standard library's ``ThreadingHTTPServer`` (one thread per request; the
training has its own, see :mod:`.session`).

Safe by default:

* it listens on 127.0.0.1 unless told another address;
* every request carries the random token of the printed URL (``?token=`` or
  the ``X-Playground-Token`` header), else it is refused (403);
* a request whose ``Host`` header is not this server's address is refused
  (403): a page of another site, reached through a DNS name pointed at
  127.0.0.1, cannot talk to it;
* request bodies have size limits (413), and a body that is not a JSON object
  or settings that cannot be trained are answered with an error the page shows
  (400); nothing a request sends is a path to read: the server reads its own
  static files, the CSV file given on the command line and the files uploaded
  to it.

========  ====================  ==============================================
method    path                  answer
========  ====================  ==============================================
GET       /                     the page
GET       /static/NAME          its script and style sheet
GET       /api/state            what the page draws now (``?run=&since=``)
POST      /api/setup            ``{"setup": {...}, "reset": bool}``: a new run
POST      /api/control          ``{"action": "start|pause|step|reset"}``
POST      /api/upload           a CSV file's bytes (``?name=FILE``)
GET       /api/model            the model file, ``playground.npz``
GET       /api/code             the Python code that trains the same network
========  ====================  ==============================================
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
import socket
import sys
from concurrent.futures import TimeoutError as FutureTimeout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from .session import Session
from .settings import SetupError, is_whole_number

MAX_JSON_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
TOKEN_HEADER = "X-Playground-Token"
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/playground.js": ("playground.js", "text/javascript; charset=utf-8"),
    "/static/playground.css": ("playground.css", "text/css; charset=utf-8"),
}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # nothing but this server: no script, style or font from elsewhere
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
}


class RequestError(Exception):
    """A request answered with ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class PlaygroundServer(ThreadingHTTPServer):
    """The server of one session, on ``host:port`` (port 0: a free one).

    Raises ``OSError`` when the address cannot be bound (a port in use).
    """

    daemon_threads = True

    def __init__(self, session: Session, host: str = "127.0.0.1", port: int = 0):
        self.session = session
        self.token = secrets.token_urlsafe(18)
        self.files = {path: _static(name) for path, (name, _) in STATIC.items()}
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), PlaygroundHandler)
        self.host_name = f"[{host}]" if ":" in host else host
        self.allowed_hosts = {
            f"{name}:{self.server_port}" for name in {*LOOPBACK_NAMES, self.host_name}
        }

    def url(self) -> str:
        """The page's address: the token, and the current setup after ``#``."""
        fragment = self.session.run.setup.fragment()
        return (
            f"http://{self.host_name}:{self.server_port}/?token={self.token}#{fragment}"
        )


def _static(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


class PlaygroundHandler(BaseHTTPRequestHandler):
    """Checks the Host header, the token and the body's size, then answers one
    route (see the module's table)."""

    server: PlaygroundServer
    server_version = "plainnet-playground"
    protocol_version = "HTTP/1.1"  # the page's polls reuse one connection

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        try:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            self._check_host()
            self._check_token(query)
            route = ROUTES.get((method, url.path))
            if route is None:
                raise RequestError(404, f"no such page: {method} {url.path[:80]}")
            route(self, url.path, query)
        except (RequestError, SetupError) as error:
            self.close_connection = True  # a refused body may be left unread
            self._send_json({"error": str(error)}, getattr(error, "status", 400))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:  # a bug: said to the page, the server goes on
            print(
                f"plainnet playground: {method} {self.path[:80]}: {error!r}",
                file=sys.stderr,
            )
            self._send_json({"error": f"internal error: {error}"}, 500)

    # -- the checks ----------------------------------------------------------------
    def _check_host(self) -> None:
        host = self.headers.get("Host", "")
        known = host.lower() in self.server.allowed_hosts
        if not (known or self._by_address(host)):
            raise RequestError(
                403, f"refused: the Host header {host[:80]!r} is not this server's"
            )

    def _by_address(self, host: str) -> bool:
        """A server on every address (``--host 0.0.0.0``) is reached by any of
        the machine's: a Host header of an IP address and this port names no
        other site (DNS rebinding needs a name)."""
        name, _, port = host.rpartition(":")
        if self.server.host_name not in ("0.0.0.0", "[::]"):
            return False
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
        return port == str(self.server.server_port)

    def _check_token(self, query: dict) -> None:
        given = self.headers.get(TOKEN_HEADER) or (query.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            raise RequestError(
                403,
                "refused: this address needs the token of the URL that plainnet "
                "playground printed",
            )

    def _body(self, limit: int) -> bytes:
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            raise RequestError(411, "send the body with a Content-Length, not chunked")
        text = self.headers.get("Content-Length")
        if text is None or not is_whole_number(text.strip()):
            self.close_connection = True
            raise RequestError(411, "a request body needs its Content-Length")
        length = int(text)
        if length > limit:
            self.close_connection = True  # its body is left unread
            raise RequestError(
                413,
                f"the request body has {length:,} bytes; at most {limit:,} "
                "are accepted",
            )
        return self.rfile.read(length)

    def _json(self) -> dict:
        body = self._body(MAX_JSON_BYTES)
        try:
            value = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise RequestError(400, f"the request body is not JSON: {error}") from None
        if not isinstance(value, dict):
            raise RequestError(
                400, f"expected a JSON object, got {type(value).__name__}"
            )
        return value

    # -- the routes ----------------------------------------------------------------
    def _static_file(self, path: str, query: dict) -> None:
        body = self.server.files[path]
        if path == "/":
            body = body.replace(b"{{TOKEN}}", self.server.token.encode())
        self._send(200, body, STATIC[path][1])

    def _state(self, path: str, query: dict) -> None:
        run = _integer(query, "run")
        since = _integer(query, "since") or 0
        self._send_json(self.server.session.state(run, since))

    def _setup(self, path: str, query: dict) -> None:
        request = self._json()
        fields = request.get("setup")
        if not isinstance(fields, dict):
            raise RequestError(400, 'expected {"setup": {...}, "reset": false}')
        run = self.server.session.configure(fields, reset=request.get("reset") is True)
        self._send_json(
            {
                "run": run.id,
                "setup": run.setup.fields(),
                "fragment": run.setup.fragment(),
            }
        )

    def _control(self, path: str, query: dict) -> None:
        action = self._json().get("action")
        self.server.session.control(str(action))
        self._send_json({"ok": True})

    def _upload(self, path: str, query: dict) -> None:
        name = (query.get("name") or ["upload.csv"])[0]
        content = self._body(MAX_UPLOAD_BYTES)
        csv = self.server.session.upload(name, content)
        self._send_json({"csv": csv.describe()})

    def _model(self, path: str, query: dict) -> None:
        try:
            body = self.server.session.model_file()
        except FutureTimeout:
            raise RequestError(503, "the training is busy; try again") from None
        except ValueError as error:  # weights that cannot be saved
            raise RequestError(400, f"cannot save the model: {error}") from None
        self._send(
            200,
            body,
            "application/octet-stream",
            {"Content-Disposition": 'attachment; filename="playground.npz"'},
        )

    def _code(self, path: str, query: dict) -> None:
        code = self.server.session.code()
        self._send(200, code.encode(), "text/plain; charset=utf-8")

    # -- answering -----------------------------------------------------------------
    def _send_json(self, value: dict, status: int = 200) -> None:
        body = json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
        self._send(status, body, "application/json")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        """Quiet: the page polls many times a second."""


def _integer(query: dict, name: str) -> int | None:
    values = query.get(name)
    if not values or values[0] == "":
        return None
    if not is_whole_number(values[0]):
        raise RequestError(
            400, f"{name} must be a whole number, got {values[0][:20]!r}"
        )
    return int(values[0])


ROUTES = {
    **{("GET", path): PlaygroundHandler._static_file for path in STATIC},
    ("GET", "/api/state"): PlaygroundHandler._state,
    ("POST", "/api/setup"): PlaygroundHandler._setup,
    ("POST", "/api/control"): PlaygroundHandler._control,
    ("POST", "/api/upload"): PlaygroundHandler._upload,
    ("GET", "/api/model"): PlaygroundHandler._model,
    ("GET", "/api/code"): PlaygroundHandler._code,
}
