"""kg's own SELECT helpers on the local store."""

from __future__ import annotations

import pyoxigraph

from kg import ntriples
from kg.sparql import select_lines
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
