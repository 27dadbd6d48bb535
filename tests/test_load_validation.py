"""Validation while loading, on both paths (bulk into an empty store, transactional after)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg import vocab
from kg.errors import ValidationFailed
from kg.load import load_paths
from tests.conftest import write_page

Q = "http://data.parliament.uk/resources/"


def questions(store: pyoxigraph.Store) -> set[str]:
    kind = pyoxigraph.NamedNode(vocab.QUESTION)
    return {q.subject.value for q in store.quads_for_pattern(None, None, kind)}


def content_without_load_times(store: pyoxigraph.Store) -> set[str]:
    """The store's triples, less the load times (which differ between two loads)."""
    return {str(q) for q in store if q.predicate.value != vocab.LOADED_AT}


def faulty_pages(tmp_path: Path, items: list[dict[str, Any]]) -> list[str]:
    """Three pages; the first item of the second (uin 19187) has no question text."""
    broken = copy.deepcopy(items[3:6])
    del broken[0]["questionText"]
    return [
        str(write_page(tmp_path / "1.json", items[:3])),
        str(write_page(tmp_path / "2.json", broken)),
        str(write_page(tmp_path / "3.json", items[6:])),
    ]


@pytest.mark.parametrize("bulk", [True, False])
def test_abort_keeps_pages_before_the_bad_one(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    store = pyoxigraph.Store()
    with pytest.raises(ValidationFailed) as caught:
        load_paths(store, faulty_pages(tmp_path, sample_items), bulk=bulk)
    assert caught.value.where == f"{tmp_path / '2.json'} item 1 (uin 19187)"
    assert "questionText" in caught.value.what
    assert questions(store) == {item["_about"] for item in sample_items[:3]}


@pytest.mark.parametrize("bulk", [True, False])
def test_a_question_iri_the_shapes_refuse_is_refused_by_the_load_as_by_kg_validate(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    # Stored as .../50%20004, which the validation of the load looked for as written.
    spaced = json.loads(
        json.dumps(sample_items[0]).replace(sample_items[0]["_about"], Q + "50 004")
    )
    page = write_page(tmp_path / "1.json", [spaced])
    store = pyoxigraph.Store()
    with pytest.raises(ValidationFailed) as caught:
        load_paths(store, [str(page)], bulk=bulk)
    assert caught.value.what == "a question is an IRI http://data.parliament.uk/resources/<digits>"
    assert len(store) == 0


@pytest.mark.parametrize("bulk", [True, False])
def test_skip_drops_only_the_bad_item_and_says_so(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    store = pyoxigraph.Store()
    report = load_paths(store, faulty_pages(tmp_path, sample_items), on_invalid="skip", bulk=bulk)
    assert questions(store) == {i["_about"] for i in sample_items} - {Q + "1696808"}
    assert report.skipped_invalid == 1
    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"{tmp_path / '2.json'} item 1 (uin 19187): ")


@pytest.mark.parametrize("bulk", [True, False])
def test_keep_stores_the_bad_item_and_reports_it(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    store = pyoxigraph.Store()
    report = load_paths(store, faulty_pages(tmp_path, sample_items), on_invalid="keep", bulk=bulk)
    assert questions(store) == {i["_about"] for i in sample_items}
    assert report.kept_invalid == 1


@pytest.mark.parametrize("bulk", [True, False])
def test_placeholder_member_is_a_warning_not_a_violation(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    items = copy.deepcopy(sample_items[:2])
    items[0]["answer"]["answeringMember"] = {"_about": "http://data.parliament.uk/members/0"}
    store = pyoxigraph.Store()
    report = load_paths(store, [str(write_page(tmp_path / "p.json", items))], bulk=bulk)
    assert questions(store) == {i["_about"] for i in items}
    assert len(report.problems) == 1
    assert ": warning: " in report.problems[0]


def test_bulk_and_transactional_paths_build_the_same_graph(
    tmp_path: Path, sample_path: Path
) -> None:
    bulk, transactional = pyoxigraph.Store(), pyoxigraph.Store()
    load_paths(bulk, [str(sample_path)], bulk=True)
    load_paths(transactional, [str(sample_path)], bulk=False)
    assert content_without_load_times(bulk) == content_without_load_times(transactional)


def test_pages_sharing_members_give_the_same_graph_and_counts_on_both_paths(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # The bulk worker writes a member's, department's or house's triples once per load, not
    # once per page: split over pages, the sample must still give the same graph and counts.
    pages = [
        str(write_page(tmp_path / f"{n}.json", sample_items[n * 3 : n * 3 + 3])) for n in range(3)
    ]

    bulk, transactional = pyoxigraph.Store(), pyoxigraph.Store()
    bulk_report = load_paths(bulk, pages, bulk=True)
    transactional_report = load_paths(transactional, pages, bulk=False)
    assert content_without_load_times(bulk) == content_without_load_times(transactional)
    assert bulk_report.triples_written == len(bulk)
    # Page by page, a tally's count is rewritten as each page adds to it.
    assert transactional_report.triples_removed > 0
    written, removed = transactional_report.triples_written, transactional_report.triples_removed
    assert written - removed == len(transactional)


def test_a_question_repeated_within_one_load_gives_the_same_graph_and_counts_on_both_paths(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # The bulk worker remembers each question it wrote by a fingerprint of its content hash:
    # a repeat with the same content is unchanged, one with other content replaces it.
    changed = copy.deepcopy(sample_items[1])
    changed["questionText"] = "Asked again, in other words."
    pages = [
        str(write_page(tmp_path / "1.json", sample_items[:5])),
        str(write_page(tmp_path / "2.json", [sample_items[0], changed, *sample_items[5:]])),
    ]

    bulk, transactional = pyoxigraph.Store(), pyoxigraph.Store()
    bulk_report = load_paths(bulk, pages, bulk=True)
    transactional_report = load_paths(transactional, pages, bulk=False)
    assert content_without_load_times(bulk) == content_without_load_times(transactional)
    text = pyoxigraph.NamedNode(vocab.PARL + "questionText")
    asked = {q.object.value for q in bulk.quads_for_pattern(None, text, None)}
    assert "Asked again, in other words." in asked
    counts = [
        (r.items, r.unchanged, r.new + r.replaced) for r in (bulk_report, transactional_report)
    ]
    assert counts == [(11, 1, 10), (11, 1, 10)]


def test_skipping_the_first_item_to_name_a_member_keeps_the_member(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    items = copy.deepcopy(sample_items)
    first, later = items[0], items[4]
    member = first["tablingMember"]
    later["tablingMember"] = copy.deepcopy(member)  # the same member asks both
    del first["questionText"]  # ... and the first question is invalid
    pages = [
        str(write_page(tmp_path / "1.json", items[:3])),
        str(write_page(tmp_path / "2.json", items[3:])),
    ]
    store = pyoxigraph.Store()
    load_paths(store, pages, on_invalid="skip", bulk=True)
    assert first["_about"] not in questions(store)
    labels = list(store.quads_for_pattern(pyoxigraph.NamedNode(member["_about"]), None, None))
    expected = pyoxigraph.Store()
    load_paths(expected, [str(write_page(tmp_path / "only.json", [later]))], bulk=False)
    assert {str(q) for q in labels} == {
        str(q)
        for q in expected.quads_for_pattern(pyoxigraph.NamedNode(member["_about"]), None, None)
    }
