"""A real Oxigraph server (the PyPI package ``oxigraph``) on 127.0.0.1, and HTTP fault servers.

:func:`oxigraph_server` starts ``oxigraph serve --location TMP --bind 127.0.0.1:PORT`` on a free
port, waits until it answers, and stops it. :class:`FaultServer` is a tiny HTTP server that
answers every request badly (HTTP 500, slowly, with something that is not SPARQL results) or
passes requests on to a real server until told to fail (a push cut short).
"""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.serve import find_oxigraph


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(url: str, process: subprocess.Popen[bytes] | None, limit: float = 10) -> None:
    """Poll ``url`` until it answers HTTP (any status); fail if the process exits first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {limit} s")


@dataclass(frozen=True)
class Oxigraph:
    """A running server: its base URL and the three SPARQL URLs kg uses."""

    base: str
    location: Path

    @property
    def store(self) -> str:
        return self.base + "/store"

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def die_with_parent() -> None:
    """In the child (Linux): be stopped when the test process dies, even if it is killed."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def oxigraph_server(location: Path) -> Iterator[Oxigraph]:
    """``oxigraph serve`` (read-write) on a free loopback port with its data in ``location``."""
    port = free_port()
    process = subprocess.Popen(
        [find_oxigraph(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent if sys.platform == "linux" else None,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base + "/query", process)
        yield Oxigraph(base=base, location=location)
    finally:
        stop(process)


# --- Fault servers ---------------------------------------------------------------------------

FAULTS = ("500", "slow", "html", "bad-json", "record", "redirect", "proxy")


class FaultServer(ThreadingHTTPServer):
    """Answers every request with ``fault``. As ``proxy`` it passes requests on to ``upstream``:
    the first ``passes`` of them, then answers ``failures`` of them (all if None) with HTTP 503,
    then passes the others again."""

    daemon_threads = True

    def __init__(
        self, fault: str, *, upstream: str = "", passes: int = 0, failures: int | None = None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _FaultHandler)
        self.fault = fault
        self.upstream = upstream
        self.passes = passes
        self.failures = failures
        self.seen = 0
        self.failed = 0
        self.requests: list[dict[str, str | None]] = []
        self.release = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        with suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.server.fault
        self.server.requests.append(
            {
                "method": self.command,
                "path": self.path,
                "user-agent": self.headers.get("User-Agent"),
                "authorization": self.headers.get("Authorization"),
                "content-type": self.headers.get("Content-Type"),
            }
        )
        if fault == "record":
            self._send(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')
        elif fault == "redirect":
            with suppress(OSError):
                self.send_response(307)
                self.send_header("Location", self.server.upstream + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
        elif fault == "500":
            self._send(500, "text/plain", b"Internal error: the disk is on fire")
        elif fault == "slow":
            self.server.release.wait(10)
            self._send(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')
        elif fault == "html":
            self._send(200, "text/html", b"<html><body>Welcome to our website</body></html>")
        elif fault == "bad-json":
            self._send(200, "application/sparql-results+json", b'{"error": "no results here"')
        else:
            self._proxy(body)

    def _proxy(self, body: bytes) -> None:
        server = self.server
        with server.lock:
            server.seen += 1
            failing = server.seen > server.passes and (
                server.failures is None or server.failed < server.failures
            )
            server.failed += failing
        if failing:
            self._send(503, "text/plain", b"Service Unavailable")
            return
        request = urllib.request.Request(
            self.server.upstream + self.path,
            data=body if self.command != "GET" else None,
            method=self.command,
        )
        for name in ("Content-Type", "Accept"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = response.read()
                status, media = response.status, response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            answer, status, media = exc.read(), exc.code, exc.headers.get("Content-Type", "")
        self._send(status, media or "application/octet-stream", answer)


@contextmanager
def fault_server(
    fault: str, *, upstream: str = "", passes: int = 0, failures: int | None = None
) -> Iterator[FaultServer]:
    server = FaultServer(fault, upstream=upstream, passes=passes, failures=failures)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
