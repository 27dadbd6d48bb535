"""Exact rows of the canned queries about members and departments (who asks and answers where,
answer times, monthly counts, profiles, listings) on the real sample and the hand-made fixture,
whose facts are in canned_facts.py.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.load import load_paths
from tests.canned_facts import HSC, WP, run
from tests.conftest import write_page


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


def test_a_name_some_of_the_last_days_records_lack_is_taken_from_the_others(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # Without 20427, Paul Maynard's last day is 2024-03-26, his five answers to the group;
    # one of them without his printed name and seat.
    items = [copy.deepcopy(item) for item in sample_items if item["uin"] != "20427"]
    grouped = next(item for item in items if item["uin"] == "19185")
    del grouped["answer"]["answeringMemberPrinted"]
    del grouped["answer"]["answeringMemberConstituency"]
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "page.json", items))])
    assert run(store, "member-profile", member="3926")[1] == [
        ("3926", "Paul Maynard", "Blackpool North and Cleveleys", "House of Commons", 0, 5,
         "2024-03-26", "2024-03-26")
    ]  # fmt: skip
    assert run(store, "department-ministers", department="29")[1][0] == (
        "Paul Maynard", "3926", 5, "2024-03-26", "2024-03-26"
    )  # fmt: skip
