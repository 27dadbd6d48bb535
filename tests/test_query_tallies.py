"""The canned queries that read tallies give the rows their scanning versions gave.

tests/reference_queries/ holds the versions of those queries that counted in the questions
(as they were before they read kg:AskingTally, kg:AnsweringTally, kg:AnswerTimeTally,
kg:DayTally and kg:MonthTally). Each rewritten query must return the same columns and rows, in the same order,
on the real sample, the hand-made fixture and a store of generated pages, with the parameters
the benchmark uses (bench/steps.py) and some more; and bound through VALUES (as for a remote
endpoint) as through substitutions.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from bench import generate
from bench.steps import query_calls
from kg.load import load_paths
from kg.output import plain_value
from kg.queries import CannedQuery, bind_parameters, execute, load_catalog, local_runner
from kg.query_values import with_values
from kg.sparql import QueryOutcome, run_query
from kg.tallies import are_kept, recount
from tests.conftest import write_page

HERE = Path(__file__).parent
CATALOG = load_catalog()
REFERENCE = load_catalog([HERE / "reference_queries"])
NAMES = sorted(REFERENCE)
KG = {"kg": "https://w3id.org/parliament-kg/def#"}

#: Parameter sets per store, beyond the benchmark's own calls (which the generated store gets).
EXTRA: dict[str, dict[str, list[dict[str, str]]]] = {
    "sample": {
        "departments": [{}, {"name": "work"}, {"name": "health"}],
        "department-members": [{"department": "29"}],
        "department-ministers": [{"department": "29"}],
        "department-answer-times": [{}, {"department": "29"}],
        "member-departments": [{"member": "4765"}],
        "member-profile": [{"member": "4765"}, {"member": "3926"}, {"member": "4142"}],
        "members": [{}, {"name": "chamberlain"}, {"name": "nobody"}],
        "monthly-questions": [{}, {"department": "29"}, {"from": "2023-05-17", "to": "2024-03-18"}],
        "late-answers": [{}, {"days": "0"}, {"days": "-1"}, {"days": "30"}, {"department": "29"}],
    },
    # The sample with two questions tabled at a time of day (xsd:dateTime), in March 2024.
    "timed": {
        "departments": [{}],
        "department-members": [{"department": "29"}],
        "department-ministers": [{"department": "29"}],
        "department-answer-times": [{}],
        "member-departments": [{"member": "4765"}],
        "member-profile": [{"member": "4765"}],
        "members": [{}],
        "monthly-questions": [
            {},
            {"from": "2024-03-01", "to": "2024-03-30"},
            {"from": "2024-03-18", "to": "2024-03-25"},
            {"from": "2024-03-19"},
            {"to": "2024-03-24"},
        ],
        "late-answers": [{}, {"days": "0"}],
    },
    "handmade": {
        "departments": [{}, {"name": "depart"}, {"name": "treasury"}],
        "department-members": [{"department": d} for d in ("17", "14", "60")],
        "department-ministers": [{"department": d} for d in ("17", "14", "60")],
        "department-answer-times": [{}, {"department": "17"}, {"department": "60"}],
        "member-departments": [{"member": m} for m in ("101", "102", "301", "303")],
        "member-profile": [{"member": m} for m in ("101", "102", "201", "203", "301", "302")],
        "members": [{}, {"name": "smith"}, {"name": "green"}, {"name": "white"}],
        "monthly-questions": [
            {},
            {"department": "17"},
            {"from": "2024-01-15"},
            {"from": "2024-01-15", "to": "2024-03-31"},
            {"department": "60", "to": "2023-12-31"},
        ],
        "late-answers": [
            {},
            {"days": "0"},
            {"days": "-100"},
            {"days": "1000"},
            *({"department": d, "days": "1"} for d in ("17", "14", "60")),
        ],
    },
    "generated": {
        "departments": [{"name": "office"}, {"name": "no such department"}],
        "department-members": [{"department": d} for d in ("1", "17", "31")],
        "department-ministers": [{"department": d} for d in ("1", "17", "31")],
        "department-answer-times": [{"department": "17"}],
        "member-departments": [{"member": m} for m in ("3001", "5000", "3307")],
        # 5328, 3307 and 3266 answer for departments (5328 in the Lords).
        "member-profile": [{"member": m} for m in ("3001", "5000", "5328", "3307", "3266")],
        "members": [{"name": "smith"}, {"name": "lord"}, {"name": "baroness"}],
        "monthly-questions": [
            {"from": "2020-02-15"},
            {"department": "1", "to": "2016-06-30"},
            {"from": "2019-03-10", "to": "2019-03-20"},
            {"department": "17", "from": "2015-01-01", "to": "2015-12-31"},
            {"from": "2019-03-01", "to": "2019-04-30"},
            {"to": "2019-02-28"},
            {"from": "2018-02-01", "to": "2018-02-28"},
        ],
        "late-answers": [
            {"days": "0"},
            {"days": "-1"},
            {"days": "60"},
            {"department": "1", "days": "5"},
            {"department": "17", "days": "1000"},
        ],
    },
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    """2,000 generated questions in two pages, loaded into an on-disk store one page at a time:
    the first by the bulk loader, the second page by page, so both keep the tallies."""
    pages = tmp_path_factory.mktemp("tally-pages")
    generate.generate(pages, questions=2000, seed=1, page_size=1000)
    store = pyoxigraph.Store(str(tmp_path_factory.mktemp("tally-store") / "store"))
    for page in sorted(pages.glob("page-*.json")):
        load_paths(store, [str(page)])
    assert are_kept(store)
    return store


#: Question (by UIN) → the date-time it is given as tabled, in the "timed" store.
TIMED = {"20427": "2024-03-25T10:00:00Z", "19185": "2024-03-18T23:30:00+01:00"}


@pytest.fixture(scope="module")
def timed(
    tmp_path_factory: pytest.TempPathFactory, sample_items: list[dict[str, Any]]
) -> pyoxigraph.Store:
    items = copy.deepcopy(sample_items)
    for item in items:
        if item["uin"] in TIMED:
            item["date"] = {"_value": TIMED[item["uin"]], "_datatype": "dateTime"}
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path_factory.mktemp("timed") / "page.json", items))])
    return store


def test_loads_keep_the_tallies_a_recount_gives(generated: pyoxigraph.Store) -> None:
    """The tallies the loads kept are those a recount computes (so the comparisons below test
    the queries on what loads write)."""
    query = (
        "SELECT ?s ?p ?o WHERE { VALUES ?kind { kg:AskingTally kg:AnsweringTally "
        "kg:AnswerTimeTally kg:DayTally kg:MonthTally } ?s a ?kind ; ?p ?o }"
    )
    kept = {tuple(map(str, (r["s"], r["p"], r["o"]))) for r in generated.query(query, prefixes=KG)}
    copy = pyoxigraph.Store()
    copy.extend(generated.quads_for_pattern(None, None, None))
    recount(copy)
    counted = {tuple(map(str, (r["s"], r["p"], r["o"]))) for r in copy.query(query, prefixes=KG)}
    assert len(kept) > 1000
    assert kept == counted


def calls(store: str) -> list[tuple[str, str, dict[str, str]]]:
    """(store, query, parameters) for every query: the extra sets, and on the generated store
    the benchmark's calls too."""
    out: list[tuple[str, str, dict[str, str]]] = []
    for name in NAMES:
        sets = list(EXTRA[store][name])
        if store == "generated":
            sets = [args for _, args in query_calls(name, CATALOG[name])] + sets
        out += [(store, name, args) for args in sets]
    return out


ALL_CALLS = calls("sample") + calls("timed") + calls("handmade") + calls("generated")


def rows(outcome: QueryOutcome) -> list[tuple[Any, ...]]:
    return [tuple(plain_value(v) for v in row) for row in outcome.rows]


def test_the_reference_queries_are_the_rewritten_ones() -> None:
    """Same names, titles, summaries, parameters and post-steps: only the SPARQL differs."""
    assert set(REFERENCE) <= set(CATALOG)
    for name, old in REFERENCE.items():
        new = CATALOG[name]
        assert (new.title, new.summary, new.parameters, new.post) == (
            old.title,
            old.summary,
            old.parameters,
            old.post,
        ), name
        assert new.text != old.text and new.reads_tallies and not old.reads_tallies, name
    # and every query that reads tallies has its scanning version here
    assert {name for name, query in CATALOG.items() if query.reads_tallies} == set(REFERENCE)


@pytest.mark.parametrize(("store_name", "name", "given"), ALL_CALLS)
def test_tallies_give_the_rows_of_the_scan(
    request: pytest.FixtureRequest, store_name: str, name: str, given: Mapping[str, str]
) -> None:
    store: pyoxigraph.Store = request.getfixturevalue(store_name)
    runner = local_runner(store)
    expected = execute(REFERENCE[name], given, runner)
    found = execute(CATALOG[name], given, runner)
    assert found.columns == expected.columns
    assert rows(found) == rows(expected)


def test_the_generated_store_has_something_to_compare(generated: pyoxigraph.Store) -> None:
    """The comparisons above are not of empty results."""
    runner = local_runner(generated)
    for name in NAMES:
        for _, args in query_calls(name, CATALOG[name]):
            assert execute(CATALOG[name], args, runner).rows, (name, args)
    assert len(execute(CATALOG["members"], {}, runner).rows) > 1000


@pytest.mark.parametrize(
    ("name", "given"), [(n, g) for s, n, g in calls("generated") if g and s == "generated"]
)
def test_values_binding_gives_the_same_rows(
    generated: pyoxigraph.Store, name: str, given: Mapping[str, str]
) -> None:
    """Bound through VALUES blocks (a remote endpoint), a rewritten query gives the rows its
    reference gives through substitutions."""
    query: CannedQuery = CATALOG[name]
    runner = local_runner(generated)
    local = runner(REFERENCE[name].text, bind_parameters(REFERENCE[name], given, runner))
    remote = run_query(generated, with_values(query.text, bind_parameters(query, given, runner)))
    assert remote.columns == local.columns
    assert rows(remote) == rows(local)


def test_questions_tabled_at_a_time_of_day_are_counted_in_their_day(
    timed: pyoxigraph.Store,
) -> None:
    query = "SELECT ?d WHERE { ?q <http://purl.org/dc/terms/date> ?d }"
    times = {str(r["d"].value) for r in timed.query(query)}
    assert set(TIMED.values()) <= times
    # March 2024: 20427 on the 25th and the five of the 18th (19185 among them), whether the
    # month is read whole (month tallies) or cut by from/to (day tallies); 19185's own day
    # is the 18th as written, whatever its offset.
    runner = local_runner(timed)
    for given, march in [
        ({}, 6),
        ({"from": "2024-03-01", "to": "2024-03-30"}, 6),
        ({"from": "2024-03-18", "to": "2024-03-24"}, 5),
        ({"from": "2024-03-19"}, 1),
    ]:
        found = rows(execute(CATALOG["monthly-questions"], given, runner))
        assert [row[-1] for row in found if row[0] == "2024-03"] == [march], given
