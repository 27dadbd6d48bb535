"""What a bulk load does after the stream (:mod:`kg.bulk`): it validates the graph it wrote
and takes back the questions that violate the shapes (``--on-invalid skip``), or every
question from the first page holding one on (``abort``), with the tallies, group links and
shared values (of members, departments and houses) that only they gave, as a load page by page
would never have written them; then it writes, page by page, the questions it set apart (those
later pages changed, and those named otherwise than the shapes name a question)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pyoxigraph

from kg.errors import ValidationFailed
from kg.load import (
    Finding,
    LoadReport,
    OnInvalid,
    Validator,
    convert_page,
    delete_records,
    item_where,
    write_changes,
)
from kg.load_stream import shared_lines_only_of
from kg.member_labels import item_position
from kg.orphans import orphan_lines
from kg.page_load import first_violation, load_page
from kg.reader import Page
from kg.store import store_is_empty
from kg.stored_records import stored_record_lines
from kg.stored_tallies import changes
from kg.tally_changes import contributions

StoreValidator = Callable[[pyoxigraph.Store, Sequence[str]], list[Finding]]
"""Validates the store's records with these IRIs; returns what it found, per record."""


@dataclass
class BulkPage:
    """A page a bulk load streamed: its source, and the records written from it, in the
    order written (IRI, UIN, item number)."""

    source: str
    records: list[tuple[str, str | None, int]] = field(default_factory=list)


@dataclass
class Stopped:
    """Where a load stopped under ``--on-invalid abort``: nothing from ``pages[page]`` on is
    kept (taken back already), and the error that says so, for the caller to raise."""

    page: int
    error: ValidationFailed
    #: The number on its page of the item the error names.
    number: int = 0


class Conflicts:
    """The questions a bulk load writes apart, page by page, after the stream: those a page
    changes that an earlier page gave, and those named otherwise than the shapes name a
    question (:data:`kg.load_stream.STREAMED_QUESTION_IRI`). Kept in a file until then, so
    that memory does not grow with them: pages whose every question is named otherwise
    would be all of them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: Each page's index in the load, and where its line starts and ends in the file.
        self._pages: list[tuple[int, int, int]] = []
        self._size = 0

    def add(self, index: int, source: str, numbered: Sequence[Sequence[Any]]) -> None:
        """Page ``index``'s items to write apart, as (number on the page, item) pairs."""
        numbers = [number for number, _ in numbered]
        items = [item for _, item in numbered]
        line = msgspec.json.encode({"source": source, "numbers": numbers, "items": items})
        with open(self.path, "ab") as out:
            out.write(line)
        self._pages.append((index, self._size, self._size + len(line)))
        self._size += len(line)

    def pages(self, count: int | None = None) -> Iterator[tuple[int, Page]]:
        """The first ``count`` pages (all by default), read back: (index in the load, page)."""
        if not self._pages:
            return
        with open(self.path, "rb") as held:
            for index, start, end in self._pages[:count]:
                held.seek(start)
                page = msgspec.json.decode(held.read(end - start))
                numbers = tuple(page["numbers"])
                yield index, Page(page["source"], page["items"], numbers=numbers)


def validate_pages(
    store: pyoxigraph.Store,
    pages: list[BulkPage],
    validator: StoreValidator,
    on_invalid: OnInvalid,
    report: LoadReport,
    folder: Path,
    dropped: set[int],
) -> Stopped | None:
    """Validate the records the stream wrote, and take back those that violate the shapes
    (``skip``) or every page from the first holding one on (``abort``: returns where);
    ``folder`` holds which shared triples each gave (nothing is loaded apart yet); the
    positions (:func:`kg.member_labels.item_position`) of the records taken back go in
    ``dropped``."""
    given = SharedGiven(folder, [])
    findings = validator(store, _record_iris(pages))
    where = _where_of({finding.record for finding in findings}, pages)
    bad: dict[str, list[str]] = {}
    for finding in findings:
        if finding.severity == "Violation":
            bad.setdefault(finding.record, []).append(finding.message)
        else:
            report.problems.append(
                f"{where.get(finding.record, finding.record)}: "
                f"{finding.severity.lower()}: {finding.message}"
            )
    if not bad:
        return None
    if on_invalid == "abort":
        first = next(i for i, p in enumerate(pages) if any(r[0] in bad for r in p.records))
        given.take_back(store, _record_iris(pages[first:]), pages, report)
        dropped.update(_positions(pages, first))
        culprit, number = next((r[0], r[2]) for r in pages[first].records if r[0] in bad)
        messages = bad[culprit]
        more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
        error = ValidationFailed(
            where[culprit],
            messages[0] + more,
            f"nothing from {pages[first].source} on was kept; fix the data, or load with "
            "--on-invalid skip (or keep)",
        )
        return Stopped(first, error, number)
    for iri, messages in bad.items():
        report.problems.append(f"{where.get(iri, iri)}: {'; '.join(messages)}")
    if on_invalid == "skip":
        report.triples_written -= given.take_back(store, list(bad), pages, report)
        dropped.update(_positions(pages, 0, only=bad.keys()))
        report.skipped_invalid += len(bad)
        report.new -= len(bad)
    else:
        report.kept_invalid += len(bad)
    return None


def load_conflicts(
    store: pyoxigraph.Store,
    conflicts: Conflicts,
    pages: list[BulkPage],
    *,
    stopped: Stopped | None,
    validator: Validator | None,
    on_invalid: OnInvalid,
    report: LoadReport,
    folder: Path,
    dropped: set[int],
    loaded_at: str | None = None,
) -> Stopped | None:
    """Write the questions written apart (:class:`Conflicts`), page by page and validated as
    a load page by page does, up to the page the load stopped at; if one stops it
    (``abort``), take back every record streamed from its page on, and return where. The
    positions of the questions not written, and of the records taken back, go in
    ``dropped``. ``loaded_at``: the load's time, recorded as the stream's records record it."""
    end = len(pages) if stopped is None else stopped.page
    outcome: Stopped | None = None
    for loaded, (index, page) in enumerate(conflicts.pages()):
        written: set[int] = set()
        if outcome is None and index < end:
            try:
                load_page(
                    store,
                    page,
                    validator=validator,
                    on_invalid=on_invalid,
                    report=report,
                    every_label=True,  # settled with the stream's (kg.member_labels)
                    written=written,
                    loaded_at=loaded_at,
                )
                report.files -= 1  # questions of a file the stream counted, not one of its own
            except ValidationFailed as exc:
                before = (earlier for _, earlier in conflicts.pages(loaded))
                SharedGiven(folder, before).take_back(
                    store, _record_iris(pages[index:end]), pages, report
                )
                dropped.update(_positions(pages[:end], index))
                outcome = Stopped(index, exc)
        elif outcome is None and stopped is not None and index == end and validator is not None:
            # The page the stream stopped at: an item set apart may be invalid before the one
            # the error names, and a load page by page names the first.
            earlier = first_violation(store, page, validator)
            if earlier is not None and earlier[0] < stopped.number:
                outcome = Stopped(index, earlier[1], earlier[0])
        dropped.update(item_position(index, n) for n in page.numbers if n not in written)
    return outcome


def _positions(
    pages: list[BulkPage], first: int, only: Collection[str] | None = None
) -> Iterator[int]:
    """The positions of the records streamed from ``pages[first:]`` (``only`` these IRIs)."""
    for index in range(first, len(pages)):
        for iri, _, number in pages[index].records:
            if only is None or iri in only:
                yield item_position(index, number)


def _record_iris(pages: Sequence[BulkPage]) -> list[str]:
    """The IRIs of the records streamed from ``pages``, in the order written."""
    return [iri for page in pages for iri, _, _ in page.records]


def _where_of(records: set[str], pages: list[BulkPage]) -> dict[str, str]:
    """How errors name these records (only these: a million names would take 200 MB)."""
    where: dict[str, str] = {}
    for page in pages:
        for iri, uin, number in page.records:
            if iri in records:
                where[iri] = item_where(page.source, number, uin, iri)
    return where


@dataclass
class SharedGiven:
    """Which shared triples (of members, departments, houses) the load's records gave: what
    the converting process wrote to ``folder`` of the records it streamed, and the questions
    loaded apart after them (``conflicts``)."""

    folder: Path
    conflicts: Iterable[Page]

    def only_by(self, iris: set[str], pages: list[BulkPage], report: LoadReport) -> list[str]:
        """The shared triples that only the records ``iris`` gave."""
        positions = [p for p, iri in enumerate(_record_iris(pages)) if iri in iris]
        shared = shared_lines_only_of(self.folder, positions)
        if shared is None:
            report.problems.append(
                "bulk load: too many members, departments and houses to keep which question "
                "gave which of their values: values that only the removed questions gave are kept"
            )
            return []
        kept: set[str] = set()
        for page in self.conflicts if shared else ():
            for iri, record in convert_page(page.source, page.items).records.items():
                if iri not in iris:
                    kept.update(record.lines[record.shared_from or 0 :])
        return [line for line in shared if line not in kept]

    def take_back(
        self, store: pyoxigraph.Store, iris: list[str], pages: list[BulkPage], report: LoadReport
    ) -> int:
        """Remove the records ``iris`` from the store with the shared triples only they gave;
        returns how many triples the store lost."""
        return remove_records(store, iris, self.only_by(set(iris), pages, report))


def remove_records(store: pyoxigraph.Store, iris: list[str], shared: Sequence[str] = ()) -> int:
    """Remove these questions' records, the ``shared`` triples only they gave, and what only
    they used; returns how many triples the store lost."""
    lost = 0
    if shared:
        write_changes(store, shared, [])
        lost += len(shared)
    for start in range(0, len(iris), 500):
        chunk = iris[start : start + 500]
        lines = stored_record_lines(store, chunk)
        removed, added = changes(store, contributions(chunk, lines), {}, leaving=set(chunk))
        write_changes(store, removed, added, first=delete_records(chunk))
        lost += len(lines) + len(removed) - len(added)
    orphaned = orphan_lines(store)
    if orphaned:
        write_changes(store, orphaned, [])
    marker = 0
    if store_is_empty(store):  # but for the tallies' marker: left empty, as page by page
        marker = len(store)
        store.clear()
    return lost + len(orphaned) + marker


__all__ = [
    "BulkPage",
    "Conflicts",
    "SharedGiven",
    "Stopped",
    "StoreValidator",
    "load_conflicts",
    "remove_records",
    "validate_pages",
]
