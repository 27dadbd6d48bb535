"""A SPARQL endpoint's answer to a query, read as a :class:`kg.sparql.QueryOutcome`: SPARQL
results (JSON, XML, TSV) for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE; anything else is
a :class:`kg.errors.RemoteError` that says what came back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph

from kg.errors import RemoteError
from kg.sparql import QueryOutcome, Row


@dataclass(frozen=True)
class Answer:
    """What an endpoint sent back: its media type and its body."""

    content_type: str
    body: bytes


_NOT_AN_ENDPOINT = (
    "is the URL the endpoint's SPARQL query URL (Oxigraph: /query, Fuseki: /DATASET/sparql)?"
)


def parse_answer(answer: Answer, *, kind: str, where: str) -> QueryOutcome:
    """The endpoint's answer as a QueryOutcome, its rows made as they are taken; anything but
    results of that kind is an error."""
    media = answer.content_type
    try:
        if kind == "graph":
            graph_format = pyoxigraph.RdfFormat.from_media_type(media) if media else None
            if graph_format is None:
                raise RemoteError(
                    where, f"the answer is {media or 'untyped'}, not RDF", _NOT_AN_ENDPOINT
                )
            triples = [q.triple for q in pyoxigraph.parse(answer.body, graph_format)]
            return QueryOutcome(kind="graph", triples=triples)
        results_format = (
            pyoxigraph.QueryResultsFormat.from_media_type(media)
            if media
            else pyoxigraph.QueryResultsFormat.JSON
        )
        if results_format is None or results_format == pyoxigraph.QueryResultsFormat.CSV:
            raise RemoteError(where, f"the answer is {media}, not SPARQL results", _NOT_AN_ENDPOINT)
        return _results(pyoxigraph.parse_query_results(answer.body, results_format), kind, where)
    except (SyntaxError, ValueError) as exc:
        raise _not_results(where, exc) from None


def _not_results(where: str, exc: BaseException) -> RemoteError:
    what = f"the answer is not valid SPARQL results ({_first_line(exc)})"
    return RemoteError(where, what, _NOT_AN_ENDPOINT)


def _results(parsed: Any, kind: str, where: str) -> QueryOutcome:
    if isinstance(parsed, pyoxigraph.QueryBoolean):
        if kind != "ask":
            raise RemoteError(where, "a yes/no answer to a SELECT query", "check the endpoint")
        return QueryOutcome(kind="ask", boolean=bool(parsed))
    if kind != "select":
        del parsed  # not kept by the error's traceback: see kg.sparql._solutions
        raise RemoteError(where, "rows in answer to an ASK query", "check the endpoint")
    columns = [v.value for v in parsed.variables]
    return QueryOutcome(kind="select", columns=columns, rows=_rows(parsed, columns, where))


def _rows(parsed: Any, columns: list[str], where: str) -> Iterator[Row]:
    try:
        for solution in parsed:
            yield [solution[c] for c in columns]
    except (SyntaxError, ValueError) as exc:
        del parsed  # not kept by the error's traceback: see kg.sparql._solutions
        raise _not_results(where, exc) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
