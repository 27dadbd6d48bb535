"""``kg serve``: the real Oxigraph server, read-only, over the local store (run as a real process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import StoreError
from kg.load import load_paths
from kg.paths import sample_page
from kg.queries import execute, load_catalog, local_runner
from kg.remote import remote_runner
from kg.serve import ServeError, find_oxigraph, hold_write_lock, plan, url_for, version_warning
from tests.oxigraph_server import die_with_parent, free_port, wait_until_ready

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks and exec")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "kg-store"
    store = pyoxigraph.Store(str(path))
    load_paths(store, [str(sample_page())], validate=False)
    store.flush()
    del store
    return path


def as_from_a_terminal() -> None:
    """In the child: Ctrl-C acts as in a terminal, even when the tests run as a background
    job of a shell script (which starts them with SIGINT ignored, inherited across exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform == "linux":
        die_with_parent()


def start(store_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--store", str(store_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_from_a_terminal,
    )


@pytest.fixture()
def serving(store_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    process = start(store_path, "--port", str(port))
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first == f"Query page: http://127.0.0.1:{port}/\n", process.stderr
        wait_until_ready(f"http://127.0.0.1:{port}/query", None)
        yield process, f"http://127.0.0.1:{port}/"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_serve_answers_the_canned_queries_and_shows_its_query_page(
    serving: tuple[subprocess.Popen[str], str], store_path: Path
) -> None:
    process, url = serving
    assert process.stdout is not None
    assert process.stdout.readline() == (
        f"SPARQL endpoint: {url}query  (kg query ... --endpoint {url}query)\n"
    )
    with urllib.request.urlopen(url, timeout=5) as page:
        assert page.headers.get_content_type() == "text/html"
        assert b"<html" in page.read().lower()
    query = load_catalog()["member-questions"]
    local = pyoxigraph.Store.read_only(str(store_path))
    here = execute(query, {"member": "4765"}, local_runner(local))
    there = execute(query, {"member": "4765"}, remote_runner(url + "query", timeout=5))
    assert there == here and len(here.rows) == 9


def test_serve_is_read_only_and_keeps_writers_out(
    serving: tuple[subprocess.Popen[str], str], store_path: Path
) -> None:
    process, url = serving
    request = urllib.request.Request(
        url + "update",
        data=b"INSERT DATA { <http://a> <http://b> <http://c> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403
    load = subprocess.run(
        [sys.executable, "-m", "kg", "load", "--store", str(store_path), str(sample_page())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert load.returncode == 1
    assert "the store is locked by another process" in load.stderr
    # reading it meanwhile is fine
    assert CliRunner().invoke(cli, ["stats", "--store", str(store_path)]).exit_code == 0
    # Ctrl-C stops the server, which lets go of the store (allowing for a busy CI machine:
    # a clean-clone run once took over 5 s here)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
        pytest.fail(f"the server did not stop on Ctrl-C; it said: {errors[-2000:]}")
    fd = hold_write_lock(store_path)
    assert fd is not None
    os.close(fd)


def test_a_store_being_written_is_not_served(store_path: Path) -> None:
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True);"
            " sys.stdin.read()",
            str(store_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "open\n"
        result = CliRunner().invoke(
            cli, ["serve", "--store", str(store_path), "--port", str(free_port())]
        )
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {store_path}: another process holds the store: one writing it (a kg load?), "
            "or serving it (a kg serve, which keeps loads out) — wait for a load to finish "
            "(serving a store being written could give wrong answers); a store is served by one "
            "kg serve at a time\n"
        )
    finally:
        writer.communicate("", timeout=10)


def test_a_port_in_use_or_a_missing_store_is_a_clear_error(
    store_path: Path, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"127.0.0.1:{port}: cannot listen there"):
            plan(store_path, port=port)
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1 and "there is no store here" in result.output


def test_the_server_command_and_its_url(store_path: Path) -> None:
    port = free_port()
    server = plan(store_path, port=port, timeout=30)
    assert server.argv == [
        find_oxigraph(),
        "serve-read-only",
        "--location",
        str(store_path),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout-s",
        "30",
    ]
    assert server.url == f"http://127.0.0.1:{port}/"
    assert url_for("::1", 7878) == "http://[::1]:7878/"
    assert url_for("0.0.0.0", 80) == "http://127.0.0.1:80/"


def test_the_oxigraph_executable_is_found_or_clearly_missing(tmp_path: Path) -> None:
    assert Path(find_oxigraph()).name == "oxigraph"
    with pytest.raises(ServeError) as missing:
        find_oxigraph(python=str(tmp_path / "python"), search_path=str(tmp_path))
    assert missing.value.line() == (
        "oxigraph: the Oxigraph server is not installed — install it with: "
        "pip install 'oxigraph>=0.5,<0.6' (in kg's environment)"
    )


def test_the_write_lock_is_the_one_kg_load_takes(store_path: Path) -> None:
    fd = hold_write_lock(store_path)
    try:
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, pyoxigraph; pyoxigraph.Store(sys.argv[1])",
                str(store_path),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert probe.returncode != 0 and "lock" in probe.stderr.lower()
    finally:
        assert fd is not None
        os.close(fd)
    with pytest.raises(StoreError, match="no store here"):
        plan(store_path / "missing")


def test_a_server_of_another_oxigraph_release_is_named(tmp_path: Path) -> None:
    assert version_warning(find_oxigraph()) is None
    fake = tmp_path / "oxigraph"
    fake.write_text("#!/bin/sh\necho oxigraph 0.4.11\n")
    fake.chmod(0o755)
    warning = version_warning(str(fake))
    assert warning is not None and warning.startswith("the Oxigraph server is 0.4.11 but kg")
