"""``kg push`` into a real Oxigraph server: exact, idempotent, resumable, and clear when it fails."""

from __future__ import annotations

import contextlib
import copy
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.load import load_paths
from kg.members import convert_member
from kg.page_load import load_page, load_pages
from kg.paths import sample_page
from kg.push import PushError, Retry, push, target_for
from kg.reader import Page, read_page
from kg.remote import run_remote, run_update
from tests.api_server import make_member, make_questions
from tests.oxigraph_server import Oxigraph, fault_server, free_port, oxigraph_server

SAMPLE_LINE = (
    "Pushed 9 records (9 new, 0 replaced, 0 unchanged) and 23 shared resources (23 new, "
    "0 replaced, 0 unchanged, 0 removed) with {update}; 407 triples added, 0 removed; "
    "{requests} requests\n"
)
FOREIGN = pyoxigraph.Triple(
    pyoxigraph.NamedNode("http://example.org/other"),
    pyoxigraph.NamedNode("http://example.org/says"),
    pyoxigraph.Literal("not kg's"),
)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Oxigraph]:
    with oxigraph_server(tmp_path / "server") as running:
        yield running


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sample in an on-disk store (the tests only read it)."""
    folder = tmp_path_factory.mktemp("push")
    path = folder / "kg-store"
    shutil.copy(sample_page(), folder / "sample.json")
    store = pyoxigraph.Store(str(path))
    with contextlib.chdir(folder):  # the source is recorded as given: the sizes below need it fixed
        load_paths(store, ["sample.json"], validate=False)
    store.flush()
    del store
    return path


def remote_triples(server: Oxigraph) -> set[pyoxigraph.Triple]:
    return set(run_remote(server.query, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples)


def local_triples(store: pyoxigraph.Store | Path) -> set[pyoxigraph.Triple]:
    if isinstance(store, Path):
        store = pyoxigraph.Store.read_only(str(store))
    return {q.triple for q in store}


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# --- Exact and idempotent ----------------------------------------------------------------------


def test_push_puts_exactly_the_local_graph(server: Oxigraph, store_path: Path) -> None:
    result = kg("push", "--store", str(store_path), "--endpoint", server.store)
    assert result.exit_code == 0, result.output
    assert result.output == SAMPLE_LINE.format(update=server.update, requests=11)
    assert remote_triples(server) == local_triples(store_path)


def test_pushing_twice_sends_no_update_and_leaves_the_graph_as_it_was(
    server: Oxigraph, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_SPARQL_TOKEN", "tok-1")
    with fault_server("proxy", upstream=server.base, passes=10**6) as proxy:
        first = kg("push", "--store", str(store_path), "--endpoint", proxy.url + "/store")
        before = remote_triples(server)
        del proxy.requests[:]
        second = kg("push", "--store", str(store_path), "--endpoint", proxy.url + "/store")
    assert first.exit_code == second.exit_code == 0
    assert second.output == (
        "Pushed 9 records (0 new, 0 replaced, 9 unchanged) and 23 shared resources (0 new, "
        f"0 replaced, 23 unchanged, 0 removed) with {proxy.url}/update; 0 triples added, "
        "0 removed; 10 requests\n"
    )
    # Reads only, no update: the units, then the server's shared resources, class by class.
    assert [r["path"].split("?")[0] for r in proxy.requests] == ["/query"] * 10
    assert {r["authorization"] for r in proxy.requests} == {"Bearer tok-1"}
    assert remote_triples(server) == before == local_triples(store_path)


def _item_with_attachment(item: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(item)
    changed["answer"]["attachment"] = [{"fileName": {"_value": "table.xlsx"}, "title": "Table"}]
    return changed


def test_a_push_after_a_reload_replaces_what_changed(server: Oxigraph, tmp_path: Path) -> None:
    items = read_page(str(sample_page())).items
    first = [_item_with_attachment(items[0]), *items[1:]]
    store = pyoxigraph.Store()
    load_pages(store, [Page(source="v1.json", items=first)])
    push(store, target_for(server.store))
    attachment = pyoxigraph.NamedNode(items[0]["_about"] + "/answer/attachment/1")
    assert any(t.subject == attachment for t in remote_triples(server))
    before = local_triples(store)
    second = copy.deepcopy(items)  # the attachment is gone, the answer text changed
    second[0]["answer"]["answerText"] = {"_value": "<p>A new answer.</p>"}
    report = load_pages(store, [Page(source="v2.json", items=second)])
    assert (report.replaced, report.unchanged) == (1, 8)
    pushed = push(store, target_for(server.store))
    assert pushed.records == {"new": 0, "replaced": 1, "unchanged": 8}
    assert pushed.shared == {"new": 0, "replaced": 0, "unchanged": 23, "removed": 0}
    # what changed: the answer text, the source and the load time; the attachment went
    after = local_triples(store)
    assert (pushed.triples_written, pushed.triples_removed) == (
        len(after - before),
        len(before - after),
    )
    assert pushed.triples_removed > pushed.triples_written > 0
    assert remote_triples(server) == local_triples(store)
    assert not any(t.subject == attachment for t in remote_triples(server))


def test_update_leaves_other_subjects_alone_and_gsp_replaces_the_graph(
    server: Oxigraph, store_path: Path
) -> None:
    run_update(server.update, f"INSERT DATA {{ {FOREIGN} }}")
    assert kg("push", "--store", str(store_path), "--endpoint", server.store).exit_code == 0
    assert remote_triples(server) == local_triples(store_path) | {FOREIGN}
    for _ in range(2):
        result = kg(
            "push", "--store", str(store_path), "--endpoint", server.store,
            "--protocol", "gsp", "--chunk-size", "100",
        )  # fmt: skip
        assert result.output == (
            f"Replaced the default graph at {server.store} with 407 triples "
            "(Graph Store Protocol) in 5 requests\n"
        )
        assert remote_triples(server) == local_triples(store_path)


def test_a_synthetic_set_in_many_chunks(server: Oxigraph) -> None:
    items = read_page(str(sample_page())).items
    synthetic = [
        q
        for n, t in enumerate(items[:3])
        for q in make_questions(t, 50, first_id=5_000_000 + 1000 * n)
    ]
    store = pyoxigraph.Store()
    load_pages(store, [Page(source="synthetic.json", items=synthetic)])
    report = push(store, target_for(server.store), chunk_size=300)
    assert report.records["new"] == 150 and report.writes > 10
    assert remote_triples(server) == local_triples(store)
    again = push(store, target_for(server.store), chunk_size=1000)
    assert again.writes == 0 and again.triples_written == again.triples_removed == 0
    assert again.records == {"new": 0, "replaced": 0, "unchanged": 150}


# --- Cut short, retried, refused ---------------------------------------------------------------


def test_an_interrupted_push_is_completed_by_the_next(server: Oxigraph, store_path: Path) -> None:
    with fault_server("proxy", upstream=server.base, passes=5) as proxy:
        cut = kg(
            "push", "--store", str(store_path), "--endpoint", proxy.url + "/store",
            "--chunk-size", "40", "--retries", "0",
        )  # fmt: skip
    assert cut.exit_code == 1
    assert cut.output.splitlines() == [
        f"Error: {proxy.url}/update: the endpoint failed (HTTP 503: Service Unavailable) "
        "(after one try) — try again later, or ask its administrator"
    ]
    partial = remote_triples(server)
    assert partial and partial < local_triples(store_path)
    done = kg("push", "--store", str(store_path), "--endpoint", server.store, "--chunk-size", "40")
    assert done.exit_code == 0
    assert "9 records (0 new, 0 replaced, 9 unchanged)" not in done.output
    assert "unchanged)" in done.output
    assert remote_triples(server) == local_triples(store_path)


def test_transient_failures_are_sent_again(server: Oxigraph, store_path: Path) -> None:
    store = pyoxigraph.Store.read_only(str(store_path))
    waits: list[float] = []
    with fault_server("proxy", upstream=server.base, passes=1, failures=3) as proxy:
        report = push(store, target_for(proxy.url + "/store"), retry=Retry(sleep=waits.append))
    assert report.retries == 3 and waits == [1.0, 2.0, 4.0]
    assert remote_triples(server) == local_triples(store)


def test_dry_run_sends_no_change(server: Oxigraph, store_path: Path) -> None:
    result = kg("push", "--store", str(store_path), "--endpoint", server.store, "--dry-run")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Would send update 1: replace 9 record(s) and 23 shared resource(s), 407 triples (91 KiB)",
        "Dry run, nothing changed: compared 9 records (9 new, 0 replaced, 0 unchanged) and 23 "
        "shared resources (23 new, 0 replaced, 0 unchanged, 0 removed) with "
        f"{server.update}; 407 triples would be added, 0 would be removed; 11 requests",
    ]
    assert remote_triples(server) == set()
    down = f"http://127.0.0.1:{free_port()}/store"  # a GSP dry run does not even connect
    gsp = kg(
        "push", "--store", str(store_path), "--endpoint", down, "--dry-run", "--protocol", "gsp"
    )
    assert gsp.output.splitlines()[0] == f"Would send PUT 407 triples (88 KiB) to {down}?default"


@pytest.mark.parametrize("fault", ["500", "slow", "html", "bad-json", "down"])
@pytest.mark.parametrize("protocol", ["update", "gsp"])
def test_a_faulty_server_is_one_clear_error(fault: str, protocol: str, store_path: Path) -> None:
    with fault_server(fault) as bad:
        base = f"http://127.0.0.1:{free_port()}" if fault == "down" else bad.url
        result = kg(
            "push", "--store", str(store_path), "--endpoint", base + "/store",
            "--protocol", protocol, "--retries", "1", "--retry-wait", "0.01", "--timeout", "0.5",
        )  # fmt: skip
    retried = fault in ("500", "slow", "down")
    if protocol == "gsp" and fault in ("html", "bad-json"):  # a 200 is a success for a PUT
        assert result.exit_code == 0
        return
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    url = base + ("/store" if protocol == "gsp" else "/query")
    assert lines[-1].startswith(f"Error: {url}: ")
    assert ("(after 2 tries)" in lines[-1]) == retried


def test_blank_nodes_are_refused() -> None:
    store = pyoxigraph.Store()
    node = pyoxigraph.NamedNode("http://example.org/s")
    store.add(pyoxigraph.Quad(node, node, pyoxigraph.BlankNode()))
    with pytest.raises(PushError, match="blank node"):
        push(store, target_for("http://127.0.0.1:9/store"), dry_run=True, protocol="gsp")


@pytest.mark.parametrize(
    ("endpoint", "query", "update"),
    [
        ("http://h:7878/store", "http://h:7878/query", "http://h:7878/update"),
        ("http://h/fuseki/ds/data?x=1", "http://h/fuseki/ds/query", "http://h/fuseki/ds/update"),
        ("https://h/sparql", "https://h/sparql", "https://h/sparql"),
    ],
)
def test_query_and_update_urls_come_from_the_store_url(
    endpoint: str, query: str, update: str
) -> None:
    target = target_for(endpoint)
    assert (target.store, target.query, target.update) == (endpoint, query, update)
    assert target_for(endpoint, update="http://u/x").update == "http://u/x"


def test_an_empty_or_missing_store_is_not_pushed(tmp_path: Path) -> None:
    result = kg("push", "--store", str(tmp_path / "none"), "--endpoint", "http://127.0.0.1:9/store")
    assert result.exit_code == 1 and "there is no store here" in result.output


def test_what_a_later_load_deleted_is_deleted_from_the_server_too(
    server: Oxigraph, tmp_path: Path
) -> None:
    # A question moves to another department and another asker: the local store drops the
    # tallies that fall to nothing and the member and department nothing names any more.
    items = read_page(str(sample_page())).items[:3]
    moved = copy.deepcopy(items)
    moved[0]["tablingMember"] = {
        "_about": "http://data.parliament.uk/members/777777",
        "label": {"_value": "Biography information for Other Person"},
    }
    moved[0]["tablingMemberPrinted"] = [{"_value": "Other Person"}]
    moved[0]["answeringDeptId"] = {"_value": "17", "_datatype": "integer"}
    for key in ("answeringDeptShortName", "answeringDeptSortName"):
        moved[0][key] = {"_value": "Other Department"}
    moved[0]["AnsweringBody"] = [{"_value": "Other Department"}]
    store = pyoxigraph.Store()
    load_pages(store, [Page(source="v1.json", items=moved)])
    push(store, target_for(server.store))
    load_pages(store, [Page(source="v2.json", items=items)])

    pushed = push(store, target_for(server.store))

    assert pushed.shared["removed"] > 0  # the member, the department and their tallies
    assert remote_triples(server) == local_triples(store)
    again = push(store, target_for(server.store))
    assert (again.shared["removed"], again.writes) == (0, 0)


def test_what_another_writer_keeps_in_the_server_stays(server: Oxigraph) -> None:
    # Another store's questions name a member this store does not know, and a members store
    # pushed member records (with content hashes): a push of this store leaves both alone.
    # (The tallies are not: a push makes the server's tallies the local store's counts.)
    items = read_page(str(sample_page())).items
    theirs = copy.deepcopy(items[3:5])
    for item in theirs:
        item["tablingMember"] = {
            "_about": "http://data.parliament.uk/members/777777",
            "label": {"_value": "Biography information for Other Person"},
        }
    questions, members = pyoxigraph.Store(), pyoxigraph.Store()
    load_pages(questions, [Page(source="theirs.json", items=theirs)])
    members_page = Page(source="members.json", items=[make_member(1234), make_member(5678)])
    load_page(members, members_page, converter=convert_member)
    push(questions, target_for(server.store))
    push(members, target_for(server.store))
    subjects = {f"http://data.parliament.uk/members/{n}" for n in (777777, 1234, 5678)}
    theirs_kept = {t for t in remote_triples(server) if t.subject.value in subjects}
    assert len({t.subject for t in theirs_kept}) == 3
    ours = pyoxigraph.Store()
    load_pages(ours, [Page(source="ours.json", items=items[:3])])

    report = push(ours, target_for(server.store))

    assert theirs_kept <= remote_triples(server)
    tallies = "https://w3id.org/parliament-kg/id/tally"
    assert {t for t in remote_triples(server) if t.subject.value.startswith(tallies)} == {
        t for t in local_triples(ours) if t.subject.value.startswith(tallies)
    }
    assert report.shared["removed"] == 0  # their tallies went with the members' push
