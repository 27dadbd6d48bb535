"""kg stats: its counts, read by scans and hash joins, against plain queries of the same."""

from __future__ import annotations

from typing import Any

import pyoxigraph
import pytest

from kg.output import plain_value
from kg.sparql import run_query
from kg.stats import store_stats

#: What kg stats read with one query each before: the straightforward SPARQL of its counts.
REFERENCE = [
    "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }",
    """SELECT
      (SUM(IF(?kind = kg:WrittenQuestion, 1, 0)) AS ?questions)
      (SUM(IF(?kind = kg:WrittenAnswer, 1, 0)) AS ?answers)
      (SUM(IF(?kind = kg:AnswerVersion, 1, 0)) AS ?previousAnswerVersions)
      (SUM(IF(?kind = kg:Attachment, 1, 0)) AS ?attachments)
      (SUM(IF(?kind = kg:Member, 1, 0)) AS ?members)
      (SUM(IF(?kind = kg:Department, 1, 0)) AS ?departments)
      (SUM(IF(?kind = kg:House, 1, 0)) AS ?houses)
    WHERE { ?s a ?kind }""",
    "SELECT (COUNT(DISTINCT ?q) AS ?groupedQuestions) WHERE { ?q kg:groupedWith ?o }",
    """SELECT (MIN(?tabled) AS ?firstTabled) (MAX(?tabled) AS ?lastTabled)
           (MAX(?loaded) AS ?lastLoaded) (COUNT(DISTINCT ?source) AS ?sources)
    WHERE { ?q a kg:WrittenQuestion ; dcterms:date ?d .
            BIND(STR(?d) AS ?tabled)
            OPTIONAL { ?q kg:loadedAt ?loaded } OPTIONAL { ?q kg:source ?source } }""",
]


def reference_stats(store: pyoxigraph.Store) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for query in REFERENCE:
        outcome = run_query(store, query)
        for name, term in zip(outcome.columns, outcome.row_list()[0], strict=True):
            found[name] = plain_value(term)
    return found


@pytest.mark.parametrize("name", ["sample", "handmade"])
def test_stats_are_what_plain_queries_count(name: str, request: pytest.FixtureRequest) -> None:
    store: pyoxigraph.Store = request.getfixturevalue(name)
    stats = dict(store_stats(store))
    assert stats == reference_stats(store)
    assert stats["questions"] > 0 and stats["sources"] > 0


def test_stats_of_an_empty_store() -> None:
    assert store_stats(pyoxigraph.Store()) == [
        ("triples", 0),
        ("questions", 0),
        ("answers", 0),
        ("previousAnswerVersions", 0),
        ("attachments", 0),
        ("members", 0),
        ("departments", 0),
        ("houses", 0),
        ("groupedQuestions", 0),
        ("lastLoaded", None),
        ("sources", 0),
    ]


def test_triples_in_other_graphs_are_not_counted(sample: pyoxigraph.Store) -> None:
    store = pyoxigraph.Store()
    store.extend(sample)
    triples = len(store)
    graph = pyoxigraph.NamedNode("http://example.org/elsewhere")
    store.add(pyoxigraph.Quad(graph, graph, graph, graph))
    assert dict(store_stats(store))["triples"] == triples
