"""``autograd-lite serve``: the live explorer, a small local web app on the standard library's HTTP server.

A learner types an expression and its values; the page shows the value,
every gradient, the graph and the step-through, with a slider per input that
recomputes on the server through the engine. Like Jupyter, it is a local
server with a secret: it binds 127.0.0.1 unless ``--host`` says otherwise
(and then warns), puts a random token in its URL and refuses every request
without it (403), limits request sizes, reads expressions only with the safe
parser, answers bad input with its message (never a stack trace), picks the
next free port when its port is taken, and stops cleanly on Ctrl-C (exit 0).

Example (a server on a free port, asked without and with its token):
    >>> import threading, urllib.request, urllib.error
    >>> server = make_server(port=0)
    >>> thread = threading.Thread(target=server.serve_forever, daemon=True); thread.start()
    >>> try:
    ...     urllib.request.urlopen(f"http://127.0.0.1:{server.port}/")
    ... except urllib.error.HTTPError as error:
    ...     error.code
    403
    >>> urllib.request.urlopen(server.url).status
    200
    >>> server.shutdown(); server.server_close()
"""

from __future__ import annotations

import argparse
import errno
import hmac
import json
import secrets
import select
import signal
import socket
import socketserver
import sys
import threading
import traceback
import webbrowser
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..views.render import RenderCancelled, cancel_renders_when, stop_renders
from .live import MAX_ORDER, explore
from .page import render_page
from .training import Sessions
from .training import answer as train_answer

__all__ = ["DEFAULT_PORT", "MAX_REQUEST_BYTES", "ExplorerServer", "main", "make_server"]

#: the port tried first; when it is taken, the next ones, then any free port
DEFAULT_PORT = 8765
PORT_TRIES = 20
#: the largest request body accepted (an expression is at most 10,000 characters)
MAX_REQUEST_BYTES = 64 * 1024
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_PAGE_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'")


class ExplorerServer(ThreadingHTTPServer):
    """The HTTP server with its token and page; one thread per request."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], token: str) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.token = token
        self.training = Sessions()  # the training view's runs (issue 25), the newest few
        self.page = render_page("autograd-lite explorer", "", None, live=True).encode()
        host = address[0]
        self.port: int = self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/?token={token}"


class _Handler(BaseHTTPRequestHandler):
    server: ExplorerServer
    timeout = 30  # seconds a client may take to send its request: slow clients do not pin threads
    server_version = "autograd-lite"
    sys_version = ""

    # --- every method: the token first ------------------------------------------
    def _authorised(self) -> bool:
        given = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        if hmac.compare_digest(given.encode(), self.server.token.encode()):
            return True
        self._send(HTTPStatus.FORBIDDEN, b"403 Forbidden: this explorer answers only requests that carry "
                   b"the token printed with its URL.\n", "text/plain; charset=utf-8")
        return False

    def do_GET(self) -> None:
        if not self._authorised():
            return
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, self.server.page, "text/html; charset=utf-8", page=True)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        if not self._authorised():
            return
        endpoint = urlsplit(self.path).path
        if endpoint not in ("/api/explore", "/api/train"):
            self._send(HTTPStatus.NOT_FOUND, b"404 Not Found\n", "text/plain; charset=utf-8")
            return
        length_text = self.headers.get("Content-Length")
        try:
            length = int(length_text) if length_text is not None else -1
        except ValueError:
            length = -1
        if length < 0:
            self._json(HTTPStatus.LENGTH_REQUIRED, {"ok": False, "error": "the request needs a Content-Length"})
            return
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True  # do not read what we refuse
            self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {
                "ok": False, "error": f"the request is {length:,} bytes; the limit is {MAX_REQUEST_BYTES:,}"})
            return
        try:
            request = json.loads(self.rfile.read(length).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            request = None
        if not isinstance(request, dict):
            self._json(HTTPStatus.BAD_REQUEST, {"ok": False, "error": "the request is not a JSON object"})
            return
        if endpoint == "/api/train":
            self._train(request)
            return
        order = request.get("order", 1)
        if isinstance(order, float) and order.is_integer():
            order = int(order)
        try:
            # a browser that gives up on the request (a new one typed, the tab closed) stops its picture
            with cancel_renders_when(self._client_gone):
                answer = explore(request.get("expression", ""), request.get("values", ""), order,
                                 collapse=request.get("collapse"), expand=request.get("expand") or [])
        except RenderCancelled:
            self.close_connection = True  # nobody is waiting for an answer
            return
        except Exception:  # noqa: BLE001 - the page gets a message; the console gets the details
            traceback.print_exc(file=sys.stderr)
            answer = {"ok": False, "error": "the explorer failed on this input (a bug: the details are on "
                                            "the console that runs autograd-lite serve)"}
        self._json(HTTPStatus.OK, answer)

    def _train(self, request: dict[str, Any]) -> None:
        """The training view's request: a run started, stepped for at most its time budget, or a weight opened."""
        try:
            answer = train_answer(request, self.server.training)
        except Exception:  # noqa: BLE001 - the page gets a message; the console gets the details
            traceback.print_exc(file=sys.stderr)
            answer = {"ok": False, "error": "the training view failed (a bug: the details are on the console "
                                            "that runs autograd-lite serve)"}
        self._json(HTTPStatus.OK, answer)

    def _client_gone(self) -> bool:
        """Whether the client has closed its side of the connection (it no longer waits for us)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _refuse(self) -> None:
        if self._authorised():
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"405 Method Not Allowed\n", "text/plain; charset=utf-8")

    do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    # --- answers ----------------------------------------------------------------
    def _json(self, status: HTTPStatus, data: dict[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=False, allow_nan=False).encode()
        self._send(status, body, "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, *, page: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")  # the token is in the URL
        self.send_header("X-Frame-Options", "DENY")
        if page:
            self.send_header("Content-Security-Policy", _PAGE_POLICY)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # the standard library's own errors (a malformed request line, a header too long): short and plain
        self.close_connection = True
        try:
            self._send(HTTPStatus(code), f"{code} {message or HTTPStatus(code).phrase}\n".encode(),
                       "text/plain; charset=utf-8")
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the console is the learner's; errors that matter are printed where they happen


def make_server(host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, tries: int = PORT_TRIES,
                token: str | None = None) -> ExplorerServer:
    """A server bound to ``host`` on ``port``, or the next free port after it, or any free one.

    ``port=0`` asks the system for a free port. Raises OSError (with a
    message) when ``host`` cannot be bound at all.
    """
    token = token or secrets.token_urlsafe(24)
    candidates = [port + k for k in range(tries) if port + k <= 65535] if port else []
    for candidate in [*candidates, 0]:
        try:
            return ExplorerServer((host, candidate), token)
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                continue
            raise OSError(f"cannot serve on {host}:{candidate}: {error.strerror or error}") from None
    raise OSError(f"no free port on {host}")  # pragma: no cover - port 0 always finds one


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-lite serve",
        description="The live explorer: type an expression and its values in your browser and see "
                    "the value, every gradient, the graph and the backward pass step by step; "
                    "sliders on the inputs recompute on this machine. Stop it with Ctrl-C.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"the port to try first (default {DEFAULT_PORT}); a taken one moves on to the next")
    parser.add_argument("--no-browser", action="store_true", help="print the URL but do not open a browser")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``autograd-lite serve`` with ``argv``; returns the exit status (0 after Ctrl-C)."""
    parser = _parser()
    try:
        ns = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 2
    if not 0 <= ns.port <= 65535:
        print(f"autograd-lite serve: error: --port must be from 0 to 65535, got {ns.port}", file=sys.stderr)
        return 2
    if ns.host not in _LOCAL_HOSTS:
        print(f"autograd-lite serve: warning: listening on {ns.host}, not 127.0.0.1: anyone who can reach "
              "this machine and learns the URL's token can use the explorer", file=sys.stderr)
    try:
        server = make_server(ns.host, ns.port)
    except (OSError, UnicodeError) as error:
        print(f"autograd-lite serve: error: {error}", file=sys.stderr)
        return 2

    def announce() -> None:
        if server.port != ns.port and ns.port:
            print(f"port {ns.port} is taken; using {server.port}")
        print(f"autograd-lite explorer (derivatives up to order {MAX_ORDER}) at\n  {server.url}\n"
              "Press Ctrl-C to stop.", flush=True)
        if not ns.no_browser:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()

    serve_until_stopped(server, announce)
    return 0


def serve_until_stopped(server: socketserver.BaseServer, announce: Callable[[], None]) -> None:
    """Call ``announce`` (print the URL), then serve until Ctrl-C or ``kill``; close the server and say so.

    ``announce`` runs once Ctrl-C and ``kill`` are in place, so a signal sent
    as soon as the URL shows still stops the server cleanly.

    Ctrl-C stops it even when it was started with SIGINT ignored, as a shell's
    background job is (``autograd-lite serve &``): Python then raises no
    KeyboardInterrupt, so the default handler is put back while it serves.
    """
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if main_thread else None  # `kill` stops it like Ctrl-C
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler) if main_thread else None
    try:
        announce()
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        stop_renders()  # a picture still being drawn for a request ends with the server
        server.server_close()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
