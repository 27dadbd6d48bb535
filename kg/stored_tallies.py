"""The tallies a store holds (:mod:`kg.tallies`), and the lines that bring them up to date
when records leave it and others come: what the records add to the tallies is read by
:mod:`kg.tally_changes`; here it is applied to the counts and dates the store holds, and a
first or last date that goes away with a record is looked up again."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph

from kg import ntriples, vocab
from kg.sparql import select, select_lines
from kg.tally_changes import (
    ANSWERING,
    ASKING,
    FIRST_DATE,
    LAST_DATE,
    Key,
    Share,
    Tally,
    lexical,
    tally_iri,
    tally_lines,
    with_months,
)

_PREFIXES = {"kg": vocab.KG, "parl": vocab.PARL, "dcterms": vocab.DCTERMS}
_STORED = "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
_DATES = {
    ASKING: "SELECT ?d ?q ?dept ?second WHERE { ?q parl:tablingMember ?second ; kg:answeringDepartment ?dept ;"
    " dcterms:date ?d }",
    ANSWERING: "SELECT ?d ?q ?dept ?second WHERE { ?a parl:answeringMember ?second ; parl:dateOfAnswer ?d ."
    " ?q parl:answer ?a ; kg:answeringDepartment ?dept }",
}


def _stored(store: pyoxigraph.Store, keys: Sequence[Key]) -> dict[Key, tuple[Tally, set[str]]]:
    """The tallies the store holds for these keys, with their lines."""
    by_node = {ntriples.iri(tally_iri(key)): key for key in keys}
    found: dict[Key, tuple[Tally, set[str]]] = {}
    nodes = list(by_node)
    for start in range(0, len(nodes), 2000):
        text = _STORED.format(values=" ".join(nodes[start : start + 2000]))
        for line in select_lines(store, text, prefixes=_PREFIXES):
            node, predicate, rest = line.split(" ", 2)
            tally, lines = found.setdefault(by_node[node], (Tally(0), set()))
            lines.add(line)
            value = rest[:-3]
            if predicate == FIRST_DATE:
                tally.first = value
            elif predicate == LAST_DATE:
                tally.last = value
            elif predicate in (f"<{vocab.KG}questions>", f"<{vocab.KG}answers>"):
                tally.count = int(lexical(value))
    return found


def _dates_left(store: pyoxigraph.Store, key: Key, leaving: set[str]) -> list[str]:
    """The dates of a tally's questions in the store, but for those of ``leaving``."""
    kind, department, second = key
    bound = {
        "dept": pyoxigraph.NamedNode(lexical(department)),
        "second": pyoxigraph.NamedNode(lexical(second)),
    }
    dates = []
    for row in select(store, _DATES[kind], prefixes=_PREFIXES, substitutions=bound):
        question, date = row["q"], row["d"]
        if question is not None and date is not None and question.value not in leaving:
            dates.append(ntriples.term(date))
    return dates


_NONE = Share()


def changes(
    store: pyoxigraph.Store,
    old: dict[Key, Share],
    new: dict[Key, Share],
    *,
    leaving: set[str],
) -> tuple[set[str], set[str]]:
    """The lines to delete and to insert so that the store's tallies follow the records of
    ``leaving`` (which added ``old``) being replaced by records that add ``new``."""
    old, new = with_months(old), with_months(new)
    keys = [key for key in old.keys() | new.keys() if old.get(key, _NONE) != new.get(key, _NONE)]
    stored = _stored(store, keys)
    removed: set[str] = set()
    added: set[str] = set()
    for key in keys:
        before = old.get(key) or Share()
        after = new.get(key) or Share()
        current, lines = stored.get(key) or (Tally(0), set())
        count = current.count - before.count + after.count
        tally = Tally(count)
        if count > 0 and key[0] in _DATES:
            gone = set(before.dates)
            if current.first in gone or current.last in gone:
                tally.widen(_dates_left(store, key, leaving))
            else:
                tally.widen([d for d in (current.first, current.last) if d is not None])
            tally.widen(after.dates)
        wanted = set(tally_lines(key, tally)) if count > 0 else set()
        removed |= lines - wanted
        added |= wanted - lines
    return removed, added
