"""What is in the store: counts of each kind of resource, dates covered, sources loaded."""

from __future__ import annotations

from typing import Any

import pyoxigraph

from kg import vocab
from kg.output import plain_value
from kg.sparql import Row, run_query

#: Resources counted, by class: the name each count is shown under.
_KINDS = {
    "questions": vocab.QUESTION,
    "answers": vocab.ANSWER,
    "previousAnswerVersions": vocab.ANSWER_VERSION,
    "attachments": vocab.ATTACHMENT,
    "members": vocab.MEMBER,
    "departments": vocab.DEPARTMENT,
    "houses": vocab.HOUSE,
}
# Each query reads its counts by scans and hash joins, never a look-up per question: at a
# million questions the seven counts took 29 s as one SUM(IF(...)) per typed resource and
# 1.1 s so; the dates 20 s with the provenance looked up per question, 3.6 s so.
_COUNTS = f"""
SELECT ?kind (COUNT(*) AS ?resources)
WHERE {{ VALUES ?kind {{ {" ".join(f"<{kind}>" for kind in _KINDS.values())} }} ?s a ?kind }}
GROUP BY ?kind
"""
_TRIPLES = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"
_GROUPED = "SELECT (COUNT(DISTINCT ?q) AS ?groupedQuestions) WHERE { ?q kg:groupedWith ?o }"
_TABLED = """
SELECT (MIN(?tabled) AS ?firstTabled) (MAX(?tabled) AS ?lastTabled)
WHERE {
  { SELECT DISTINCT ?d WHERE {
      { SELECT ?q WHERE { ?q a kg:WrittenQuestion } }
      { SELECT ?q ?d WHERE { ?q dcterms:date ?d } } } }
  BIND(STR(?d) AS ?tabled)
}
"""
#: Only questions carry their provenance (kg:loadedAt, kg:source: see kg.load).
_LOADED = """
SELECT ?lastLoaded ?sources
WHERE {
  { SELECT (MAX(?loaded) AS ?lastLoaded)
    WHERE { { SELECT DISTINCT ?loaded WHERE { ?q kg:loadedAt ?loaded } } } }
  { SELECT (COUNT(DISTINCT ?source) AS ?sources) WHERE { ?q kg:source ?source } }
}
"""


def store_stats(store: pyoxigraph.Store) -> list[tuple[str, Any]]:
    """(name, value) pairs describing the store, in a stable order."""
    pairs: list[tuple[str, Any]] = [("triples", _triples(store))]
    counted = {str(plain_value(kind)): plain_value(n) for kind, n in _rows(store, _COUNTS)}
    pairs += [(name, counted.get(kind, 0)) for name, kind in _KINDS.items()]
    for query in (_GROUPED, _TABLED, _LOADED):
        outcome = run_query(store, query, where="stats")
        rows = outcome.row_list()
        row = rows[0] if rows else [None] * len(outcome.columns)
        for name, term in zip(outcome.columns, row, strict=True):
            value = plain_value(term)
            pairs.append((name, 0 if value is None and name != "lastLoaded" else value))
    return [(n, v) for n, v in pairs if not (n in ("firstTabled", "lastTabled") and v == 0)]


def _rows(store: pyoxigraph.Store, query: str) -> list[Row]:
    return run_query(store, query, where="stats").row_list()


def _triples(store: pyoxigraph.Store) -> int:
    """The triples of the default graph: Oxigraph's count of quads when there is no other
    graph (5.8 s at a million questions, where the query took 12.5 s)."""
    if next(iter(store.named_graphs()), None) is None:
        return len(store)
    return int(plain_value(_rows(store, _TRIPLES)[0][0]))
