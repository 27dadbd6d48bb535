"""What a bulk load takes back after validating: skipped questions, or the pages from the
first invalid one on, with what only they gave; as a load page by page leaves the store."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg import page_load, vocab
from kg.bulk_validation import Conflicts
from kg.errors import ValidationFailed
from kg.load import load_paths
from kg.store import store_is_empty
from tests.conftest import write_page


@pytest.mark.parametrize(
    "asker", ["asks other questions", "asks only this one", "gives values no other question does"]
)
def test_a_bulk_load_that_skips_invalid_questions_counts_what_it_left(
    tmp_path: Path, sample_items: list[dict[str, Any]], asker: str
) -> None:
    items = copy.deepcopy(sample_items)
    del items[2]["uin"]
    if asker == "asks only this one":  # the member goes with the question
        items[2]["tablingMember"] = {
            "_about": "http://data.parliament.uk/members/999999",
            "label": {"_value": "Biography information for A New Member"},
        }
    if asker == "gives values no other question does":  # of a member, department and house
        _give_new_shared_values(items[2])
    sources = [str(write_page(tmp_path / "a.json", items))]
    bulk_store, page_store = pyoxigraph.Store(), pyoxigraph.Store()

    bulk = load_paths(bulk_store, sources, on_invalid="skip", bulk=True)
    page_by_page = load_paths(page_store, sources, on_invalid="skip", bulk=False)

    assert (bulk.new, bulk.skipped_invalid) == (page_by_page.new, page_by_page.skipped_invalid)
    assert bulk.skipped_invalid == 1
    assert set(bulk_store) - _loaded_at(bulk_store) == set(page_store) - _loaded_at(page_store)
    assert bulk.triples_written == len(bulk_store) == page_by_page.triples_written


def test_a_bulk_load_that_stops_at_an_invalid_question_keeps_only_what_the_pages_before_gave(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    later = copy.deepcopy(sample_items[4:])
    del later[0]["uin"]
    _give_new_shared_values(later[1])  # a valid question, on the page that stops the load
    sources = [
        str(write_page(tmp_path / "a.json", sample_items[:4])),
        str(write_page(tmp_path / "b.json", later)),
    ]
    stores = []
    for bulk in (True, False):
        store = pyoxigraph.Store()
        with pytest.raises(ValidationFailed, match=r"b\.json item 1"):
            load_paths(store, sources, bulk=bulk)
        stores.append(set(store) - _loaded_at(store))

    first_page_alone = pyoxigraph.Store()
    load_paths(first_page_alone, sources[:1], bulk=True)
    assert stores[0] == stores[1] == set(first_page_alone) - _loaded_at(first_page_alone)


def test_a_skipped_question_takes_away_no_value_a_question_loaded_apart_gives(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # The second page gives the first question again, changed: the bulk load writes that
    # version apart, after the stream. A value it shares with a skipped question stays.
    skipped, first = copy.deepcopy(sample_items[1]), sample_items[0]
    del skipped["uin"]
    _give_new_shared_values(skipped)
    again = copy.deepcopy(first)
    again["hansardHeading"] = {"_value": "A heading changed since"}
    again["tablingMember"] = copy.deepcopy(skipped["tablingMember"])
    sources = [
        str(write_page(tmp_path / "a.json", [first, skipped])),
        str(write_page(tmp_path / "b.json", [again])),
    ]
    stores = []
    for bulk in (True, False):
        store = pyoxigraph.Store()
        load_paths(store, sources, on_invalid="skip", bulk=bulk)
        stores.append(set(store) - _loaded_at(store))

    label = pyoxigraph.Literal("Biography information for Another Name")
    assert stores[0] == stores[1]
    assert any(quad.object == label for quad in stores[0])


def _give_new_shared_values(item: dict[str, Any]) -> None:
    """Values of the item's member, department and house that the sample gives nowhere else."""
    item["tablingMember"]["label"] = {"_value": "Biography information for Another Name"}
    item["answeringDeptShortName"] = {"_value": "A Department Renamed"}
    item["legislature"][0]["prefLabel"] = {"_value": "House of Commons (renamed)"}


@pytest.mark.parametrize("on_invalid", ["skip", "abort"])
def test_a_bulk_load_that_keeps_no_question_leaves_an_empty_store(
    tmp_path: Path, sample_items: list[dict[str, Any]], on_invalid: str
) -> None:
    # As a load page by page leaves it: no tallies' marker either, so the next load is a bulk
    # load again, and kg stats says the store is empty.
    items = copy.deepcopy(sample_items[:2])
    for item in items:
        del item["uin"]
    sources = [str(write_page(tmp_path / "a.json", items))]
    reports = []
    for bulk in (True, False):
        store = pyoxigraph.Store()
        try:
            reports.append(load_paths(store, sources, on_invalid=on_invalid, bulk=bulk))  # type: ignore[arg-type]
        except ValidationFailed as exc:
            reports.append(exc.line())
        assert len(store) == 0 and store_is_empty(store)
    if on_invalid == "skip":
        assert [(r.triples_written, r.skipped_invalid) for r in reports] == [(0, 2), (0, 2)]
    else:
        assert reports[0] == reports[1]


def _loaded_at(store: pyoxigraph.Store) -> set[pyoxigraph.Quad]:
    return set(store.quads_for_pattern(None, pyoxigraph.NamedNode(vocab.LOADED_AT), None))


@pytest.mark.parametrize("on_invalid", ["abort", "skip", "keep"])
@pytest.mark.parametrize("invalid", ["another question", "the changed version"])
def test_a_question_a_later_page_changes_is_validated_and_kept_as_page_by_page(
    tmp_path: Path, sample_items: list[dict[str, Any]], on_invalid: str, invalid: str
) -> None:
    # The second page changes the first page's question (written apart, after the stream)
    # and holds an invalid item: another question, or that changed version itself. Page by
    # page, the second page is loaded whole or not at all (abort), or without the invalid item.
    first = sample_items[0]
    changed = copy.deepcopy(first)
    changed["hansardHeading"] = {"_value": "A heading changed since"}
    other = copy.deepcopy(sample_items[1])
    del (changed if invalid == "the changed version" else other)["uin"]
    sources = [
        str(write_page(tmp_path / "a.json", [first, sample_items[2]])),
        # The changed question is not the page's first item: errors name its number there.
        str(write_page(tmp_path / "b.json", [sample_items[3], changed, other])),
    ]
    outcomes = []
    for bulk in (True, False):
        store = pyoxigraph.Store()
        try:
            report = load_paths(store, sources, on_invalid=on_invalid, bulk=bulk)  # type: ignore[arg-type]
            outcome: Any = (report.new, report.replaced, report.skipped_invalid, report.problems)
        except ValidationFailed as exc:
            outcome = exc.line()
        outcomes.append((outcome, set(store) - _loaded_at(store)))

    assert outcomes[0] == outcomes[1]
    if on_invalid == "abort":
        assert "nothing from" in outcomes[0][0] and "b.json on was kept" in outcomes[0][0]
        first_page_alone = pyoxigraph.Store()
        load_paths(first_page_alone, sources[:1])
        assert outcomes[0][1] == set(first_page_alone) - _loaded_at(first_page_alone)


@pytest.mark.parametrize("named_as", ["a member", "another question's answer"])
def test_a_skipped_question_named_as_another_resource_takes_none_of_its_triples(
    tmp_path: Path, sample_items: list[dict[str, Any]], named_as: str
) -> None:
    # An invalid item whose IRI is a member's, or another question's answer's: taking it back
    # after a bulk load deleted everything at that IRI, the member's name or the answer.
    items = copy.deepcopy(sample_items)
    hostile = items[2]
    if named_as == "a member":
        hostile["_about"] = items[0]["tablingMember"]["_about"]
    else:
        hostile["_about"] = items[0]["answer"]["_about"]
    hostile["answer"]["_about"] = hostile["_about"] + "/answer"
    expected = pyoxigraph.Store()  # the page without the item, loaded from the same file
    load_paths(expected, [str(write_page(tmp_path / "a.json", items[:2] + items[3:]))])
    sources = [str(write_page(tmp_path / "a.json", items))]

    store = pyoxigraph.Store()
    report = load_paths(store, sources, on_invalid="skip", bulk=True)

    assert report.skipped_invalid == 1
    assert report.problems[0].startswith(f"{sources[0]} item 3 (uin ")
    assert "a question is an IRI http://data.parliament.uk/resources/<digits>" in report.problems[0]
    assert set(store) - _loaded_at(store) == set(expected) - _loaded_at(expected)
    if named_as == "a member":  # page by page too (the answer's question fails there with it)
        page_by_page = pyoxigraph.Store()
        load_paths(page_by_page, sources, on_invalid="skip", bulk=False)
        assert set(page_by_page) - _loaded_at(page_by_page) == set(store) - _loaded_at(store)


def test_a_question_changed_then_changed_back_ends_as_its_last_page_gives_it(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # Version 1, then 2, then 1 again on three pages: the last stays, whatever the load.
    first = sample_items[0]
    second = copy.deepcopy(first)
    second["hansardHeading"] = {"_value": "A heading changed since"}
    sources = [
        str(write_page(tmp_path / f"{name}.json", [version]))
        for name, version in (("a", first), ("b", second), ("c", first))
    ]
    stores, summaries = [], []
    for bulk in (True, False):
        store = pyoxigraph.Store()
        summaries.append(load_paths(store, sources, bulk=bulk).summary())
        stores.append(set(store) - _loaded_at(store))

    assert stores[0] == stores[1]
    heading = pyoxigraph.NamedNode(vocab.PARL + "hansardHeading")
    question = pyoxigraph.NamedNode(first["_about"])
    (kept,) = [t.object.value for t in stores[0] if (t.subject, t.predicate) == (question, heading)]
    assert kept == first["hansardHeading"]["_value"]
    # (The triples written differ by the kg:loadedAt of pages loaded in the same second or not.)
    for summary in summaries:
        assert summary.startswith("Loaded 3 files, 3 items (1 new, 2 replaced, 0 unchanged)")


def test_the_questions_written_apart_wait_in_a_file_and_come_back_as_they_were_given(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    apart = Conflicts(tmp_path / "apart.jsonl")
    assert (list(apart.pages()), (tmp_path / "apart.jsonl").exists()) == ([], False)

    apart.add(3, "a.json", [(2, sample_items[1]), (5, sample_items[4])])
    apart.add(7, "b.json", [(1, sample_items[0])])

    pages = list(apart.pages())
    assert [(index, page.source, page.numbers) for index, page in pages] == [
        (3, "a.json", (2, 5)),
        (7, "b.json", (1,)),
    ]
    assert pages[0][1].items == [sample_items[1], sample_items[4]]
    assert [index for index, _ in apart.pages(1)] == [3]


@pytest.mark.parametrize(
    ("validate", "on_invalid"), [(True, "keep"), (True, "skip"), (False, "abort")]
)
def test_questions_named_otherwise_than_the_shapes_say_load_as_page_by_page(
    tmp_path: Path, sample_items: list[dict[str, Any]], validate: bool, on_invalid: str
) -> None:
    # A mirror that names its questions https://...: none is streamed; all are written apart.
    items = copy.deepcopy(sample_items)
    for item in items:
        for holder in (item, item["answer"]):
            holder["_about"] = holder["_about"].replace("http://", "https://")
    sources = [
        str(write_page(tmp_path / "a.json", items[:5])),
        str(write_page(tmp_path / "b.json", items[5:])),
    ]
    outcomes = []
    for bulk in (True, False):
        store = pyoxigraph.Store()
        report = load_paths(store, sources, on_invalid=on_invalid, bulk=bulk, validate=validate)  # type: ignore[arg-type]
        counts = (report.new, report.kept_invalid, report.skipped_invalid, report.files)
        outcomes.append((counts, report.triples_written, set(store) - _loaded_at(store)))

    assert outcomes[0] == outcomes[1]
    n = len(items)
    if on_invalid == "skip":  # none kept: the store is left empty, with nothing written
        assert outcomes[0] == ((0, 0, n, 2), 0, set())
    else:
        assert outcomes[0][0] == (n, n if validate else 0, 0, 2)


def test_an_abort_names_the_first_invalid_item_though_it_was_set_apart(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # Item 1 is named otherwise than the shapes name a question (set apart, written after the
    # stream), item 2 has an empty UIN: both are invalid, and the error names item 1.
    items = copy.deepcopy(sample_items[:3])
    items[0]["_about"] = items[0]["_about"].replace("http://", "https://")
    items[0]["answer"]["_about"] = items[0]["_about"] + "/answer"
    items[1]["uin"] = ""
    sources = [str(write_page(tmp_path / "a.json", items))]
    errors = []
    for bulk in (True, False):
        with pytest.raises(ValidationFailed) as stopped:
            load_paths(pyoxigraph.Store(), sources, bulk=bulk)
        errors.append(stopped.value.line())
    assert errors[0] == errors[1]
    assert errors[0].startswith(f"{sources[0]} item 1 ")


def test_one_load_records_one_time_for_the_questions_it_set_apart_too(
    tmp_path: Path, sample_items: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A question changed by a later page is written apart, after the stream, by a load page
    # by page, which reads the clock again (here a later time): it takes the load's time.
    changed = copy.deepcopy(sample_items[0])
    changed["hansardHeading"] = {"_value": "A heading changed since"}
    sources = [
        str(write_page(tmp_path / "a.json", sample_items[:3])),
        str(write_page(tmp_path / "b.json", [changed, sample_items[3]])),
    ]
    monkeypatch.setattr(page_load, "now", lambda: "2099-01-01T00:00:00Z")
    store = pyoxigraph.Store()
    load_paths(store, sources, bulk=True)
    times = {quad.object.value for quad in _loaded_at(store)}
    assert len(times) == 1 and times != {"2099-01-01T00:00:00Z"}
