"""The end of a ``kg push`` by SPARQL Update: what the server holds and the local graph no longer
has. A later ``kg load`` deletes a tally that falls to nothing, and a member, department or
house that no question names any more; comparing the local units alone would never see them,
and the server would keep them (with counts that the canned queries then read).

So the server's subjects of kg's shared classes are listed, one class at a time, and those the
local store lacks are replaced by nothing, in chunks, as any other unit is replaced. Only those
classes are looked at: what others keep in the server about other subjects is left alone, and
a question's record is never taken away (a load replaces records, and never deletes one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph

from kg import vocab
from kg.sparql import QueryOutcome

#: The classes of what ``kg push`` calls shared resources, as kg loads them.
SHARED_CLASSES = (
    vocab.MEMBER,
    vocab.DEPARTMENT,
    vocab.HOUSE,
    vocab.TALLY_SET,
    vocab.ASKING_TALLY,
    vocab.ANSWERING_TALLY,
    vocab.ANSWER_TIME_TALLY,
    vocab.DAY_TALLY,
    vocab.MONTH_TALLY,
)
_DEFAULT = pyoxigraph.DefaultGraph()


def stale_subjects(
    store: pyoxigraph.Store, read: Callable[[str], QueryOutcome]
) -> Iterator[pyoxigraph.NamedNode]:
    """The shared resources the server holds and ``store`` does not; ``read`` runs a query on
    the server. Holds one class's subjects at a time."""
    for cls in SHARED_CLASSES:
        outcome = read(f"SELECT DISTINCT ?s WHERE {{ ?s a <{cls}> }}")
        for row in outcome.row_list():
            subject = row[0]
            if not isinstance(subject, pyoxigraph.NamedNode):
                continue  # kg writes no blank nodes: not one of its units
            if next(store.quads_for_pattern(subject, None, None, _DEFAULT), None) is None:
                yield subject


__all__ = ["SHARED_CLASSES", "stale_subjects"]
