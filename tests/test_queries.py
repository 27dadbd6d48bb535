"""The canned queries' catalogue, their parameters, and the same queries on a remote endpoint
(VALUES blocks instead of substitutions). Each query's rows: test_canned_questions.py and
test_canned_people.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyoxigraph
import pytest

from kg.errors import QueryError
from kg.queries import (
    CannedQuery,
    bind_parameters,
    execute,
    find_query,
    local_runner,
    parse_assignments,
    parse_query,
)
from kg.query_values import with_values
from kg.sparql import run_query
from tests.canned_facts import CATALOG, rows, run

# --- The catalogue ------------------------------------------------------------------------


def test_catalog_lists_every_query_with_its_parameters() -> None:
    assert {name: [p.describe() for p in q.parameters] for name, q in CATALOG.items()} == {
        "corrections": ["department (department, optional)"],
        "department-answer-times": ["department (department, optional)"],
        "department-members": ["department (department, required)"],
        "department-ministers": ["department (department, required)"],
        "departments": ["name (text, optional)"],
        "find-questions": ["text (text, optional)", "heading (text, optional)"],
        "grouped-questions": ["department (department, optional)"],
        "late-answers": ["days (integer, default 10)", "department (department, optional)"],
        "member-departments": ["member (member, required)"],
        "member-profile": ["member (member, required)"],
        "member-questions": ["member (member, required)"],
        "members": ["name (text, optional)"],
        "monthly-questions": [
            "department (department, optional)",
            "from (date, optional)",
            "to (date, optional)",
        ],
    }
    for query in CATALOG.values():
        assert query.title and query.summary and "\n" not in query.summary
        assert query.text.count("PREFIX ") >= 1, "each query carries its own PREFIX lines"
        assert "ox:" not in query.text and "oxigraph" not in query.text.lower()


def test_header_post_steps_and_notes() -> None:
    query = CATALOG["grouped-questions"]
    assert query.post == (
        ("sort-list", ("uins", ",")),
        ("sort-list", ("askedBy", ";")),
        ("plain-text", ("answer",)),
    )
    assert CATALOG["department-answer-times"].post == (("answer-times", ()),)
    assert CATALOG["late-answers"].parameter("days") is not None
    assert CATALOG["late-answers"].parameters[0].default == "10"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("# summary: s\nSELECT ?x WHERE {}", "the header has no '# title:' line"),
        ("# title: t\nSELECT ?x WHERE {}", "the header has no '# summary:' line"),
        (
            "# title: t\n# summary: s\n# param: x\nSELECT ?x WHERE {}",
            "malformed parameter line 'x'",
        ),
        (
            "# title: t\n# summary: s\n# param: x colour required\nSELECT ?x WHERE {}",
            "parameter x: unknown type 'colour'",
        ),
        (
            "# title: t\n# summary: s\n# param: y text required\nSELECT ?x WHERE {}",
            "parameter y: the query has no ?y",
        ),
        (
            "# title: t\n# summary: s\n# post: shuffle\nSELECT ?x WHERE {}",
            "unknown post-step 'shuffle'",
        ),
        ("# title: t\n# summary: s\nASK { ?s ?p ?o }", "a canned query must be a SELECT query"),
    ],
)
def test_bad_headers_are_named(header: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(Path("bad.rq"), header)
    assert caught.value.what == message
    assert caught.value.where == "bad.rq"


def test_unknown_query_name_suggests_the_nearest() -> None:
    with pytest.raises(QueryError) as caught:
        find_query(CATALOG, "member-question")
    assert caught.value.line() == (
        "member-question: there is no canned query of that name — "
        "did you mean member-questions, members or monthly-questions?"
    )
    with pytest.raises(QueryError) as caught:
        find_query(CATALOG, "zzz")
    assert caught.value.hint == "kg queries lists them"


# --- Parameters ---------------------------------------------------------------------------


def test_parameters_become_terms(sample: pyoxigraph.Store) -> None:
    runner = local_runner(sample)
    assert bind_parameters(CATALOG["late-answers"], {}, runner) == {
        "days": pyoxigraph.Literal("10", datatype=pyoxigraph.NamedNode(XSD + "integer"))
    }
    bound = bind_parameters(
        CATALOG["monthly-questions"], {"from": "2024-01-01", "department": "29"}, runner
    )
    assert bound == {
        "department": pyoxigraph.NamedNode("https://w3id.org/parliament-kg/id/department/29"),
        "from": pyoxigraph.Literal("2024-01-01", datatype=pyoxigraph.NamedNode(XSD + "date")),
    }
    one_day = {"from": "2024-01-01", "to": "2024-01-01"}
    assert set(bind_parameters(CATALOG["monthly-questions"], one_day, runner)) == {"from", "to"}
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    assert bind_parameters(CATALOG["find-questions"], {"text": hostile}, runner) == {
        "text": pyoxigraph.Literal(hostile)
    }


XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("name", "given", "line"),
    [
        (
            "member-questions",
            {},
            "member-questions: the parameter member is missing — "
            "give --param member=<member id, IRI or name>",
        ),
        (
            "late-answers",
            {"days": "ten"},
            "--param days=ten: not an integer — give a whole number, e.g. 10",
        ),
        (
            "monthly-questions",
            {"from": "2024-02-30"},
            "--param from=2024-02-30: not a date — give a date as YYYY-MM-DD, e.g. 2024-03-18",
        ),
        (
            "monthly-questions",
            {"from": "18/03/2024"},
            "--param from=18/03/2024: not a date — give a date as YYYY-MM-DD, e.g. 2024-03-18",
        ),
        (
            "monthly-questions",
            {"from": "2024-05-01", "to": "2024-04-30"},
            "monthly-questions --param from=2024-05-01 --param to=2024-04-30: from is after to,"
            " so no day is in between — swap them",
        ),
        (
            "late-answers",
            {"dayz": "3"},
            "late-answers --param dayz: no such parameter — its parameters: days, department",
        ),
        (
            "member-questions",
            {"member": "  "},
            "--param member=  : an empty member — give an id, an IRI or a name",
        ),
    ],
)
def test_missing_and_malformed_parameters(
    sample: pyoxigraph.Store, name: str, given: dict[str, str], line: str
) -> None:
    with pytest.raises(QueryError) as caught:
        bind_parameters(CATALOG[name], given, local_runner(sample))
    assert caught.value.line() == line


def test_assignments() -> None:
    assert parse_assignments(["member=4765", "text=a=b"]) == {"member": "4765", "text": "a=b"}
    with pytest.raises(QueryError) as caught:
        parse_assignments(["member"])
    assert caught.value.line() == "--param member: expected NAME=VALUE — e.g. --param member=4765"
    with pytest.raises(QueryError) as caught:
        parse_assignments(["member=4765", "member=3926"])
    assert caught.value.line() == "--param member: given twice — give each parameter once"


# --- The same queries on a remote endpoint: VALUES instead of substitutions ----------------

PARAMETER_SETS: dict[str, list[dict[str, str]]] = {
    "corrections": [{}, {"department": "60"}, {"department": "17"}],
    "department-answer-times": [{}, {"department": "17"}],
    "department-members": [{"department": "17"}, {"department": "14"}],
    "department-ministers": [{"department": "17"}, {"department": "60"}],
    "departments": [{}, {"name": "depart"}, {"name": "treasury"}],
    "find-questions": [
        {"text": "dentists"},
        {"heading": "hospitals"},
        {"text": "nhs", "heading": "dentistry"},
        {},
    ],
    "grouped-questions": [{}, {"department": "17"}, {"department": "14"}],
    "late-answers": [{}, {"days": "3"}, {"days": "3", "department": "14"}],
    "member-departments": [{"member": "101"}, {"member": "102"}],
    "member-profile": [{"member": "101"}, {"member": "302"}, {"member": "203"}],
    "member-questions": [{"member": "101"}, {"member": "301"}],
    "members": [{}, {"name": "smith"}, {"name": "green"}],
    "monthly-questions": [
        {},
        {"department": "17"},
        {"from": "2024-01-15"},
        {"from": "2024-01-15", "to": "2024-03-31"},
    ],
}


def test_every_query_has_parameter_sets_for_the_remote_check() -> None:
    assert set(PARAMETER_SETS) == set(CATALOG)


@pytest.mark.parametrize(
    ("name", "given"), [(n, g) for n, sets in PARAMETER_SETS.items() for g in sets]
)
def test_values_binding_gives_the_same_rows_as_substitutions(
    handmade: pyoxigraph.Store, name: str, given: Mapping[str, str]
) -> None:
    query: CannedQuery = CATALOG[name]
    runner = local_runner(handmade)
    bindings = bind_parameters(query, given, runner)
    local = runner(query.text, bindings)
    # A runner without substitutions: the query text with VALUES blocks, standard SPARQL.
    remote = run_query(handmade, with_values(query.text, bindings))
    assert remote.columns == local.columns
    assert rows(remote) == rows(local)


def test_the_remote_check_finds_rows_for_every_query(handmade: pyoxigraph.Store) -> None:
    for name, sets in PARAMETER_SETS.items():
        assert run(handmade, name, **sets[0])[1], f"{name} {sets[0]} finds nothing"


@pytest.mark.parametrize("name", ["corrections", "grouped-questions", "department-answer-times"])
def test_post_steps_give_the_same_rows_streamed(handmade: pyoxigraph.Store, name: str) -> None:
    query = find_query(CATALOG, name)
    runner = local_runner(handmade, timeout=30)
    listed = execute(query, {}, runner)
    streamed = execute(query, {}, runner, stream=True)
    assert isinstance(listed.rows, list) and listed.rows
    assert streamed.columns == listed.columns
    # answer-times sums every row up; the other post-steps change each row as it comes
    assert isinstance(streamed.rows, list) == (name == "department-answer-times")
    assert streamed.row_list() == listed.rows
