"""The converting half of a bulk load, run as its own process so that conversion and
Oxigraph's bulk loader use both cores.

Reads ``{"sources": [...], "loaded_at": "...", "data_fd": N, "meta_fd": M}`` as JSON on
standard input, writes N-Triples of every page to ``data_fd`` (whole pages only) and one JSON
line per page (or per error) to ``meta_fd``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import IO, Any

from kg import ntriples
from kg.convert import convert_item
from kg.errors import KgError
from kg.load import provenance_lines
from kg.reader import read_page
from kg.tally_changes import Totals

#: How many distinct shared triples (of members, departments, houses) the worker remembers
#: having written; past it, it forgets them all and writes them again as they come.
SHARED_MEMORY = 200_000


def convert_pages(sources: list[str], *, loaded_at: str, out: IO[bytes], meta: IO[str]) -> None:
    """Write each page's triples to ``out`` and what it held to ``meta``; then the tallies
    of every record written (also when a page stops the load)."""
    totals = Totals()
    _convert(sources, loaded_at=loaded_at, out=out, meta=meta, totals=totals)
    lines = totals.lines()
    out.write(ntriples.utf8("".join(lines)))
    _send(meta, {"tallies": len(lines)})


def _convert(
    sources: list[str], *, loaded_at: str, out: IO[bytes], meta: IO[str], totals: Totals
) -> None:
    seen: dict[str, str] = {}
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
            if earlier == record.content_hash:
                continue
            if earlier is not None:
                conflicts.append(page.items[numbers[iri] - 1])
                continue
            seen[iri] = record.content_hash
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


def _send(meta: IO[str], message: dict[str, Any]) -> None:
    meta.write(json.dumps(message) + "\n")
    meta.flush()


def main() -> None:
    # Parsed pages hold no reference cycles: reference counting frees them, and the cyclic
    # collector would only walk the millions of objects of each page again and again.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    request = json.load(sys.stdin)
    with (
        os.fdopen(request["meta_fd"], "w", encoding="utf-8") as meta,
        os.fdopen(request["data_fd"], "wb", buffering=1 << 20) as out,
    ):
        convert_pages(request["sources"], loaded_at=request["loaded_at"], out=out, meta=meta)


if __name__ == "__main__":
    main()
