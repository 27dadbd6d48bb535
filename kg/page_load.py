"""Loading pages one at a time, each in one transaction, the next prepared meanwhile.

:func:`load_pages` is the path of a load into a store that holds data already (a reload, a
day's questions): see :mod:`kg.bulk` for a first load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph

from kg import ntriples
from kg.convert import convert_item
from kg.errors import ValidationFailed
from kg.load import (
    Converter,
    Finding,
    LoadReport,
    OnInvalid,
    PagePlan,
    Validator,
    apply_policy,
    now,
    plan_page,
    write_plan,
)
from kg.reader import Page
from kg.sparql import releasing
from kg.stored_records import StoredRecords, stored_records


def load_page(
    store: pyoxigraph.Store,
    page: Page,
    *,
    validator: Validator | None = None,
    on_invalid: OnInvalid = "abort",
    source: str | None = None,
    loaded_at: str | None = None,
    report: LoadReport | None = None,
    converter: Converter = convert_item,
    every_label: bool = False,
    written: set[int] | None = None,
) -> LoadReport:
    """Load one page atomically: on any error the store is left as it was before the page.

    ``source`` and ``loaded_at`` are the provenance recorded for each question (by default
    the page's file name and now). ``every_label``: write every member's label the page
    gives, replacing none (a bulk load settles them after; see :func:`write_plan`).
    ``written``: gets the numbers of the items written (not unchanged, not skipped).
    """
    report = report if report is not None else LoadReport()
    prepared = _prepare(store, page, validator, converter)
    _finish(
        store,
        prepared,
        on_invalid=on_invalid,
        source=source,
        loaded_at=loaded_at,
        report=report,
        every_label=every_label,
        written=written,
    )
    return report


def first_violation(
    store: pyoxigraph.Store, page: Page, validator: Validator
) -> tuple[int, ValidationFailed] | None:
    """The first item of ``page`` that violates the shapes (its number on the page), with the
    error :func:`load_page` stops at it with under ``--on-invalid abort``; nothing is written."""
    prepared = _prepare(store, page, validator, convert_item)
    try:
        apply_policy(prepared.plan, page, prepared.findings, "abort", LoadReport())
    except ValidationFailed as exc:
        bad = {f.record for f in prepared.findings if f.severity == "Violation"}
        return min(prepared.plan.numbers[iri] for iri in bad), exc
    return None


@dataclass
class _PreparedPage:
    """A page converted, checked against the store's content hashes and validated: what
    loading it needs before its transaction."""

    page: Page
    plan: PagePlan
    findings: list[Finding]
    counted: LoadReport  # its items, unchanged and repeated items, unknown keys, warnings
    #: What the store held of ``plan.replaced`` when the page was prepared (None: not read).
    stored: StoredRecords | None = None
    stored_for: tuple[str, ...] = ()


def _prepare(
    store: pyoxigraph.Store,
    page: Page,
    validator: Validator | None,
    converter: Converter,
    *,
    read_stored: bool = False,
) -> _PreparedPage:
    counted = LoadReport()
    plan = plan_page(store, page, counted, converter)
    findings = validator(plan.records) if validator is not None and plan.records else []
    prepared = _PreparedPage(page, plan, findings, counted)
    if read_stored and plan.replaced:
        prepared.stored = stored_records(store, plan.replaced)
        prepared.stored_for = tuple(plan.replaced)
    return prepared


@releasing
def _prepare_next(
    pages: Iterator[Page], store: pyoxigraph.Store, validator: Validator | None, read_stored: bool
) -> _PreparedPage | None:
    # No closure: a traceback's frames can be cleared (see kg.cli), a closure's cells not.
    page = next(pages, None)
    if page is None:
        return None
    return _prepare(store, page, validator, convert_item, read_stored=read_stored)


def _finish(
    store: pyoxigraph.Store,
    prepared: _PreparedPage,
    *,
    on_invalid: OnInvalid,
    report: LoadReport,
    source: str | None = None,
    loaded_at: str | None = None,
    every_label: bool = False,
    written: set[int] | None = None,
) -> set[str]:
    page, plan = prepared.page, prepared.plan
    report.items += prepared.counted.items
    report.unchanged += prepared.counted.unchanged
    report.repeated += prepared.counted.repeated
    report.problems.extend(prepared.counted.problems)
    report.unknown_keys.update(prepared.counted.unknown_keys)
    apply_policy(plan, page, prepared.findings, on_invalid, report)
    if written is not None:
        written.update(plan.numbers[record.iri] for record in plan.records)
    # Read for the records replaced as prepared: not for fewer (skipped as invalid).
    stored = prepared.stored if prepared.stored_for == tuple(plan.replaced) else None
    changed = write_plan(
        store,
        plan,
        source=source or page.source,
        loaded_at=loaded_at or now(),
        report=report,
        stored=stored,
        every_label=every_label,
    )
    report.files += 1
    return changed


def load_pages(
    store: pyoxigraph.Store,
    pages: Iterable[Page],
    *,
    validator: Validator | None = None,
    on_invalid: OnInvalid = "abort",
    on_page: Callable[[Page, LoadReport], None] | None = None,
) -> LoadReport:
    """Load pages one at a time, each atomically; returns the counts.

    While a page is written, the next is read, converted, compared with the store's content
    hashes, validated, and what the store holds of the questions it replaces is read, in a
    second thread (Oxigraph lets go of the GIL while it works). What the next page finds in
    the store can change only if the page being written holds one of its questions (then it
    is prepared again, after the write) or links to one (then what is stored is read again).
    """
    report = LoadReport()
    iterator = iter(pages)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-prepare") as ahead:
        # The first page's stored records are read while it is written: nothing to overlap.
        pending = ahead.submit(_prepare_next, iterator, store, validator, False)
        written: set[str] = set()
        changed: set[str] = set()
        try:
            while (prepared := pending.result()) is not None:
                if not written.isdisjoint(prepared.plan.numbers):
                    prepared = _prepare(store, prepared.page, validator, convert_item)
                elif prepared.stored is not None and mentions(changed, prepared.stored_for):
                    prepared.stored = None
                pending = ahead.submit(_prepare_next, iterator, store, validator, True)
                changed = _finish(store, prepared, on_invalid=on_invalid, report=report)
                written = set(prepared.plan.numbers)
                if on_page is not None:
                    on_page(prepared.page, report)
        finally:
            # A failed future holds its error, whose traceback holds this frame: without
            # this, the store would stay open until the garbage collector found the cycle.
            del pending
    report.count_warnings()
    return report


def mentions(lines: Iterable[str], iris: Iterable[str]) -> bool:
    """Whether one of these N-Triples lines has one of these IRIs as subject or object."""
    terms = {ntriples.iri(iri) for iri in iris}
    if not terms:
        return False
    for line in lines:
        subject, _, rest = line.partition(" ")
        if subject in terms or rest.partition(" ")[2].removesuffix(" .\n") in terms:
            return True
    return False
