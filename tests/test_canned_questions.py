"""Exact rows of the canned queries about questions (asked, late, grouped, corrected, found by
words) on the real sample and the hand-made fixture, whose facts are in canned_facts.py.
"""

from __future__ import annotations

import pyoxigraph

from kg import vocab
from kg.queries import run_canned
from tests.canned_facts import CATALOG, CM, HSC, WP, run


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


#: The sample's group of five, but for its answer: tabled, questions, UINs, asked by, heading,
#: answered, answered by.
GROUP_OF_FIVE = ("2024-03-18", 5, "19185, 19186, 19187, 19188, 19189", "Wendy Chamberlain", CM,
                 "2024-03-26", "Paul Maynard")  # fmt: skip


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
    assert found[0][:7] == GROUP_OF_FIVE
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


def test_a_group_some_of_whose_questions_lack_a_value_shows_the_others(
    sample_store: pyoxigraph.Store,
) -> None:
    # 19185 without its heading, its asker and its answer's text, date and answerer: the
    # group's columns come from the other four (they were left empty).
    q = pyoxigraph.NamedNode(vocab.PARLIAMENT_RESOURCES + "1696806")  # UIN 19185
    answer = pyoxigraph.NamedNode(q.value + "/answer")
    for subject, key in [(q, "hansardHeading"), (q, "tablingMemberPrinted"),
                         (answer, "answerText"), (answer, "dateOfAnswer"),
                         (answer, "answeringMemberPrinted")]:  # fmt: skip
        predicate = pyoxigraph.NamedNode(vocab.PARL + key)
        (quad,) = sample_store.quads_for_pattern(subject, predicate, None, None)
        sample_store.remove(quad)
    (row,) = run(sample_store, "grouped-questions")[1]
    assert row[:7] == GROUP_OF_FIVE  # the four others' values
    assert row[7].startswith("The Child Maintenance Service (CMS)")
    answered = run_canned(sample_store, "grouped-questions", {}, catalog=CATALOG).row_list()[0]
    date = pyoxigraph.NamedNode(vocab.XSD + "date")
    assert answered[5] == pyoxigraph.Literal("2024-03-26", datatype=date)  # typed, as stored


def test_a_group_answer_of_another_datatype_is_shown(sample_store: pyoxigraph.Store) -> None:
    # An answer text typed rdf:HTML, which "=" cannot compare with a plain string.
    text = pyoxigraph.NamedNode(vocab.PARL + "answerText")
    html = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML")
    for quad in list(sample_store.quads_for_pattern(None, text, None, None)):
        sample_store.remove(quad)
        retyped = pyoxigraph.Literal(quad.object.value, datatype=html)
        sample_store.add(pyoxigraph.Quad(quad.subject, text, retyped))
    (row,) = run(sample_store, "grouped-questions")[1]
    assert row[7].startswith("The Child Maintenance Service (CMS)")


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
