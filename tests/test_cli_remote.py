"""``kg push``, ``kg serve`` and the commands' ``--endpoint`` (kg/cli_remote.py), over real HTTP.

The endpoints are tiny HTTP servers on 127.0.0.1 (tests/oxigraph_server.py's fault servers:
one that answers every query "true" and records what it was sent, one that fails, one that
passes requests on): enough for what the commands print. Whole pushes into a real Oxigraph
server are tests/test_push.py's; serving is tests/test_serve.py's.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.cli_remote import runner_for
from kg.errors import StoreError
from kg.load import load_paths
from kg.paths import sample_page
from tests.oxigraph_server import fault_server, free_port
from tests.test_remote import FAULT_LINES, _has_endpoint_option

# tests/test_remote.py's fixtures, shared ("as": re-exported, so that ruff takes a test's
# argument of the same name for the fixture, not for a redefinition of the import).
from tests.test_remote import local as local
from tests.test_remote import store_path as store_path

NO_STORE = (
    "there is no store here — load one first: kg load PAGE.json (or pass --store / set KG_STORE)"
)


#: No credentials from the environment the tests run in (a test sets those it needs).
NO_CREDENTIALS: dict[str, str | None] = dict.fromkeys(
    ("KG_SPARQL_USER", "KG_SPARQL_PASSWORD", "KG_SPARQL_TOKEN")
)


def kg(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=NO_CREDENTIALS).invoke(cli, list(args), env=env)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sample in an on-disk store, its source recorded as "sample.json" (as
    tests/test_push.py's: the sizes a push prints depend on it)."""
    folder = tmp_path_factory.mktemp("cli-remote")
    shutil.copy(sample_page(), folder / "sample.json")
    store = pyoxigraph.Store(str(folder / "kg-store"))
    with contextlib.chdir(folder):
        load_paths(store, ["sample.json"], validate=False)
    store.flush()
    del store
    return folder / "kg-store"


# --- The commands that query, on --endpoint ----------------------------------------------------


@pytest.mark.parametrize("fault", [*sorted(FAULT_LINES), "down"])
@pytest.mark.parametrize("command", ["sparql", "query"])
def test_commands_exit_non_zero_on_a_faulty_endpoint(
    fault: str, command: str, store_path: Path
) -> None:
    if not _has_endpoint_option(command):
        pytest.skip(f"kg {command} has no --endpoint option yet")
    args = ["sparql", "ASK { ?s ?p ?o }"] if command == "sparql" else ["query", "departments"]
    with fault_server(fault) as bad:
        url = f"http://127.0.0.1:{free_port()}/query" if fault == "down" else bad.url + "/query"
        result = CliRunner().invoke(cli, [*args, "--endpoint", url, "--timeout", "0.5"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {url}: "), result.output


def test_a_query_on_an_endpoint_reads_no_store(tmp_path: Path) -> None:
    missing = tmp_path / "none"
    with fault_server("record") as recorder:
        result = kg(
            "sparql", "--store", str(missing), "--endpoint", recorder.url + "/query", "ASK {}"
        )
        sent = [(r["method"], r["path"]) for r in recorder.requests]
    assert (result.exit_code, result.output) == (0, "result\n------\ntrue\n")
    assert sent == [("GET", "/query?query=ASK+%7B%7D")]
    assert not missing.exists()


def test_kg_endpoint_names_the_endpoint_and_an_empty_one_means_the_store(tmp_path: Path) -> None:
    missing = tmp_path / "none"
    with fault_server("record") as recorder:
        there = kg("sparql", "--store", str(missing), "ASK {}", env={"KG_ENDPOINT": recorder.url})
        sent = len(recorder.requests)
    assert (there.exit_code, there.output, sent) == (0, "result\n------\ntrue\n", 1)
    here = kg("sparql", "--store", str(missing), "ASK {}", env={"KG_ENDPOINT": ""})
    assert (here.exit_code, here.output) == (1, f"Error: {missing}: {NO_STORE}\n")


def test_the_runner_opens_the_store_only_without_an_endpoint(tmp_path: Path) -> None:
    missing = tmp_path / "none"
    with pytest.raises(StoreError) as caught:
        runner_for(missing, None, timeout=None, where="query")
    assert caught.value.line() == f"{missing}: {NO_STORE}"
    assert callable(runner_for(missing, "http://127.0.0.1:9/query", timeout=None, where="query"))
    assert not missing.exists()


# --- Bad input: one error line, exit 1 ---------------------------------------------------------


@pytest.mark.parametrize("command", ["sparql", "push"])
def test_an_endpoint_url_that_is_not_http_or_holds_credentials_is_one_error_line(
    command: str, sample_store: Path
) -> None:
    path = "/query" if command == "sparql" else "/store"
    args = ["sparql", "ASK {}"] if command == "sparql" else ["push", "--retries", "0"]
    not_http = kg(*args, "--store", str(sample_store), "--endpoint", "ftp://x" + path)
    assert (not_http.exit_code, not_http.output) == (
        1,
        f"Error: ftp://x{path}: not an http(s) URL — give the endpoint's full URL, "
        "e.g. http://localhost:7878/query\n",
    )
    secret = kg(
        *args, "--store", str(sample_store), "--endpoint", f"http://ann:s3cret@127.0.0.1:1{path}"
    )
    assert (secret.exit_code, secret.output) == (
        1,
        f"Error: http://127.0.0.1:1{path}: the URL holds credentials, which would stay in the "
        "shell history — set KG_SPARQL_USER and KG_SPARQL_PASSWORD (or KG_SPARQL_TOKEN) instead\n",
    )


@pytest.mark.parametrize("command", ["sparql", "push"])
def test_half_given_credentials_are_one_error_line(command: str, sample_store: Path) -> None:
    args = ["sparql", "ASK {}"] if command == "sparql" else ["push"]
    url = f"http://127.0.0.1:{free_port()}" + ("/query" if command == "sparql" else "/store")
    result = kg(
        *args, "--store", str(sample_store), "--endpoint", url, env={"KG_SPARQL_USER": "ann"}
    )
    assert (result.exit_code, result.output) == (
        1,
        "Error: credentials: KG_SPARQL_PASSWORD is not set — set both, or neither\n",
    )


def test_an_endpoint_that_is_down_is_one_error_line(sample_store: Path) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    queried = kg("sparql", "--store", str(sample_store), "--endpoint", base + "/query", "ASK {}")
    assert (queried.exit_code, queried.output) == (
        1,
        f"Error: {base}/query: cannot connect (connection refused) — is the server running on "
        "that port?\n",
    )
    pushed = kg(
        "push", "--store", str(sample_store), "--endpoint", base + "/store", "--retries", "0"
    )
    assert (pushed.exit_code, pushed.output) == (
        1,
        f"Error: {base}/query: cannot connect (connection refused) (after one try) — is the "
        "server running on that port?\n",
    )


@pytest.mark.parametrize("command", ["push", "serve"])
def test_push_and_serve_need_a_store_with_data(command: str, tmp_path: Path) -> None:
    args = [command, "--endpoint", "http://127.0.0.1:9/store"] if command == "push" else [command]
    missing = tmp_path / "none"
    result = kg(*args, "--store", str(missing))
    assert (result.exit_code, result.output) == (1, f"Error: {missing}: {NO_STORE}\n")
    empty = tmp_path / "empty"
    made = pyoxigraph.Store(str(empty))
    del made  # an Oxigraph store, closed again, with nothing in it
    result = kg(*args, "--store", str(empty))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {empty}: the store is empty — load pages first: kg load PAGE.json\n",
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["push"], "Error: kg push: missing option '--endpoint' — see kg push --help\n"),
        (
            ["push", "--endpoint", "http://127.0.0.1:9/store", "--protocol", "rsync"],
            "Error: kg push: invalid value for '--protocol': 'rsync' is not one of 'update', 'gsp'"
            " — see kg push --help\n",
        ),
        (
            ["push", "--endpoint", "http://127.0.0.1:9/store", "--timeout", "0"],
            "Error: kg push: invalid value for '--timeout': 0.0 is not in the range 0<x<=31536000.0"
            " — see kg push --help\n",
        ),
        (
            ["serve", "--port", "0"],
            "Error: kg serve: invalid value for '--port': 0 is not in the range 1<=x<=65535"
            " — see kg serve --help\n",
        ),
    ],
    ids=["push-no-endpoint", "push-protocol", "push-timeout", "serve-port"],
)
def test_a_missing_option_or_a_value_out_of_range_is_a_usage_error(
    args: list[str], error: str, sample_store: Path
) -> None:
    result = kg(*args, "--store", str(sample_store))
    assert (result.exit_code, result.output) == (2, error)


# --- What kg push prints -----------------------------------------------------------------------


def test_a_graph_store_dry_run_says_what_it_would_send_and_connects_to_nothing(
    sample_store: Path,
) -> None:
    down = f"http://127.0.0.1:{free_port()}/store"
    args = ["--endpoint", down, "--protocol", "gsp", "--dry-run"]
    result = kg("push", "--store", str(sample_store), *args)
    assert (result.exit_code, result.output) == (
        0,
        f"Would send PUT 407 triples (88 KiB) to {down}?default\n"
        f"Dry run, nothing sent: would replace the default graph at {down} with 407 triples "
        "(Graph Store Protocol) in 1 request\n",
    )


def test_push_warns_of_the_requests_it_sent_again(sample_store: Path) -> None:
    with (
        fault_server("record") as target,
        fault_server("proxy", upstream=target.url, failures=2) as flaky,
    ):
        result = kg(
            "push", "--store", str(sample_store), "--endpoint", flaky.url + "/store",
            "--protocol", "gsp", "--retry-wait", "0",
        )  # fmt: skip
        received = [(r["method"], r["path"]) for r in target.requests]
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"Replaced the default graph at {flaky.url}/store with 407 triples (Graph Store "
        "Protocol) in 1 request\n",
        "Warning: 2 requests were sent again\n",
    )
    assert received == [("PUT", "/store?default")]
