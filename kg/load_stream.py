"""What a bulk load streams to Oxigraph, page by page: the N-Triples of the records new to the
load, each shared triple once, their provenance, and in the end the links between the
questions answered together and the tallies, of them all.

Kept apart from :mod:`kg.bulk_worker`, the process that runs it, so that it can be compiled
with the converter (see ``pyproject.toml``): it touches every record of a load.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import msgspec

from kg import ntriples
from kg.groups import GroupIndex, link_lines
from kg.load import ConvertedPage, provenance_ends
from kg.tally_changes import Totals

#: How many distinct shared triples (of members, departments, houses) a stream remembers
#: having written; past it, it forgets them all and writes them again as they come.
SHARED_MEMORY = 200_000


class LoadStream:
    """Turns converted pages into N-Triples for the bulk loader, and a message for the loading
    process per page (:meth:`page`), remembering which records and shared triples it wrote."""

    def __init__(self, *, loaded_at: str) -> None:
        self.loaded_at = loaded_at
        self.totals = Totals()
        #: The fingerprint of every record written, by IRI.
        self._seen: dict[str, int] = {}
        self._written_shared: set[str] = set()
        self._groups = GroupIndex()

    def page(
        self, source: str, items: Sequence[dict[str, Any]], converted: ConvertedPage
    ) -> tuple[bytes, bytes]:
        """The N-Triples of one page's records (``items`` converted), and the JSON line that
        tells the loading process what they were."""
        chunks: list[bytes] = []
        triples = 0
        provenance: list[str] = []
        shared: list[str] = []
        written: list[list[Any]] = []
        conflicts: list[dict[str, Any]] = []
        # A conflict is loaded apart, as a page of its own, which counts its unknown keys.
        unknown = Counter(converted.unknown_keys)
        numbers = converted.numbers
        seen = self._seen
        written_shared = self._written_shared
        totals = self.totals
        groups = self._groups
        from_source, at_time = provenance_ends(source, self.loaded_at)
        for iri, record in converted.records.items():
            earlier = seen.get(iri)
            fingerprint = _fingerprint(record.content_hash)
            if earlier == fingerprint:
                continue
            if earlier is not None:
                conflicts.append(items[numbers[iri] - 1])
                unknown.subtract(record.unknown_keys)
                continue
            seen[iri] = fingerprint
            chunks.append(record.own_ntriples)
            lines = record.lines
            shared_from = record.shared_from or 0
            subject = record.iri_term()
            totals.add_record(iri, lines[:shared_from], record.tallied, subject=subject)
            triples += shared_from
            for index in range(shared_from, len(lines)):
                line = lines[index]
                if line not in written_shared:
                    written_shared.add(line)
                    shared.append(line)
            provenance += (subject + from_source, subject + at_time)
            groups.add(iri, record.uin, record.group_key, record.grouped_uins)
            written.append([iri, record.uin, numbers[iri]])
        if len(written_shared) > SHARED_MEMORY:
            written_shared.clear()
        chunks.append("".join(shared).encode("utf-8"))
        chunks.append(ntriples.utf8("".join(provenance)))
        message = {
            "source": source,
            "items": len(items),
            "records": written,
            "conflicts": conflicts,
            "unknown": {key: count for key, count in unknown.items() if count},
            "triples": triples + len(shared) + len(provenance),
        }
        return b"".join(chunks), line_of(message)

    def end(self) -> tuple[bytes, bytes]:
        """The links between the questions answered together and the tallies, of every
        record written, and the message that counts them. Nothing when no record was written:
        the tallies' marker alone would make an empty store look loaded."""
        if not self._seen:
            return b"", line_of({"links": 0, "tallies": 0})
        links = link_lines(self._groups.pairs())
        tallies = self.totals.lines()
        data = ntriples.utf8("".join(links)) + ntriples.utf8("".join(tallies))
        return data, line_of({"links": len(links), "tallies": len(tallies)})


def line_of(message: dict[str, Any]) -> bytes:
    """A message to the loading process: one line of JSON."""
    return msgspec.json.encode(message) + b"\n"


def _fingerprint(content_hash: str) -> int:
    """The first 64 bits of a record's content hash: what a stream remembers of each record
    it wrote (a million hex digests would take 110 MB; two versions of one question have the
    same fingerprint with a chance of 1 in 2**64)."""
    return int(content_hash[:16], 16)
