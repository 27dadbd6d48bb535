"""An endpoint's answer read as a QueryOutcome: rows made as they are taken, and one clear
error for anything that is not the results asked for (also when it breaks off mid-way)."""

from __future__ import annotations

import json

import pyoxigraph
import pytest

from kg.errors import RemoteError
from kg.remote_answer import Answer, parse_answer
from tests.conftest import freed_by_another_thread

JSON_RESULTS = "application/sparql-results+json"
EX = "http://example.org/"


def select_json(count: int) -> bytes:
    bindings = [
        {"q": {"type": "uri", "value": f"{EX}q{n}"}, "uin": {"type": "literal", "value": str(n)}}
        for n in range(count)
    ]
    document = {"head": {"vars": ["q", "uin"]}, "results": {"bindings": bindings}}
    return json.dumps(document).encode()


def test_rows_of_a_select_in_the_order_of_the_columns() -> None:
    outcome = parse_answer(Answer(JSON_RESULTS, select_json(3)), kind="select", where="ep")
    assert outcome.columns == ["q", "uin"]
    assert outcome.row_list() == [
        [pyoxigraph.NamedNode(f"{EX}q{n}"), pyoxigraph.Literal(str(n))] for n in range(3)
    ]


def test_rows_are_made_as_they_are_taken_up_to_a_break() -> None:
    body = select_json(3)
    cut = body[: body.rindex(b'{"q"')] + b'{"q": {"type": "uri", "val'  # third row cut off
    outcome = parse_answer(Answer(JSON_RESULTS, cut), kind="select", where="ep")
    rows = iter(outcome.rows)
    assert next(rows)[1] == pyoxigraph.Literal("0")
    with pytest.raises(RemoteError) as caught:
        list(rows)
    assert caught.value.where == "ep"
    assert caught.value.what.startswith("the answer is not valid SPARQL results (")
    assert caught.value.hint.startswith("is the URL the endpoint's SPARQL query URL")


def test_an_ask_answer_and_a_graph_answer() -> None:
    yes = json.dumps({"head": {}, "boolean": True}).encode()
    assert parse_answer(Answer(JSON_RESULTS, yes), kind="ask", where="ep").boolean is True
    turtle = f"<{EX}s> <{EX}p> 'o' .".encode()
    graph = parse_answer(Answer("text/turtle", turtle), kind="graph", where="ep")
    assert [str(t) for t in graph.triples] == [f'<{EX}s> <{EX}p> "o"']


@pytest.mark.parametrize(
    ("media", "body", "kind", "what"),
    [
        ("text/html", b"<html></html>", "select", "the answer is text/html, not SPARQL results"),
        ("text/csv", b"q\r\n", "select", "the answer is text/csv, not SPARQL results"),
        ("text/html", b"<html></html>", "graph", "the answer is text/html, not RDF"),
        (JSON_RESULTS, json.dumps({"head": {}, "boolean": True}).encode(), "select",
         "a yes/no answer to a SELECT query"),
        (JSON_RESULTS, select_json(1), "ask", "rows in answer to an ASK query"),
    ],
)  # fmt: skip
def test_anything_else_is_one_clear_error(media: str, body: bytes, kind: str, what: str) -> None:
    with pytest.raises(RemoteError) as caught:
        parse_answer(Answer(media, body), kind=kind, where="ep").row_list()
    assert caught.value.what == what


@pytest.mark.parametrize("kind", ["select", "ask"])
def test_an_answer_refused_leaves_no_results_for_another_thread_to_free(
    unraisable: list[str], kind: str
) -> None:
    body = select_json(3)
    cut = body[: body.rindex(b'{"q"')] + b'{"q": {"type": "uri", "val'  # third row cut off

    def refused() -> object:
        with pytest.raises(RemoteError) as caught:
            parse_answer(Answer(JSON_RESULTS, cut), kind=kind, where="ep").row_list()
        return caught.value

    freed_by_another_thread(refused)
    assert unraisable == []
