from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg import vocab
from kg.convert import convert_item
from kg.errors import InputError
from kg.load import LoadReport, load_paths
from kg.page_load import load_pages
from kg.reader import read_page
from kg.stored_records import stored_hashes
from tests.conftest import write_page

Q = "http://data.parliament.uk/resources/"


def triples(store: pyoxigraph.Store) -> set[str]:
    """Every triple, as text, leaving out the load time (which says when, not what)."""
    return {str(q) for q in store if q.predicate.value != vocab.LOADED_AT}


def test_loading_twice_changes_nothing(tmp_path: Path, sample_path: Path) -> None:
    store = pyoxigraph.Store(str(tmp_path / "store"))
    first = load_paths(store, [str(sample_path)])
    before = {str(q) for q in store}
    second = load_paths(store, [str(sample_path)])
    assert {str(q) for q in store} == before
    links = [q for q in store if q.predicate.value == vocab.GROUPED_WITH]
    assert len(links) == 20  # a group of 5 questions: each linked to the 4 others
    assert (first.new, first.unchanged, first.triples_written) == (9, 0, len(store))
    assert (second.new, second.unchanged, second.triples_written) == (0, 9, 0)


def test_a_changed_question_replaces_what_was_stored(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "v1.json", sample_items))])
    before = {str(t) for t in store}  # with the load time: a reload may rewrite it
    corrected = copy.deepcopy(sample_items)
    answer = corrected[1]["answer"]
    answer["answerText"] = {"_value": "<p>Corrected.</p>"}
    answer["isMinisterialCorrection"] = {"_value": "true", "_datatype": "boolean"}
    report = load_paths(store, [str(write_page(tmp_path / "v2.json", corrected[1:2]))])
    assert (report.new, report.replaced, report.unchanged) == (0, 1, 0)
    texts = [
        q.object.value
        for q in store.quads_for_pattern(
            pyoxigraph.NamedNode(Q + "1696806/answer"),
            pyoxigraph.NamedNode(vocab.PARL + "answerText"),
            None,
        )
    ]
    assert texts == ["<p>Corrected.</p>"]
    # the replacement is exactly what loading the new version into an empty store gives,
    # apart from provenance (a new source file)
    fresh = pyoxigraph.Store()
    load_paths(fresh, [str(write_page(tmp_path / "v1b.json", sample_items[:1] + sample_items[2:]))])
    load_paths(fresh, [str(tmp_path / "v2.json")])

    def without_source(s: pyoxigraph.Store) -> set[str]:
        return {t for t in triples(s) if vocab.SOURCE not in t}

    assert without_source(store) == without_source(fresh)
    # only what changed is rewritten: the answer's text and correction flag, the content
    # hash and the provenance; the report counts exactly that
    after = {str(t) for t in store}
    assert report.triples_removed == len(before - after) > 0
    assert report.triples_written == len(after - before) > 0
    rewritten = {t.split()[1] for t in after - before} - {f"<{vocab.LOADED_AT}>"}
    assert rewritten == {
        f"<{vocab.PARL}answerText>",
        f"<{vocab.PARL}isMinisterialCorrection>",
        f"<{vocab.CONTENT_HASH}>",
        f"<{vocab.SOURCE}>",
    }


def test_a_failing_file_leaves_the_store_as_it_was(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    store = pyoxigraph.Store(str(tmp_path / "store"))
    good = write_page(tmp_path / "a.json", sample_items[:3])
    broken_items = copy.deepcopy(sample_items[3:])
    broken_items[-1]["date"] = {"_value": "not a date", "_datatype": "dateTime"}
    bad = write_page(tmp_path / "b.json", broken_items)
    with pytest.raises(InputError, match=r"b.json item 6 \(.*\): unparseable date"):
        load_paths(store, [str(good), str(bad)])
    after_good = pyoxigraph.Store()
    load_paths(after_good, [str(good)])
    assert triples(store) == triples(after_good)


def test_grouped_questions_are_linked_only_within_house_and_date(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    store = pyoxigraph.Store()
    # 19186 reused in a later session: same UIN, another date tabled. It must not join the group.
    reused = copy.deepcopy(sample_items[2])
    reused["_about"] = Q + "1"
    reused["answer"]["_about"] = Q + "1/answer"
    reused["date"] = {"_value": "2025-01-06", "_datatype": "dateTime"}
    reused["answer"]["dateOfAnswer"] = {"_value": "2025-01-13", "_datatype": "dateTime"}
    load_paths(store, [str(write_page(tmp_path / "p.json", [*sample_items, reused]))])
    links = {
        (row["a"].value, row["b"].value)
        for row in store.query(
            "SELECT ?a ?b WHERE { ?a <https://w3id.org/parliament-kg/def#groupedWith> ?b }"
        )
    }
    group = {Q + n for n in ("1696806", "1696807", "1696808", "1696809", "1696810")}
    assert links == {(a, b) for a in group for b in group if a != b}


def test_group_links_appear_when_the_other_question_arrives_later(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "a.json", sample_items[1:2]))])
    load_paths(store, [str(write_page(tmp_path / "b.json", sample_items[2:3]))])
    linked = bool(
        store.query(
            f"ASK {{ <{Q}1696806> <{vocab.GROUPED_WITH}> <{Q}1696807> . "
            f"<{Q}1696807> <{vocab.GROUPED_WITH}> <{Q}1696806> }}"
        )
    )
    assert linked


def test_provenance_says_which_file_and_when(sample_path: Path) -> None:
    store = pyoxigraph.Store()
    load_paths(store, [str(sample_path)])
    rows = list(
        store.query(
            f"SELECT ?src ?at WHERE {{ <{Q}1696806> <{vocab.SOURCE}> ?src ; <{vocab.LOADED_AT}> ?at }}"
        )
    )
    assert len(rows) == 1
    assert rows[0]["src"].value == str(sample_path)
    assert rows[0]["at"].datatype.value == vocab.XSD + "dateTime"


def test_stored_hashes_are_given_by_the_iris_asked_for(
    sample_store: pyoxigraph.Store, sample_items: list[dict[str, Any]]
) -> None:
    records = [convert_item(item, where="test") for item in sample_items[:3]]
    asked = [records[2].iri, Q + "nowhere", records[0].iri]
    assert stored_hashes(sample_store, asked) == {
        records[0].iri: records[0].content_hash,
        records[2].iri: records[2].content_hash,
    }
    assert stored_hashes(sample_store, []) == {}


def test_a_bad_page_stops_the_load_after_the_pages_before_it(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    first = write_page(tmp_path / "a.json", sample_items[:4])
    broken = tmp_path / "b.json"
    broken.write_text('{"format": "linked-data-api", "result": {"items": [', encoding="utf-8")
    after = write_page(tmp_path / "c.json", sample_items[4:])
    store = pyoxigraph.Store()
    with pytest.raises(InputError, match="truncated JSON"):
        load_pages(store, (read_page(str(p)) for p in (first, broken, after)))
    alone = pyoxigraph.Store()
    load_pages(alone, [read_page(str(first))])
    assert triples(store) == triples(alone)


def test_the_warnings_tell_unknown_keys_from_keys_given_as_null() -> None:
    report = LoadReport(problems=["p.json item 2: a problem"])
    report.unknown_keys.update({"question.shoeSize": 3, "null value of answer": 1})
    report.unknown_keys.update({"null value of date": 2})
    assert report.warning_lines() == [
        "p.json item 2: a problem",
        "keys kg does not know, kept as parl: predicates: question.shoeSize (3)",
        "keys given as null, left out: answer (1), date (2)",
    ]
    report.count_warnings()
    assert report.warnings == 7
