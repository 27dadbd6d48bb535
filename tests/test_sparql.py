"""kg's own SELECT helpers on the local store."""

from __future__ import annotations

import gc
import socket
import threading
from collections.abc import Iterator

import pyoxigraph
import pytest

from kg import ntriples
from kg.errors import QueryError
from kg.sparql import (
    failure_hint,
    released_here,
    releasing,
    run_query,
    select_lines,
    select_tsv,
    tsv_term,
)
from kg.vocab import XSD
from tests.conftest import freed_by_another_thread

EX = "http://example.org/"
TRIPLES = f"""
<{EX}s> <{EX}int> "7"^^<{XSD}integer> .
<{EX}s> <{EX}neg> "-3"^^<{XSD}integer> .
<{EX}s> <{EX}bool> "false"^^<{XSD}boolean> .
<{EX}s> <{EX}dec> "1.5"^^<{XSD}decimal> .
<{EX}s> <{EX}dbl> "1.0E3"^^<{XSD}double> .
<{EX}s> <{EX}date> "2024-01-10"^^<{XSD}date> .
<{EX}s> <{EX}text> "tab\\there, \\"quoted\\", back\\\\slash\\nnew line" .
<{EX}s> <{EX}lang> "Tŷ"@cy .
<{EX}s> <{EX}link> <{EX}o> .
"""


def test_select_lines_give_back_the_same_triples() -> None:
    store = pyoxigraph.Store()
    store.load(TRIPLES, pyoxigraph.RdfFormat.N_TRIPLES)
    lines = select_lines(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", prefixes={})
    assert len(lines) == len(store) == 9
    parsed = {
        q.triple for q in pyoxigraph.parse("".join(lines).encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    }
    assert parsed == {q.triple for q in store}
    # kg's own serializer writes them again, as it writes what it converts
    rewritten = ntriples.rewrite(sorted(lines))
    assert f'<{EX}s> <{EX}int> "7"^^<{XSD}integer> .\n' in rewritten
    assert (
        f'<{EX}s> <{EX}text> "tab\there, \\"quoted\\", back\\\\slash\\nnew line" .\n' in rewritten
    )
    again = pyoxigraph.parse("".join(rewritten).encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    assert {q.triple for q in again} == parsed


def test_select_tsv_gives_each_term_as_oxigraph_writes_it() -> None:
    store = pyoxigraph.Store()
    store.load(TRIPLES, pyoxigraph.RdfFormat.N_TRIPLES)
    text = "SELECT ?p ?o ?none WHERE { ?s ?p ?o } ORDER BY ?p"
    rows = select_tsv(store, text, prefixes={})
    assert len(rows) == 9
    by_predicate = {p: (o, none) for p, o, none in rows}
    assert by_predicate[f"<{EX}int>"] == ("7", "")  # short Turtle form; unbound: empty
    assert by_predicate[f"<{EX}bool>"][0] == "false"
    assert by_predicate[f"<{EX}date>"][0] == f'"2024-01-10"^^<{XSD}date>'
    assert by_predicate[f"<{EX}text>"][0] == '"tab\\there, \\"quoted\\", back\\\\slash\\nnew line"'
    assert by_predicate[f"<{EX}lang>"][0] == '"Tŷ"@cy'
    assert by_predicate[f"<{EX}link>"][0] == f"<{EX}o>"
    assert select_tsv(store, "SELECT ?s WHERE { ?s ?p 42 }", prefixes={}) == []


def test_tsv_terms_are_given_back_their_datatype() -> None:
    assert tsv_term("7") == f'"7"^^<{XSD}integer>'
    assert tsv_term("-3") == f'"-3"^^<{XSD}integer>'
    assert tsv_term("1.5") == f'"1.5"^^<{XSD}decimal>'
    assert tsv_term("1.0E3") == f'"1.0E3"^^<{XSD}double>'
    assert tsv_term("true") == f'"true"^^<{XSD}boolean>'
    for term in ('"7"', f"<{EX}o>", "_:b0", '"Tŷ"@cy', f'"2024-01-10"^^<{XSD}date>'):
        assert tsv_term(term) == term


QUESTIONS = "SELECT ?q ?uin WHERE { ?q parl:uin ?uin } ORDER BY ?uin"


@pytest.mark.parametrize("timeout", [None, 30.0])
def test_a_streamed_select_gives_the_rows_as_it_reads_them(
    sample: pyoxigraph.Store, timeout: float | None
) -> None:
    listed = run_query(sample, QUESTIONS, timeout=timeout)
    streamed = run_query(sample, QUESTIONS, timeout=timeout, stream=True)
    assert isinstance(listed.rows, list) and len(listed.rows) == 9
    assert not isinstance(streamed.rows, list)
    assert streamed.columns == listed.columns == ["q", "uin"]
    assert next(iter(streamed.rows)) == listed.rows[0]
    assert streamed.row_list() == listed.rows[1:]  # a stream is read once
    assert streamed.rows == listed.rows[1:]


def test_the_timeout_of_a_streamed_query_covers_reading_its_rows() -> None:
    # No ORDER BY: rows come at once, but all 100**3 of them take far longer than 0.3 s.
    store = pyoxigraph.Store()
    store.bulk_load("".join(f"<{EX}s{n}> <{EX}p> \"{n}\" .\n" for n in range(100)).encode(),
                    pyoxigraph.RdfFormat.N_TRIPLES)  # fmt: skip
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    outcome = run_query(store, slow, where="slow", timeout=0.3, stream=True)
    rows = iter(outcome.rows)
    assert len(next(rows)) == 9
    with pytest.raises(QueryError) as caught:
        for _ in rows:
            pass
    assert str(caught.value) == (
        "slow: the query ran longer than 0.3 s and was stopped — "
        "narrow the query, or give a larger --timeout"
    )


@pytest.mark.parametrize("release", ["released_here", "releasing", "neither"])
def test_an_error_handed_across_threads_lets_go_of_its_results_where_it_was_raised(
    unraisable: list[str], release: str
) -> None:
    # pyoxigraph's results may only be freed by the thread that made them; a traceback's frame
    # that holds one would free it in the thread the error is handed to, which reports it.
    store = pyoxigraph.Store()
    store.load(TRIPLES, pyoxigraph.RdfFormat.N_TRIPLES)

    def rows() -> Iterator[pyoxigraph.QuerySolution]:
        solutions = store.query("SELECT * WHERE { ?s ?p ?o }")
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        for row in solutions:
            yield row
            raise ValueError("stopped")

    def read() -> list[pyoxigraph.QuerySolution]:
        return list(rows())

    handed: list[BaseException] = []

    def work() -> None:
        try:
            (releasing(read) if release == "releasing" else read)()
        except ValueError as exc:
            handed.append(released_here(exc) if release == "released_here" else exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert [str(exc) for exc in handed] == ["stopped"]
    handed.clear()
    gc.collect()
    # with neither, the check itself is seen to catch the leak
    assert len(unraisable) == (1 if release == "neither" else 0)
    assert all("PyQuerySolutions is unsendable" in message for message in unraisable)


@pytest.mark.parametrize("timeout", [None, 30.0])
@pytest.mark.parametrize("stream", [False, True])
def test_a_query_that_fails_while_read_leaves_no_results_for_another_thread_to_free(
    unraisable: list[str], stream: bool, timeout: float | None
) -> None:
    # With a timeout, the results are made in the query's own thread.
    with socket.socket() as probe:  # a local port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = pyoxigraph.Store()
    store.load(TRIPLES, pyoxigraph.RdfFormat.N_TRIPLES)
    # Oxigraph calls the SERVICE, and fails, only when the rows are read.
    text = f"SELECT * WHERE {{ ?s ?p ?o SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
    failing = (
        r"^far: the query failed: .* — check the store, and that the SERVICE endpoints it calls"
        r" answer$"
    )

    def failed() -> object:
        with pytest.raises(QueryError, match=failing) as caught:
            run_query(store, text, where="far", timeout=timeout, stream=stream).row_list()
        return caught.value

    freed_by_another_thread(failed)
    assert unraisable == []


def test_a_query_that_fails_without_a_service_says_to_check_the_store() -> None:
    assert failure_hint("SELECT * WHERE { ?s ?p ?o }") == "check the store"
    assert failure_hint('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE') == "check the store"
    assert failure_hint("select * { service <http://e/> { ?s ?p ?o } }") == (
        "check the store, and that the SERVICE endpoints it calls answer"
    )
