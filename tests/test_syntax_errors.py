from __future__ import annotations

import pyoxigraph
import pytest

from kg.syntax_errors import describe_syntax_error


def _parse_error(text: str) -> SyntaxError:
    with pytest.raises(SyntaxError) as caught:
        pyoxigraph.Store().query(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "what"),
    [
        # Oxigraph lists character classes over several lines: each is named, on one line.
        (
            "SELECT ?x WHERE { ?x",
            'invalid SPARQL at line 1, column 21: expected one of "!", "$", "(", ":", "<", "?", '
            '"^", "a", a digit, a letter or "_"',
        ),
        (
            "SELECT ?x WHERE { ?x foo:bar ?y }",
            "invalid SPARQL at line 1, column 29: a prefix that is not declared (kg declares "
            "rdf:, rdfs:, xsd:, skos:, dcterms:, parl:, kg:, kgid:; add PREFIX for others)",
        ),
        (
            'SELECT * WHERE { ?x ?y "open }',
            'invalid SPARQL at line 1, column 31: expected one of "\\"", "\\\\", "\\\\U" or '
            '"\\\\u"',
        ),
        # Oxigraph lists keywords from the last alternatives its parser tried ("HAVING,
        # OFFSET, OPTIONAL, VALUES or a digit" here): they are left out, but for BY.
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT x",
            "invalid SPARQL at line 1, column 35: expected a digit",
        ),
        (
            "SELECT ?x WHERE { ?x <a b> ?y }",
            "invalid SPARQL at line 1, column 27: expected a valid IRI",
        ),
        (
            "SELECT ?x WHERE { ?x ?y ?z } ORDER ?x",
            "invalid SPARQL at line 1, column 38: expected BY",
        ),
        # Nothing left ("expected OPTIONAL", "LATERAL, SERVICE or any character"): the text
        # where Oxigraph stopped is shown instead, line breaks as spaces.
        (
            "SELECT ?x WHERE {\n ?x ?y ?z .\n FILTER }",
            'invalid SPARQL at line 3, column 10, where ▸ stands: "…RE { ?x ?y ?z . FILTER }▸"',
        ),
        (
            "SELECT ?x WHERE { ?x ?y }",
            'invalid SPARQL at line 1, column 26, where ▸ stands: "…ELECT ?x WHERE { ?x ?y }▸"',
        ),
        (
            "SELEC ?x WHERE { ?x ?y ?z }",
            'invalid SPARQL at line 1, column 10, where ▸ stands: "SELEC ?x▸WHERE { …"',
        ),
        (
            "SELECT ?x {\n  ?x ?y ?z } }\n",
            'invalid SPARQL at line 3, column 1, where ▸ stands: "SELECT ?x { ?x ?y ?z } }▸"',
        ),
    ],
)
def test_oxigraph_syntax_errors_read_as_one_line(text: str, what: str) -> None:
    error = describe_syntax_error("query", _parse_error(text), text)
    assert (error.where, error.what, error.hint) == ("query", what, "fix the query")


def test_an_error_without_a_position_is_kept_whole() -> None:
    error = describe_syntax_error("q", SyntaxError("something\nelse  went wrong"))
    assert error.what == "invalid SPARQL: something else went wrong"


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
        ("PREFIX ex: <urn:x#>\n# remove it\ndelete where { ?s ex:p ?o }", "DELETE"),
        ("BASE <urn:b/> CLEAR ALL", "CLEAR"),
        ("  load <http://example.org/data.ttl>", "LOAD"),
    ],
)
def test_an_update_is_named_as_such(text: str, keyword: str) -> None:
    error = describe_syntax_error("query", _parse_error(text), text)
    assert error.what == f"this is a SPARQL update ({keyword}), and kg runs queries only"
    assert (
        error.hint == "ask with SELECT, ASK, CONSTRUCT or DESCRIBE; the store changes with kg load"
    )


def test_a_broken_query_that_mentions_an_update_keyword_is_a_syntax_error() -> None:
    text = "SELECT ?insert WHERE { ?insert"
    error = describe_syntax_error("query", _parse_error(text), text)
    assert error.what.startswith("invalid SPARQL at line 1, column 31: expected one of ")
