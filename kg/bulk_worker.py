"""The converting half of a bulk load, run as its own process so that conversion and
Oxigraph's bulk loader use both cores.

Reads ``{"sources": [...], "loaded_at": "...", "data_fd": N, "meta_fd": M}`` as JSON on
standard input, writes N-Triples of every page to ``data_fd`` (whole pages only) and one JSON
line per page (or per error) to ``meta_fd``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import queue
import sys
import threading
from typing import IO, Any, Protocol

from kg import ntriples
from kg.convert import convert_item
from kg.errors import KgError
from kg.load import provenance_lines
from kg.reader import read_page
from kg.tally_changes import Totals

#: How many distinct shared triples (of members, departments, houses) the worker remembers
#: having written; past it, it forgets them all and writes them again as they come.
SHARED_MEMORY = 200_000


class Output(Protocol):
    """Where converted pages go: a binary file, or a :class:`BackgroundWriter`."""

    def write(self, data: bytes, /) -> int: ...


#: The worker yields the CPU to Oxigraph's loader and RocksDB's compaction, which then keep
#: up with it instead of leaving a backlog for the end: a 1M load without validation took
#: 303 and 298 s so, against 351 and 390 s at the same priority (peak RSS 2.0 vs 2.3 GiB).
WORKER_NICENESS = 10

#: Pages' worth of N-Triples that may wait to be written: a page's is larger than a pipe holds.
WRITE_AHEAD = 8


def convert_pages(sources: list[str], *, loaded_at: str, out: Output, meta: IO[str]) -> None:
    """Write each page's triples to ``out`` and what it held to ``meta``; then the tallies
    of every record written (also when a page stops the load)."""
    totals = Totals()
    _convert(sources, loaded_at=loaded_at, out=out, meta=meta, totals=totals)
    lines = totals.lines()
    out.write(ntriples.utf8("".join(lines)))
    _send(meta, {"tallies": len(lines)})


def _convert(
    sources: list[str], *, loaded_at: str, out: Output, meta: IO[str], totals: Totals
) -> None:
    seen: dict[str, int] = {}
    written_shared: set[str] = set()
    for source in sources:
        try:
            page = read_page(source)
            records = {}
            numbers = {}
            for number, item in enumerate(page.items, start=1):
                record = convert_item(item, where=f"{source} item {number}")
                records[record.iri] = record
                numbers[record.iri] = number
        except KgError as exc:
            _send(meta, {"error": {"where": exc.where, "what": exc.what, "hint": exc.hint}})
            return
        chunks: list[bytes] = []
        triples = 0
        provenance: list[str] = []
        shared: list[str] = []
        written: list[list[Any]] = []
        conflicts: list[dict[str, Any]] = []
        unknown: dict[str, int] = {}
        for iri, record in records.items():
            for key, count in record.unknown_keys.items():
                unknown[key] = unknown.get(key, 0) + count
            earlier = seen.get(iri)
            fingerprint = _fingerprint(record.content_hash)
            if earlier == fingerprint:
                continue
            if earlier is not None:
                conflicts.append(page.items[numbers[iri] - 1])
                continue
            seen[iri] = fingerprint
            chunks.append(record.own_ntriples)
            totals.add_record(iri, record.lines[: record.shared_from], record.tallied)
            triples += record.shared_from or 0
            for line in record.lines[record.shared_from :]:
                if line not in written_shared:
                    written_shared.add(line)
                    shared.append(line)
            provenance += provenance_lines(record, source=source, loaded_at=loaded_at)
            written.append(
                [iri, record.uin, numbers[iri], record.group_key, list(record.grouped_uins)]
            )
        if len(written_shared) > SHARED_MEMORY:
            written_shared.clear()
        chunks.append("".join(shared).encode("utf-8"))
        chunks.append(ntriples.utf8("".join(provenance)))
        out.write(b"".join(chunks))
        _send(
            meta,
            {
                "source": source,
                "items": len(page.items),
                "records": written,
                "conflicts": conflicts,
                "unknown": unknown,
                "triples": triples + len(shared) + len(provenance),
            },
        )


def _fingerprint(content_hash: str) -> int:
    """The first 64 bits of a record's content hash: what the worker remembers of each record
    it wrote (a million hex digests would take 110 MB; two versions of one question have the
    same fingerprint with a chance of 1 in 2**64)."""
    return int(content_hash[:16], 16)


def _send(meta: IO[str], message: dict[str, Any]) -> None:
    meta.write(json.dumps(message) + "\n")
    meta.flush()


class BackgroundWriter:
    """Writes to a file descriptor from a thread, so that converting goes on while a write
    waits for the reader (a blocked ``write`` releases the GIL). At most ``ahead`` chunks wait;
    a failed write is raised again by the next ``write`` or by ``close``."""

    def __init__(self, fd: int, *, ahead: int = WRITE_AHEAD) -> None:
        self._fd = fd
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=ahead)
        self._failure: OSError | None = None
        self._thread = threading.Thread(target=self._run, name="kg-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._failure is not None:
                continue  # drain, so that the converting thread never waits on a full queue
            try:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self._fd, view) :]
            except OSError as exc:
                self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def write(self, data: bytes) -> int:
        self._raise_failure()
        if data:
            self._chunks.put(data)
        return len(data)

    def close(self) -> None:
        self._chunks.put(None)
        self._thread.join()
        os.close(self._fd)
        self._raise_failure()


def main() -> None:
    # Parsed pages hold no reference cycles: reference counting frees them, and the cyclic
    # collector would only walk the millions of objects of each page again and again.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    request = json.load(sys.stdin)
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(WORKER_NICENESS)
    out = BackgroundWriter(request["data_fd"])
    with os.fdopen(request["meta_fd"], "w", encoding="utf-8") as meta:
        try:
            convert_pages(request["sources"], loaded_at=request["loaded_at"], out=out, meta=meta)
        finally:
            out.close()


if __name__ == "__main__":
    main()
