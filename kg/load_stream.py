"""What a bulk load streams to Oxigraph, page by page: the N-Triples of the records new to the
load, each shared triple once, their provenance, and in the end the links between the
questions answered together and the tallies, of them all.

Kept apart from :mod:`kg.bulk_worker`, the process that runs it, so that it can be compiled
with the converter (see ``pyproject.toml``): it touches every record of a load.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from kg import ntriples
from kg.groups import GroupIndex, link_lines
from kg.load import ConvertedPage, provenance_ends
from kg.member_labels import LatestLabels, item_position
from kg.tally_changes import Totals

#: How many distinct shared triples (of members, departments, houses) a stream remembers
#: having written; past it, it forgets them all and writes them again as they come (and no
#: longer keeps which record gave which: see :meth:`LoadStream.save_contributions`).
SHARED_MEMORY = 200_000

#: The IRI the shapes give a question (shapes/question.ttl). A record named otherwise fails
#: validation, and its IRI may be another resource's (a member's, another question's
#: answer's), whose triples taking the record back would delete with it: it is loaded apart,
#: page by page after the stream, validated before it is written, as a changed question is.
STREAMED_QUESTION_IRI = re.compile(r"http://data\.parliament\.uk/resources/[0-9]+")

#: The files :meth:`LoadStream.save_contributions` writes, in the folder it is given.
SHARED_LINES_FILE, CONTRIBUTED_FILE, ENDS_FILE = "shared.nt", "contributed.u32", "ends.u64"


class LoadStream:
    """Turns converted pages into N-Triples for the bulk loader, and a message for the loading
    process per page (:meth:`page`), remembering which records and shared triples it wrote."""

    def __init__(
        self,
        *,
        loaded_at: str,
        keep_contributions: bool = False,
        shared_memory: int = SHARED_MEMORY,
    ) -> None:
        """``keep_contributions``: keep which shared triples each record gave, for
        :meth:`save_contributions` (a load that validates may have to take records back)."""
        self.loaded_at = loaded_at
        self._shared_memory = shared_memory
        self.totals = Totals()
        #: The fingerprint of every record written, by IRI.
        self._seen: dict[str, int] = {}
        #: Each shared triple written, numbered in the order written.
        self._shared_ids: dict[str, int] = {}
        #: The numbers of the shared triples each written record gave, record after record,
        #: and where each record's end: None when not kept, or once the stream forgot the
        #: shared triples.
        self._contributed: array[int] | None = array("I") if keep_contributions else None
        self._ends: array[int] | None = array("Q") if keep_contributions else None
        self._groups = GroupIndex()
        self._labels = LatestLabels()
        #: The pages streamed so far: the next page's index.
        self._pages = 0

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
        conflicts: list[tuple[int, dict[str, Any]]] = []
        # A conflict is loaded apart, as a page of its own, which counts its unknown keys.
        unknown = Counter(converted.unknown_keys)
        numbers = converted.numbers
        seen = self._seen
        shared_ids = self._shared_ids
        # The shared triples' numbers the page's records gave, and where each record's end
        # (in lists, which take an append faster than arrays do), if kept: 7,100 instructions
        # a question more (callgrind, pure), against 277,000 to convert it.
        keep = self._contributed is not None
        numbers_given: list[int] = []
        record_ends: list[int] = []
        given_before = len(self._contributed) if self._contributed is not None else 0
        totals = self.totals
        groups = self._groups
        labels = self._labels
        from_source, at_time = provenance_ends(source, self.loaded_at)
        page_index = self._pages
        self._pages += 1
        for iri, record in converted.records.items():
            earlier = seen.get(iri)
            fingerprint = _fingerprint(record.content_hash)
            if earlier == fingerprint:
                continue
            if earlier is not None or not STREAMED_QUESTION_IRI.fullmatch(iri):
                # Loaded apart, after the stream, in the order met: the last version stays,
                # as in a load page by page. So it is the one to compare with from now on.
                seen[iri] = fingerprint
                conflicts.append((numbers[iri], items[numbers[iri] - 1]))
                unknown.subtract(record.unknown_keys)
                at = item_position(page_index, numbers[iri])
                for line in record.lines[record.shared_from or 0 :]:
                    labels.saw(line, at)  # its names count where it stands, though written after
                continue
            seen[iri] = fingerprint
            chunks.append(record.own_ntriples)
            lines = record.lines
            shared_from = record.shared_from or 0
            subject = record.iri_term()
            totals.add_record(iri, lines[:shared_from], record.tallied, subject=subject)
            triples += shared_from
            at = item_position(page_index, numbers[iri])
            for index in range(shared_from, len(lines)):
                line = lines[index]
                labels.saw(line, at)
                if line not in shared_ids:
                    shared_ids[line] = len(shared_ids)
                    shared.append(line)
                if keep:
                    numbers_given.append(shared_ids[line])
            if keep:
                record_ends.append(given_before + len(numbers_given))
            provenance += (subject + from_source, subject + at_time)
            groups.add(iri, record.uin, record.group_key, record.grouped_uins)
            written.append([iri, record.uin, numbers[iri]])
        if self._contributed is not None and self._ends is not None:
            self._contributed.extend(numbers_given)
            self._ends.extend(record_ends)
        if len(shared_ids) > self._shared_memory:
            shared_ids.clear()
            self._contributed = self._ends = None
        chunks.append("".join(shared).encode("utf-8"))
        chunks.append(ntriples.utf8("".join(provenance)))
        message = {
            "source": source,
            "items": len(items),
            "records": written,
            "conflicts": conflicts,
            "repeated": converted.repeated,
            "unknown": {key: count for key, count in unknown.items() if count},
            "triples": triples + len(shared) + len(provenance),
        }
        return b"".join(chunks), line_of(message)

    def end(self) -> tuple[bytes, bytes]:
        """The links between the questions answered together and the tallies, of every
        record written, and the message that counts them. Nothing when no record was written:
        the tallies' marker alone would make an empty store look loaded."""
        if not self._seen:
            return b"", line_of({"links": 0, "tallies": 0, "label_sightings": []})
        links = link_lines(self._groups.pairs())
        tallies = self.totals.lines()
        data = ntriples.utf8("".join(links)) + ntriples.utf8("".join(tallies))
        sightings = self._labels.sightings()  # settled once the bulk load is validated
        message = {"links": len(links), "tallies": len(tallies), "label_sightings": sightings}
        return data, line_of(message)

    def save_contributions(self, folder: Path) -> bool:
        """Write to ``folder`` which shared triples each record written gave (what removing
        records takes away with them: :func:`shared_lines_only_of`); False, writing nothing,
        when the stream no longer knows (past :data:`SHARED_MEMORY` shared triples)."""
        if self._contributed is None or self._ends is None:
            return False
        text = "".join(self._shared_ids)  # in the order numbered: each line ends with "\n"
        (folder / SHARED_LINES_FILE).write_bytes(ntriples.utf8(text))
        with (folder / CONTRIBUTED_FILE).open("wb") as out:
            self._contributed.tofile(out)
        with (folder / ENDS_FILE).open("wb") as out:
            self._ends.tofile(out)
        return True


def shared_lines_only_of(folder: Path, positions: Sequence[int]) -> list[str] | None:
    """The shared triples that only the records at ``positions`` (their places in the order
    written, ascending) gave, from what :meth:`LoadStream.save_contributions` wrote to
    ``folder``; None when it wrote nothing."""
    try:
        text = (folder / SHARED_LINES_FILE).read_bytes().decode("utf-8")
        contributed, ends = array("I"), array("Q")
        contributed.frombytes((folder / CONTRIBUTED_FILE).read_bytes())
        ends.frombytes((folder / ENDS_FILE).read_bytes())
    except FileNotFoundError:
        return None
    theirs: set[int] = set()
    kept = array("I")
    start_kept = 0
    for position in positions:
        start = ends[position - 1] if position else 0
        kept.extend(contributed[start_kept:start])
        theirs.update(contributed[start : ends[position]])
        start_kept = ends[position]
    kept.extend(contributed[start_kept:])
    only = theirs - set(kept)
    if not only:
        return []
    lines = text.split("\n")  # a line of N-Triples holds no raw newline
    return [lines[number] + "\n" for number in sorted(only)]


def line_of(message: dict[str, Any]) -> bytes:
    """A message to the loading process: one line of JSON."""
    return msgspec.json.encode(message) + b"\n"


def _fingerprint(content_hash: str) -> int:
    """The first 64 bits of a record's content hash: what a stream remembers of each record
    it wrote (a million hex digests would take 110 MB; two versions of one question have the
    same fingerprint with a chance of 1 in 2**64)."""
    return int(content_hash[:16], 16)
