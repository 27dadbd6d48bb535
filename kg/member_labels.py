"""A member's label is the one the latest load gave: the API names a member as they are named
when the page is fetched ("Biography information for ..."), so a member who changed name (a
peerage, a marriage) would otherwise keep every name a load ever saw, and listings would pick
one of them at random. Loads page by page take the stored labels away as they write a new one
(:func:`superseded_labels`); a bulk load, which cannot delete as it goes, notes where in the
load each label was given and, once it knows which records it keeps, takes away all but the
one a kept record gave last (:class:`LatestLabels`).

The labels of the questions (``parl:tablingMemberPrinted``...) are the names as printed then,
and stay as they are. So do the labels of members loaded as records of their own (``kg fetch
commonsmembers --load``: each with a ``kg:contentHash``), which their own loads keep; those
loads go page by page, and a bulk load is only ever into an empty store.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable
from typing import Any

import pyoxigraph

from kg import ntriples, vocab
from kg.sparql import select

#: How a member's label line starts and what it holds (as kg writes it).
_MEMBER_START = "<" + vocab.PARLIAMENT_MEMBERS
_LABEL = f" <{vocab.RDFS}label> "
_HELD_LABELS = "SELECT ?s ?o WHERE {{ VALUES ?s {{ {subjects} }} ?s <{label}> ?o }}"
_STORED_LABELS = (
    "SELECT ?s ?o WHERE {{ VALUES ?s {{ {subjects} }} ?s <{label}> ?o"
    " FILTER NOT EXISTS {{ ?s <{content_hash}> ?hash }} }}"
)


def member_of_label(line: str) -> str | None:
    """The member (its N-Triples IRI) whose label ``line`` is; None for any other line."""
    if not line.startswith(_MEMBER_START):
        return None
    subject, _, rest = line.partition(" ")
    return subject if rest.startswith(_LABEL[1:]) else None


def labels_of_page(lines: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """Among ``lines``, in one pass: each member's last label line, by member, and the label
    lines a later line of the same member replaces (a page naming a member two ways keeps
    the last)."""
    latest: dict[str, str] = {}
    labels: list[str] = []
    for line in lines:
        member = member_of_label(line)
        if member is not None:
            latest[member] = line
            labels.append(line)
    kept = set(latest.values())
    return latest, {line for line in labels if line not in kept}


def latest_labels(lines: Iterable[str]) -> dict[str, str]:
    """Each member's last label line among ``lines``, by member."""
    return labels_of_page(lines)[0]


def earlier_labels(lines: Iterable[str]) -> set[str]:
    """The members' labels among ``lines`` that a later line of the same member replaces."""
    return labels_of_page(lines)[1]


def superseded_labels(store: pyoxigraph.Store, lines: Iterable[str]) -> set[str]:
    """The labels the store holds of the members ``lines`` label, but other than those
    (N-Triples lines, to delete)."""
    return superseded_by(store, latest_labels(lines))


def superseded_by(store: pyoxigraph.Store, latest: dict[str, str]) -> set[str]:
    """The labels the store holds of the members of ``latest`` (member: its latest label
    line, see :func:`labels_of_page`), but other than those (N-Triples lines, to delete)."""
    if not latest:
        return set()
    given = {
        member: triple.object
        for member, triple in zip(
            latest,
            pyoxigraph.parse(
                ntriples.utf8("".join(latest.values())), pyoxigraph.RdfFormat.N_TRIPLES
            ),
            strict=True,
        )
    }
    query = _STORED_LABELS.format(
        subjects=" ".join(latest), label=vocab.RDFS + "label", content_hash=vocab.CONTENT_HASH
    )
    gone: set[str] = set()
    for row in select(store, query):
        member, label = row["s"], row["o"]
        if isinstance(member, pyoxigraph.NamedNode) and label is not None:
            subject = ntriples.term(member)
            if given.get(subject) != label:
                gone.add(ntriples.triple(subject, _LABEL.strip(), ntriples.term(label)))
    return gone


def item_position(page: int, number: int) -> int:
    """Where an item stands in a load: its page's index, then its number on the page."""
    return page << 32 | number


#: Each label a bulk load streamed of a member given more than one, with where in the load
#: each was given (:func:`item_position`), in a stable order: ``[[line, [position, ...]], ...]``
#: per member.
Sightings = list[list[list[Any]]]


class LatestLabels:
    """What a bulk load streamed of members' labels: each member's, with where in the load
    each was given, settled once the bulk load is validated
    (:func:`superseded_after_bulk_load`)."""

    def __init__(self) -> None:
        self._given: dict[str, dict[str, array[int]]] = {}

    def saw(self, line: str, at: int) -> None:
        """A shared line given at ``at`` (:func:`item_position`): if a member's label, noted."""
        member = member_of_label(line)
        if member is None:
            return
        given = self._given.get(member)
        if given is None:
            self._given[member] = {line: array("Q", [at])}
            return
        positions = given.get(line)
        if positions is None:
            given[line] = array("Q", [at])
        elif positions[-1] != at:  # a record may name a member twice (asking, answering)
            positions.append(at)

    def sightings(self) -> Sightings:
        """The labels of each member given more than one, with where each was given."""
        return sorted(
            [[line, positions.tolist()] for line, positions in given.items()]
            for given in self._given.values()
            if len(given) > 1
        )


def superseded_after_bulk_load(
    store: pyoxigraph.Store, sightings: Sightings, dropped: Collection[int] = ()
) -> list[str]:
    """Of the labels a bulk load streamed of each member (``sightings``, see
    :meth:`LatestLabels.sightings`), those to delete: all that the store holds but the one
    given last by a record the load kept, not ``dropped`` (the positions of records taken
    back after the load, failing validation, or never written). A record taken back took
    with it the labels only it gave; a label given again by a dropped record does not count
    from there: a load page by page never wrote that record."""
    if not sightings:
        return []
    lines = [line for member in sightings for line, _ in member]
    parsed = pyoxigraph.parse(ntriples.utf8("".join(lines)), pyoxigraph.RdfFormat.N_TRIPLES)
    term_of = {line: (t.subject, t.object) for line, t in zip(lines, parsed, strict=True)}
    query = _HELD_LABELS.format(
        subjects=" ".join(member[0][0].partition(" ")[0] for member in sightings),
        label=vocab.RDFS + "label",
    )
    held = {(row["s"], row["o"]) for row in select(store, query)}
    gone: list[str] = []
    for member in sightings:
        kept_at = {
            line: max((at for at in positions if at not in dropped), default=-1)
            for line, positions in member
        }
        still = [line for line, _ in member if term_of[line] in held]
        if still:
            last = max(still, key=kept_at.__getitem__)
            gone.extend(line for line in still if line != last)
    return gone
