"""kg queries, kg query and kg show as a user runs them: exact output, one-line errors."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.paths import queries_dir
from kg.queries import load_catalog

HERE = Path(__file__).parent
SAMPLES = HERE.parent / "samples"
ENV = {"COLUMNS": "80", "KG_QUERIES": ""}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli-query") / "kg-store"
    result = CliRunner().invoke(cli, ["load", "--no-validate", "--store", str(path), str(SAMPLES)])
    assert result.exit_code == 0, result.output
    return str(path)


def kg(*args: str, **env: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={**ENV, **env}, catch_exceptions=False)


def error(result: Result) -> str:
    """The one line a failing command writes (click puts it on stderr)."""
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --- kg queries ---------------------------------------------------------------------------


def test_queries_lists_name_summary_and_parameters() -> None:
    result = kg("queries")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:3] == [
        "corrections",
        "    Answers corrected by a minister, each with its previous answer versions.",
        "    parameters: department (department, optional)",
    ]
    assert (
        lines[-1]
        == "Run one with: kg query NAME --param NAME=VALUE  (kg queries NAME describes it)"
    )
    assert max(len(line) for line in lines) <= 80
    names = [line for line in lines[:-2] if not line.startswith(" ")]
    assert names == list(load_catalog())


def test_queries_as_csv_and_json() -> None:
    lines = kg("queries", "--csv").output.splitlines()
    assert lines[0] == "name,summary,parameters"
    assert (
        "late-answers,"
        '"Questions answered more than N days after they were tabled, per department.",'
        '"days (integer, default 10); department (department, optional)"'
    ) in lines
    listed = json.loads(kg("queries", "--json").output)
    assert listed[0] == {
        "name": "corrections",
        "summary": "Answers corrected by a minister, each with its previous answer versions.",
        "parameters": "department (department, optional)",
    }


def test_queries_describes_one() -> None:
    assert kg("queries", "late-answers").output == (
        "late-answers: Late answers\n"
        "\n"
        "Questions answered more than N days after they were tabled, per department.\n"
        "\n"
        "Parameters (--param NAME=VALUE):\n"
        "  days (integer, default 10)\n"
        "      answers later than this many calendar days are late\n"
        "  department (department, optional)\n"
        "      only this department (numeric id, IRI or name)\n"
        "\n"
        f"File: {queries_dir() / 'late-answers.rq'}\n"
    )
    assert error(kg("queries", "late-answer")) == (
        "Error: late-answer: there is no canned query of that name — did you mean late-answers?"
    )


# --- kg query -----------------------------------------------------------------------------

MEMBER_QUESTIONS_CSV = """\
uin,tabled,department,heading,answeredBy,answered,days
20427,2024-03-25,Work and Pensions,Children: Maintenance,Paul Maynard,2024-04-16,22
19185,2024-03-18,Work and Pensions,Children: Maintenance,Paul Maynard,2024-03-26,8
19186,2024-03-18,Work and Pensions,Children: Maintenance,Paul Maynard,2024-03-26,8
19187,2024-03-18,Work and Pensions,Children: Maintenance,Paul Maynard,2024-03-26,8
19188,2024-03-18,Work and Pensions,Children: Maintenance,Paul Maynard,2024-03-26,8
19189,2024-03-18,Work and Pensions,Children: Maintenance,Paul Maynard,2024-03-26,8
185646,2023-05-17,Work and Pensions,Children: Maintenance,Mims Davies,2023-05-24,7
185648,2023-05-17,Work and Pensions,Children: Maintenance,Mims Davies,2023-05-22,5
147074,2021-02-01,Work and Pensions,Children: Maintenance,Guy Opperman,2021-02-04,3
"""


def test_query_table_fits_80_columns(store: str) -> None:
    result = kg("query", "member-questions", "--param", "member=4765", "--store", store)
    assert result.exit_code == 0
    assert result.output == (
        "uin     tabled      department     heading        answeredBy    answered    days\n"
        "------  ----------  -------------  -------------  ------------  ----------  ----\n"
        "20427   2024-03-25  Work and Pen…  Children: Ma…  Paul Maynard  2024-04-16    22\n"
        "19185   2024-03-18  Work and Pen…  Children: Ma…  Paul Maynard  2024-03-26     8\n"
        "19186   2024-03-18  Work and Pen…  Children: Ma…  Paul Maynard  2024-03-26     8\n"
        "19187   2024-03-18  Work and Pen…  Children: Ma…  Paul Maynard  2024-03-26     8\n"
        "19188   2024-03-18  Work and Pen…  Children: Ma…  Paul Maynard  2024-03-26     8\n"
        "19189   2024-03-18  Work and Pen…  Children: Ma…  Paul Maynard  2024-03-26     8\n"
        "185646  2023-05-17  Work and Pen…  Children: Ma…  Mims Davies   2023-05-24     7\n"
        "185648  2023-05-17  Work and Pen…  Children: Ma…  Mims Davies   2023-05-22     5\n"
        "147074  2021-02-01  Work and Pen…  Children: Ma…  Guy Opperman  2021-02-04     3\n"
    )


def test_query_machine_formats(store: str) -> None:
    args = ("query", "member-questions", "-p", "member=Wendy Chamberlain", "--store", store)
    assert kg(*args, "--csv").output == MEMBER_QUESTIONS_CSV
    assert kg(*args, "--tsv").output == MEMBER_QUESTIONS_CSV.replace(",", "\t")
    assert kg(*args, "--csv", "--no-headers").output == MEMBER_QUESTIONS_CSV.split("\n", 1)[1]
    objects: list[dict[str, Any]] = json.loads(kg(*args, "--json").output)
    assert len(objects) == 9
    assert objects[0] == {
        "uin": "20427",
        "tabled": "2024-03-25",
        "department": "Work and Pensions",
        "heading": "Children: Maintenance",
        "answeredBy": "Paul Maynard",
        "answered": "2024-04-16",
        "days": 22,
    }
    lines = kg(*args, "--nl").output.splitlines()
    assert [json.loads(line) for line in lines] == objects


def test_query_numbers_are_numbers(store: str) -> None:
    result = kg("query", "department-answer-times", "--store", store, "--json")
    assert json.loads(result.output) == [
        {
            "departmentName": "Work and Pensions",
            "questions": 9,
            "medianDays": 8,
            "meanDays": 8.56,
            "within5Days": 0.2222,
            "within10Days": 0.8889,
        }
    ]
    assert kg("query", "department-answer-times", "--store", store).output == (
        "departmentName     questions  medianDays  meanDays  within5Days  within10Days\n"
        "-----------------  ---------  ----------  --------  -----------  ------------\n"
        "Work and Pensions          9           8      8.56         0.22          0.89\n"
    )


def test_empty_results_say_so(store: str) -> None:
    assert kg("query", "corrections", "--store", store).output == "No results.\n"
    assert kg("query", "corrections", "--store", store, "--json").output == "[]\n"


def test_print_query(store: str) -> None:
    text = (queries_dir() / "late-answers.rq").read_text(encoding="utf-8")
    assert kg("query", "late-answers", "--print-query").output == text


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("query", "member-question"),
            "Error: member-question: there is no canned query of that name — "
            "did you mean member-questions, members or monthly-questions?",
        ),
        (
            ("query", "member-questions"),
            "Error: member-questions: the parameter member is missing — "
            "give --param member=<member id, IRI or name>",
        ),
        (
            ("query", "late-answers", "-p", "days=soon"),
            "Error: --param days=soon: not an integer — give a whole number, e.g. 10",
        ),
        (
            ("query", "monthly-questions", "-p", "from=2024-13-01"),
            "Error: --param from=2024-13-01: not a date — give a date as YYYY-MM-DD, e.g. 2024-03-18",
        ),
        (
            ("query", "late-answers", "-p", "days"),
            "Error: --param days: expected NAME=VALUE — e.g. --param member=4765",
        ),
        (
            ("query", "late-answers", "-p", "week=3"),
            "Error: late-answers --param week: no such parameter — its parameters: days, department",
        ),
        (
            ("query", "member-questions", "-p", "member=Nobody"),
            "Error: --param member=Nobody: no member of that name in the store — "
            "kg query members --param name=PART lists them",
        ),
        (
            ("query", "department-members", "-p", "department=77"),
            "Error: --param department=77: no such department in the store — "
            "kg query departments finds one",
        ),
    ],
)
def test_bad_input_is_one_error_line(store: str, args: tuple[str, ...], line: str) -> None:
    assert error(kg(*args, "--store", store)) == line


def test_invalid_sparql_in_a_query_file(store: str, tmp_path: Path) -> None:
    # "FILTR" on line 5 of the file (the header counts): the parser's message, line and column.
    (tmp_path / "broken.rq").write_text(
        "# title: Broken\n# summary: A query with a syntax error.\n"
        "SELECT ?q WHERE {\n  ?q a kg:WrittenQuestion .\n  FILTR(?q)\n}\n",
        encoding="utf-8",
    )
    assert error(kg("query", "broken", "--store", store, KG_QUERIES=str(tmp_path))) == (
        "Error: broken: invalid SPARQL at line 5, column 11, where ▸ stands: "
        '"…ittenQuestion . FILTR(?q▸) }" — fix the query'
    )


def test_a_query_that_runs_too_long_is_stopped(store: str, tmp_path: Path) -> None:
    # About a million solutions: far longer than the 0.01 s allowed.
    (tmp_path / "slow.rq").write_text(
        "# title: Slow\n# summary: A cross product.\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g a kg:WrittenQuestion }\n",
        encoding="utf-8",
    )
    result = kg("query", "slow", "--store", store, "--timeout", "0.01", KG_QUERIES=str(tmp_path))
    assert error(result) == (
        "Error: slow: the query ran longer than 0.01 s and was stopped — "
        "narrow the query, or give a larger --timeout"
    )


def test_missing_and_empty_stores(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    for args in (("query", "departments"), ("show", "19185")):
        assert error(kg(*args, "--store", str(missing))) == (
            f"Error: {missing}: there is no store here — "
            "load one first: kg load PAGE.json (or pass --store / set KG_STORE)"
        )
    empty = tmp_path / "empty"
    made = pyoxigraph.Store(str(empty))
    del made
    gc.collect()
    for args in (("query", "departments"), ("show", "19185")):
        assert error(kg(*args, "--store", str(empty))) == (
            f"Error: {empty}: the store is empty — load pages first: kg load PAGE.json"
        )


# --- kg show ------------------------------------------------------------------------------


def test_show_by_uin_and_by_iri(store: str) -> None:
    by_uin = kg("show", "19185", "--store", store)
    assert by_uin.exit_code == 0
    lines = by_uin.output.splitlines()
    assert lines[:10] == [
        "Children: Maintenance",
        "",
        "(asked on 18th March 2024) - House of Commons, UIN 19185",
        "Asked by Wendy Chamberlain (North East Fife)",
        "",
        "Question to the Department for Work and Pensions:",
        "",
        "To ask the Secretary of State for Work and Pensions, whether the Complex Needs",
        "Toolkit is used by the Child Maintenance Service.",
        "",
    ]
    assert max(len(line) for line in lines) <= 80
    by_iri = kg("show", "http://data.parliament.uk/resources/1696806", "--store", store)
    assert by_iri.output == by_uin.output
    unwrapped = kg("show", "19185", "--store", store, "--width", "0").output.splitlines()
    assert unwrapped[7] == (
        "To ask the Secretary of State for Work and Pensions, whether the Complex Needs "
        "Toolkit is used by the Child Maintenance Service."
    )


def test_show_as_json(store: str) -> None:
    view = json.loads(kg("show", "20427", "--store", store, "--json").output)
    assert {k: v for k, v in view.items() if k not in ("answer", "question")} == {
        "iri": "http://data.parliament.uk/resources/1698517",
        "uin": "20427",
        "heading": "Children: Maintenance",
        "house": "House of Commons",
        "tabled": "2024-03-25",
        "asked_by": "Wendy Chamberlain",
        "asked_by_id": "4765",
        "constituency": "North East Fife",
        "department": "Department for Work and Pensions",
        "previous": [],
        "group": [],
    }
    assert view["answer"]["member"] == "Paul Maynard"
    assert view["answer"]["date"] == "2024-04-16"
    assert len(view["answer"]["paragraphs"]) == 5


def test_show_errors(store: str) -> None:
    assert error(kg("show", "99999", "--store", store)) == (
        "Error: UIN 99999: no question in the store — check the UIN, or give an IRI"
    )
    assert error(kg("show", "19185", "--house", "lords", "--store", store)) == (
        "Error: UIN 19185: no question with that house/date in the store — "
        "check the UIN, or give an IRI"
    )
    refused = kg("show", "19185", "--house", "mars", "--store", store)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Error: kg show: invalid value for '--house': 'mars' is not one of 'commons', 'lords',"
        " '1', '2' — see kg show --help\n"
    )
    no_day = kg("show", "19185", "--date", "2024-02-30", "--store", store)
    assert (no_day.exit_code, no_day.stderr) == (
        2,
        "Error: kg show: invalid value for '--date': '2024-02-30' is not a day of the calendar"
        " — see kg show --help\n",
    )
    assert kg("show", "19185", "--date", "2024-03-18", "--store", store).exit_code == 0


def test_limit_writes_the_first_rows_only(store: str) -> None:
    args = ("query", "member-questions", "--param", "member=4765", "--store", store)
    full = kg(*args, "--csv").output.splitlines()
    assert len(full) == 1 + 9
    assert kg(*args, "--csv", "--limit", "2").output.splitlines() == full[:3]
    table = kg(*args, "--table", "--limit", "3").output.splitlines()
    assert len(table) == 2 + 3 and table[2].startswith("20427 ")
    listed = kg("sparql", "--store", store, "--json", "--limit", "2",
                "SELECT ?uin WHERE { ?q parl:uin ?uin } ORDER BY ?uin")  # fmt: skip
    assert json.loads(listed.output) == [{"uin": "147074"}, {"uin": "185646"}]
    refused = CliRunner().invoke(cli, [*args, "--limit", "0"], env=ENV)
    assert refused.exit_code == 2 and "'--limit': 0 is not in the range 1<=x<=" in refused.output
