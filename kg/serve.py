"""``kg serve``: the real Oxigraph server (the PyPI package ``oxigraph``) over the local store.

The server runs ``oxigraph serve-read-only``: it answers SPARQL queries (``/query``) and serves
its query page (``/``), and refuses updates. Oxigraph documents that opening a store read-only
while another process writes to it is undefined behaviour, so kg takes the store's write lock
(the one ``kg load`` takes, a POSIX lock on ``STORE/LOCK``) before it starts the server and
hands it over to the server: kg replaces itself with the server process, which keeps the lock
until it stops. A store being written to is refused; a ``kg load`` while the server runs fails
with "the store is locked". (Where POSIX locks do not exist, Windows, the lock is not taken.)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from kg.errors import KgError, StoreError
from kg.store import open_for_reading

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


class ServeError(KgError):
    """The server cannot be started."""


def find_oxigraph(*, python: str | None = None, search_path: str | None = None) -> str:
    """The ``oxigraph`` executable: next to the running Python (same venv) first, then on PATH."""
    here = Path(python or sys.executable).parent
    for name in ("oxigraph", "oxigraph.exe"):
        candidate = here / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph", path=search_path)
    if found is None:
        raise ServeError(
            "oxigraph",
            "the Oxigraph server is not installed",
            "install it with: pip install 'oxigraph>=0.5,<0.6' (in kg's environment)",
        )
    return found


def version_warning(executable: str) -> str | None:
    """A warning when the server is not the Oxigraph release (major.minor) that wrote the store."""
    try:
        done = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    server = done.stdout.strip().rpartition(" ")[2]
    if server.split(".")[:2] == pyoxigraph.__version__.split(".")[:2]:
        return None
    return (
        f"the Oxigraph server is {server or 'of unknown version'} but kg writes stores with "
        f"pyoxigraph {pyoxigraph.__version__}: install oxigraph=={pyoxigraph.__version__}"
    )


@dataclass(frozen=True)
class Server:
    """What ``kg serve`` starts: the command line, and the URLs it answers on."""

    argv: list[str]
    url: str

    @property
    def query_url(self) -> str:
        return self.url + "query"


def url_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
    if ":" in shown:  # IPv6
        shown = f"[{shown.strip('[]')}]"
    return f"http://{shown}:{port}/"


def _bind_text(host: str, port: int) -> str:
    return f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"


def check_port(host: str, port: int) -> None:
    """Refuse a port that something else already listens on (a clear error before starting)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise ServeError(
                _bind_text(host, port),
                f"cannot listen there ({exc.strerror or exc})",
                "choose another --port (or --host)",
            ) from None


def plan(
    store_path: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: int | None = None,
    executable: str | None = None,
) -> Server:
    """Check the store and the port; the server command that would serve them."""
    store = open_for_reading(store_path)  # exists, is an Oxigraph store, holds data
    del store
    check_port(host, port)
    argv = [
        executable or find_oxigraph(),
        "serve-read-only",
        "--location",
        str(store_path),
        "--bind",
        _bind_text(host, port),
    ]
    if timeout is not None:
        argv += ["--timeout-s", str(timeout)]
    return Server(argv=argv, url=url_for(host, port))


def hold_write_lock(store_path: Path) -> int | None:
    """Take the store's write lock (as ``kg load`` would) and return its open descriptor.

    The descriptor is left open across ``exec``, so that the server process keeps the lock.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no POSIX locks
        return None
    try:
        fd = os.open(store_path / "LOCK", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(str(store_path), f"cannot open its lock file ({exc.strerror})") from exc
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError(
            str(store_path),
            "another process holds the store: one writing it (a kg load?), or serving it (a kg"
            " serve, which keeps loads out)",
            "wait for a load to finish (serving a store being written could give wrong answers);"
            " a store is served by one kg serve at a time",
        ) from None
    os.set_inheritable(fd, True)
    return fd


def run(server: Server, *, lock: int | None) -> None:
    """Become the server: replace this process with ``oxigraph``, which keeps the ``lock``
    (from :func:`hold_write_lock`).

    Never returns when all goes well; the server stops on Ctrl-C (or SIGTERM).
    """
    fd = lock
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(server.argv[0], server.argv)
    except OSError as exc:
        if fd is not None:
            with suppress(OSError):
                os.close(fd)
        raise ServeError(server.argv[0], f"cannot start the server ({exc.strerror})") from exc
