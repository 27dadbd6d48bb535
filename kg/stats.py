"""What is in the store: counts of each kind of resource, dates covered, sources loaded."""

from __future__ import annotations

from typing import Any

import pyoxigraph

from kg.output import plain_value
from kg.sparql import run_query

_COUNTS = """
SELECT
  (SUM(IF(?kind = kg:WrittenQuestion, 1, 0)) AS ?questions)
  (SUM(IF(?kind = kg:WrittenAnswer, 1, 0)) AS ?answers)
  (SUM(IF(?kind = kg:AnswerVersion, 1, 0)) AS ?previousAnswerVersions)
  (SUM(IF(?kind = kg:Attachment, 1, 0)) AS ?attachments)
  (SUM(IF(?kind = kg:Member, 1, 0)) AS ?members)
  (SUM(IF(?kind = kg:Department, 1, 0)) AS ?departments)
  (SUM(IF(?kind = kg:House, 1, 0)) AS ?houses)
WHERE { ?s a ?kind }
"""
_TRIPLES = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
_DATES = """
SELECT (MIN(?tabled) AS ?firstTabled) (MAX(?tabled) AS ?lastTabled)
       (MAX(?loaded) AS ?lastLoaded) (COUNT(DISTINCT ?source) AS ?sources)
WHERE { ?q a kg:WrittenQuestion ; dcterms:date ?d .
        BIND(STR(?d) AS ?tabled)
        OPTIONAL { ?q kg:loadedAt ?loaded } OPTIONAL { ?q kg:source ?source } }
"""
_GROUPED = "SELECT (COUNT(DISTINCT ?q) AS ?groupedQuestions) WHERE { ?q kg:groupedWith ?o }"


def store_stats(store: pyoxigraph.Store) -> list[tuple[str, Any]]:
    """(name, value) pairs describing the store, in a stable order."""
    pairs: list[tuple[str, Any]] = []
    for query in (_TRIPLES, _COUNTS, _GROUPED, _DATES):
        outcome = run_query(store, query, where="stats")
        rows = outcome.row_list()
        row = rows[0] if rows else [None] * len(outcome.columns)
        for name, term in zip(outcome.columns, row, strict=True):
            value = plain_value(term)
            pairs.append((name, 0 if value is None and name != "lastLoaded" else value))
    return [(n, v) for n, v in pairs if not (n in ("firstTabled", "lastTabled") and v == 0)]
