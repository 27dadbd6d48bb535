"""The options kg's commands share and their one output path (kg/cli_options.py).

Tiny commands made here of the shared decorators print what they were given, or a tiny
answer through :func:`write_outcome`, so that each option's effect is seen exactly; the last
tests run the real commands that take them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli_options import (
    endpoint_option,
    limit_option,
    output_options,
    silent_option,
    store_option,
    timeout_option,
    write_outcome,
)
from kg.paths import DEFAULT_STORE
from kg.sparql import QueryOutcome, Row, run_query
from tests.test_cli import LOADED, run

# tests/test_cli.py's fixture, shared ("as": re-exported, so that ruff takes a test's argument
# of the same name for the fixture, not for a redefinition of the import).
from tests.test_cli import store_dir as store_dir

QUERIES = {
    "select": "SELECT ?n ?word WHERE { VALUES (?n ?word) { (1 'one') (2 'two') (3 UNDEF) } }",
    "ask": "ASK { }",
    "graph": "CONSTRUCT { <http://example.org/a> rdfs:label 'A' } WHERE { }",
}


@click.command()
@click.argument("kind", type=click.Choice(sorted(QUERIES)))
@output_options
@limit_option
def answer(kind: str, fmt: str, no_headers: bool, limit: int | None) -> None:
    """Write the answer to one of QUERIES, on an empty store, as kg's commands write theirs."""
    outcome = run_query(pyoxigraph.Store(), QUERIES[kind], stream=True)
    write_outcome(outcome, fmt=fmt, no_headers=no_headers, limit=limit)


@click.command()
@store_option
@endpoint_option
@silent_option
def given(store_path: Path, endpoint: str | None, silent: bool) -> None:
    """Print what the shared options gave."""
    click.echo(f"store={store_path} endpoint={endpoint} silent={silent}")


def run_answer(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(answer, list(args))
    return result.exit_code, result.output


# --- --table, --csv, --tsv, --json, --nl, --no-headers, --limit --------------------------------

SELECT_OUTPUT = {
    "table": "n  word\n-  ----\n1  one\n2  two\n3\n",
    "csv": "n,word\n1,one\n2,two\n3,\n",
    "tsv": "n\tword\n1\tone\n2\ttwo\n3\t\n",
    "json": (
        '[\n  {\n    "n": 1,\n    "word": "one"\n  },\n  {\n    "n": 2,\n    "word": "two"\n'
        '  },\n  {\n    "n": 3,\n    "word": null\n  }\n]\n'
    ),
    "nl": '{"n": 1, "word": "one"}\n{"n": 2, "word": "two"}\n{"n": 3, "word": null}\n',
}


@pytest.mark.parametrize("fmt", sorted(SELECT_OUTPUT))
def test_each_output_format_of_a_select(fmt: str) -> None:
    assert run_answer("select", f"--{fmt}") == (0, SELECT_OUTPUT[fmt])


def test_the_table_is_the_default_and_the_last_format_given_wins() -> None:
    assert run_answer("select") == (0, SELECT_OUTPUT["table"])
    assert run_answer("select", "--csv", "--json") == (0, SELECT_OUTPUT["json"])
    assert run_answer("select", "--json", "--csv") == (0, SELECT_OUTPUT["csv"])


def test_no_headers_leaves_out_the_header_row_of_a_table_csv_or_tsv() -> None:
    assert run_answer("select", "--no-headers") == (0, "1  one\n2  two\n3\n")
    assert run_answer("select", "--csv", "--no-headers") == (0, "1,one\n2,two\n3,\n")
    assert run_answer("select", "--tsv", "--no-headers") == (0, "1\tone\n2\ttwo\n3\t\n")
    # JSON has no header row: its objects keep their names.
    for fmt in ("json", "nl"):
        assert run_answer("select", f"--{fmt}", "--no-headers") == (0, SELECT_OUTPUT[fmt])


def test_limit_writes_the_first_rows_only() -> None:
    assert run_answer("select", "--limit", "1") == (0, "n  word\n-  ----\n1  one\n")
    assert run_answer("select", "--csv", "--limit", "2") == (0, "n,word\n1,one\n2,two\n")
    assert run_answer("select", "--nl", "--limit", "9") == (0, SELECT_OUTPUT["nl"])
    code, output = run_answer("select", "--limit", "0")
    assert code == 2
    assert output.endswith(
        "Error: Invalid value for '--limit': 0 is not in the range 1<=x<=9223372036854775807.\n"
    )


def test_limit_reads_no_more_rows_than_it_writes(capsys: pytest.CaptureFixture[str]) -> None:
    read: list[int] = []

    def rows() -> Iterator[Row]:
        for n in range(1, 1000):
            read.append(n)
            yield [pyoxigraph.Literal(str(n))]

    outcome = QueryOutcome(kind="select", columns=["n"], rows=rows())
    write_outcome(outcome, fmt="csv", no_headers=True, limit=2)
    assert (capsys.readouterr().out, read) == ("1\r\n2\r\n", [1, 2])  # CSV's line ends


ASK_OUTPUT = {
    "table": "result\n------\ntrue\n",
    "csv": "result\ntrue\n",
    "tsv": "result\ntrue\n",
    "json": '[\n  {\n    "result": true\n  }\n]\n',
    "nl": '{"result": true}\n',
}


@pytest.mark.parametrize("fmt", sorted(ASK_OUTPUT))
def test_an_ask_answer_is_one_result_column_in_each_format(fmt: str) -> None:
    assert run_answer("ask", f"--{fmt}") == (0, ASK_OUTPUT[fmt])


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("table", "true\n"), ("csv", "true\n"), ("tsv", "true\n"), ("nl", ASK_OUTPUT["nl"])],
)
def test_no_headers_leaves_out_the_header_of_an_ask_answer(fmt: str, expected: str) -> None:
    assert run_answer("ask", f"--{fmt}", "--no-headers") == (0, expected)


def test_a_graph_answer_is_turtle_whatever_the_format() -> None:
    code, output = run_answer("graph")
    assert code == 0
    assert output.endswith('\n<http://example.org/a> rdfs:label "A" .\n')
    assert all(line.startswith("@prefix ") for line in output.splitlines()[:-1])
    parsed = pyoxigraph.Store()
    parsed.load(output.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    assert [str(q.triple) for q in parsed] == [
        '<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"'
    ]
    for fmt in ("csv", "tsv", "json", "nl", "no-headers"):
        assert run_answer("graph", f"--{fmt}", "--limit", "1") == (0, output), fmt


# --- --store (KG_STORE), --endpoint (KG_ENDPOINT), --silent -----------------------------------


def test_store_endpoint_and_silent_by_default_from_the_environment_and_given() -> None:
    runner = CliRunner(env={"KG_STORE": None, "KG_ENDPOINT": None})
    assert runner.invoke(given, []).output == (
        f"store={DEFAULT_STORE} endpoint=None silent=False\n"
    )
    env = {"KG_STORE": "/srv/kg", "KG_ENDPOINT": "http://h/query"}
    assert runner.invoke(given, [], env=env).output == (
        "store=/srv/kg endpoint=http://h/query silent=False\n"
    )
    args = ["--store", "here", "--endpoint", "http://e/sparql", "--silent"]
    assert runner.invoke(given, args, env=env).output == (
        "store=here endpoint=http://e/sparql silent=True\n"
    )


def test_a_store_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    a_file = tmp_path / "kg-store"
    a_file.write_text("not a folder")
    result = CliRunner().invoke(given, ["--store", str(a_file)])
    assert result.exit_code == 2
    assert result.output.endswith(
        f"Error: Invalid value for '--store': Directory '{a_file}' is a file.\n"
    )


def test_environment_variable_names_the_store(
    runner: CliRunner, store_dir: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_STORE", str(store_dir))
    assert run(runner, "load", "--no-validate", str(sample_path)).output == LOADED
    assert run(runner, "sparql", "ASK { ?q parl:uin '19185' }").output == "result\n------\ntrue\n"


# --- The real commands take them ---------------------------------------------------------------


def test_kg_sparql_and_kg_stats_write_through_the_shared_options(
    runner: CliRunner, store_dir: Path, sample_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    query = "SELECT ?uin ?days WHERE { ?q parl:uin ?uin ; kg:daysToAnswer ?days } ORDER BY ?uin"
    args = ["sparql", "--store", str(store_dir), "--tsv", "--no-headers", "--limit", "2", query]
    assert run(runner, *args).output == "147074\t3\n185646\t7\n"
    stats = run(runner, "stats", "--store", str(store_dir), "--nl").output.splitlines()
    assert stats[:2] == ['{"name": "triples", "value": 407}', '{"name": "questions", "value": 9}']


@click.command()
@timeout_option
@limit_option
def timed(timeout: float | None, limit: int | None) -> None:
    click.echo(f"timeout={timeout} limit={limit}")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--timeout", "nan"], "Invalid value for '--timeout': 'nan' is not a number"),
        (["--timeout", "inf"], "Invalid value for '--timeout': inf is not in the range 0<x<=31536000.0."),
        (["--timeout", "0"], "Invalid value for '--timeout': 0.0 is not in the range 0<x<=31536000.0."),
        (["--timeout", "1e300"], "Invalid value for '--timeout': 1e+300 is not in the range 0<x<=31536000.0."),
        (["--limit", "9223372036854775808"], "Invalid value for '--limit': 9223372036854775808 is not in the range 1<=x<=9223372036854775807."),
    ],
)  # fmt: skip
def test_timeouts_and_limits_beyond_what_the_clocks_and_iterators_take_are_usage_errors(
    args: list[str], error: str
) -> None:
    result = CliRunner().invoke(timed, args)
    assert (result.exit_code, result.output.splitlines()[-1]) == (2, f"Error: {error}")
    given = CliRunner().invoke(timed, ["--timeout", "0.5", "--limit", "9223372036854775807"])
    assert given.output == "timeout=0.5 limit=9223372036854775807\n"
