"""A member's label is the one the latest load gave: the API names a member as they are named
when the page is fetched ("Biography information for ..."), so a member who changed name (a
peerage, a marriage) would otherwise keep every name a load ever saw, and listings would pick
one of them at random. So are a department's names (its label, short and sort names): a
department renamed keeps its id. Each such (subject, predicate) is a *name slot* holding one
value (:func:`named_slot`). Loads page by page take the stored names away as they write a new
one (:func:`superseded_labels`); a bulk load, which cannot delete as it goes, notes where in
the load each name was given and, once it knows which records it keeps, takes away all but
the one a kept record gave last (:class:`LatestLabels`).

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

#: How the subjects of name slots start, and their predicates that hold a name (as kg writes
#: them: N-Triples IRIs).
_MEMBER_START = "<" + vocab.PARLIAMENT_MEMBERS
_DEPARTMENT_START = "<" + vocab.department_iri("")
_LABEL = f"<{vocab.RDFS}label>"
_MEMBER_NAMES = frozenset([_LABEL])
_DEPARTMENT_NAMES = frozenset(
    [
        _LABEL,
        *(f"<{vocab.PARL}{key}>" for key in ("answeringDeptShortName", "answeringDeptSortName")),
    ]
)
_HELD_NAMES = "SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p) {{ {slots} }} ?s ?p ?o }}"
_STORED_NAMES = (
    "SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p) {{ {slots} }} ?s ?p ?o"
    " FILTER NOT EXISTS {{ ?s <{content_hash}> ?hash }} }}"
)


def named_slot(line: str) -> str | None:
    """The name slot (``"<subject> <predicate>"``) whose value ``line`` gives: a member's
    label, a department's label, short or sort name; None for any other line."""
    if line.startswith(_MEMBER_START):
        names = _MEMBER_NAMES
    elif line.startswith(_DEPARTMENT_START):
        names = _DEPARTMENT_NAMES
    else:
        return None
    end = line.find(" ", line.find(" ") + 1)
    slot = line[:end]
    return slot if slot[slot.find(" ") + 1 :] in names else None


def _slot_values(slots: Iterable[str]) -> str:
    """Name slots as the rows of a ``VALUES (?s ?p)`` block."""
    return " ".join(f"({slot})" for slot in slots)


def labels_of_page(lines: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """Among ``lines``, in one pass: each name slot's last line, by slot, and the name lines
    a later line of the same slot replaces (a page naming a member two ways keeps the last)."""
    latest: dict[str, str] = {}
    named: list[str] = []
    for line in lines:
        slot = named_slot(line)
        if slot is not None:
            latest[slot] = line
            named.append(line)
    kept = set(latest.values())
    return latest, {line for line in named if line not in kept}


def latest_labels(lines: Iterable[str]) -> dict[str, str]:
    """Each name slot's last line among ``lines``, by slot."""
    return labels_of_page(lines)[0]


def earlier_labels(lines: Iterable[str]) -> set[str]:
    """The name lines among ``lines`` that a later line of the same slot replaces."""
    return labels_of_page(lines)[1]


def superseded_labels(store: pyoxigraph.Store, lines: Iterable[str]) -> set[str]:
    """The names the store holds in the slots ``lines`` fill, but other than those
    (N-Triples lines, to delete)."""
    return superseded_by(store, latest_labels(lines))


def superseded_by(store: pyoxigraph.Store, latest: dict[str, str]) -> set[str]:
    """The names the store holds in the slots of ``latest`` (slot: its latest line, see
    :func:`labels_of_page`), but other than those (N-Triples lines, to delete)."""
    if not latest:
        return set()
    parsed = pyoxigraph.parse(
        ntriples.utf8("".join(latest.values())), pyoxigraph.RdfFormat.N_TRIPLES
    )
    given = {slot: triple.object for slot, triple in zip(latest, parsed, strict=True)}
    query = _STORED_NAMES.format(slots=_slot_values(latest), content_hash=vocab.CONTENT_HASH)
    gone: set[str] = set()
    for row in select(store, query):
        subject, predicate, name = row["s"], row["p"], row["o"]
        if (
            isinstance(subject, pyoxigraph.NamedNode)
            and isinstance(predicate, pyoxigraph.NamedNode)
            and name is not None
        ):
            slot = f"{ntriples.term(subject)} {ntriples.term(predicate)}"
            if given.get(slot) != name:
                gone.add(f"{slot} {ntriples.term(name)} .\n")
    return gone


def item_position(page: int, number: int) -> int:
    """Where an item stands in a load: its page's index, then its number on the page."""
    return page << 32 | number


#: Each name a bulk load streamed of a slot given more than one, with where in the load each
#: was given (:func:`item_position`), in a stable order: ``[[line, [position, ...]], ...]``
#: per slot.
Sightings = list[list[list[Any]]]


#: How many shared lines :class:`LatestLabels` remembers the kind of (past it, it forgets them).
LINE_MEMORY = 200_000
#: What :class:`LatestLabels` remembers of a line that gives no name.
_NOT_A_NAME: array[int] = array("Q")


class LatestLabels:
    """What a bulk load streamed of names (members' labels, departments' names): each slot's,
    with where in the load each was given, settled once the bulk load is validated
    (:func:`superseded_after_bulk_load`)."""

    def __init__(self, *, line_memory: int = LINE_MEMORY) -> None:
        self._line_memory = line_memory
        self._given: dict[str, dict[str, array[int]]] = {}
        #: Each slot's name given last.
        self._last: dict[str, str] = {}
        #: The lines seen lately: where each slot's name given last was given, or
        #: ``_NOT_A_NAME`` (a shared line comes again with every record that gives it).
        self._known: dict[str, array[int]] = {}

    def saw(self, line: str, at: int) -> None:
        """A shared line given at ``at`` (:func:`item_position`): if a name, noted."""
        positions = self._known.get(line)
        if positions is None:
            self._new_line(line, at)
        elif positions is not _NOT_A_NAME and positions[-1] != at:  # a record may name a
            positions.append(at)  # member twice (asking, answering)

    def _new_line(self, line: str, at: int) -> None:
        """A line not known as a name given last, nor as no name."""
        if len(self._known) >= self._line_memory:
            self._known.clear()
        slot = named_slot(line)
        if slot is None:
            self._known[line] = _NOT_A_NAME
            return
        given = self._given.setdefault(slot, {})
        positions = given.pop(line, None)  # put back in last: the names in the order last given
        if positions is None:
            positions = array("Q", [at])
        elif positions[-1] != at:
            positions.append(at)
        given[line] = positions
        before = self._last.get(slot)
        if before is not None:
            self._known.pop(before, None)
        self._last[slot] = line
        self._known[line] = positions

    def sightings(self) -> Sightings:
        """The names of each slot given more than one, with where each was given."""
        return sorted(
            [[line, positions.tolist()] for line, positions in given.items()]
            for given in self._given.values()
            if len(given) > 1
        )


def superseded_after_bulk_load(
    store: pyoxigraph.Store, sightings: Sightings, dropped: Collection[int] = ()
) -> list[str]:
    """Of the names a bulk load streamed in each slot (``sightings``, see
    :meth:`LatestLabels.sightings`), those to delete: all that the store holds but the one
    given last by a record the load kept, not ``dropped`` (the positions of records taken
    back after the load, failing validation, or never written). A record taken back took
    with it the names only it gave; a name given again by a dropped record does not count
    from there: a load page by page never wrote that record."""
    if not sightings:
        return []
    lines = [line for slot in sightings for line, _ in slot]
    parsed = pyoxigraph.parse(ntriples.utf8("".join(lines)), pyoxigraph.RdfFormat.N_TRIPLES)
    triple_of = {line: quad.triple for line, quad in zip(lines, parsed, strict=True)}
    slots = [named_slot(slot[0][0]) for slot in sightings]
    query = _HELD_NAMES.format(slots=_slot_values(slot for slot in slots if slot))
    held = {pyoxigraph.Triple(row["s"], row["p"], row["o"]) for row in select(store, query)}
    gone: list[str] = []
    for slot in sightings:
        kept_at = {
            line: max((at for at in positions if at not in dropped), default=-1)
            for line, positions in slot
        }
        # In the order last given: of two given by one record, the later stays, as page by page.
        still = [line for line, _ in slot if triple_of[line] in held]
        if still:
            last = max(reversed(still), key=kept_at.__getitem__)
            gone.extend(line for line in still if line != last)
    return gone
