"""kg's own SELECT helpers on the local store."""

from __future__ import annotations

import pyoxigraph

from kg import ntriples
from kg.sparql import select_lines, select_tsv, tsv_term
from kg.vocab import XSD

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
