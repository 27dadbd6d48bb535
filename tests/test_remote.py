"""The canned and ad hoc queries on a real Oxigraph server: the same rows as locally, and faults.

A real ``oxigraph serve`` on 127.0.0.1 is filled by ``kg push`` with the real sample, the
hand-made fixture and a synthetic set made from the sample's items; every canned query is then
run with every parameter set of tests/test_queries.py (and the sample's own), locally and on
the server, and must give the same columns and rows.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pyoxigraph
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.cli_options import write_outcome
from kg.cli_remote import run_text, runner_for
from kg.errors import QueryError, RemoteError
from kg.load import load_paths
from kg.page_load import load_pages
from kg.paths import sample_page
from kg.push import push, target_for
from kg.queries import execute, load_catalog, local_runner
from kg.reader import Page, read_page
from kg.remote import (
    USER_AGENT,
    RetryableError,
    auth_from_env,
    check_endpoint,
    remote_runner,
    run_remote,
)
from kg.sparql import QueryOutcome, run_query
from tests.api_server import make_questions
from tests.canned_facts import HANDMADE_DIR
from tests.oxigraph_server import Oxigraph, fault_server, free_port, oxigraph_server
from tests.test_queries import PARAMETER_SETS

CATALOG = load_catalog()
SAMPLE_SETS: dict[str, list[dict[str, str]]] = {
    "member-questions": [{"member": "4765"}, {"member": "Wendy Chamberlain"}],
    "member-profile": [{"member": "4765"}],
    "member-departments": [{"member": "4765"}],
    "department-members": [{"department": "29"}, {"department": "work and pensions"}],
    "department-ministers": [{"department": "29"}],
    "late-answers": [{"days": "7", "department": "29"}],
    "find-questions": [{"text": "child maintenance"}],
}
CASES = [(n, g) for n, sets in PARAMETER_SETS.items() for g in sets] + [
    (n, g) for n, sets in SAMPLE_SETS.items() for g in sets
]


@pytest.fixture(scope="module")
def local() -> pyoxigraph.Store:
    """The sample, the hand-made fixture and 240 synthetic questions, in memory."""
    items = read_page(str(sample_page())).items
    synthetic = [
        q
        for n, template in enumerate(items[:4])
        for q in make_questions(template, 60, first_id=3_000_000 + 1000 * n, start="2022-01-03")
    ]
    for q in synthetic:  # each synthetic member under a name of its own
        member = q["tablingMember"]["_about"].rsplit("/", 1)[1]
        q["tablingMemberPrinted"] = [{"_value": f"Synthetic Member {member}"}]
    store = pyoxigraph.Store()
    load_paths(store, [str(sample_page()), str(HANDMADE_DIR)], validate=False)
    load_pages(store, [Page(source="synthetic.json", items=synthetic)])
    return store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, local: pyoxigraph.Store) -> Path:
    """The same graph in an on-disk store, as the commands read it."""
    path = tmp_path_factory.mktemp("remote") / "kg-store"
    disk = pyoxigraph.Store(str(path))
    disk.bulk_extend(local)
    disk.flush()
    del disk
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, local: pyoxigraph.Store) -> Iterator[Oxigraph]:
    with oxigraph_server(tmp_path_factory.mktemp("server")) as running:
        report = push(local, target_for(running.store), chunk_size=2000)
        assert report.records["new"] > 240
        yield running


def plain_rows(outcome: QueryOutcome) -> list[list[str]]:
    return [[str(v) for v in row] for row in outcome.rows]


# --- Every canned query, locally and remotely ------------------------------------------------


def test_every_canned_query_is_checked() -> None:
    assert set(PARAMETER_SETS) == set(CATALOG)


@pytest.mark.parametrize(
    ("name", "given"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_canned_query_same_rows_locally_and_remotely(
    local: pyoxigraph.Store, server: Oxigraph, store_path: Path, name: str, given: dict[str, str]
) -> None:
    query = CATALOG[name]
    here = execute(query, given, local_runner(local, where=name))
    there = execute(query, given, remote_runner(server.query, timeout=10, where=name))
    assert there.columns == here.columns
    assert plain_rows(there) == plain_rows(here)
    assert there.rows == here.rows  # the same terms, datatypes included


def test_the_canned_queries_find_rows_on_the_server(server: Oxigraph, store_path: Path) -> None:
    for name, sets in SAMPLE_SETS.items():
        runner = runner_for(store_path, server.query, timeout=10, where=name)
        assert execute(CATALOG[name], sets[0], runner).rows, name


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "nl"])
def test_ad_hoc_queries_print_the_same_in_every_format(
    server: Oxigraph, local: pyoxigraph.Store, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [
        # kg's prefixes are predeclared remotely too
        "SELECT ?uin ?days ?tabled WHERE { ?q parl:uin ?uin ; kg:daysToAnswer ?days ; "
        "dcterms:date ?tabled } ORDER BY ?uin LIMIT 12",
        "ASK { ?q a kg:WrittenQuestion }",
        # Oxigraph (here and there) sorts the columns of SELECT * by name; kg does not.
        "SELECT * WHERE { ?q parl:uin ?uin ; kg:daysToAnswer ?days } ORDER BY ?uin LIMIT 3",
        "SELECT (COUNT(*) AS ?n) (AVG(?d) AS ?mean) WHERE { ?q kg:daysToAnswer ?d }",
    ]
    for text in texts:
        write_outcome(run_query(local, text), fmt=fmt, no_headers=False)
        here = capsys.readouterr().out
        write_outcome(run_remote(server.query, text), fmt=fmt, no_headers=False)
        assert capsys.readouterr().out == here and here.strip()


def test_select_star_gives_its_columns_as_written_here_and_there(
    server: Oxigraph, local: pyoxigraph.Store
) -> None:
    text = "SELECT * WHERE { ?q parl:uin ?uin ; kg:daysToAnswer ?days } ORDER BY ?uin LIMIT 3"
    there, here = run_remote(server.query, text), run_query(local, text)
    assert there.columns == here.columns == ["q", "uin", "days"]
    assert there.row_list() == here.row_list()
    assert all(isinstance(row[1], pyoxigraph.Literal) for row in there.row_list())


def test_the_command_helpers_run_here_or_there(server: Oxigraph, store_path: Path) -> None:
    text = "SELECT ?m (COUNT(?q) AS ?n) WHERE { ?q parl:tablingMember ?m } GROUP BY ?m ORDER BY ?m"
    here = run_text(store_path, None, text, where="query", timeout=10)
    there = run_text(store_path, server.query, text, where="query", timeout=10)
    assert there.row_list() == here.row_list() and len(here.row_list()) > 6
    assert there == here
    query = CATALOG["member-questions"]
    here = execute(query, {"member": "4765"}, runner_for(store_path, None, timeout=10, where="q"))
    runner = runner_for(store_path, server.query, timeout=10, where="q")
    assert execute(query, {"member": "4765"}, runner) == here


def test_construct_and_describe_give_the_same_triples(
    server: Oxigraph, local: pyoxigraph.Store
) -> None:
    text = "CONSTRUCT { ?m ?p ?o } WHERE { ?m a kg:Member ; ?p ?o }"
    there = run_remote(server.query, text)
    assert set(there.triples) == set(run_query(local, text).triples)
    described = run_remote(server.query, "DESCRIBE <http://data.parliament.uk/members/4765>")
    assert described.kind == "graph" and described.triples


def test_a_long_query_is_posted_and_a_short_one_is_not(
    server: Oxigraph, local: pyoxigraph.Store
) -> None:
    filler = ", ".join(f"<http://example.org/{n}>" for n in range(400))
    text = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?q a kg:WrittenQuestion FILTER(?q NOT IN ({filler})) }}"
    )
    assert run_remote(server.query, text).rows == run_query(local, text).rows
    with fault_server("record") as recorder:
        run_remote(recorder.url + "/query", "ASK {}")
        run_remote(recorder.url + "/query", f"ASK {{ FILTER(1 NOT IN ({filler})) }}")
        assert [r["method"] for r in recorder.requests] == ["GET", "POST"]
        assert {r["user-agent"] for r in recorder.requests} == {USER_AGENT}
        assert USER_AGENT.startswith("kg/")


# --- Parameters are bound as terms, never as text --------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_TRICKY = st.sampled_from(
    ['") } } DROP ALL #', "\\", '\\"', "\\u0022", "'''", '"""', "}", "{", "\n\r\t", "\x00\x7f"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(_TEXT, _TRICKY, st.lists(_TRICKY).map("".join)), lang=st.booleans())
def test_any_text_value_comes_back_unchanged(server: Oxigraph, value: str, lang: bool) -> None:
    term = pyoxigraph.Literal(value, language="en-gb") if lang else pyoxigraph.Literal(value)
    text = "SELECT ?t (STRLEN(?t) AS ?n) WHERE { }"
    there = run_remote(server.query, text, substitutions={"t": term})
    here = run_query(pyoxigraph.Store(), text, substitutions={"t": term})
    assert there.rows == here.rows == [[term, pyoxigraph.Literal(str(len(value)), datatype=_INT)]]


_INT = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@pytest.mark.parametrize(
    "term",
    [
        pyoxigraph.NamedNode("http://example.org/a%20b?x=1&y=é#frag"),
        pyoxigraph.Literal(
            "2024-03-18", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#date")
        ),
        pyoxigraph.Literal("-0012", datatype=_INT),
        pyoxigraph.Literal("x", datatype=pyoxigraph.NamedNode("http://example.org/type?a=(1)&b=ü")),
    ],
    ids=["iri", "date", "integer", "odd-datatype"],
)
def test_iris_and_typed_values_come_back_unchanged(server: Oxigraph, term: Any) -> None:
    text = "SELECT ?t WHERE { }"
    there = run_remote(server.query, text, substitutions={"t": term})
    assert there.rows == run_query(pyoxigraph.Store(), text, substitutions={"t": term}).rows


def test_a_blank_node_or_odd_name_is_not_bound() -> None:
    with pytest.raises(QueryError, match="blank node"):
        run_remote(
            "http://127.0.0.1:9/query", "SELECT ?t {}", substitutions={"t": pyoxigraph.BlankNode()}
        )
    with pytest.raises(QueryError, match="variable name"):
        run_remote(
            "http://127.0.0.1:9/query",
            "SELECT * {}",
            substitutions={"t) {}": pyoxigraph.Literal("x")},
        )


def test_syntax_errors_are_found_before_anything_is_sent() -> None:
    with pytest.raises(QueryError) as caught:
        run_remote(f"http://127.0.0.1:{free_port()}/query", "SELECT ?x WHERE {\n  ?x ?y }")
    assert "line 2" in str(caught.value)
    with pytest.raises(QueryError, match=r"this is a SPARQL update \(INSERT\)"):
        run_remote("http://127.0.0.1:9/query", "INSERT DATA { <http://a> <http://b> <http://c> }")


# --- Credentials from the environment, never from the command line ---------------------------


def test_basic_and_bearer_credentials_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with fault_server("record") as recorder:
        url = recorder.url + "/query"
        monkeypatch.setenv("KG_SPARQL_USER", "ann")
        monkeypatch.setenv("KG_SPARQL_PASSWORD", "s3cret:!")
        run_remote(url, "ASK {}")
        monkeypatch.delenv("KG_SPARQL_USER")
        monkeypatch.delenv("KG_SPARQL_PASSWORD")
        monkeypatch.setenv("KG_SPARQL_TOKEN", "tok-123")
        run_remote(url, "ASK {}")
        monkeypatch.delenv("KG_SPARQL_TOKEN")
        run_remote(url, "ASK {}")
        basic = "Basic " + base64.b64encode(b"ann:s3cret:!").decode()
        assert [r["authorization"] for r in recorder.requests] == [basic, "Bearer tok-123", None]


def test_credentials_in_the_url_or_half_given_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RemoteError) as caught:
        check_endpoint("http://ann:s3cret@127.0.0.1:7878/query")
    assert "s3cret" not in caught.value.line()
    assert caught.value.where == "http://127.0.0.1:7878/query"
    monkeypatch.setenv("KG_SPARQL_USER", "ann")
    with pytest.raises(RemoteError, match="KG_SPARQL_PASSWORD is not set"):
        auth_from_env()
    monkeypatch.setenv("KG_SPARQL_PASSWORD", "pw")
    monkeypatch.setenv("KG_SPARQL_TOKEN", "tok")
    with pytest.raises(RemoteError, match="both"):
        auth_from_env()
    assert "pw" not in repr(auth_from_env({"KG_SPARQL_USER": "a", "KG_SPARQL_PASSWORD": "pw"}))


def test_credentials_do_not_follow_a_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_SPARQL_TOKEN", "tok-123")
    with fault_server("record") as target, fault_server("redirect", upstream=target.url) as hop:
        assert run_remote(hop.url + "/query", "ASK {}").boolean
        assert hop.requests[0]["authorization"] == "Bearer tok-123"
        assert target.requests[0]["authorization"] is None


# --- Faults: each one clear error, and a non-zero exit ----------------------------------------

FAULT_LINES = {
    "500": "the endpoint failed (HTTP 500: Internal error: the disk is on fire)",
    "slow": "no answer within 0.5 s",
    "html": "the answer is text/html, not SPARQL results",
    "bad-json": "the answer is not valid SPARQL results",
}


@pytest.mark.parametrize("fault", sorted(FAULT_LINES))
def test_a_faulty_endpoint_is_one_clear_error(fault: str) -> None:
    with fault_server(fault) as bad:
        url = bad.url + "/query"
        with pytest.raises(RemoteError) as caught:
            run_remote(url, "ASK { ?s ?p ?o }", timeout=0.5)
    assert caught.value.where == url
    assert FAULT_LINES[fault] in caught.value.what
    assert isinstance(caught.value, RetryableError) == (fault in ("500", "slow"))


def test_an_endpoint_that_is_down_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(RetryableError) as caught:
        run_remote(url, "ASK {}")
    assert (
        caught.value.line()
        == f"{url}: cannot connect (connection refused) — is the server running on that port?"
    )


def test_errors_of_the_server_itself_are_passed_on(server: Oxigraph) -> None:
    with pytest.raises(RemoteError, match="there is no such endpoint"):
        run_remote(server.base + "/nowhere", "ASK {}")
    with pytest.raises(RemoteError, match="the answer is text/html"):
        run_remote(server.base + "/", "ASK {}")


def _command(name: str) -> click.Command:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


def _has_endpoint_option(command: str) -> bool:
    return any(p.name == "endpoint" for p in _command(command).params)


def test_kg_query_with_endpoint_prints_what_it_prints_locally(
    server: Oxigraph, store_path: Path
) -> None:
    if not _has_endpoint_option("query"):
        pytest.skip("kg query has no --endpoint option yet")
    runner = CliRunner()
    args = ["query", "member-questions", "--param", "member=4765", "--json"]
    here = runner.invoke(cli, [*args, "--store", str(store_path)])
    there = runner.invoke(cli, [*args, "--endpoint", server.query])
    assert there.exit_code == 0 and there.output == here.output
    assert len(json.loads(there.output)) > 9


def test_parameters_in_the_endpoint_url_are_kept() -> None:
    with fault_server("record") as recorder:
        run_remote(recorder.url + "/sparql?default-graph-uri=urn%3Ax&t=1", "ASK {}")
        path = str(recorder.requests[0]["path"])
    assert path.startswith("/sparql?")
    assert "default-graph-uri=urn%3Ax" in path and "t=1" in path and "query=ASK" in path
