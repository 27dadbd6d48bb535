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

_ORPHANS = """{{
  {values}
  VALUES ?kind {{ <{member}> <{department}> <{house}> }}
  ?r a ?kind .
  FILTER NOT EXISTS {{ ?x ?y ?r }}
  FILTER NOT EXISTS {{ ?r <{content_hash}> ?hash }}
  ?r ?p ?o
}}"""
_TRIPLES_OF = "SELECT ?r ?p ?o WHERE {{ VALUES ?r {{ {iris} }} ?r ?p ?o }}"


def _orphans(candidates: Iterable[str] | None) -> str:
    """The pattern of the orphans' triples (?r ?p ?o): of ``candidates``, or of all."""
    values = "" if candidates is None else f"VALUES ?r {{ {ntriples.iris(sorted(candidates))} }}"
    return _ORPHANS.format(
        values=values,
        member=vocab.MEMBER,
        department=vocab.DEPARTMENT,
        house=vocab.HOUSE,
        content_hash=vocab.CONTENT_HASH,
    )


def orphan_lines(store: pyoxigraph.Store, candidates: Iterable[str] | None = None) -> set[str]:
    """The triples of the members, departments and houses that nothing names: of those among
    ``candidates`` (IRIs), or of the whole store when None."""
    if candidates is not None:
        candidates = set(candidates)
        if not candidates:
            return set()
    return select_lines(store, "SELECT ?r ?p ?o WHERE " + _orphans(candidates), prefixes={})


class OrphanRemoval:
    """Around one update that replaces records: the members, departments and houses whose
    last naming triples it deletes go in the same update (:attr:`update`, to append), so
    that the store never holds the one without the other; :meth:`removed` then tells which
    triples went. ``removed`` and ``added`` are the update's N-Triples lines."""

    def __init__(self, store: pyoxigraph.Store, removed: Iterable[str], added: Iterable[str]):
        self._store = store
        # Those the update names again cannot lose every name: they are not looked at.
        candidates = objects_named(removed) - objects_named(added)
        self._triples_of = ""  # the query of the candidates' triples, if there are any
        self._before: set[str] = set()
        self.update = ""
        if candidates:
            self._triples_of = _TRIPLES_OF.format(iris=ntriples.iris(sorted(candidates)))
            self._before = select_lines(store, self._triples_of, prefixes={})
            self.update = ";\nDELETE { ?r ?p ?o } WHERE " + _orphans(candidates)

    def removed(self) -> set[str]:
        """The triples the update took away with the orphans (asked once it is done)."""
        if not self._triples_of:
            return set()
        return self._before - select_lines(self._store, self._triples_of, prefixes={})


def objects_named(lines: Iterable[str]) -> set[str]:
    """The IRIs that N-Triples ``lines`` name as their objects."""
    text = ntriples.utf8("".join(lines))
    triples = pyoxigraph.parse(text, pyoxigraph.RdfFormat.N_TRIPLES)
    return {t.object.value for t in triples if isinstance(t.object, pyoxigraph.NamedNode)}
