"""Loading page by page, the next page prepared while one is written."""

from __future__ import annotations

import copy
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg import page_load, vocab
from kg.load import LoadReport, load_paths
from kg.page_load import load_page, load_pages
from kg.reader import read_page
from tests.conftest import write_page
from tests.test_load import Q, triples

LOADED_AT = "2026-01-02T03:04:05Z"


def test_pages_prepared_ahead_give_what_loading_them_one_by_one_gives(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    """load_pages prepares a page while the one before is written: a page that repeats a
    question of the page before (changed, then as it was) must still see it as stored."""
    changed = copy.deepcopy(sample_items)
    changed[0]["hansardHeading"] = {"_value": "Changed heading"}
    changed[1]["answer"]["answerText"] = {"_value": "<p>Corrected.</p>"}
    pages = [
        read_page(str(write_page(tmp_path / "a.json", sample_items[:5]))),
        read_page(str(write_page(tmp_path / "b.json", changed[:2] + sample_items[5:7]))),
        read_page(str(write_page(tmp_path / "c.json", sample_items[:3]))),
        read_page(str(write_page(tmp_path / "d.json", sample_items[7:]))),
    ]
    ahead, one_by_one = pyoxigraph.Store(), pyoxigraph.Store()
    seen: list[str] = []
    report = load_pages(ahead, pages, on_page=lambda page, _: seen.append(page.source))
    expected = LoadReport()
    for page in pages:
        load_page(one_by_one, page, report=expected)
    expected.count_warnings()
    assert seen == [page.source for page in pages]
    assert triples(ahead) == triples(one_by_one)
    # A replaced question's load time is rewritten unless it falls in the same second as
    # before: the triples written and removed may differ by that much, either way.
    ignore_times = {"triples_written": 0, "triples_removed": 0}
    assert replace(report, **ignore_times) == replace(expected, **ignore_times)
    assert abs(report.triples_written - expected.triples_written) <= report.replaced
    assert (report.files, report.items, report.new, report.replaced) == (4, 14, 9, 4)


@pytest.mark.parametrize("leaves", [True, False], ids=["leaves-group", "joins-group"])
def test_a_page_the_page_written_meanwhile_links_to_reads_its_records_again(
    tmp_path: Path,
    sample_items: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    leaves: bool,
) -> None:
    """The next page's stored records are read while a page is written. When that page
    groups a question with one of the next page's, or no longer does, they are read again:
    read before, they would lack the new links, or hold the removed ones."""
    elsewhere = copy.deepcopy(sample_items[1])  # 1696806, grouped with 1696807 (item 2)
    elsewhere["date"] = {"_value": "2024-03-19", "_datatype": "dateTime"}
    before = [*sample_items[:1], sample_items[1] if leaves else elsewhere, *sample_items[2:]]
    first = elsewhere if leaves else sample_items[1]
    corrected = copy.deepcopy(sample_items[2])
    corrected["answer"]["answerText"] = {"_value": "<p>Corrected.</p>"}
    pages = [
        read_page(str(write_page(tmp_path / "a.json", [first]))),
        read_page(str(write_page(tmp_path / "b.json", [corrected]))),
    ]
    ahead = pyoxigraph.Store()
    load_paths(ahead, [str(write_page(tmp_path / "before.json", before))])
    one_by_one = pyoxigraph.Store()
    one_by_one.extend(ahead)
    monkeypatch.setattr(page_load, "now", lambda: LOADED_AT)
    expected = LoadReport()
    for page in pages:
        load_page(one_by_one, page, report=expected)
    expected.count_warnings()

    # The second page's records are read before the first page is written, every time.
    read = threading.Event()
    real_read, real_write = page_load.stored_records, page_load.write_plan

    def read_then_tell(store: pyoxigraph.Store, iris: list[str]) -> Any:
        found = real_read(store, iris)
        if threading.current_thread().name.startswith("kg-prepare"):
            read.set()
        return found

    def write_once_read(store: pyoxigraph.Store, plan: Any, **options: Any) -> set[str]:
        if plan.records[0].iri == Q + "1696806":
            assert read.wait(30)
        return real_write(store, plan, **options)

    monkeypatch.setattr(page_load, "stored_records", read_then_tell)
    monkeypatch.setattr(page_load, "write_plan", write_once_read)
    report = load_pages(ahead, pages)
    assert read.is_set()
    assert {str(q) for q in ahead} == {str(q) for q in one_by_one}
    assert report == expected
    assert report.replaced == 2 and report.triples_written > 0
    link = f"ASK {{ <{Q}1696806> <{vocab.GROUPED_WITH}> <{Q}1696807> }}"
    assert bool(ahead.query(link)) is not leaves
