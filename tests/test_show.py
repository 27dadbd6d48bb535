"""kg show: one question for a person, compared with how a monitoring website shows it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from kg.errors import QueryError
from kg.load import load_paths
from kg.queries import local_runner
from kg.reader import read_page
from kg.show import find_question, long_date, question_view, render
from tests.conftest import write_page

HERE = Path(__file__).parent
#: A byte-for-byte copy of the page as the website showed it (see the seeds README).
WEBSITE = HERE / "fixtures" / "handmade" / "question-19185-rendered.txt"
R = "http://data.parliament.uk/resources/"


def shown(store: pyoxigraph.Store, ident: str, width: int | None = None, **where: str) -> str:
    runner = local_runner(store)
    return render(question_view(runner, find_question(runner, ident, **where)), width=width)


def website_fields() -> dict[str, Any]:
    """The fields of the website's page, read from its text (kept byte for byte)."""
    lines = WEBSITE.read_text(encoding="utf-8").split("\n")
    asked = re.fullmatch(r"\(asked on (.+)\) - View Source", lines[2])
    department = re.fullmatch(r"Question to the (.+):", lines[4])
    answered = re.fullmatch(r"This question was answered on (.+)", lines[13])
    assert asked and department and answered and lines[9] == "Answered by"
    assert lines[10] == lines[11] + " Portrait"
    body = [line for line in lines[15:] if line]
    assert body[-1] == "Reticulating Splines"  # the site's loading banner, not the question
    return {
        "heading": lines[0],
        "asked on": asked.group(1),
        "department": department.group(1),
        "question": lines[6],
        "answered by": lines[11],
        "role": lines[12],
        "answered on": answered.group(1),
        "answer": body[:-1],
    }


def test_show_19185_matches_the_website_field_by_field(sample: pyoxigraph.Store) -> None:
    site = website_fields()
    text = shown(sample, "19185")  # not wrapped: one line per paragraph, like the page
    lines = text.split("\n")
    assert lines[0] == site["heading"] == "Children: Maintenance"
    assert lines[2] == f"(asked on {site['asked on']}) - House of Commons, UIN 19185"
    assert lines[3] == "Asked by Wendy Chamberlain (North East Fife)"  # not on the page
    assert lines[5] == f"Question to the {site['department']}:"
    assert lines[7] == site["question"]
    # The page gives the minister's role ("Parliamentary Under-Secretary (Department for Work
    # and Pensions)") and portrait: the data has neither, so kg shows the constituency instead.
    assert site["role"] == "Parliamentary Under-Secretary (Department for Work and Pensions)"
    assert lines[9] == f"Answered by {site['answered by']} (Blackpool North and Cleveleys)"
    assert site["role"] not in text
    assert lines[10] == f"This question was answered on {site['answered on']}"
    # The answer: the same eight paragraphs, word for word (the data's HTML lost its <p>).
    answer = lines[12 : 12 + 2 * len(site["answer"]) : 2]
    assert answer == site["answer"]
    assert all(line == "" for line in lines[11 : 12 + 2 * len(site["answer"]) : 2])
    # What the page leaves out and kg adds: the other questions of the group, and the IRI.
    assert lines[12 + 2 * len(site["answer"]) :] == [
        "Answered together with 4 other questions:",
        "  19186  To ask the Secretary of State for Work and Pensions, if he will publish the "
        "best practice guidance provided to Child Maintenance Service caseworkers for (a) "
        "complex cases and (b) cases involving domestic abuse.",
        "  19187  To ask the Secretary of State for Work and Pensions, if he will publish the "
        "training (a) programme and (b) objectives for Child Maintenance Service caseworkers "
        "relating to (i) identifying and (ii) supporting victims of domestic abuse.",
        "  19188  To ask the Secretary of State for Work and Pensions, what is the (a) average "
        "and (b) longest time for a Child Maintenance Service caseworker to be in post before "
        "receiving training on supporting families with experience of domestic abuse.",
        "  19189  To ask the Secretary of State for Work and Pensions, what steps he is taking "
        "to ensure that Child Maintenance Service caseworkers use a trauma informed approach to "
        "deal with (a) complex cases and (b) cases involving domestic abuse.",
        "",
        R + "1696806",
        "",
    ]


def test_show_by_iri_is_the_same_and_wraps_at_80(sample: pyoxigraph.Store) -> None:
    assert shown(sample, R + "1696806", width=80) == shown(sample, "19185", width=80)
    wrapped = shown(sample, "19185", width=80)
    assert max(len(line) for line in wrapped.splitlines()) <= 80
    assert "To ask the Secretary of State for Work and Pensions, whether the Complex Needs\n" in (
        wrapped
    )


def test_show_a_lords_question(handmade: pyoxigraph.Store) -> None:
    # HL1234: a Lords question, no constituency for the asker or the minister.
    assert shown(handmade, "HL1234", width=80) == (
        "NHS: Dentistry\n"
        "\n"
        "(asked on 15th January 2024) - House of Lords, UIN HL1234\n"
        "Asked by Lord Green\n"
        "\n"
        "Question to the Department of Health and Social Care:\n"
        "\n"
        "To ask His Majesty's Government how many dentists work in the NHS.\n"
        "\n"
        "Answered by Baroness White\n"
        "This question was answered on 29th January 2024\n"
        "\n"
        "There are 24,000 NHS dentists.\n"
        "\n"
        "http://data.parliament.uk/resources/9301\n"
    )


def test_show_a_ministerial_correction(handmade: pyoxigraph.Store) -> None:
    # UIN 1001 was used in 2023 (Education, corrected) and in 2024 (Health): say which.
    assert shown(handmade, "1001", width=80, date="2023-06-05") == (
        "Schools: Finance\n"
        "\n"
        "(asked on 5th June 2023) - House of Commons, UIN 1001\n"
        "Asked by Bob Smith (Southville)\n"
        "\n"
        "Question to the Department for Education:\n"
        "\n"
        "To ask the Secretary of State for Education, how many schools are in deficit.\n"
        "\n"
        "Answered by Erin Black (Midvale)\n"
        "This question was answered on 21st June 2023\n"
        "This answer is a ministerial correction, first answered on 12th June 2023.\n"
        "\n"
        "The figure is 12.\n"
        "\n"
        "We regret the error & apologise.\n"
        "\n"
        "Previous answer, given on 12th June 2023 by Erin Black (Midvale):\n"
        "\n"
        "    The figure is 10.\n"
        "\n"
        "http://data.parliament.uk/resources/9202\n"
    )
    assert "alert" not in shown(handmade, R + "9202")  # the script in the answer is dropped


def test_show_a_placeholder_answer_and_a_small_group(handmade: pyoxigraph.Store) -> None:
    text = shown(handmade, "3001", width=80)
    assert "Answered by (the answering member is not recorded)\n" in text
    assert "This question was answered on 9th April 2024\n" in text
    assert shown(handmade, "1002", width=80).endswith(
        "Hospital parking is free for disabled people.\n"
        "\n"
        "Trusts set other charges.\n"
        "\n"
        "Answered together with 1 other question:\n"
        "  1003  To ask the Secretary of State for Health and Social Care, whether staff…\n"
        "\n"
        "http://data.parliament.uk/resources/9002\n"
    )


def test_an_ambiguous_uin_asks_for_house_or_date(handmade: pyoxigraph.Store) -> None:
    runner = local_runner(handmade)
    with pytest.raises(QueryError) as caught:
        find_question(runner, "1001")
    assert caught.value.line() == (
        "UIN 1001: 2 questions have this UIN (House of Commons 2023-06-05; House of Commons "
        "2024-01-08) — say which with --house commons|lords and/or --date YYYY-MM-DD"
    )
    assert find_question(runner, "1001", date="2024-01-08") == R + "9001"
    assert find_question(runner, "HL1234", house="lords") == R + "9301"
    assert find_question(runner, "HL1234", house="2") == R + "9301"
    with pytest.raises(QueryError) as caught:
        find_question(runner, "1001", house="lords")
    assert caught.value.line() == (
        "UIN 1001: no question with that house/date in the store — check the UIN, or give an IRI"
    )


def test_unknown_questions(handmade: pyoxigraph.Store) -> None:
    runner = local_runner(handmade)
    with pytest.raises(QueryError) as caught:
        find_question(runner, "424242")
    assert caught.value.line() == (
        "UIN 424242: no question in the store — check the UIN, or give an IRI"
    )
    for iri, line in [
        (R + "1", f"{R}1: no such question in the store — give a question's IRI or UIN"),
        (
            R + "9001/answer",
            f"{R}9001/answer: in the store, but not a question — give a question's IRI or UIN",
        ),
        (
            "http://x y",
            "http://x y: not a valid IRI (Invalid IRI code point ' ') — check the IRI",
        ),
    ]:
        with pytest.raises(QueryError) as caught:
            find_question(runner, iri)
        assert caught.value.line() == line


@pytest.mark.parametrize(
    ("iso", "text"),
    [
        ("2024-03-18", "18th March 2024"),
        ("2024-03-01", "1st March 2024"),
        ("2024-03-02", "2nd March 2024"),
        ("2024-03-03", "3rd March 2024"),
        ("2024-03-11", "11th March 2024"),
        ("2024-03-12", "12th March 2024"),
        ("2024-03-13", "13th March 2024"),
        ("2024-03-21", "21st March 2024"),
        ("2024-03-22", "22nd March 2024"),
        ("2024-03-23", "23rd March 2024"),
        ("2024-03-31", "31st March 2024"),
        ("not a date", "not a date"),
        (None, "an unknown date"),
    ],
)
def test_long_dates(iso: str | None, text: str) -> None:
    assert long_date(iso) == text


def test_show_passes_no_escape_sequence_from_the_data_to_the_terminal(
    tmp_path: Path, sample_path: Path
) -> None:
    item = read_page(str(sample_path)).items[1]
    item["hansardHeading"] = {"_value": "Esc \x1b[31mRED\x1b[0m \x1b]0;pwned\x07 title"}
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "esc.json", [item]))], validate=False)
    text = shown(store, "19185")
    assert text.splitlines()[0] == "Esc ␛[31mRED␛[0m ␛]0;pwned␇ title"
    assert "\x1b" not in text and "\x07" not in text
