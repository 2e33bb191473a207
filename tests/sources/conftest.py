"""A local HTTP server in the test process that replays captured responses (no test goes online)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

DATA = Path(__file__).parent.parent / "data" / "sources"

Reply = tuple[int, dict[str, str], bytes]
Handler = Callable[[str, dict[str, list[str]], bytes], Reply]


def data(name: str) -> bytes:
    """A captured response body from tests/data/sources."""
    return (DATA / name).read_bytes()


@dataclass
class Replay:
    """Routes (path -> handler or fixed reply), scripted failures, and a log of requests."""

    url: str = ""
    routes: dict[str, Handler | Reply] = field(default_factory=dict)
    failures: dict[str, list[Reply]] = field(default_factory=dict)
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    #: (method, path, headers, body) of every request, for tests that read what was sent
    bodies: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    def json(self, path: str, body: bytes, status: int = 200) -> None:
        """Answer ``path`` with a body."""
        self.routes[path] = (status, {"Content-Type": "application/json"}, body)

    def fail_first(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to ``path`` with these replies, then normally."""
        self.failures.setdefault(path, []).extend(replies)

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(target)
        self.log.append((method, target, headers))
        self.bodies.append((method, parts.path, headers, body))
        pending = self.failures.get(parts.path)
        if pending:
            return pending.pop(0)
        route = self.routes.get(parts.path)
        if route is None:
            return (404, {"Content-Type": "application/json"}, b'{"error": "not found"}')
        if callable(route):
            return route(method, parse_qs(parts.query), body)
        return route


@pytest.fixture
def replay() -> Iterator[Replay]:
    """A running replay server on 127.0.0.1 (a free port), stopped after the test."""
    state = Replay()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = state.answer(
                self.command, self.path, dict(self.headers.items()), body
            )
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def opts(tmp_path: Path) -> dict[str, object]:
    """fetch() options for tests: a private cache, no progress, no real sleeping."""
    return {
        "cache_dir": tmp_path / "cache",
        "progress": False,
        "min_interval": 0.0,
        "sleep": lambda _s: None,
    }


@dataclass
class Misbehaving:
    """A local server that accepts connections and then misbehaves as real ones do: ``stall``
    (reads the request, never answers), ``trickle`` (answers one byte every 0.1 s) or
    ``close`` (hangs up without answering). ``accepted`` counts connections."""

    url: str = ""
    mode: str = "stall"
    accepted: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def misbehaving() -> Iterator[Misbehaving]:
    """A running misbehaving server on 127.0.0.1 (set ``.mode`` before use)."""
    import socket
    import socketserver

    state = Misbehaving()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            state.accepted += 1
            sock: socket.socket = self.request
            sock.settimeout(5)
            seen = b""
            while b"\r\n\r\n" not in seen:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                seen += chunk
            if state.mode == "close":
                return
            if state.mode == "trickle":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
                sock.sendall(b"Content-Length: 100000\r\n\r\n[")
                while not state.stop.wait(0.1):
                    try:
                        sock.sendall(b" ")
                    except OSError:
                        return
                return
            state.stop.wait(60)  # stall: connected, no answer

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
