"""Tallies kept by loads must equal a recount from the records, whatever the loads did."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from bench import generate
from kg import ntriples, tallies, vocab
from kg.load import load_paths
from kg.reader import read_page
from kg.tally_changes import (
    ANSWERING,
    ASKING,
    DAY,
    MONTH,
    Share,
    Totals,
    contributions,
    lexical,
    month_of,
    record_contributions,
    records_contributions,
    with_months,
)
from tests.conftest import stored_tally_lines, write_page


def assert_tallies_recount(store: pyoxigraph.Store) -> set[str]:
    """The store's tallies are what a recount from its records gives; returns them."""
    kept = stored_tally_lines(store)
    tallies.recount(store)
    assert stored_tally_lines(store) == kept
    return kept


def count_of(lines: set[str], kind: str, predicate: str) -> int:
    """The sum of one count over every tally of a kind."""
    nodes = {line.split(" ")[0] for line in lines if line.endswith(f"<{vocab.KG}{kind}> .\n")}
    total = 0
    for line in lines:
        subject, p, rest = line.split(" ", 2)
        if subject in nodes and p == f"<{vocab.KG}{predicate}>":
            total += int(lexical(rest[:-3]))
    return total


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages")
    generate.generate(out, questions=1200, seed=3, page_size=300)
    return out


@pytest.mark.parametrize("bulk", [True, False])
def test_a_load_writes_the_tallies_a_recount_gives(tmp_path: Path, pages: Path, bulk: bool) -> None:
    store = pyoxigraph.Store(str(tmp_path / "store"))
    load_paths(store, [str(pages)], validate=False, bulk=bulk)
    lines = assert_tallies_recount(store)
    assert count_of(lines, "AskingTally", "questions") == 1200
    assert count_of(lines, "DayTally", "questions") == 1200
    assert count_of(lines, "MonthTally", "questions") == 1200
    assert count_of(lines, "AnsweringTally", "answers") == 1200
    months = [line for line in lines if line.split(" ")[1] == f"<{vocab.KG}month>"]
    assert months and all(line.endswith(f'"^^<{vocab.XSD}gYearMonth> .\n') for line in months)


@pytest.mark.parametrize("bulk", [True, False])
def test_tallies_stay_right_when_the_data_writes_dates_otherwise_than_the_store(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    # "…T00:00:00.000Z" is kept by Oxigraph as "…T00:00:00Z": kg writes that form, so that the
    # tallies it counted are found again when the questions are replaced.
    items = copy.deepcopy(sample_items)
    for item in items:
        item["date"] = {
            "_value": item["date"]["_value"] + "T00:00:00.000Z",
            "_datatype": "dateTime",
        }
        item["answer"]["dateOfAnswer"]["_value"] += "T09:30:00.500+00:00"
    changed = copy.deepcopy(items)
    for item in changed:
        item["hansardHeading"] = {"_value": "A heading changed since"}
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "a.json", items))], bulk=bulk)

    report = load_paths(store, [str(write_page(tmp_path / "b.json", changed))])

    assert_tallies_recount(store)
    # Each question: its heading, its content hash, the page it came from and, when the
    # clock's second turned between the loads, when it was loaded; its dates are not
    # written again (they were, twice over for the bulk load's: 55 and 46).
    assert report.replaced == 9
    assert report.triples_written == report.triples_removed in (27, 36)


@pytest.mark.parametrize("bulk", [True, False])
def test_values_the_shapes_refuse_do_not_share_a_tally_with_those_they_allow(
    tmp_path: Path, sample_items: list[dict[str, Any]], bulk: bool
) -> None:
    # A tally's IRI is made of lexical forms: a day given as plain text and the same day as
    # an xsd:date, or a member's IRI given as text, made one tally node of two counts.
    items = copy.deepcopy(sample_items[:3])
    items[1]["date"] = {"_value": items[2]["date"]["_value"]}
    items[2]["tablingMember"] = items[1]["tablingMember"]["_about"]
    store = pyoxigraph.Store()

    report = load_paths(
        store, [str(write_page(tmp_path / "a.json", items))], validate=False, bulk=bulk
    )

    lines = assert_tallies_recount(store)
    assert report.triples_written == len(store)
    assert count_of(lines, "DayTally", "questions") == 2
    assert count_of(lines, "AskingTally", "questions") == 2


def test_a_month_is_the_sum_of_its_days() -> None:
    dept = "<https://w3id.org/parliament-kg/id/department/1>"
    day = f'"2024-03-18"^^<{vocab.XSD}date>'
    shares = {
        (DAY, dept, day): Share(2),
        (DAY, dept, f'"2024-03-30T00:00:00"^^<{vocab.XSD}dateTime>'): Share(1),
        (DAY, dept, f'"2024-04-01"^^<{vocab.XSD}date>'): Share(4),
        (DAY, dept, '"not a date"'): Share(8),
    }
    months = {k: v.count for k, v in with_months(shares).items() if k[0] == MONTH}
    month = f'"{{}}"^^<{vocab.XSD}gYearMonth>'
    assert months == {
        (MONTH, dept, month.format("2024-03")): 3,
        (MONTH, dept, month.format("2024-04")): 4,
    }
    assert month_of(day) == month.format("2024-03") and month_of('"18/03/2024"') is None


def _items(pages: Path) -> list[dict[str, Any]]:
    return read_page(str(sorted(pages.glob("page-*.json"))[0])).items


def _changed(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Questions moved to other departments, members and days, answered on other days."""
    changed = copy.deepcopy(items[:40])
    for number, item in enumerate(changed):
        if number % 4 == 0:
            item["answeringDeptId"] = {"_value": "9999"}
        if number % 4 == 1:
            item["tablingMember"] = copy.deepcopy(items[-1]["tablingMember"])
        if number % 4 == 2:
            item["date"] = {"_value": "2013-01-02", "_datatype": "dateTime"}
        if number % 4 == 3:
            item["answer"]["dateOfAnswer"] = {"_value": "2031-05-06", "_datatype": "dateTime"}
    return changed


def test_replaced_and_changed_questions_keep_the_tallies(tmp_path: Path, pages: Path) -> None:
    store = pyoxigraph.Store(str(tmp_path / "store"))
    load_paths(store, [str(pages)], validate=False)
    changed = write_page(tmp_path / "changed.json", _changed(_items(pages)))
    load_paths(store, [str(changed)], validate=False)
    lines = assert_tallies_recount(store)
    assert any("2013-01-02" in line and "firstDate" in line for line in lines)
    assert any("2031-05-06" in line and "lastDate" in line for line in lines)
    # And back again: the first and last dates that went away are looked up in the store.
    load_paths(store, [str(sorted(pages.glob("page-*.json"))[0])], validate=False)
    lines = assert_tallies_recount(store)
    assert not any("2013-01-02" in line or "2031-05-06" in line for line in lines)
    assert count_of(lines, "AskingTally", "questions") == 1200


def test_a_store_without_tallies_is_recounted_before_a_load(tmp_path: Path, pages: Path) -> None:
    store = pyoxigraph.Store(str(tmp_path / "store"))
    load_paths(store, [str(pages)], validate=False)
    store.update(
        "DELETE { ?s ?p ?o } WHERE { VALUES ?kind { kg:AskingTally kg:AnsweringTally "
        "kg:AnswerTimeTally kg:DayTally kg:TallySet } ?s a ?kind ; ?p ?o }",
        prefixes={"kg": vocab.KG},
    )
    assert not tallies.are_kept(store)
    changed = write_page(tmp_path / "changed.json", _changed(_items(pages)))
    load_paths(store, [str(changed)], validate=False)
    assert tallies.are_kept(store)
    assert count_of(assert_tallies_recount(store), "AskingTally", "questions") == 1200


def test_invalid_questions_skipped_after_a_bulk_load_leave_no_tally(tmp_path: Path) -> None:
    faulty = tmp_path / "faulty"
    manifest = generate.generate(faulty, questions=400, seed=5, page_size=100, faults=8)
    store = pyoxigraph.Store(str(tmp_path / "store"))
    report = load_paths(store, [str(faulty)], on_invalid="skip")
    assert report.skipped_invalid > 0
    lines = assert_tallies_recount(store)
    kept = 400 - report.skipped_invalid
    # Questions without a department are in no tally.
    no_department = sum(1 for f in manifest["faults"] if f["kind"] == "missing_department")
    assert count_of(lines, "AskingTally", "questions") == kept - no_department


def test_contributions_of_a_question(sample_path: Path) -> None:
    from kg.convert import convert_item

    item = read_page(str(sample_path)).items[0]
    record = convert_item(item, where="sample")
    shares = contributions([record.iri], record.lines)
    department = f"<{vocab.department_iri('29')}>"
    member = "<http://data.parliament.uk/members/4765>"
    date = f'"2024-03-25"^^<{vocab.XSD}date>'
    assert shares[(ASKING, department, member)] == Share(1, [date])
    assert {key[0] for key in shares} == {"asking", "answering", "answer-time", "day"}
    totals = Totals()
    totals.add(shares)
    totals.add(shares)
    assert totals.tallies[(ASKING, department, member)].count == 2
    assert json.dumps(sorted(totals.lines())) == json.dumps(sorted(set(totals.lines())))


def test_one_record_read_quickly_gives_what_every_line_gives(pages: Path) -> None:
    from kg.convert import convert_item

    items = _items(pages)
    renamed = copy.deepcopy(items[0])
    renamed["answer"]["_about"] = renamed["_about"] + "/reply"  # not the API's answer name
    for number, item in enumerate([*items, renamed]):
        record = convert_item(item, where=f"item {number}")
        own = record.lines[: record.shared_from]
        quick = record_contributions(record.iri, own)
        assert quick == contributions([record.iri], record.lines)
        assert any(key[0] == ANSWERING for key in quick)


def _odd_records(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items whose tallied values are not one of each: the short way must give way."""
    base = items[0]
    two_askers = copy.deepcopy(base)
    member = two_askers["tablingMember"]
    other = {**member, "_about": "http://data.parliament.uk/members/1"}
    two_askers["tablingMember"] = [member, other]
    renamed = copy.deepcopy(base)
    renamed["answer"]["_about"] = renamed["_about"] + "/reply"
    two_answers = copy.deepcopy(base)
    second = {**two_answers["answer"], "_about": two_answers["_about"] + "/answer/2"}
    two_answers["answer"] = [two_answers["answer"], second]
    no_department = copy.deepcopy(base)
    del no_department["answeringDeptId"]
    surrogate = copy.deepcopy(base)
    surrogate["title"] = "\ud800"
    repeated = copy.deepcopy(base)
    repeated["tablingMember"] = [member, member]
    return [two_askers, renamed, two_answers, no_department, surrogate, repeated]


def test_totals_of_records_as_converted_are_the_totals_of_their_lines(pages: Path) -> None:
    from kg.convert import convert_item

    items = [
        item for path in sorted(pages.glob("page-*.json")) for item in read_page(str(path)).items
    ]
    odd = _odd_records(items)
    quick, slow = Totals(), Totals()
    for number, item in enumerate(items + odd):
        record = convert_item(item, where=f"item {number}")
        own = record.lines[: record.shared_from]
        quick.add_record(record.iri, own, record.tallied, subject=record.subject)
        slow.add(record_contributions(record.iri, own))
        assert record.subject == ntriples.iri(record.iri)
        if number < len(items):
            assert record.tallied is not None
    assert quick.tallies == slow.tallies
    assert sorted(quick.lines()) == sorted(slow.lines())
    for item in odd:  # each odd record alone, so one cannot hide another
        record = convert_item(item, where="odd")
        own = record.lines[: record.shared_from]
        alone, reference = Totals(), Totals()
        alone.add_record(record.iri, own, record.tallied, subject=record.subject)
        reference.add(record_contributions(record.iri, own))
        assert alone.tallies == reference.tallies


def test_contributions_of_records_as_converted_are_those_of_their_lines(pages: Path) -> None:
    from kg.convert import convert_item

    items = _items(pages)
    # the page's questions together, then each odd one alone (they share their IRI)
    for batch in [items, *([odd] for odd in _odd_records(items))]:
        records = [convert_item(item, where="item") for item in batch]
        quick = records_contributions((r.iri, r.lines[: r.shared_from], r.tallied) for r in records)
        every_line = [line for r in records for line in r.lines]
        assert quick == contributions([r.iri for r in records], every_line)
