"""A member's label is the one the latest load gave (kg/member_labels.py), whether the load is
a bulk load or goes page by page."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg import vocab
from kg.load import load_paths
from kg.member_labels import (
    LatestLabels,
    earlier_labels,
    item_position,
    latest_labels,
    named_slot,
    superseded_after_bulk_load,
    superseded_labels,
)
from kg.members import convert_member
from kg.page_load import load_page
from kg.reader import Page
from tests.api_server import make_member
from tests.conftest import write_page

MEMBER = vocab.PARLIAMENT_MEMBERS + "4765"
LABEL = f"<{vocab.RDFS}label>"
OLD = f'<{MEMBER}> {LABEL} "Biography information for Wendy Chamberlain" .\n'
NEW = f'<{MEMBER}> {LABEL} "Biography information for Baroness Chamberlain" .\n'


def test_a_name_line_is_told_from_any_other() -> None:
    assert named_slot(OLD) == f"<{MEMBER}> {LABEL}"
    assert named_slot(f"<{MEMBER}> <{vocab.RDF_TYPE}> <{vocab.KG}Member> .\n") is None
    department = f"<{vocab.department_iri('29')}>"
    short = f"<{vocab.PARL}answeringDeptShortName>"
    assert named_slot(f'{department} {LABEL} "Department for Work and Pensions" .\n') == (
        f"{department} {LABEL}"
    )
    assert named_slot(f'{department} {short} "Work and Pensions" .\n') == f"{department} {short}"
    assert named_slot(f'{department} <{vocab.PARL}answeringDeptId> "29" .\n') is None
    assert named_slot(f'<{vocab.KG_ID}house/1> {LABEL} "House of Commons" .\n') is None
    slot = f"<{MEMBER}> {LABEL}"
    assert latest_labels([OLD, NEW, "<x:a> <x:b> <x:c> .\n"]) == {slot: NEW}


def test_a_stream_keeps_where_each_of_a_members_labels_was_given() -> None:
    labels = LatestLabels()
    other = "<x:a> <x:b> <x:c> .\n"
    for line, at in ((OLD, 1), (OLD, 2), (other, 2), (OLD, 2), (NEW, item_position(1, 7))):
        labels.saw(line, at)
    assert labels.sightings() == [[[OLD, [1, 2]], [NEW, [1 << 32 | 7]]]]
    labels.saw(OLD, item_position(2, 1))  # named as before again: last given, so last
    assert labels.sightings() == [[[NEW, [1 << 32 | 7]], [OLD, [1, 2, 2 << 32 | 1]]]]
    one = LatestLabels()
    one.saw(OLD, 1)
    assert one.sightings() == []  # a member given one label: nothing to settle


def test_the_store_s_other_labels_of_a_member_are_superseded() -> None:
    store = pyoxigraph.Store()
    store.load((OLD + NEW).encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    gone = superseded_labels(store, [NEW])
    assert {
        pyoxigraph.parse(line.encode(), pyoxigraph.RdfFormat.N_TRIPLES).__next__() for line in gone
    } == {next(pyoxigraph.parse(OLD.encode(), pyoxigraph.RdfFormat.N_TRIPLES))}
    assert superseded_labels(store, ["<x:a> <x:b> <x:c> .\n"]) == set()


def _labels(store: pyoxigraph.Store) -> set[str]:
    member = pyoxigraph.NamedNode(MEMBER)
    label = pyoxigraph.NamedNode(vocab.RDFS + "label")
    return {str(q.object.value) for q in store.quads_for_pattern(member, label, None)}


def _renamed(items: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    renamed = copy.deepcopy(items)
    for item in renamed:
        item["tablingMember"]["label"] = {"_value": f"Biography information for {name}"}
    return renamed


@pytest.mark.parametrize("bulk", [True, False])
@pytest.mark.parametrize("apart", [True, False])
def test_a_member_renamed_between_pages_keeps_the_last_name(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool, apart: bool
) -> None:
    # Other questions of the member on the later page; or (apart) the same questions again,
    # which a bulk load writes after the stream, as a load page by page does.
    first, later = (sample_items, sample_items) if apart else (sample_items[:4], sample_items[4:])
    sources = [
        str(write_page(tmp_path / "a.json", first)),
        str(write_page(tmp_path / "b.json", _renamed(later, "Baroness Chamberlain"))),
    ]
    store = pyoxigraph.Store()
    load_paths(store, sources, bulk=bulk)
    assert _labels(store) == {"Biography information for Baroness Chamberlain"}
    assert _labels_again_in_the_other_order(tmp_path, sources, bulk) == {
        "Biography information for Wendy Chamberlain"
    }


def _labels_again_in_the_other_order(tmp_path: Path, sources: list[str], bulk: bool) -> set[str]:
    store = pyoxigraph.Store()
    load_paths(store, sources[::-1], bulk=bulk)
    return _labels(store)


def test_a_member_loaded_as_a_record_of_its_own_keeps_its_label(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # A member from the members endpoint is a record, with a content hash over its label: a
    # question page naming it otherwise does not take that label away.
    store = pyoxigraph.Store()
    member_page = Page(source="members.json", items=[make_member(4765)])
    load_page(store, member_page, converter=convert_member)
    renamed = _renamed(sample_items[:2], "Someone Else")
    load_paths(store, [str(write_page(tmp_path / "a.json", renamed))])
    assert _labels(store) == {
        "Biography information for Member 4765",
        "Biography information for Someone Else",
    }


@pytest.mark.parametrize("bulk", [True, False])
def test_a_skipped_question_that_gave_the_newest_name_leaves_the_member_the_name_before(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    invalid = _renamed(sample_items[4:5], "Baroness Chamberlain")
    invalid[0]["uin"] = ""  # violates the shapes: skipped, with what only it gave
    sources = [
        str(write_page(tmp_path / "a.json", sample_items[:4])),
        str(write_page(tmp_path / "b.json", invalid)),
    ]
    store = pyoxigraph.Store()
    report = load_paths(store, sources, bulk=bulk, on_invalid="skip")
    assert report.skipped_invalid == 1
    assert _labels(store) == {"Biography information for Wendy Chamberlain"}


def test_after_a_bulk_load_the_label_given_last_by_a_record_kept_stays() -> None:
    store = pyoxigraph.Store()
    store.load(OLD.encode(), pyoxigraph.RdfFormat.N_TRIPLES)  # NEW was taken back
    assert superseded_after_bulk_load(store, [[[OLD, [1]], [NEW, [2]]]]) == []
    store.load(NEW.encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    assert superseded_after_bulk_load(store, [[[OLD, [1]], [NEW, [2]]]]) == [OLD]
    assert superseded_after_bulk_load(store, [[[OLD, [1, 3]], [NEW, [2]]]]) == [NEW]
    # Given last by a record dropped (taken back, or never written): the one before stays.
    assert superseded_after_bulk_load(store, [[[OLD, [1, 3]], [NEW, [2]]]], {3}) == [OLD]
    assert superseded_after_bulk_load(store, []) == []


@pytest.mark.parametrize("bulk", [True, False])
def test_a_page_naming_a_member_two_ways_keeps_the_last_name(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    items = [*_renamed(sample_items[:1], "Baroness Chamberlain"), *sample_items[1:3]]
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "a.json", items))], bulk=bulk)
    assert _labels(store) == {"Biography information for Wendy Chamberlain"}
    renamed_last = [*sample_items[3:5], *_renamed(sample_items[5:6], "Baroness Chamberlain")]
    load_paths(store, [str(write_page(tmp_path / "b.json", renamed_last))], bulk=False)
    assert _labels(store) == {"Biography information for Baroness Chamberlain"}


def test_of_a_members_labels_the_last_stays() -> None:
    other = "<x:a> <x:b> <x:c> .\n"
    assert earlier_labels([OLD, other, NEW, OLD]) == {NEW}
    assert earlier_labels([OLD, OLD, other]) == set()


@pytest.mark.parametrize("changed_last", [False, True])
def test_a_question_changed_later_in_a_bulk_load_gives_its_name_where_it_stands(
    tmp_path: Path, sample_items: list[dict[str, Any]], changed_last: bool
) -> None:
    # A changed question is written after the stream (a conflict); its name must still count
    # at its page's place, as in a load page by page.
    changed = _renamed(sample_items[:1], "Baroness B")
    changed[0]["hansardHeading"] = {"_value": "Changed"}
    pages = [_renamed(sample_items[:1], "A"), changed, _renamed(sample_items[1:2], "C")]
    if changed_last:
        pages = [pages[0], pages[2], pages[1]]
    sources = [str(write_page(tmp_path / f"{n}.json", items)) for n, items in enumerate(pages)]
    last = "Baroness B" if changed_last else "C"
    for bulk in (True, False):
        store = pyoxigraph.Store()
        load_paths(store, sources, bulk=bulk)
        assert _labels(store) == {f"Biography information for {last}"}, bulk


@pytest.mark.parametrize("invalid_one", ["a question of its own", "a changed question"])
def test_a_skipped_question_naming_a_member_as_before_leaves_the_name_given_last_as_kept(
    tmp_path: Path, sample_items: list[dict[str, Any]], invalid_one: str
) -> None:
    # Named A, then B, then A again by a question that is skipped as invalid: B stays, as a
    # load page by page (which never writes that question) leaves it. The invalid question is
    # either streamed (then taken back) or written apart, as a question an earlier page gave.
    invalid = copy.deepcopy(sample_items[2:3])
    if invalid_one == "a changed question":
        invalid = copy.deepcopy(sample_items[0:1])
        invalid[0]["hansardHeading"] = {"_value": "Changed"}
    invalid[0]["uin"] = ""  # violates the shapes
    pages = [sample_items[:1], _renamed(sample_items[1:2], "Baroness B"), invalid]
    sources = [str(write_page(tmp_path / f"{n}.json", items)) for n, items in enumerate(pages)]
    for bulk in (True, False):
        store = pyoxigraph.Store()
        report = load_paths(store, sources, bulk=bulk, on_invalid="skip")
        assert report.skipped_invalid == 1, bulk
        assert _labels(store) == {"Biography information for Baroness B"}, bulk


@pytest.mark.parametrize("how", ["one first load", "a later load"])
def test_a_department_renamed_keeps_only_its_new_names(
    tmp_path: Path, sample_items: list[dict[str, Any]], how: str
) -> None:
    renamed = copy.deepcopy(sample_items[3:6])
    for item in renamed:
        item["answeringDeptShortName"] = {"_value": "DWP Renamed"}
        item["AnsweringBody"] = [{"_value": "Department for DWP Renamed"}]
    sources = [
        str(write_page(tmp_path / "a.json", sample_items[:3])),
        str(write_page(tmp_path / "b.json", renamed)),
    ]
    store = pyoxigraph.Store()
    if how == "one first load":  # a bulk load, renamed on its later page
        load_paths(store, sources, bulk=True)
    else:
        load_paths(store, sources[:1])
        load_paths(store, sources[1:])
    department = pyoxigraph.NamedNode(vocab.department_iri("29"))
    names = {
        (q.predicate.value.rpartition("#")[2], q.object.value)
        for q in store.quads_for_pattern(department, None, None)
        if isinstance(q.object, pyoxigraph.Literal)
    }
    assert names == {
        ("label", "Department for DWP Renamed"),
        ("answeringDeptShortName", "DWP Renamed"),
        ("answeringDeptSortName", "Work and Pensions"),
        ("answeringDeptId", "29"),
    }


@pytest.mark.parametrize("case", ["a question twice on a page", "one question naming twice"])
def test_both_loads_keep_the_name_a_page_gives_last(
    tmp_path: Path, sample_items: list[dict[str, Any]], case: str
) -> None:
    if case == "a question twice on a page":  # the later item is kept, in its own place
        items = [*_renamed(sample_items[:1], "A"), *_renamed(sample_items[1:2], "B")]
        items += _renamed(sample_items[:1], "A")
        kept = "A"
    else:  # asked and answered by the same member, named two ways in the one question
        items = _renamed(sample_items[:1], "Asker")
        items[0]["answer"]["answeringMember"] = {
            "_about": MEMBER,
            "label": {"_value": "Biography information for Answerer"},
        }
        page_by_page = pyoxigraph.Store()
        load_paths(page_by_page, [str(write_page(tmp_path / "p.json", items))], bulk=False)
        (kept,) = {
            label.removeprefix("Biography information for ") for label in _labels(page_by_page)
        }
    sources = [str(write_page(tmp_path / "a.json", items))]
    for bulk in (True, False):
        store = pyoxigraph.Store()
        load_paths(store, sources, bulk=bulk)
        assert _labels(store) == {f"Biography information for {kept}"}, bulk


def test_a_name_a_bulk_load_settles_is_not_counted_written(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # One page naming the department two ways: page by page never writes the earlier name.
    items = copy.deepcopy(sample_items[:3])
    items[0]["AnsweringBody"] = [{"_value": "Department for Work and Pensions (old)"}]
    sources = [str(write_page(tmp_path / "a.json", items))]
    counts = []
    for bulk in (True, False):
        store = pyoxigraph.Store()
        report = load_paths(store, sources, bulk=bulk)
        counts.append((report.triples_written, report.triples_removed, len(store)))
    assert counts[0] == counts[1]
    assert counts[0][0] == counts[0][2]


def test_the_stream_notes_the_same_names_however_few_lines_it_remembers() -> None:
    other = "<x:a> <x:b> <x:c> .\n"
    department = f"<{vocab.department_iri('29')}> {LABEL}"
    renamed = [f'{department} "Work and Pensions" .\n', f'{department} "DWP" .\n']
    sequence = [(OLD, 1), (other, 1), (NEW, 2), (renamed[0], 2), (OLD, 3), (other, 3)]
    sequence += [(renamed[1], 4), (OLD, 4), (NEW, 5), (renamed[0], 5), (renamed[0], 6)]
    noted = []
    for memory in (1, 2, 1000):
        labels = LatestLabels(line_memory=memory)
        for line, at in sequence:
            labels.saw(line, at)
        noted.append(labels.sightings())
    assert noted[0] == noted[1] == noted[2]
    assert noted[2] == [
        [[OLD, [1, 3, 4]], [NEW, [2, 5]]],
        [[renamed[1], [4]], [renamed[0], [2, 5, 6]]],
    ]
