"""Loading pages into the store: convert, validate, then write each page in one transaction.

A question already in the store with the same content (same item JSON, same converter) is
left as it is, so loading twice changes nothing; a question whose content changed replaces
everything the store held about it (its record: the question and its parts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph

from kg import ntriples, tallies, vocab
from kg.convert import convert_item
from kg.errors import ValidationFailed
from kg.groups import links_for_records
from kg.member_labels import labels_of_page, superseded_by
from kg.orphans import OrphanRemoval
from kg.reader import STDIN, Page, expand_inputs, read_page
from kg.record import NULL_VALUE_OF, Record
from kg.store import refusals_as_store_errors, store_is_empty
from kg.stored_records import StoredRecords, stored_hashes, stored_lines, stored_records
from kg.stored_tallies import changes
from kg.tally_changes import contributions, records_contributions

OnInvalid = TypingLiteral["abort", "skip", "keep"]
ON_INVALID_CHOICES: tuple[str, ...] = ("abort", "skip", "keep")

# Oxigraph does not take PREFIX after the ";" between update operations: prefixes are passed.
PREFIXES = {"kg": vocab.KG, "parl": vocab.PARL, "dcterms": vocab.DCTERMS}
_DELETE_RECORDS = (
    "DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?q {{ {values} }} ?s kg:partOfRecord ?q . ?s ?p ?o }};\n"
    + "DELETE {{ ?x kg:groupedWith ?q }} WHERE {{ VALUES ?q {{ {values} }} ?x kg:groupedWith ?q }};\n"
    + "DELETE {{ ?q ?p ?o }} WHERE {{ VALUES ?q {{ {values} }} ?q ?p ?o }};\n"
)


@dataclass
class LoadReport:
    """What a load did, counted."""

    files: int = 0
    items: int = 0
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    #: Items whose question a later item of the same page gave again (that one is kept).
    repeated: int = 0
    skipped_invalid: int = 0
    kept_invalid: int = 0
    triples_written: int = 0
    triples_removed: int = 0
    unknown_keys: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    warnings: int = 0
    #: Whether the store's tallies were counted again first (kept by an older kg): their
    #: triples are not in the counts above.
    tallies_recounted: bool = False

    def count_warnings(self) -> None:
        """Sets :attr:`warnings`: the unknown keys met and the problems found."""
        self.warnings = sum(self.unknown_keys.values()) + len(self.problems)

    def warning_lines(self) -> list[str]:
        """What a user is warned of: each problem, the keys kg kept without knowing them, and
        the keys given as null, which it left out."""
        lines = list(self.problems)
        nulls = {k: n for k, n in self.unknown_keys.items() if k.startswith(NULL_VALUE_OF)}
        unknown = {k: n for k, n in self.unknown_keys.items() if k not in nulls}
        if unknown:
            keys = ", ".join(f"{k} ({n})" for k, n in sorted(unknown.items()))
            lines.append(f"keys kg does not know, kept as parl: predicates: {keys}")
        if nulls:
            keys = ", ".join(
                f"{k.removeprefix(NULL_VALUE_OF)} ({n})" for k, n in sorted(nulls.items())
            )
            lines.append(f"keys given as null, left out: {keys}")
        return lines

    def summary(self) -> str:
        parts = [
            f"{self.files} file{'s' if self.files != 1 else ''}",
            f"{self.items} items ({self.new} new, {self.replaced} replaced, "
            f"{self.unchanged} unchanged"
            + (f", {self.repeated} repeated on their page)" if self.repeated else ")"),
            f"{self.triples_written} triples written, {self.triples_removed} removed",
        ]
        if self.skipped_invalid:
            parts.append(f"{self.skipped_invalid} invalid items skipped")
        if self.kept_invalid:
            parts.append(f"{self.kept_invalid} invalid items kept")
        if self.tallies_recounted:
            parts.append("the tallies an older kg kept counted again")
        parts.append(f"{self.warnings} warnings")
        return "Loaded " + ", ".join(parts)


def item_where(source: str, number: int, uin: str | None, iri: str) -> str:
    """How errors name an item: ``file item 3 (uin 19185)``, or by IRI when it has no UIN."""
    return f"{source} item {number} ({f'uin {uin}' if uin else iri})"


def delete_records(iris: Iterable[str]) -> str:
    """The update that removes the records of these questions (and links to them)."""
    return _DELETE_RECORDS.format(values=ntriples.iris(iris))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


_SOURCE = ntriples.iri(vocab.SOURCE)
_LOADED_AT = ntriples.iri(vocab.LOADED_AT)


@lru_cache(maxsize=16)
def provenance_ends(source: str, loaded_at: str) -> tuple[str, str]:
    """The two provenance lines of a record, but for their subject: where it was loaded from,
    and when."""
    source_text = ntriples.literal(source)
    loaded_at_text = ntriples.literal(loaded_at, vocab.XSD + "dateTime")
    return f" {_SOURCE} {source_text} .\n", f" {_LOADED_AT} {loaded_at_text} .\n"


def provenance_lines(record: Record, *, source: str, loaded_at: str) -> list[str]:
    """Where a record was loaded from, and when."""
    q = record.iri_term()
    from_source, at_time = provenance_ends(source, loaded_at)
    return [q + from_source, q + at_time]


@dataclass
class PagePlan:
    records: list[Record]
    numbers: dict[str, int]
    replaced: list[str]


Converter = Callable[..., Record]
"""Turns one item into a record: ``converter(item, where=...)``; :func:`convert_item` by default."""


@dataclass
class ConvertedPage:
    """A page's items converted: the records by IRI (of an IRI given twice, the last item's),
    their item numbers, the keys kg has no mapping for, counted over every item, and a
    warning for each item that a later item of the page gave again."""

    records: dict[str, Record]
    numbers: dict[str, int]
    unknown_keys: Counter[str]
    repeated: list[str] = field(default_factory=list)


def convert_page(
    source: str,
    items: Sequence[dict[str, Any]],
    *,
    converter: Converter = convert_item,
    numbers: Sequence[int] = (),
) -> ConvertedPage:
    """Convert every item of a page (``source`` names it in errors; ``numbers``, if given,
    are the items' numbers on it, as :attr:`kg.reader.Page.numbers`)."""
    converted = ConvertedPage({}, {}, Counter())
    for number, item in zip(numbers or range(1, len(items) + 1), items, strict=True):
        record = converter(item, where=f"{source} item {number}")
        earlier = converted.numbers.get(record.iri)
        if earlier is not None:
            where = f"{source} items {earlier} and {number}"
            converted.repeated.append(
                f"{where} ({f'uin {record.uin}' if record.uin else record.iri}): the same "
                "question twice on one page, the later item kept — check the page"
            )
            del converted.records[record.iri]  # the later item is kept, in its own place
        converted.records[record.iri] = record
        converted.numbers[record.iri] = number
        if record.unknown_keys:
            converted.unknown_keys.update(record.unknown_keys)
    return converted


def plan_page(
    store: pyoxigraph.Store, page: Page, report: LoadReport, converter: Converter
) -> PagePlan:
    converted = convert_page(page.source, page.items, converter=converter, numbers=page.numbers)
    by_iri, numbers = converted.records, converted.numbers
    report.unknown_keys.update(converted.unknown_keys)
    report.problems.extend(converted.repeated)
    report.repeated += len(converted.repeated)
    report.items += len(page.items)
    stored = stored_hashes(store, list(by_iri))
    to_write = [r for r in by_iri.values() if stored.get(r.iri) != r.content_hash]
    report.unchanged += len(by_iri) - len(to_write)
    replaced = [r.iri for r in to_write if r.iri in stored]
    return PagePlan(records=to_write, numbers=numbers, replaced=replaced)


@dataclass(frozen=True)
class Finding:
    """A validation result traced back to the question record it concerns."""

    record: str
    severity: str  # "Violation", "Warning" or "Info"
    message: str


Validator = Callable[[list[Record]], list[Finding]]
"""Given records about to be written, what validating them found."""


def apply_policy(
    plan: PagePlan,
    page: Page,
    findings: list[Finding],
    on_invalid: OnInvalid,
    report: LoadReport,
) -> None:
    violations: dict[str, list[str]] = {}
    for finding in findings:
        if finding.severity == "Violation":
            violations.setdefault(finding.record, []).append(finding.message)
        else:
            number = plan.numbers.get(finding.record)
            report.problems.append(
                f"{page.source} item {number}: {finding.severity.lower()}: {finding.message}"
            )
    for record in plan.records:
        messages = violations.get(record.iri)
        if not messages:
            continue
        where = item_where(page.source, plan.numbers[record.iri], record.uin, record.iri)
        if on_invalid == "abort":
            more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
            raise ValidationFailed(
                where,
                messages[0] + more,
                f"nothing from {page.source} on was kept; fix the data, or load with "
                "--on-invalid skip (or keep)",
            )
        report.problems.append(f"{where}: {'; '.join(messages)}")
        if on_invalid == "skip":
            report.skipped_invalid += 1
        else:
            report.kept_invalid += 1
    if on_invalid == "skip":
        plan.records = [r for r in plan.records if r.iri not in violations]
        plan.replaced = [i for i in plan.replaced if i not in violations]


def write_plan(
    store: pyoxigraph.Store,
    plan: PagePlan,
    *,
    source: str,
    loaded_at: str,
    report: LoadReport,
    stored: StoredRecords | None = None,
    every_label: bool = False,
) -> set[str]:
    """One update per page: what replaced records no longer say is deleted, what is new is
    inserted, and what both say is left alone (an amended answer rewrites a few triples).
    A member's label is the page's last (the store's others go), unless ``every_label``.

    ``stored``: what the store holds of ``plan.replaced`` if already read. Returns the lines
    deleted and inserted."""
    if not plan.records:
        return set()
    lines: dict[str, None] = {}
    for record in plan.records:
        lines.update(dict.fromkeys(record.lines))
        lines.update(dict.fromkeys(provenance_lines(record, source=source, loaded_at=loaded_at)))
    lines.update(dict.fromkeys(links_for_records(store, plan.records)))
    stored = stored if stored is not None else stored_records(store, plan.replaced)
    old = stored.lines
    tallies_removed, tallies_added = _tally_changes(store, plan, stored.tallied, report)
    shared_in_order = [line for r in plan.records for line in r.lines[r.shared_from :]]
    latest, earlier = ({}, set()) if every_label else labels_of_page(shared_in_order)
    for line in earlier:
        lines.pop(line, None)  # a member named two ways on the page: the last name stays
    shared = set(shared_in_order)
    old.update(stored_lines(store, shared))
    removed = old.difference(lines) | tallies_removed | superseded_by(store, latest)
    added = [line for line in lines if line not in old]
    added += tallies_added
    # A member, department or house only the replaced records named goes with them.
    orphans = OrphanRemoval(store, removed, added) if plan.replaced else None
    write_changes(store, removed, added, then=orphans.update if orphans else "")
    if orphans is not None:
        removed |= orphans.removed()
    report.triples_removed += len(removed)
    report.triples_written += len(added)
    report.replaced += len(plan.replaced)
    report.new += len(plan.records) - len(plan.replaced)
    return removed.union(added)


def write_changes(
    store: pyoxigraph.Store,
    removed: Iterable[str],
    added: Iterable[str],
    *,
    first: str = "",
    then: str = "",
) -> None:
    """Delete ``removed`` and insert ``added`` (see :func:`data_changes`) in one update, after
    the operations ``first`` (SPARQL Update, each ending with ``;``) and before ``then``
    (each starting with ``;``)."""
    with refusals_as_store_errors():
        store.update(first + data_changes(removed, added) + then, prefixes=PREFIXES)


def data_changes(removed: Iterable[str], added: Iterable[str]) -> str:
    """The update that deletes ``removed`` (lines Oxigraph wrote, written again by kg) and
    inserts ``added`` (N-Triples lines)."""
    update = []
    gone = sorted(removed)
    if gone:
        update.append("DELETE DATA {\n" + "".join(ntriples.rewrite(gone)) + "};\n")
    update.append("INSERT DATA {\n" + "".join(added) + "}")
    return "".join(update)


def _tally_changes(
    store: pyoxigraph.Store, plan: PagePlan, old: Iterable[str], report: LoadReport
) -> tuple[set[str], set[str]]:
    """The tally lines to delete and insert; ``old`` holds the lines of the replaced records
    whose predicate the tallies read (or more). A store an older kg loaded is recounted
    first, which ``report`` notes."""
    marker = set()
    if not tallies.are_kept(store):
        if store_is_empty(store):
            marker.add(tallies.MARKER_LINE)
        else:  # loaded by an older kg: count what it holds first
            tallies.recount(store)
            report.tallies_recounted = True
    before = contributions(plan.replaced, old)
    after = records_contributions(
        (r.iri, r.lines[: r.shared_from], r.tallied) for r in plan.records
    )
    removed, added = changes(store, before, after, leaving=set(plan.replaced))
    return removed, added | marker


def load_paths(
    store: pyoxigraph.Store,
    inputs: Sequence[str],
    *,
    validate: bool = True,
    on_invalid: OnInvalid = "abort",
    on_page: Callable[[Page, LoadReport], None] | None = None,
    bulk: bool | None = None,
) -> LoadReport:
    """Load files, folders and ``-`` (standard input), validating against the shapes.

    ``bulk`` None chooses: Oxigraph's bulk loader when the store is empty (the fast path of a
    first load), else one transaction per page. Both keep each file atomic.
    """
    sources = expand_inputs(inputs)
    if bulk is None:
        bulk = STDIN not in sources and store_is_empty(store)
    if bulk:
        from kg.bulk import bulk_load_paths
        from kg.record_validation import record_validator, store_validator

        return bulk_load_paths(
            store,
            sources,
            validator=store_validator() if validate else None,
            page_validator=record_validator() if validate else None,
            on_invalid=on_invalid,
            on_page=on_page,
        )
    validator = None
    if validate:
        from kg.record_validation import record_validator

        validator = record_validator()

    from kg.page_load import load_pages

    return load_pages(
        store,
        (read_page(s) for s in sources),
        validator=validator,
        on_invalid=on_invalid,
        on_page=on_page,
    )
