"""Members and departments named by id, IRI or name (kg/resolve.py), as the canned queries'
parameters take them. The stores are the real sample (member 4765, Wendy Chamberlain, asked
the Department for Work and Pensions, 29) and the hand-made fixture (tests/fixtures/handmade/,
its facts listed in tests/canned_facts.py)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg.errors import QueryError
from kg.load import load_paths
from kg.queries import bind_parameters, execute, load_catalog, local_runner
from kg.resolve import resolve
from kg.sparql import QueryOutcome, Term
from tests.conftest import write_page

CATALOG = load_catalog()


def member_of(store: pyoxigraph.Store, value: str) -> str:
    bound = bind_parameters(CATALOG["member-questions"], {"member": value}, local_runner(store))
    return bound["member"].value


def department_of(store: pyoxigraph.Store, value: str) -> str:
    bound = bind_parameters(
        CATALOG["department-members"], {"department": value}, local_runner(store)
    )
    return bound["department"].value


M = "http://data.parliament.uk/members/"
D = "https://w3id.org/parliament-kg/id/department/"


def test_member_by_id_iri_or_name(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    assert member_of(sample, "4765") == M + "4765"
    assert member_of(sample, M + "3926") == M + "3926"  # a minister: answering member only
    assert member_of(sample, "wendy CHAMBERLAIN") == M + "4765"
    assert member_of(sample, "Maynard") == M + "3926"  # part of a name, one member
    assert member_of(handmade, "alice smith") == M + "101"
    # "Lord Green" is part of "Lord Greenwood" too: the exact name wins.
    assert member_of(handmade, "LORD GREEN") == M + "301"
    assert member_of(handmade, "greenwood") == M + "303"


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "smith",
            "--param member=smith: the name matches 2 members: Alice Smith (101), "
            "Bob Smith (102) — give the member's id instead",
        ),
        (
            "Nobody Atall",
            "--param member=Nobody Atall: no member of that name in the store — "
            "kg query members --param name=PART lists them",
        ),
        (
            "9999",
            "--param member=9999: no such member in the store — "
            "kg query members --param name=PART finds one",
        ),
        (
            "http://data.parliament.uk/members/9999",
            "--param member=http://data.parliament.uk/members/9999: no such member in the store — "
            "kg query members --param name=PART finds one",
        ),
    ],
)
def test_member_errors(handmade: pyoxigraph.Store, value: str, line: str) -> None:
    with pytest.raises(QueryError) as caught:
        member_of(handmade, value)
    assert caught.value.line() == line


def test_department_by_id_iri_or_name(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    assert department_of(sample, "29") == D + "29"
    assert department_of(sample, "work and pensions") == D + "29"
    assert department_of(sample, "Department for Work and Pensions") == D + "29"
    assert department_of(handmade, D + "14") == D + "14"
    assert department_of(handmade, "hm treasury") == D + "14"
    assert department_of(handmade, "HEALTH") == D + "17"
    with pytest.raises(QueryError) as caught:
        department_of(handmade, "depart")
    assert caught.value.line() == (
        "--param department=depart: the name matches 2 departments: "
        "Department of Health and Social Care (17), Department for Education (60) — "
        "give the department's id instead"
    )
    with pytest.raises(QueryError) as caught:
        department_of(handmade, "Defence")
    assert caught.value.what == "no department of that name in the store"
    with pytest.raises(QueryError) as caught:
        department_of(handmade, "99")
    assert caught.value.line() == (
        "--param department=99: no such department in the store — kg query departments finds one"
    )


def test_resolve_answers_through_any_runner(handmade: pyoxigraph.Store) -> None:
    asked: list[str] = []
    runner = local_runner(handmade)

    def counting(
        text: str, bindings: Mapping[str, Term], /, *, stream: bool = False
    ) -> QueryOutcome:
        asked.append(text)
        return runner(text, bindings, stream=stream)

    assert resolve("member", "bob smith", counting).value == M + "102"
    assert resolve("department", "14", counting, where="here").value == D + "14"
    assert len(asked) == 2  # one look-up each: the member by name, the department by its IRI


@pytest.mark.parametrize(
    ("given_id", "stored"),
    [({"_value": "029", "_datatype": "integer"}, "029"), ("29 A", "29%20A")],
)
def test_a_department_by_name_is_the_one_stored_whatever_its_id(
    tmp_path: Path, sample_items: list[dict[str, Any]], given_id: Any, stored: str
) -> None:
    # The department's IRI is made from the id as the page writes it: found by name, it is
    # that IRI (taken from the store), and the questions are found by either.
    items = copy.deepcopy(sample_items[:3])
    for item in items:
        item["answeringDeptId"] = given_id
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "page.json", items))])
    assert department_of(store, "work and pensions") == D + stored
    runner = local_runner(store)
    for value in ("work and pensions", D + stored):
        found = execute(CATALOG["late-answers"], {"department": value, "days": "0"}, runner)
        assert len(found.row_list()) == 3, value
