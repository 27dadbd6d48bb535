"""The columns of SELECT * in the order the query first names its variables."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.sparql import run_query
from kg.star_columns import star_order

EX = "http://example.org/"


@pytest.mark.parametrize(
    ("text", "columns", "order"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", ["o", "p", "s"], [2, 1, 0]),
        ("select distinct * { $s ?p ?o }", ["o", "p", "s"], [2, 1, 0]),
        ("SELECT REDUCED * WHERE { ?s ?p ?o }", ["o", "p", "s"], [2, 1, 0]),
        # Already in that order, or the columns named: nothing to change.
        ("SELECT * WHERE { ?a ?b ?c }", ["a", "b", "c"], None),
        ("SELECT ?o ?s WHERE { ?s ?p ?o }", ["o", "s"], None),
        ("ASK { ?s ?p ?o }", [], None),
        # What cannot hold a variable is skipped: comments, strings, IRIs (with a '#').
        (
            "PREFIX ex: <http://example.org/#?z> # SELECT ?y\n"
            "SELECT * WHERE { ?s ex:p \"?x ?y\" ; ex:q '''?z\n?y''' ; ex:r ?z ; ?y ?x }",
            ["s", "x", "y", "z"],
            [0, 3, 2, 1],
        ),
        # The first SELECT is the query's own; a sub-SELECT names its columns in order too.
        (
            "SELECT * { { SELECT ?b ?a WHERE { ?a ?p ?b } } ?b ?q ?c }",
            ["a", "b", "c", "q"],
            [1, 0, 3, 2],
        ),
        # A variable the text does not show (none should be) goes last, in the answer's order.
        ("SELECT * WHERE { ?b ?c ?a }", ["a", "b", "zz", "c"], [1, 3, 0, 2]),
        # Comparisons are not IRIs.
        (
            "SELECT * WHERE { ?x ?y ?z FILTER(?a < ?b && ?b > ?c) }",
            ["a", "b", "c", "x"],
            [3, 0, 1, 2],
        ),
    ],
)
def test_star_order(text: str, columns: list[str], order: list[int] | None) -> None:
    assert star_order(text, columns) == order


def test_a_local_select_star_gives_its_columns_as_written() -> None:
    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(*(pyoxigraph.NamedNode(EX + n) for n in "spo")))

    outcome = run_query(store, "SELECT * WHERE { ?s ?p ?o }")
    assert outcome.columns == ["s", "p", "o"]
    assert [[t.value for t in row if t is not None] for row in outcome.row_list()] == [
        [EX + "s", EX + "p", EX + "o"]
    ]
    streamed = run_query(store, "SELECT * WHERE { ?s ?p ?o }", stream=True, timeout=10)
    assert streamed.columns == ["s", "p", "o"]
    assert [[t.value for t in row if t is not None] for row in streamed.row_list()] == [
        [EX + "s", EX + "p", EX + "o"]
    ]
