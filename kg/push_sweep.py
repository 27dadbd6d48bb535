"""The end of a ``kg push`` by SPARQL Update: what the server holds and the local graph no longer
has. A later ``kg load`` deletes a tally that falls to nothing, and a member, department or
house that no question names any more; comparing the local units alone would never see them,
and the server would keep them (with counts that the canned queries then read).

So the server's subjects of kg's shared classes are listed, one class at a time, and those the
local store lacks are replaced by nothing, in chunks, as any other unit is replaced. Only those
classes are looked at, and of them neither records (a load replaces records, and never deletes
one) nor what anything on the server still names (the members of another writer's questions):
what others keep in the server about other subjects is left alone. The tallies are the local
store's counts: a push makes the server's tallies those, as it replaces every unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph

from kg import vocab
from kg.sparql import QueryOutcome

#: The classes of what ``kg push`` calls shared resources, as kg loads them: the tallies
#: first, which name members and departments (so that those are named by nothing after).
SHARED_CLASSES = (
    vocab.TALLY_SET,
    vocab.ASKING_TALLY,
    vocab.ANSWERING_TALLY,
    vocab.ANSWER_TIME_TALLY,
    vocab.DAY_TALLY,
    vocab.MONTH_TALLY,
    vocab.MEMBER,
    vocab.DEPARTMENT,
    vocab.HOUSE,
)
#: A class's subjects that may be stale: not records (a member loaded with a content hash),
#: and named by nothing on the server (another writer's questions may name a member).
_CANDIDATES = (
    "SELECT DISTINCT ?s WHERE {{ ?s a <{cls}>"
    " FILTER NOT EXISTS {{ ?s <{content_hash}> ?hash }} FILTER NOT EXISTS {{ ?x ?p ?s }} }}"
)
_DEFAULT = pyoxigraph.DefaultGraph()


def stale_subjects(
    store: pyoxigraph.Store, select: Callable[[str], QueryOutcome]
) -> Iterator[list[pyoxigraph.NamedNode]]:
    """For each of kg's shared classes in turn, the server's subjects of it that the local
    store lacks, that are no records and that nothing on the server names; ``select`` runs
    a query on the server. Each class is asked for once the one before is dealt with."""
    for cls in SHARED_CLASSES:
        outcome = select(_CANDIDATES.format(cls=cls, content_hash=vocab.CONTENT_HASH))
        gone = []
        for row in outcome.row_list():
            subject = row[0]
            if not isinstance(subject, pyoxigraph.NamedNode):
                continue  # kg writes no blank nodes: not one of its units
            if next(store.quads_for_pattern(subject, None, None, _DEFAULT), None) is None:
                gone.append(subject)
        yield gone


__all__ = ["SHARED_CLASSES", "stale_subjects"]
