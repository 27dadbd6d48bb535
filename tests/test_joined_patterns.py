"""Triple patterns as hash-joined sub-SELECTs: the rewrite, what it leaves alone, and that
the rewritten query returns what the query as written does."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.joined_patterns import hash_joined

ANSWER_DATES = """PREFIX parl: <http://data.parliament.uk/schema/parl#>
SELECT $this ?value ?path
WHERE {
    $this parl:dateOfAnswer ?value .
    ?q parl:answer $this .
    ?q <http://purl.org/dc/terms/date> ?questionDate .
    FILTER (SUBSTR(STR(?value), 1, 10) < SUBSTR(STR(?questionDate), 1, 10))
    BIND (parl:dateOfAnswer AS ?path)
}
"""


def test_each_triple_pattern_becomes_a_sub_select_of_its_variables() -> None:
    assert hash_joined(ANSWER_DATES) == (
        "PREFIX parl: <http://data.parliament.uk/schema/parl#>\n"
        "SELECT $this ?value ?path\n"
        "WHERE {\n"
        "  { SELECT ?this ?value WHERE { $this parl:dateOfAnswer ?value } }\n"
        "  { SELECT ?q ?this WHERE { ?q parl:answer $this } }\n"
        "  { SELECT ?q ?questionDate WHERE { ?q <http://purl.org/dc/terms/date> ?questionDate } }\n"
        "  FILTER (SUBSTR(STR(?value), 1, 10) < SUBSTR(STR(?questionDate), 1, 10))\n"
        "  BIND (parl:dateOfAnswer AS ?path)\n"
        "}\n"
    )


def test_strings_and_iris_may_hold_braces_and_hashes() -> None:
    query = (
        "SELECT ?s WHERE { ?s a <http://e.org/#T> . ?s <http://e.org/p> ?o "
        'FILTER (STR(?o) != "}{ #") FILTER regex(?o, "^x") }'
    )
    assert hash_joined(query) == (
        "SELECT ?s WHERE {\n"
        "  { SELECT ?s WHERE { ?s a <http://e.org/#T> } }\n"
        "  { SELECT ?s ?o WHERE { ?s <http://e.org/p> ?o } }\n"
        '  FILTER (STR(?o) != "}{ #")\n'
        '  FILTER regex(?o, "^x")\n'
        "}"
    )


@pytest.mark.parametrize(
    "where",
    [
        "?s ex:p ?o",  # one pattern: nothing to join
        "?s ex:p ?o . OPTIONAL { ?s ex:q ?x }",
        "{ SELECT ?s ?o WHERE { ?s ex:p ?o } } ?s ex:q ?x",
        "?s ex:p ?o ; ex:q ?x",
        "?s ex:p ?o , ?x . ?s ex:q ?y",
        '?s ex:p "text" . ?s ex:q ?x',
        "?s ^ex:p ?o . ?s ex:q ?x",
        "?s ex:p/ex:q ?o . ?s ex:r ?x",
        "?s ex:p ?o . ?s ex:q ?x FILTER NOT EXISTS { ?s ex:r ?o }",
        "?s ex:p ?o . ?s ex:q ?x . VALUES ?s { ex:a }",
        "ex:a ex:p ex:b . ?s ex:q ?x",  # a pattern without variables
        "?s ex:p ?o . ?s ex:q ?x FILTER (?o > 1",
        "?s ex:p ?o . ?s ex:q",
        "?s ex:p _:b . _:b ex:q ?x",  # a blank node is one per group
    ],
)
def test_other_groups_are_left_as_written(where: str) -> None:
    assert hash_joined(f"PREFIX ex: <http://e.org/>\nSELECT ?s WHERE {{ {where} }}") is None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s ex:p ?o . ?s ex:q ?x } ORDER BY ?s",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ex:p ?o . ?s ex:q ?x } GROUP BY ?s",
        "ASK { ?s ex:p ?o . ?s ex:q ?x }",
        "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ex:p ?o . ?s ex:q ?x } } }",
    ],
)
def test_other_queries_are_left_as_written(query: str) -> None:
    assert hash_joined("PREFIX ex: <http://e.org/>\n" + query) is None


DATA = """
@prefix ex: <http://e.org/> .
ex:a ex:p 1 , 2 ; ex:q "x" ; ex:r ex:b .
ex:b ex:p 3 ; ex:q "y" , "z" ; ex:r ex:a .
ex:c ex:p 4 ; ex:r ex:c .
ex:d ex:q "w" .
"""


@pytest.mark.parametrize(
    "where",
    [
        "?s ex:p ?o . ?s ex:q ?x",
        "?s ex:r ?t . ?t ex:p ?o . ?t ex:q ?x FILTER (?o > 1)",
        "?s ex:p ?o . BIND (?o * 10 AS ?ten) ?s ex:q ?x FILTER (?ten > 10)",
        "?s ex:r ?s . ?s ex:p ?o",
        "?s ex:p ?o . ?t ex:q ?x FILTER (?s != ?t)",
        "?s ex:p ?o . FILTER (?o > 3) . ?s ex:r $s",
    ],
)
def test_the_rewritten_query_returns_the_same_rows(where: str) -> None:
    store = pyoxigraph.Store()
    store.load(DATA.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    query = f"PREFIX ex: <http://e.org/>\nSELECT * WHERE {{ {where} }}"
    joined = hash_joined(query)
    assert joined is not None

    def rows(text: str) -> list[tuple[str, ...]]:
        result = store.query(text)
        assert isinstance(result, pyoxigraph.QuerySolutions)
        names = sorted(v.value for v in result.variables)
        return sorted(tuple(str(row[name]) for name in names) for row in result)

    expected = rows(query)
    assert expected  # the data gives every query rows to compare
    assert rows(joined) == expected
