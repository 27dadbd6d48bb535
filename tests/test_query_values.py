"""VALUES blocks in queries (kg.query_values): parameters bound at the top of every SELECT's
WHERE group (for an endpoint without substitutions), and the text index's candidates put at a
query's ``#kg:text-index`` markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg import vocab
from kg.queries import load_catalog
from kg.query_values import (
    NO_CANDIDATE,
    markers,
    narrowed,
    values_block,
    with_candidates,
    with_values,
)
from kg.sparql import Term
from tests.test_text_search import _answered_store, _index

CATALOG = load_catalog()
FIND = CATALOG["find-questions"]
EX = "http://example.org/"
XSD_INTEGER = pyoxigraph.NamedNode(vocab.XSD + "integer")


def _ex(name: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(EX + name)


def _rows(result: Any) -> list[tuple[str | None, ...]]:
    return [tuple(None if v is None else str(v) for v in row) for row in result]


def _substituted(store: pyoxigraph.Store, text: str, bindings: dict[str, Term]) -> Any:
    """The query's results with the bindings as pyoxigraph substitutions."""
    substitutions: dict[pyoxigraph.Variable, Term | pyoxigraph.Triple] = {
        pyoxigraph.Variable(name): term for name, term in bindings.items()
    }
    return store.query(text, substitutions=substitutions or None)


# --- values_block and with_values -------------------------------------------------------------


def test_values_block_gives_each_term_in_its_syntax() -> None:
    bindings: dict[str, Term] = {
        "member": _ex("m1"),
        "days": pyoxigraph.Literal("10", datatype=XSD_INTEGER),
        "name": pyoxigraph.Literal("chat", language="fr"),
        "text": pyoxigraph.Literal("plain"),
    }
    assert values_block(bindings) == (
        "VALUES (?member ?days ?name ?text) { (<http://example.org/m1>"
        ' "10"^^<http://www.w3.org/2001/XMLSchema#integer> "chat"@fr "plain") }'
    )


def test_with_values_puts_a_block_in_every_select() -> None:
    text = (
        "PREFIX a: <http://x/#{}>\n# SELECT { in a comment\n"
        'SELECT ?x ?n WHERE { ?x a:p "{ SELECT" . { SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } '
        "GROUP BY ?x } }"
    )
    term = pyoxigraph.NamedNode("http://x/1")
    assert with_values(text, {"x": term}) == (
        "PREFIX a: <http://x/#{}>\n# SELECT { in a comment\n"
        'SELECT ?x ?n WHERE { VALUES (?x) { (<http://x/1>) }  ?x a:p "{ SELECT" . '
        "{ SELECT ?x (COUNT(*) AS ?n) WHERE { VALUES (?x) { (<http://x/1>) }  ?x ?p ?o } "
        "GROUP BY ?x } }"
    )
    assert with_values(text, {}) == text
    assert values_block({"t": pyoxigraph.Literal('say "}"\n')}) == (
        'VALUES (?t) { ("say \\"}\\"\\n") }'
    )


def test_with_values_skips_strings_iris_comments_and_names() -> None:
    # "select" in any case is a keyword; as a variable (?select, $SELECT), in a prefixed name
    # (ex:SELECT), an IRI, a comment or a string (quoted either way, escaped quotes, three
    # quotes over lines) it is not, and neither is a "{" there.
    text = (
        "PREFIX ex: <http://ex/SELECT>\n"
        "select ?select $SELECT WHERE {\n"
        "  # SELECT { a comment\n"
        "  ?s ex:SELECT ?o .\n"
        "  FILTER(?o != \"SELECT {\" && ?o != 'SELECT {' && ?o != '''x\n{ SELECT'''"
        ' && ?o != "a \\" {")\n'
        "  { SELECT ?s { ?s ex:p ?o } }\n"
        "}"
    )
    block = "VALUES (?s) { (<http://x/1>) }"
    assert with_values(text, {"s": pyoxigraph.NamedNode("http://x/1")}) == (
        "PREFIX ex: <http://ex/SELECT>\n"
        f"select ?select $SELECT WHERE {{ {block} \n"
        "  # SELECT { a comment\n"
        "  ?s ex:SELECT ?o .\n"
        "  FILTER(?o != \"SELECT {\" && ?o != 'SELECT {' && ?o != '''x\n{ SELECT'''"
        ' && ?o != "a \\" {")\n'
        f"  {{ SELECT ?s {{ {block}  ?s ex:p ?o }} }}\n"
        "}"
    )
    # After a variable or a prefixed name "select", a "{" opens no SELECT's group.
    for name in ("?select", "$select", "ex:select"):
        text = f"SELECT * WHERE {{ ?s ex:p {name} . {{ ?s ?p ?o }} }}"
        assert with_values(text, {"s": pyoxigraph.NamedNode("http://x/1")}) == (
            f"SELECT * WHERE {{ {block}  ?s ex:p {name} . {{ ?s ?p ?o }} }}"
        )


def test_with_values_leaves_a_query_without_select() -> None:
    term = pyoxigraph.NamedNode("http://x/1")
    for text in ("ASK { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        assert with_values(text, {"s": term}) == text


@pytest.fixture(scope="module")
def friends() -> pyoxigraph.Store:
    """alice knows bob and carol; bob knows alice; carol nobody; dan all three."""
    store = pyoxigraph.Store()
    people = {
        "alice": ("Alice", ["bob", "carol"]),
        "bob": ("Bob", ["alice"]),
        "carol": ("Carol", []),
        "dan": ("Dan", ["alice", "bob", "carol"]),
    }
    for person, (name, known) in people.items():
        store.add(pyoxigraph.Quad(_ex(person), _ex("name"), pyoxigraph.Literal(name)))
        for other in known:
            store.add(pyoxigraph.Quad(_ex(person), _ex("knows"), _ex(other)))
    return store


# Both parameters are selected by every SELECT (Oxigraph substitutes only selected variables).
FRIENDS = """PREFIX ex: <http://example.org/>
SELECT ?person ?least ?name ?friends WHERE {
  ?person ex:name ?name .
  {
    SELECT ?person ?least (COUNT(?friend) AS ?friends) WHERE { ?person ex:knows ?friend }
    GROUP BY ?person ?least
  }
  FILTER(?friends >= COALESCE(?least, 0))
}
ORDER BY ?name"""


def _count(number: int) -> str:
    return f'"{number}"^^<{vocab.XSD}integer>'


@pytest.mark.parametrize(
    ("bindings", "expected"),
    [
        ({}, [("alice", None, "Alice", 2), ("bob", None, "Bob", 1), ("dan", None, "Dan", 3)]),
        ({"person": _ex("alice")}, [("alice", None, "Alice", 2)]),
        (
            {"least": pyoxigraph.Literal("2", datatype=XSD_INTEGER)},
            [("alice", 2, "Alice", 2), ("dan", 2, "Dan", 3)],
        ),
        ({"person": _ex("bob"), "least": pyoxigraph.Literal("2", datatype=XSD_INTEGER)}, []),
        ({"person": _ex("carol")}, []),  # knows nobody: no group
    ],
)
def test_with_values_gives_the_rows_of_substitutions(
    friends: pyoxigraph.Store,
    bindings: dict[str, Term],
    expected: list[tuple[str, int | None, str, int]],
) -> None:
    wanted = [
        (f"<{EX}{person}>", None if least is None else _count(least), f'"{name}"', _count(n))
        for person, least, name, n in expected
    ]
    assert _rows(friends.query(with_values(FRIENDS, bindings))) == wanted
    assert _rows(_substituted(friends, FRIENDS, bindings)) == wanted


# --- Markers and the text index's candidates ------------------------------------------------


def test_a_query_takes_the_candidates_at_its_markers() -> None:
    assert markers(FIND.text) == [
        ("question", "questionText", "text"),
        ("answer", "answerText", "text"),
    ]
    narrowed_text = with_candidates(FIND.text, {"question": ["http://example.org/a>b"]})
    assert "VALUES ?question { <http://example.org/a%3Eb> }" in narrowed_text
    assert "#kg:text-index ?answer answerText ?text" in narrowed_text
    # No candidate: a one-row block of an IRI nothing has (Oxigraph scans for an empty one).
    nothing = with_candidates(FIND.text, {"answer": []})
    assert f"VALUES ?answer {{ <{NO_CANDIDATE}> }}" in nothing


def test_markers_are_whole_comment_lines() -> None:
    text = (
        "#kg:text-index ?q questionText ?t\n"
        "  #kg:text-index\t?a answerText ?t \n"  # indented, tabs and trailing blanks
        "x #kg:text-index ?b answerText ?t\n"  # not a line of its own
        "#kg:text-index ?c answerText t\n"  # a parameter needs its ?
        "#kg:text-indexed ?d answerText ?t\n"
        "#kg:text-index ?e answer Text ?t\n"  # one word too many
        "#KG:text-index ?f answerText ?t\n"  # the marker is in lower case
    )
    assert markers(text) == [("q", "questionText", "t"), ("a", "answerText", "t")]
    assert markers("SELECT ?q WHERE { ?q ?p ?o }") == []


def test_with_candidates_replaces_the_markers_of_its_variables() -> None:
    text = (
        "SELECT ?q WHERE {\n"
        "  #kg:text-index ?q questionText ?t\n"
        "\t#kg:text-index ?a answerText ?t  \n"
        "  #kg:text-index ?b answerText ?t\n"
        "}"
    )
    found = with_candidates(text, {"q": [EX + "q1", EX + "q2"], "a": []})
    assert found == (
        "SELECT ?q WHERE {\n"
        "VALUES ?q { <http://example.org/q1> <http://example.org/q2> }\n"
        "VALUES ?a { <https://w3id.org/parliament-kg/id/no-candidate> }\n"
        "  #kg:text-index ?b answerText ?t\n"  # ?b has no candidates given: kept
        "}"
    )
    assert vocab.KG_ID + "no-candidate" == NO_CANDIDATE
    assert with_candidates(text, {}) == text


# Questions' and answers' text found, each by its own SELECT, at their markers.
FOUND = """PREFIX parl: <http://data.parliament.uk/schema/parl#>
SELECT ?text ?question ?found WHERE {
  {
    SELECT ?text ?question ("question" AS ?found) WHERE {
      #kg:text-index ?question questionText ?text
      ?question parl:questionText ?questionText .
      FILTER(CONTAINS(LCASE(?questionText), LCASE(?text)))
    }
  }
  UNION
  {
    SELECT ?text ?question ("answer" AS ?found) WHERE {
      #kg:text-index ?answer answerText ?text
      ?answer parl:answerText ?answerText .
      ?question parl:answer ?answer .
      FILTER(CONTAINS(LCASE(?answerText), LCASE(?text)))
    }
  }
}
ORDER BY ?question DESC(?found)"""
QUESTION_MARKER = "      #kg:text-index ?question questionText ?text"
ANSWER_MARKER = "      #kg:text-index ?answer answerText ?text"
PAIRS = [
    ("Waiting lists for dentists", "The waiting list is long."),
    ("Zebra crossings", "Lists of crossings are kept."),
]


def test_narrowed_without_an_index_is_the_query() -> None:
    assert narrowed(FOUND, {"text": pyoxigraph.Literal("waiting")}, None) is FOUND
    assert narrowed(FIND.text, {"text": pyoxigraph.Literal("dentists")}, None) is FIND.text


def test_narrowed_puts_the_index_candidates_at_the_markers(tmp_path: Path) -> None:
    index = _index(_answered_store(PAIRS), tmp_path)

    def narrow(text: str) -> str:
        return narrowed(FOUND, {"text": pyoxigraph.Literal(text)}, index)

    assert narrow("waiting list") == FOUND.replace(
        QUESTION_MARKER, f"VALUES ?question {{ <{EX}q0> }}"
    ).replace(ANSWER_MARKER, f"VALUES ?answer {{ <{EX}a0> }}")
    assert narrow("zebra") == FOUND.replace(
        QUESTION_MARKER, f"VALUES ?question {{ <{EX}q1> }}"
    ).replace(ANSWER_MARKER, f"VALUES ?answer {{ <{NO_CANDIDATE}> }}")
    # Only a marker whose parameter is bound to a text is narrowed.
    other = FOUND.replace(ANSWER_MARKER, ANSWER_MARKER.replace("?text", "?other"))
    assert narrowed(other, {"text": pyoxigraph.Literal("zebra")}, index) == other.replace(
        QUESTION_MARKER, f"VALUES ?question {{ <{EX}q1> }}"
    )
    # Not narrowed: no text, an empty one, an IRI, one the index cannot narrow.
    assert narrowed(FOUND, {}, index) == FOUND
    assert narrowed(FOUND, {"text": pyoxigraph.Literal("")}, index) == FOUND
    assert narrowed(FOUND, {"text": _ex("zebra")}, index) == FOUND
    assert narrow("café") == FOUND
    index.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("waiting list", [("q0", "question"), ("q0", "answer")]),
        ("zebra", [("q1", "question")]),
        ("list", [("q0", "question"), ("q0", "answer"), ("q1", "answer")]),
        ("hippo", []),
    ],
)
def test_a_narrowed_query_gives_the_rows_of_the_plain_one(
    tmp_path: Path, text: str, expected: list[tuple[str, str]]
) -> None:
    store = _answered_store(PAIRS)
    index = _index(store, tmp_path)
    bindings: dict[str, Term] = {"text": pyoxigraph.Literal(text)}
    query = narrowed(FOUND, bindings, index)
    index.close()
    assert query != FOUND
    wanted = [(f'"{text}"', f"<{EX}{question}>", f'"{found}"') for question, found in expected]
    assert _rows(_substituted(store, query, bindings)) == wanted
    assert _rows(_substituted(store, FOUND, bindings)) == wanted
