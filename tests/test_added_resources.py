"""The department and house resources kg adds to the data (kg.added_resources)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pyoxigraph
import pytest

from kg import ntriples, vocab
from kg.added_resources import HOUSE_NAMES, department_of, house_of, shared_iri
from kg.convert import convert_item
from kg.errors import InputError
from kg.record import SharedTriples
from tests.test_convert import Q, objects, store_of

TYPE, LABEL = f"<{vocab.RDF_TYPE}>", f"<{vocab.RDFS}label>"
PREF_LABEL = f"<{vocab.SKOS}prefLabel>"
DEPT_ID, SHORT, SORT = (
    f"<{vocab.PARL}answeringDept{name}>" for name in ("Id", "ShortName", "SortName")
)

LORDS = "http://data.parliament.uk/terms/25277"


def _department(dept_id: str, *lines: str) -> SharedTriples:
    """The department's triples as expected: its type, then ``lines`` (each "predicate object")."""
    dept = f"<{vocab.KG_ID}department/{dept_id}>"
    about = [f"{dept} {TYPE} <{vocab.DEPARTMENT}> .\n"]
    about += [f"{dept} {line} .\n" for line in lines]
    return SharedTriples(dept, about, "".join(about).encode("utf-8"), True)


def test_the_department_of_a_sample_question(sample_items: list[dict[str, Any]]) -> None:
    expected = _department(
        "29",
        f'{DEPT_ID} "29"',
        f'{SHORT} "Work and Pensions"',
        f'{SORT} "Work and Pensions"',
        f'{LABEL} "Department for Work and Pensions"',
    )
    assert department_of(sample_items[0]) == expected


def test_a_department_takes_every_name_and_keeps_the_values_types() -> None:
    item = {
        "answeringDeptId": {"_value": 29},
        "answeringDeptShortName": {"_value": "Santé", "_lang": "fr"},
        "answeringDeptSortName": ["Sort", None, {"_about": "http://example.org/x"}],
        "AnsweringBody": [{"_value": "First name"}, "Second name", {"_value": ""}],
    }
    expected = _department(
        "29",
        f'{DEPT_ID} "29"^^<{vocab.XSD}integer>',
        f'{SHORT} "Santé"@fr',
        f'{SORT} "Sort"',  # the null and the resource are the question's to keep
        f'{LABEL} "First name"',
        f'{LABEL} "Second name"',
    )
    assert department_of(item) == expected


def test_a_department_id_is_made_safe_for_its_iri() -> None:
    found = department_of({"answeringDeptId": "a b>"})
    assert found is not None and found.subject == f"<{vocab.KG_ID}department/a%20b%3E>"
    assert found.lines[1] == f'{found.subject} {DEPT_ID} "a b>" .\n'


@pytest.mark.parametrize(
    "item",
    [{}, {"answeringDeptId": {"_value": ""}}, {"answeringDeptId": []}, {"AnsweringBody": "X"}],
    ids=["nothing", "empty id", "no value", "a name alone"],
)
def test_no_department_without_an_id(item: dict[str, Any]) -> None:
    assert department_of(item) is None


def test_a_department_is_made_once_per_distinct_values() -> None:
    # Remembered by the department's id with its four values, when all are text.
    item = {
        "answeringDeptId": {"_value": "cached-1"},
        "answeringDeptShortName": {"_value": "Short"},
        "answeringDeptSortName": [{"_value": "Sort"}],
        "AnsweringBody": {"_value": "Old name"},
    }
    first = department_of(item)
    assert first is not None
    assert department_of(copy.deepcopy(item)) is first
    renamed = {**item, "AnsweringBody": {"_value": "New name"}}
    again = department_of(renamed)
    assert again is not None and again is not first
    assert again.lines[-1] == f'{again.subject} {LABEL} "New name" .\n'
    assert first.lines[-1] == f'{first.subject} {LABEL} "Old name" .\n'
    assert department_of(item) == first  # the old values again: the old triples


def test_a_house_named_by_its_term_is_that_term(sample_items: list[dict[str, Any]]) -> None:
    # The data's own term: its triples are the item's (as a shared "house"), not kg's.
    assert house_of(sample_items[0]) == ("<http://data.parliament.uk/terms/25259>", None)
    odd = {
        "legislature": ["text", {"_about": 5}, {"_about": "http://data.parliament.uk/terms/1"}],
        "houseId": "2",
    }
    assert house_of(odd) == ("<http://data.parliament.uk/terms/1>", None)


@pytest.mark.parametrize(
    ("house_id", "name"),
    [("1", "House of Commons"), ("2", "House of Lords"), ("9", "House 9")],
)
def test_a_house_named_only_by_its_id_is_made_by_kg(house_id: str, name: str) -> None:
    # The two houses are the terms the API gives as legislature; another is kg's own.
    terms = {
        "1": "http://data.parliament.uk/terms/25259",
        "2": "http://data.parliament.uk/terms/25277",
    }
    house = f"<{terms.get(house_id, vocab.house_iri(house_id))}>"
    for item in (
        {"houseId": house_id},
        {"houseId": {"_value": house_id}},
        {"houseId": [house_id], "legislature": [{"prefLabel": "no _about"}]},
    ):
        found = house_of(item)
        assert found is not None
        subject, triples = found
        assert subject == house
        assert triples is not None
        lines = [f"{house} {TYPE} <{vocab.HOUSE}> .\n", f'{house} {PREF_LABEL} "{name}" .\n']
        assert triples == SharedTriples(house, lines, "".join(lines).encode(), True)


def test_the_names_of_the_houses() -> None:
    assert HOUSE_NAMES == {"1": "House of Commons", "2": "House of Lords"}


@pytest.mark.parametrize(
    "item",
    [{}, {"houseId": ""}, {"houseId": {"_value": ""}}, {"legislature": []}, {"houseId": None}],
    ids=["nothing", "empty id", "empty value", "no term", "null"],
)
def test_no_house_without_a_term_or_an_id(item: dict[str, Any]) -> None:
    assert house_of(item) is None


def test_shared_iri_is_the_iri_in_ntriples_remembered() -> None:
    value = "http://data.parliament.uk/members/4765"
    assert shared_iri(value) == ntriples.iri(value) == f"<{value}>"
    assert shared_iri(value) is shared_iri("".join(["http://data.parliament.uk/", "members/4765"]))
    assert shared_iri("http://example.org/a b") == "<http://example.org/a%20b>"


def test_a_converted_lords_question_links_the_house_and_department_kg_made() -> None:
    item = {
        "_about": Q + "900003",
        "answeringDeptId": {"_value": "1"},
        "AnsweringBody": {"_value": "Home Office"},
        "houseId": {"_value": "2"},
    }
    record = convert_item(item, where="t")
    q, house, dept = f"<{Q}900003>", f"<{LORDS}>", f"<{vocab.department_iri('1')}>"
    assert record.shared_from is not None
    own, shared = record.lines[: record.shared_from], record.lines[record.shared_from :]
    assert f"{q} <{vocab.ANSWERING_DEPARTMENT}> {dept} .\n" in own
    assert f"{q} <{vocab.IN_HOUSE}> {house} .\n" in own
    assert shared == [
        f"{dept} {TYPE} <{vocab.DEPARTMENT}> .\n",
        f'{dept} {DEPT_ID} "1" .\n',
        f'{dept} {LABEL} "Home Office" .\n',
        f"{house} {TYPE} <{vocab.HOUSE}> .\n",
        f'{house} {PREF_LABEL} "House of Lords" .\n',
    ]


def test_department_and_house_are_resources(sample_items: list[dict[str, Any]]) -> None:
    store = store_of(sample_items[0])
    q = Q + "1698517"
    dept = vocab.department_iri("29")
    assert objects(store, q, vocab.ANSWERING_DEPARTMENT) == [pyoxigraph.NamedNode(dept)]
    assert objects(store, dept, vocab.RDFS + "label") == [
        pyoxigraph.Literal("Department for Work and Pensions")
    ]
    assert objects(store, dept, vocab.RDF_TYPE) == [pyoxigraph.NamedNode(vocab.DEPARTMENT)]
    commons = "http://data.parliament.uk/terms/25259"
    assert objects(store, q, vocab.IN_HOUSE) == [pyoxigraph.NamedNode(commons)]
    assert objects(store, commons, vocab.RDF_TYPE) == [pyoxigraph.NamedNode(vocab.HOUSE)]


@pytest.mark.parametrize(
    "odd",
    [{"AnsweringBody": []}, {"_about": "http://example.org/x", "label": "x"}, None, [["x"]]],
    ids=["object without _value", "resource", "null", "list in a list"],
)
def test_an_odd_department_value_converts_the_same_every_time(
    sample_items: list[dict[str, Any]], odd: Any
) -> None:
    # The department's triples are cached by its values: the first conversion of an item must
    # give what the next ones give, the department's odd value kept by the question alone.
    item = copy.deepcopy(sample_items[0])
    item["answeringDeptId"] = {"_value": "odd-department-" + json.dumps(odd)}
    item["answeringDeptShortName"] = odd
    try:
        first = convert_item(item, where="t")
    except InputError:
        with pytest.raises(InputError):
            convert_item(item, where="t")
        return
    again = convert_item(item, where="t")
    assert (again.lines, again.content_hash) == (first.lines, first.content_hash)
    assert again.unknown_keys == first.unknown_keys
    department = next(line for line in first.lines if "/department/odd" in line.split()[0])
    short_name = f"<{vocab.PARL}answeringDeptShortName>"
    assert not [
        line
        for line in first.lines
        if line.startswith(department.split()[0]) and short_name in line
    ]


def test_a_question_without_a_legislature_is_in_the_same_house_as_one_with_it(
    sample_items: list[dict[str, Any]],
) -> None:
    # 19185 and 19186 are grouped, tabled the same day in the Commons; one names no legislature.
    items = [copy.deepcopy(i) for i in sample_items if i["uin"] in ("19185", "19186")]
    del items[0]["legislature"]
    store = pyoxigraph.Store()
    for item in items:
        store.load(b"".join(ntriples.utf8(line) for line in convert_item(item, where="t").lines),
                   pyoxigraph.RdfFormat.N_TRIPLES)  # fmt: skip
    houses = {
        q.object for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(vocab.IN_HOUSE), None)
    }
    assert houses == {pyoxigraph.NamedNode("http://data.parliament.uk/terms/25259")}
    records = [convert_item(item, where="t") for item in items]
    assert records[0].group_key == records[1].group_key  # so the two are linked as grouped
