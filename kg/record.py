"""A converted question: its record of N-Triples lines, and the triples of the resources it
shares with other questions (members, department, house), which are hashed and written once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import xxhash

from kg import ntriples
from kg.tally_changes import Read

#: How a converter counts a key given as null among its unknown keys (left out, not kept).
NULL_VALUE_OF = "null value of "


@dataclass(slots=True)
class Record:
    """One question converted: its IRI, UIN, N-Triples lines and what was odd about it.

    ``lines`` holds the question's own triples, then its content hash, then (from
    ``shared_from`` on) the triples of the shared resources it uses: its members, department
    and house, which other questions repeat.
    """

    iri: str
    uin: str | None
    lines: list[str]
    content_hash: str
    #: Keys kg has no mapping for, counted (read-only: records may share it).
    unknown_keys: Mapping[str, int] = field(default_factory=Counter)
    #: (house IRI, date tabled): with the UIN, what identifies a question among its group.
    group_key: tuple[str, str] | None = None
    grouped_uins: tuple[str, ...] = ()
    shared_from: int | None = None
    #: ``lines`` up to ``shared_from`` as UTF-8 N-Triples, for writers that need bytes.
    own_ntriples: bytes = b""
    #: The triples of ``lines`` whose predicate the tallies read (:data:`TALLIED`), as
    #: (subject, predicate, object); None when they may differ from ``lines``.
    tallied: list[Read] | None = None
    #: ``iri`` in N-Triples, as the converter wrote it; None when it did not say.
    subject: str | None = None

    def iri_term(self) -> str:
        """``iri`` in N-Triples."""
        return self.subject if self.subject is not None else ntriples.iri(self.iri)


class SharedTriples(NamedTuple):
    """The triples of one resource that many questions share (a member, a department, a
    house), as lines and as UTF-8 N-Triples, free of lone surrogates."""

    subject: str
    lines: list[str]
    data: bytes
    #: Whether every line is about ``subject`` (not so when the resource nests another).
    only_subject: bool

    @classmethod
    def of(cls, subject: str, lines: list[str]) -> SharedTriples:
        clean = [ntriples.without_surrogates(line) for line in lines]
        about = subject + " "
        only = all(line.startswith(about) for line in clean)
        return cls(subject, clean, "".join(clean).encode("utf-8"), only)


def shared_lines(parts: list[SharedTriples], digest: xxhash.xxh3_128) -> list[str]:
    """The lines of the shared resources a question uses, each once, also fed to ``digest``."""
    subjects: set[str] = set()
    for part in parts:
        if part.subject in subjects or not part.only_subject:
            # A resource given twice (a member who answers their own question): its lines
            # may repeat. Parts about different subjects alone have no line in common.
            lines = list(dict.fromkeys(line for part in parts for line in part.lines))
            digest.update("".join(lines).encode("utf-8"))
            return lines
        subjects.add(part.subject)
    lines = []
    for part in parts:
        digest.update(part.data)
        lines += part.lines
    return lines
