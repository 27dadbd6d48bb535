"""The canned queries: catalogue, parameters, and exact rows on the real sample and a fixture.

The real sample (samples/answeredquestions-children-maintenance.json) holds nine Commons
questions tabled by Wendy Chamberlain (member 4765, North East Fife) to the Department for Work
and Pensions (department 29, short name "Work and Pensions"), all under the heading
"Children: Maintenance". Read from the JSON, item by item (uin: tabled → answered, by whom,
days = answered - tabled):

    20427   2024-03-25 → 2024-04-16  Paul Maynard (3926)   22 days
    19185   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } one group: each answer's
    19186   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } groupedQuestionUIN lists
    19187   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } the four others, and the
    19188   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } five answer texts are the
    19189   2024-03-18 → 2024-03-26  Paul Maynard           8 days  } same
    185646  2023-05-17 → 2023-05-24  Mims Davies (4513)     7 days
    185648  2023-05-17 → 2023-05-22  Mims Davies            5 days
    147074  2021-02-01 → 2021-02-04  Guy Opperman (4142)    3 days

None is a ministerial correction, none has a previous answer version, none is a Lords question.
The hand-made fixture (tests/fixtures/handmade/) covers those; its facts are listed above
``HANDMADE`` below.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg import vocab
from kg.errors import QueryError
from kg.queries import (
    CannedQuery,
    bind_parameters,
    execute,
    find_query,
    load_catalog,
    local_runner,
    parse_assignments,
    parse_query,
    run_canned,
)
from kg.query_values import with_values
from kg.sparql import QueryOutcome, run_query

HERE = Path(__file__).parent
HANDMADE_DIR = HERE / "fixtures" / "handmade"
CATALOG = load_catalog()

# The hand-made fixture (commons.json and lords.json), as written there:
#
#   res   uin     house    asked by              dept (id)          tabled      answered    by              days
#   9001  1001    Commons  Alice Smith (101)     Health (17)        2024-01-08  2024-01-11  Carol Jones      3
#   9002  1002    Commons  Alice Smith           Health             2024-01-08  2024-01-12  Carol Jones      4  grouped with 1003
#   9003  1003    Commons  Bob Smith (102)       Health             2024-01-08  2024-01-12  Carol Jones      4  grouped with 1002
#   9004  1004    Commons  Bob Smith             Health             2024-02-05  2024-02-25  Carol Jones     20
#   9101  2001    Commons  Alice Smith           Treasury (14)      2024-03-04  2024-03-07  Dan Brown        3
#   9102  2002    Commons  Bob Smith             Treasury           2024-03-04  2024-03-14  Dan Brown       10
#   9201  3001    Commons  Alice Smith           Education (60)     2024-04-02  2024-04-09  members/0        7  (placeholder)
#   9202  1001    Commons  Bob Smith             Education          2023-06-05  2023-06-21  Erin Black       7  correction, first answered 2023-06-12
#   9301  HL1234  Lords    Lord Green (301)      Health             2024-01-15  2024-01-29  Baroness White  14
#   9302  HL1235  Lords    Lord Greenwood (303)  Health             2024-01-15  2024-01-22  Baroness White   7
#
# Constituencies: Alice Smith Northtown, Bob Smith Southville, Carol Jones (201) Eastham,
# Dan Brown (202) Westford, Erin Black (203) Midvale; Lords members have none. Health is
# "Department of Health and Social Care" (short "Health and Social Care"), Treasury is
# "HM Treasury" ("Treasury"), Education is "Department for Education" ("Education").
# 9202's answer is a ministerial correction of a previous version answered 2023-06-12 by Erin
# Black ("The figure is 10."); UIN 1001 is used twice (9001 in 2024, 9202 in 2023).


def plain(term: Any) -> Any:
    from kg.output import plain_value

    return plain_value(term)


def rows(outcome: QueryOutcome) -> list[tuple[Any, ...]]:
    return [tuple(plain(v) for v in row) for row in outcome.rows]


def run(
    store: pyoxigraph.Store, query: str, /, **params: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    outcome = run_canned(store, query, params, catalog=CATALOG)
    return outcome.columns, rows(outcome)


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


# --- Each query on the real sample and on the fixture ------------------------------------

WP = "Work and Pensions"
CM = "Children: Maintenance"
HSC = "Health and Social Care"


def test_member_questions(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # All nine questions are Wendy Chamberlain's; newest first, then by UIN (as text).
    columns, found = run(sample, "member-questions", member="4765")
    assert columns == ["uin", "tabled", "department", "heading", "answeredBy", "answered", "days"]
    assert found == [
        ("20427", "2024-03-25", WP, CM, "Paul Maynard", "2024-04-16", 22),
        ("19185", "2024-03-18", WP, CM, "Paul Maynard", "2024-03-26", 8),
        ("19186", "2024-03-18", WP, CM, "Paul Maynard", "2024-03-26", 8),
        ("19187", "2024-03-18", WP, CM, "Paul Maynard", "2024-03-26", 8),
        ("19188", "2024-03-18", WP, CM, "Paul Maynard", "2024-03-26", 8),
        ("19189", "2024-03-18", WP, CM, "Paul Maynard", "2024-03-26", 8),
        ("185646", "2023-05-17", WP, CM, "Mims Davies", "2023-05-24", 7),
        ("185648", "2023-05-17", WP, CM, "Mims Davies", "2023-05-22", 5),
        ("147074", "2021-02-01", WP, CM, "Guy Opperman", "2021-02-04", 3),
    ]
    # A minister asked nothing.
    assert run(sample, "member-questions", member="Paul Maynard")[1] == []
    # Alice Smith asked four questions in three departments; 3001's answer has the
    # placeholder member 0 and no printed name, so "answeredBy" is empty.
    assert run(handmade, "member-questions", member="101")[1] == [
        ("3001", "2024-04-02", "Education", "Schools: Buildings", None, "2024-04-09", 7),
        ("2001", "2024-03-04", "Treasury", "Income Tax", "Dan Brown", "2024-03-07", 3),
        ("1001", "2024-01-08", HSC, "NHS: Dentistry", "Carol Jones", "2024-01-11", 3),
        ("1002", "2024-01-08", HSC, "Hospitals: Parking", "Carol Jones", "2024-01-12", 4),
    ]


def test_member_departments(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # One department: the nine questions, first tabled 2021-02-01, last 2024-03-25.
    columns, found = run(sample, "member-departments", member="4765")
    assert columns == ["departmentId", "department", "questions", "firstAsked", "lastAsked"]
    assert found == [("29", WP, 9, "2021-02-01", "2024-03-25")]
    # Bob Smith: Health 1003 and 1004 (2), then Education 1001 and Treasury 2002 (1 each,
    # ties by name).
    assert run(handmade, "member-departments", member="bob smith")[1] == [
        ("17", HSC, 2, "2024-01-08", "2024-02-05"),
        ("60", "Education", 1, "2023-06-05", "2023-06-05"),
        ("14", "Treasury", 1, "2024-03-04", "2024-03-04"),
    ]


def test_department_members(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    columns, found = run(sample, "department-members", department="29")
    assert columns == ["member", "memberId", "questions", "firstAsked", "lastAsked"]
    assert found == [("Wendy Chamberlain", "4765", 9, "2021-02-01", "2024-03-25")]
    # Health: Alice 1001+1002, Bob 1003+1004, the two Lords one each (ties by name).
    assert run(handmade, "department-members", department="17")[1] == [
        ("Alice Smith", "101", 2, "2024-01-08", "2024-01-08"),
        ("Bob Smith", "102", 2, "2024-01-08", "2024-02-05"),
        ("Lord Green", "301", 1, "2024-01-15", "2024-01-15"),
        ("Lord Greenwood", "303", 1, "2024-01-15", "2024-01-15"),
    ]


def test_department_ministers(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # Paul Maynard answered 20427 and the five of the group (6), Mims Davies 185646 and
    # 185648 (2), Guy Opperman 147074 (1).
    columns, found = run(sample, "department-ministers", department="Work and Pensions")
    assert columns == ["minister", "memberId", "answers", "firstAnswer", "lastAnswer"]
    assert found == [
        ("Paul Maynard", "3926", 6, "2024-03-26", "2024-04-16"),
        ("Mims Davies", "4513", 2, "2023-05-22", "2023-05-24"),
        ("Guy Opperman", "4142", 1, "2021-02-04", "2021-02-04"),
    ]
    # Education: 9202 by Erin Black; 9201's placeholder member 0 is left out.
    assert run(handmade, "department-ministers", department="60")[1] == [
        ("Erin Black", "203", 1, "2023-06-21", "2023-06-21")
    ]
    # Health: Carol Jones 9001-9004 (4), Baroness White in the Lords 9301, 9302 (2).
    assert run(handmade, "department-ministers", department="17")[1] == [
        ("Carol Jones", "201", 4, "2024-01-11", "2024-02-25"),
        ("Baroness White", "302", 2, "2024-01-22", "2024-01-29"),
    ]


def test_department_answer_times(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # Days, sorted: 3 5 7 8 8 8 8 8 22. Nine values: the median is the 5th, 8. The mean is
    # 77/9 = 8.555... → 8.56. Within 5 days: 3 and 5 → 2/9 = 0.2222; within 10: all but
    # the 22 → 8/9 = 0.8889.
    columns, found = run(sample, "department-answer-times")
    assert columns == [
        "departmentName",
        "questions",
        "medianDays",
        "meanDays",
        "within5Days",
        "within10Days",
    ]
    assert found == [(WP, 9, 8, 8.56, 0.2222, 0.8889)]
    # Education: 7 and 7 (9202 was tabled 2023-06-05 and first answered 2023-06-12; its
    # dateOfAnswer 2023-06-21 is the correction's, so it counts 7, not 16) → median 7, mean 7,
    # none within 5, both within 10.
    # Health: 3 4 4 7 14 20 (Commons 3, 4, 4, 20; Lords 14, 7) → median (4+7)/2 = 5.5,
    #   mean 52/6 = 8.666... → 8.67, within 5: 3/6 = 0.5, within 10: 4/6 = 0.6667.
    # Treasury: 3, 10 → median 6.5, mean 6.5, within 5: 1/2, within 10: 2/2.
    assert run(handmade, "department-answer-times")[1] == [
        ("Education", 2, 7, 7, 0, 1),
        (HSC, 6, 5.5, 8.67, 0.5, 0.6667),
        ("Treasury", 2, 6.5, 6.5, 0.5, 1),
    ]
    assert run(handmade, "department-answer-times", department="treasury")[1] == [
        ("Treasury", 2, 6.5, 6.5, 0.5, 1)
    ]


def test_late_answers(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # More than 10 days (the default): only 20427, 22 days.
    columns, found = run(sample, "late-answers")
    assert columns == [
        "departmentName",
        "uin",
        "tabled",
        "answered",
        "daysToAnswer",
        "answeredBy",
        "heading",
    ]
    assert found == [(WP, "20427", "2024-03-25", "2024-04-16", 22, "Paul Maynard", CM)]
    # More than 7: also the five of the group (8 days); 185646 (7 days) is not late.
    assert [r[1] for r in run(sample, "late-answers", days="7")[1]] == [
        "20427",
        "19185",
        "19186",
        "19187",
        "19188",
        "19189",
    ]
    # Fixture, more than 10: 9004 (20) and HL1234 (14) in Health. 2002 took exactly 10 days:
    # not late; 9202 was first answered after 7 days (2023-06-21 is its correction's date).
    assert run(handmade, "late-answers")[1] == [
        (HSC, "1004", "2024-02-05", "2024-02-25", 20, "Carol Jones", "Hospitals: Waiting Lists"),
        (HSC, "HL1234", "2024-01-15", "2024-01-29", 14, "Baroness White", "NHS: Dentistry"),
    ]
    assert run(handmade, "late-answers", days="15", department="17")[1] == [
        (HSC, "1004", "2024-02-05", "2024-02-25", 20, "Carol Jones", "Hospitals: Waiting Lists")
    ]


def test_grouped_questions(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # 19185-19189 list each other in groupedQuestionUIN: one group of five, one answer.
    columns, found = run(sample, "grouped-questions")
    assert columns == [
        "tabled",
        "questions",
        "uins",
        "askedBy",
        "heading",
        "answered",
        "answeredBy",
        "answer",
    ]
    assert len(found) == 1
    assert found[0][:7] == (
        "2024-03-18",
        5,
        "19185, 19186, 19187, 19188, 19189",
        "Wendy Chamberlain",
        CM,
        "2024-03-26",
        "Paul Maynard",
    )
    answer = found[0][7]
    assert answer.startswith("The Child Maintenance Service (CMS) takes the issue of domestic")
    assert answer.count("\n\n") == 7 and "<" not in answer  # eight paragraphs, no tags
    # Fixture: 1002 (Alice) and 1003 (Bob) share one answer; 1001 and 1002 are not grouped.
    assert run(handmade, "grouped-questions")[1] == [
        (
            "2024-01-08",
            2,
            "1002, 1003",
            "Alice Smith; Bob Smith",
            "Hospitals: Parking",
            "2024-01-12",
            "Carol Jones",
            "Hospital parking is free for disabled people.\n\nTrusts set other charges.",
        )
    ]
    assert run(handmade, "grouped-questions", department="Treasury")[1] == []


def test_a_grouped_question_without_a_uin_is_left_out_of_its_group(
    sample_store: pyoxigraph.Store,
) -> None:
    # Its group links stay; the others' group is still named by their lowest UIN.
    uin = pyoxigraph.NamedNode(vocab.PARL + "uin")
    (missing,) = sample_store.quads_for_pattern(None, uin, pyoxigraph.Literal("19189"), None)
    sample_store.remove(missing)
    found = run(sample_store, "grouped-questions")[1]
    assert [row[:4] for row in found] == [
        ("2024-03-18", 4, "19185, 19186, 19187, 19188", "Wendy Chamberlain")
    ]


def test_corrections(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # No answer in the sample is a ministerial correction.
    columns, found = run(sample, "corrections")
    assert columns == [
        "uin",
        "tabled",
        "departmentName",
        "corrected",
        "correctedBy",
        "answer",
        "previousAnswered",
        "previousBy",
        "previousAnswer",
    ]
    assert found == []
    # 9202: corrected on 2023-06-21; the previous version (2023-06-12) said 10. The script
    # in the corrected answer's HTML is dropped, &amp; decoded.
    assert run(handmade, "corrections")[1] == [
        (
            "1001",
            "2023-06-05",
            "Education",
            "2023-06-21",
            "Erin Black",
            "The figure is 12.\n\nWe regret the error & apologise.",
            "2023-06-12",
            "Erin Black",
            "The figure is 10.",
        )
    ]
    assert run(handmade, "corrections", department="17")[1] == []


def test_monthly_questions(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # 2021-02: 147074; 2023-05: 185646, 185648; 2024-03: the group of five and 20427.
    columns, found = run(sample, "monthly-questions")
    assert columns == ["month", "departmentId", "departmentName", "questions"]
    assert found == [("2021-02", "29", WP, 1), ("2023-05", "29", WP, 2), ("2024-03", "29", WP, 6)]
    assert run(sample, "monthly-questions", **{"from": "2023-05-18"})[1] == [
        ("2024-03", "29", WP, 6)
    ]
    # Fixture: 2023-06 Education 9202; 2024-01 Health 9001-9003 and the two Lords questions;
    # 2024-02 Health 9004; 2024-03 Treasury 9101, 9102; 2024-04 Education 9201.
    assert run(handmade, "monthly-questions")[1] == [
        ("2023-06", "60", "Education", 1),
        ("2024-01", "17", HSC, 5),
        ("2024-02", "17", HSC, 1),
        ("2024-03", "14", "Treasury", 2),
        ("2024-04", "60", "Education", 1),
    ]
    # From 2024-01-15 (the Lords questions, not 9001-9003) to 2024-03-31.
    assert run(handmade, "monthly-questions", **{"from": "2024-01-15", "to": "2024-03-31"})[1] == [
        ("2024-01", "17", HSC, 2),
        ("2024-02", "17", HSC, 1),
        ("2024-03", "14", "Treasury", 2),
    ]
    assert run(handmade, "monthly-questions", department="health", to="2024-01-31")[1] == [
        ("2024-01", "17", HSC, 5)
    ]


def test_find_questions(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    # "Complex Needs Toolkit" is in 19185's question and in the answer the group shares.
    columns, found = run(sample, "find-questions", text="complex NEEDS toolkit")
    assert columns == ["uin", "tabled", "member", "department", "hansardHeading", "foundIn"]
    assert found == [
        ("19185", "2024-03-18", "Wendy Chamberlain", WP, CM, "question and answer"),
        ("19186", "2024-03-18", "Wendy Chamberlain", WP, CM, "answer"),
        ("19187", "2024-03-18", "Wendy Chamberlain", WP, CM, "answer"),
        ("19188", "2024-03-18", "Wendy Chamberlain", WP, CM, "answer"),
        ("19189", "2024-03-18", "Wendy Chamberlain", WP, CM, "answer"),
    ]
    # Only 147074's question says "written off".
    assert [(r[0], r[5]) for r in run(sample, "find-questions", text="Written Off")[1]] == [
        ("147074", "question and answer")
    ]
    assert run(sample, "find-questions", text="no such words anywhere")[1] == []
    assert len(run(sample, "find-questions", heading="children: maintenance")[1]) == 9
    # Fixture: "dentists" in 9001 and 9301 (question and answer both); by heading the same two.
    assert run(handmade, "find-questions", text="DENTISTS")[1] == [
        ("HL1234", "2024-01-15", "Lord Green", HSC, "NHS: Dentistry", "question and answer"),
        ("1001", "2024-01-08", "Alice Smith", HSC, "NHS: Dentistry", "question and answer"),
    ]
    assert [r[0] for r in run(handmade, "find-questions", heading="dentistry")[1]] == [
        "HL1234",
        "1001",
    ]
    assert [r[5] for r in run(handmade, "find-questions", heading="dentistry")[1]] == [
        "heading",
        "heading",
    ]
    # Both: text within a heading.
    assert [r[0] for r in run(handmade, "find-questions", text="nhs", heading="dentistry")[1]] == [
        "HL1234",
        "1001",
    ]


def test_a_parameter_is_only_a_value(handmade: pyoxigraph.Store) -> None:
    # 9004's question quotes '"no" } UNION { ?s ?p ?o } #': as a parameter it is just text.
    hostile = '"no" } UNION { ?s ?p ?o } #'
    assert [r[0] for r in run(handmade, "find-questions", text=hostile)[1]] == ["1004"]
    assert run(handmade, "find-questions", text='" . } SELECT * WHERE { ?s ?p ?o')[1] == []
    assert run(handmade, "find-questions", text="\\")[1] == []
    assert run(handmade, "departments", name="') } DROP ALL #")[1] == []


def test_member_profile(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    columns, found = run(sample, "member-profile", member="4765")
    assert columns == [
        "memberId",
        "name",
        "constituency",
        "house",
        "questionsAsked",
        "questionsAnswered",
        "firstSeen",
        "lastSeen",
    ]
    assert found == [
        ("4765", "Wendy Chamberlain", "North East Fife", "House of Commons", 9, 0, "2021-02-01",
         "2024-03-25")
    ]  # fmt: skip
    # A minister: answered 6, first on 2024-03-26, last on 2024-04-16.
    assert run(sample, "member-profile", member="paul maynard")[1] == [
        ("3926", "Paul Maynard", "Blackpool North and Cleveleys", "House of Commons", 0, 6,
         "2024-03-26", "2024-04-16")
    ]  # fmt: skip
    # Lords: no constituency.
    assert run(handmade, "member-profile", member="301")[1] == [
        ("301", "Lord Green", None, "House of Lords", 1, 0, "2024-01-15", "2024-01-15")
    ]
    assert run(handmade, "member-profile", member="Baroness White")[1] == [
        ("302", "Baroness White", None, "House of Lords", 0, 2, "2024-01-22", "2024-01-29")
    ]
    # Erin Black's current answer (2023-06-21) counts; the previous version is not an answer.
    assert run(handmade, "member-profile", member="203")[1] == [
        ("203", "Erin Black", "Midvale", "House of Commons", 0, 1, "2023-06-21", "2023-06-21")
    ]


def test_members(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    columns, found = run(sample, "members")
    assert columns == ["memberId", "memberName", "questionsAsked", "questionsAnswered"]
    assert found == [
        ("4142", "Guy Opperman", 0, 1),
        ("4513", "Mims Davies", 0, 2),
        ("3926", "Paul Maynard", 0, 6),
        ("4765", "Wendy Chamberlain", 9, 0),
    ]
    # The placeholder members/0 is not a member; Bob asked 1003, 1004, 2002 and 1001 (9202).
    assert run(handmade, "members", name="SMITH")[1] == [
        ("101", "Alice Smith", 4, 0),
        ("102", "Bob Smith", 4, 0),
    ]
    assert [r[1] for r in run(handmade, "members")[1]] == [
        "Alice Smith",
        "Baroness White",
        "Bob Smith",
        "Carol Jones",
        "Dan Brown",
        "Erin Black",
        "Lord Green",
        "Lord Greenwood",
    ]


def test_departments(sample: pyoxigraph.Store, handmade: pyoxigraph.Store) -> None:
    columns, found = run(sample, "departments")
    assert columns == [
        "departmentId",
        "department",
        "fullName",
        "questions",
        "firstTabled",
        "lastTabled",
    ]
    assert found == [("29", WP, "Department for Work and Pensions", 9, "2021-02-01", "2024-03-25")]
    assert run(handmade, "departments")[1] == [
        ("60", "Education", "Department for Education", 2, "2023-06-05", "2024-04-02"),
        ("17", HSC, "Department of Health and Social Care", 6, "2024-01-08", "2024-02-05"),
        ("14", "Treasury", "HM Treasury", 2, "2024-03-04", "2024-03-04"),
    ]
    assert [r[0] for r in run(handmade, "departments", name="DEPARTMENT")[1]] == ["60", "17"]


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
