"""Members, departments and houses that no triple names any more: what removing or replacing
questions leaves behind. They are taken away with those questions, so that a store loaded
again and again holds what a fresh load of the same pages would (``kg query members`` would
list a member who asked and answered nothing). A member loaded as a record of its own (``kg
fetch commonsmembers --load``: it has a ``kg:contentHash``) stays."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph

from kg import ntriples, vocab
from kg.sparql import select_lines

_ORPHANS = """SELECT ?r ?p ?o WHERE {{
  {values}
  VALUES ?kind {{ <{member}> <{department}> <{house}> }}
  ?r a ?kind .
  FILTER NOT EXISTS {{ ?x ?y ?r }}
  FILTER NOT EXISTS {{ ?r <{content_hash}> ?hash }}
  ?r ?p ?o
}}"""


def orphan_lines(store: pyoxigraph.Store, candidates: Iterable[str] | None = None) -> set[str]:
    """The triples of the members, departments and houses that nothing names: of those among
    ``candidates`` (IRIs), or of the whole store when None."""
    if candidates is None:
        values = ""
    else:
        iris = sorted(set(candidates))
        if not iris:
            return set()
        values = f"VALUES ?r {{ {ntriples.iris(iris)} }}"
    query = _ORPHANS.format(
        values=values,
        member=vocab.MEMBER,
        department=vocab.DEPARTMENT,
        house=vocab.HOUSE,
        content_hash=vocab.CONTENT_HASH,
    )
    return select_lines(store, query, prefixes={})


def objects_named(lines: Iterable[str]) -> set[str]:
    """The IRIs that N-Triples ``lines`` name as their objects."""
    text = ntriples.utf8("".join(lines))
    triples = pyoxigraph.parse(text, pyoxigraph.RdfFormat.N_TRIPLES)
    return {t.object.value for t in triples if isinstance(t.object, pyoxigraph.NamedNode)}
