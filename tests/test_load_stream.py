"""What a bulk load streams to Oxigraph, page by page."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pyoxigraph
import rdflib

from kg import vocab
from kg.groups import GroupIndex, link_lines
from kg.load import convert_page, provenance_lines
from kg.load_stream import STREAMED_QUESTION_IRI, LoadStream, shared_lines_only_of
from kg.paths import shapes_dir
from kg.tally_changes import Totals

LOADED_AT = "2026-12-04T10:00:00Z"


def parsed(data: bytes) -> set[pyoxigraph.Triple]:
    return set(pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_TRIPLES))


def lines_parsed(lines: list[str]) -> set[pyoxigraph.Triple]:
    return parsed("".join(lines).encode("utf-8"))


def test_a_page_streams_its_records_their_shared_triples_and_provenance(
    sample_items: list[dict[str, Any]],
) -> None:
    converted = convert_page("page.json", sample_items)
    records, numbers = converted.records, converted.numbers
    stream = LoadStream(loaded_at=LOADED_AT)

    data, message = stream.page("page.json", sample_items, converted)

    expected = [line for r in records.values() for line in r.lines]
    expected += [
        line
        for r in records.values()
        for line in provenance_lines(r, source="page.json", loaded_at=LOADED_AT)
    ]
    assert parsed(data) == lines_parsed(expected)
    assert data.count(b"\n") == len(set(expected))  # each shared triple once
    meta = json.loads(message)
    assert meta["source"] == "page.json"
    assert (meta["items"], meta["triples"], meta["conflicts"]) == (9, len(set(expected)), [])
    assert [row[0] for row in meta["records"]] == list(records)
    assert [row[2] for row in meta["records"]] == [numbers[iri] for iri in records]


def test_a_record_given_again_is_skipped_and_a_changed_one_is_a_conflict(
    sample_items: list[dict[str, Any]],
) -> None:
    stream = LoadStream(loaded_at=LOADED_AT)
    stream.page("one.json", sample_items, convert_page("one.json", sample_items))
    changed = copy.deepcopy(sample_items[:2])
    changed[1]["hansardHeading"] = {"_value": "A heading changed since"}
    converted = convert_page("two.json", changed)

    data, message = stream.page("two.json", changed, converted)

    meta = json.loads(message)
    assert data == b""
    assert meta["records"] == []
    assert meta["conflicts"] == [[2, changed[1]]]  # its number on the page, and the item
    assert (meta["items"], meta["triples"]) == (2, 0)


def test_shared_triples_already_streamed_are_not_streamed_again(
    sample_items: list[dict[str, Any]],
) -> None:
    stream = LoadStream(loaded_at=LOADED_AT)
    first = sample_items[:1]
    # The same question at another IRI: its answer and other parts moved under it.
    moved = json.dumps(first).replace(first[0]["_about"], vocab.PARLIAMENT_RESOURCES + "999999999")
    second = json.loads(moved)
    first_data, _ = stream.page("one.json", first, convert_page("one.json", first))
    converted = convert_page("two.json", second)
    records = converted.records

    data, _ = stream.page("two.json", second, converted)

    (record,) = records.values()
    shared = lines_parsed(record.lines[record.shared_from :])
    assert shared and shared <= parsed(first_data)
    assert not shared & parsed(data)
    own = lines_parsed(record.lines[: record.shared_from])
    assert own <= parsed(data)


def test_the_end_links_the_grouped_questions_and_counts_every_record_streamed(
    sample_items: list[dict[str, Any]],
) -> None:
    stream = LoadStream(loaded_at=LOADED_AT)
    first, second = sample_items[:4], sample_items[4:]  # the group of five spans both pages
    records = {}
    for name, items in (("one.json", first), ("two.json", second)):
        converted = convert_page(name, items)
        records.update(converted.records)
        stream.page(name, items, converted)
    totals = Totals()
    for iri, record in records.items():
        totals.add_record(iri, record.lines[: record.shared_from], record.tallied)
    index = GroupIndex()
    for iri, record in records.items():
        index.add(iri, record.uin, record.group_key, record.grouped_uins)

    data, message = stream.end()

    links = link_lines(index.pairs())
    assert len(links) == 5 * 4  # 19185-19189: each linked to the four others
    assert parsed(data) == lines_parsed(links) | lines_parsed(totals.lines())
    assert data.count(b"\n") == len(links) + len(totals.lines())
    assert json.loads(message) == {
        "links": 20,
        "tallies": len(totals.lines()),
        "label_sightings": [],
    }
    assert any(t.object == pyoxigraph.NamedNode(vocab.ASKING_TALLY) for t in parsed(data))


def _shared_lines(items: list[dict[str, Any]]) -> list[set[pyoxigraph.Triple]]:
    """Each item's shared triples, as the converter makes them."""
    records = convert_page("any.json", items).records.values()
    return [lines_parsed(r.lines[r.shared_from :]) for r in records]


def test_the_shared_triples_only_some_records_gave_are_known_after_the_stream(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    items = copy.deepcopy(sample_items[:3])
    items[1]["tablingMember"]["label"] = {"_value": "Biography information for Another Name"}
    items[2]["answeringDeptShortName"] = {"_value": "A Department Renamed"}
    stream = LoadStream(loaded_at=LOADED_AT, keep_contributions=True)
    stream.page("one.json", items[:2], convert_page("one.json", items[:2]))
    stream.page("two.json", items[2:], convert_page("two.json", items[2:]))
    stream.end()
    shared = _shared_lines(items)

    assert stream.save_contributions(tmp_path)

    only_second = shared_lines_only_of(tmp_path, [1])
    only_last_two = shared_lines_only_of(tmp_path, [1, 2])
    assert only_second is not None and only_last_two is not None
    assert lines_parsed(only_second) == shared[1] - shared[0] - shared[2]
    assert lines_parsed(only_last_two) == (shared[1] | shared[2]) - shared[0]
    assert len(only_second) == 1 and "Another Name" in only_second[0]
    assert len(only_last_two) == 2
    assert shared_lines_only_of(tmp_path, []) == []
    assert lines_parsed(shared_lines_only_of(tmp_path, [0, 1, 2]) or []) == set().union(*shared)


def test_a_stream_past_its_memory_of_shared_triples_no_longer_says_who_gave_them(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    stream = LoadStream(loaded_at=LOADED_AT, keep_contributions=True, shared_memory=3)
    stream.page("one.json", sample_items[:2], convert_page("one.json", sample_items[:2]))

    assert not stream.save_contributions(tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert shared_lines_only_of(tmp_path, [0]) is None


def test_a_stream_keeps_who_gave_the_shared_triples_only_when_asked(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    stream = LoadStream(loaded_at=LOADED_AT)
    stream.page("one.json", sample_items[:2], convert_page("one.json", sample_items[:2]))

    assert not stream.save_contributions(tmp_path)
    assert shared_lines_only_of(tmp_path, [0]) is None


def test_the_questions_streamed_are_those_named_as_the_shapes_name_a_question() -> None:
    # Any other is loaded apart (validated before it is written): the two patterns must agree.
    shapes = rdflib.Graph().parse(shapes_dir() / "question.ttl")
    shape = rdflib.URIRef("https://w3id.org/parliament-kg/shapes#Question")
    pattern = shapes.value(shape, rdflib.SH.pattern)
    assert str(pattern) == f"^{STREAMED_QUESTION_IRI.pattern}$"
