"""Grouped questions: linking the questions answered together (``kg:groupedWith``).

An answer lists the UINs of the other questions it answers (``parl:groupedQuestionUIN``). UINs
are reused across sessions, so a question is found by (house, date tabled, UIN). Links are
worked out in Python from the records being written and, for questions already stored, from
two queries whose every pattern is bound (a free join on UINs is quadratic in Oxigraph).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

import pyoxigraph

from kg import ntriples, vocab
from kg.record import Record
from kg.sparql import select

GroupKey = tuple[str, str]  # (house IRI, date tabled as YYYY-MM-DD)

_STORED_BY_UIN = """
SELECT ?o ?u ?h ?d WHERE {{
  VALUES (?u ?h) {{ {rows} }}
  ?o parl:uin ?u ; kg:house ?h ; dcterms:date ?d .
}}"""
_STORED_NAMING = """
SELECT ?o ?u ?h ?d WHERE {{
  VALUES ?u {{ {uins} }}
  ?a parl:groupedQuestionUIN ?u . ?o parl:answer ?a ; kg:house ?h ; dcterms:date ?d .
}}"""


class GroupIndex:
    """Questions by (house, date tabled, UIN), and the UINs each question's answer names."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str, str], str] = {}
        self.naming: list[tuple[str, GroupKey, Sequence[str]]] = []

    def add(self, iri: str, uin: str | None, key: GroupKey | None, grouped: Sequence[str]) -> None:
        if key is None:
            return
        # Houses and dates repeat across a million questions: one string of each, not one per key.
        house, tabled = sys.intern(key[0]), sys.intern(key[1])
        key = (house, tabled)
        if uin:
            self.by_key[(house, tabled, uin)] = iri
        if grouped:
            self.naming.append((iri, key, grouped))

    def pairs(self) -> set[tuple[str, str]]:
        """Every (question, other question) pair answered together, in both directions."""
        found: set[tuple[str, str]] = set()
        for iri, (house, tabled), uins in self.naming:
            for uin in uins:
                other = self.by_key.get((house, tabled, uin))
                if other is not None and other != iri:
                    found.add((iri, other))
                    found.add((other, iri))
        return found


def link_lines(pairs: Iterable[tuple[str, str]]) -> list[str]:
    link = ntriples.iri(vocab.GROUPED_WITH)
    return [f"{ntriples.iri(a)} {link} {ntriples.iri(b)} .\n" for a, b in sorted(pairs)]


def _date(term: object) -> str | None:
    return term.value[:10] if isinstance(term, pyoxigraph.Literal) else None


def links_for_records(store: pyoxigraph.Store, records: Sequence[Record]) -> list[str]:
    """The group links of ``records`` (about to replace or join what the store holds)."""
    index = GroupIndex()
    writing = {r.iri for r in records}
    for r in records:
        index.add(r.iri, r.uin, r.group_key, r.grouped_uins)
    wanted = {(u, r.group_key[0]) for r in records if r.group_key for u in r.grouped_uins}
    uins = {r.uin for r in records if r.uin and r.group_key}
    if wanted:
        rows = " ".join(f"({ntriples.literal(u)} {ntriples.iri(h)})" for u, h in sorted(wanted))
        for iri, uin, key in _stored(store, _STORED_BY_UIN.format(rows=rows), writing):
            index.add(iri, uin, key, [])
    if uins:
        values = " ".join(ntriples.literal(u) for u in sorted(uins))
        for iri, uin, key in _stored(store, _STORED_NAMING.format(uins=values), writing):
            index.add(iri, None, key, [uin])
    return link_lines(index.pairs())


def _stored(
    store: pyoxigraph.Store, query: str, writing: set[str]
) -> Iterable[tuple[str, str, GroupKey]]:
    """(question, UIN, group key) rows, leaving out what is being written (it replaces them)."""
    for row in select(store, query):
        o, u, h, d = row["o"], row["u"], row["h"], row["d"]
        if (
            isinstance(o, pyoxigraph.NamedNode)
            and o.value not in writing
            and isinstance(u, pyoxigraph.Literal)
            and isinstance(h, pyoxigraph.NamedNode)
            and isinstance(d, pyoxigraph.Literal)
        ):
            yield o.value, u.value, (h.value, d.value[:10])
