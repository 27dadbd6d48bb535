"""The kg command as a user runs it: exact output, one-line errors, store left as it was."""

from __future__ import annotations

import copy
import gzip
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from kg.store import DiskUsage
from tests.conftest import write_page

Q = "http://data.parliament.uk/resources/"
LOADED = "Loaded 1 file, 9 items (9 new, 0 replaced, 0 unchanged), 407 triples written, 0 removed, 0 warnings\n"


def run(runner: CliRunner, *args: str, input: bytes | None = None) -> Any:
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "kg-store"


def snapshot(store_dir: Path) -> set[str]:
    store = pyoxigraph.Store.read_only(str(store_dir))
    return {str(q) for q in store}


def test_version_says_which_build_runs(runner: CliRunner) -> None:
    build = (
        "converter compiled with mypyc" if os.environ.get("KG_EXPECT_COMPILED") else "pure Python"
    )
    result = run(runner, "--version")
    assert (result.exit_code, result.output) == (0, f"kg, version 0.1.0 ({build})\n")


def test_load_then_stats_then_sparql(runner: CliRunner, store_dir: Path, sample_path: Path) -> None:
    result = run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    assert (result.exit_code, result.output) == (0, LOADED)
    again = run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    assert again.output == (
        "Loaded 1 file, 9 items (0 new, 0 replaced, 9 unchanged), 0 triples written, "
        "0 removed, 0 warnings\n"
    )
    stats = run(runner, "stats", "--store", str(store_dir), "--csv")
    lines = stats.output.splitlines()
    assert lines[:12] == [
        "name,value",
        "triples,407",
        "questions,9",
        "answers,9",
        "previousAnswerVersions,0",
        "attachments,0",
        "members,4",
        "departments,1",
        "houses,1",
        "groupedQuestions,5",
        "firstTabled,2021-02-01",
        "lastTabled,2024-03-25",
    ]
    assert lines[12].startswith("lastLoaded,20")
    assert lines[13] == "sources,1"
    query = (
        "SELECT ?uin ?days WHERE { ?q parl:uin ?uin ; kg:daysToAnswer ?days } ORDER BY ?uin LIMIT 3"
    )
    table = run(runner, "sparql", "--store", str(store_dir), query)
    assert table.output == (
        "uin     days\n------  ----\n147074     3\n185646     7\n185648     5\n"
    )
    as_json = run(runner, "sparql", "--store", str(store_dir), "--nl", query)
    assert as_json.output.splitlines()[0] == '{"uin": "147074", "days": 3}'
    star = "SELECT * WHERE { ?q parl:uin ?uin ; kg:daysToAnswer ?days } ORDER BY ?uin LIMIT 1"
    assert run(runner, "sparql", "--store", str(store_dir), "--csv", star).output == (
        "q,uin,days\nhttp://data.parliament.uk/resources/1282596,147074,3\n"
    )


@pytest.fixture()
def locked_store(store_dir: Path, sample_path: Path) -> Iterator[Path]:
    CliRunner().invoke(cli, ["load", "--no-validate", "--store", str(store_dir), str(sample_path)])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import pyoxigraph,sys; s=pyoxigraph.Store(sys.argv[1]); "
         "print('ready', flush=True); sys.stdin.read()", str(store_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    yield store_dir
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


def test_locked_store(runner: CliRunner, locked_store: Path, sample_path: Path) -> None:
    result = runner.invoke(
        cli, ["load", "--no-validate", "--store", str(locked_store), str(sample_path)]
    )
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {locked_store}: the store is locked by another process — wait for the other "
        "kg command to finish, or use another --store\n",
    )
    # reading still works while another process writes
    assert run(runner, "sparql", "--store", str(locked_store), "ASK { ?s ?p ?o }").output.endswith(
        "true\n"
    )


def test_optimize_compacts_the_store_and_keeps_every_triple(
    runner: CliRunner, store_dir: Path, sample_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    before, triples = DiskUsage.of(store_dir), snapshot(store_dir)

    result = run(runner, "optimize", "--store", str(store_dir))

    after = DiskUsage.of(store_dir)
    mib = [f"{usage.size / (1 << 20):,.1f}" for usage in (before, after)]
    assert result.output == (
        f"Compacted {store_dir}: {before.tables} tables, {mib[0]} MiB"
        f" -> {after.tables} tables, {mib[1]} MiB\n"
    )
    assert snapshot(store_dir) == triples and len(triples) == 407


def test_a_load_into_a_store_an_older_kg_kept_says_it_recounted_the_tallies(
    runner: CliRunner, store_dir: Path, sample_path: Path, tmp_path: Path, sample_items: list[Any]
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    store = pyoxigraph.Store(str(store_dir))
    store.update("DELETE WHERE { <https://w3id.org/parliament-kg/id/tallies-2> ?p ?o }")
    del store
    changed = copy.deepcopy(sample_items)
    changed[0]["hansardHeading"] = {"_value": "Changed heading"}
    page = write_page(tmp_path / "changed.json", changed)

    result = run(runner, "load", "--no-validate", "--store", str(store_dir), str(page))

    # (how many triples changed depends on whether the second load fell in the same second)
    head, _, tail = result.output.partition(" triples written")
    assert head.startswith("Loaded 1 file, 9 items (0 new, 1 replaced, 8 unchanged), ")
    assert tail.endswith(", the tallies an older kg kept counted again, 0 warnings\n")
    again = run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    assert "counted again" not in again.output
    assert len(snapshot(store_dir)) == 407


@pytest.mark.parametrize("command", ["optimize", "recount"])
def test_optimize_and_recount_need_a_store_they_can_write(
    runner: CliRunner, locked_store: Path, tmp_path: Path, command: str
) -> None:
    result = runner.invoke(cli, [command, "--store", str(locked_store)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {locked_store}: the store is locked by another process — wait for the other "
        "kg command to finish, or use another --store\n",
    )
    result = runner.invoke(cli, [command, "--store", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {tmp_path}: this folder is not an Oxigraph store — give the --store that "
        "kg load made\n",
    )


def test_a_store_without_kept_tallies_is_refused_by_the_queries_that_read_them(
    runner: CliRunner, store_dir: Path, sample_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    expected = run(runner, "query", "monthly-questions", "--store", str(store_dir), "--csv").output
    store = pyoxigraph.Store(str(store_dir))
    store.update(  # as a store an older kg loaded: its marker was kgid:tallies
        "DELETE WHERE { <https://w3id.org/parliament-kg/id/tallies-2> ?p ?o }"
    )
    del store

    refused = runner.invoke(cli, ["query", "monthly-questions", "--store", str(store_dir)])
    assert (refused.exit_code, refused.output) == (
        1,
        "Error: monthly-questions: the store's tallies, which this query reads, are missing or "
        "were kept by an older kg — count them again: kg recount (or load any page again with "
        "this kg)\n",
    )
    asked = run(runner, "query", "member-questions", "-p", "member=4765", "--store", str(store_dir))
    assert asked.exit_code == 0 and len(asked.output.splitlines()) == 11  # reads no tallies

    recounted = run(runner, "recount", "--store", str(store_dir))
    assert recounted.output == f"Recounted {store_dir}: 16 tallies\n"
    again = run(runner, "query", "monthly-questions", "--store", str(store_dir), "--csv")
    assert again.output == expected and len(snapshot(store_dir)) == 407


def test_store_that_is_not_writable(
    runner: CliRunner, store_dir: Path, sample_path: Path, tmp_path: Path, sample_items: list[Any]
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    before = snapshot(store_dir)
    changed = copy.deepcopy(sample_items)
    changed[0]["hansardHeading"] = {"_value": "Changed heading"}
    page = write_page(tmp_path / "changed.json", changed)
    as_root = os.geteuid() == 0
    if as_root:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: cannot make a folder read-only")
        subprocess.run(["chattr", "+i", str(store_dir)], check=True)
    else:
        store_dir.chmod(0o555)
    try:
        result = runner.invoke(cli, ["load", "--no-validate", "--store", str(store_dir), str(page)])
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(store_dir)], check=True)
        else:
            store_dir.chmod(0o755)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {store_dir}: the store is not writable — ")
    assert snapshot(store_dir) == before


def test_reading_commands_need_a_store(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "none"
    result = runner.invoke(cli, ["stats", "--store", str(missing)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {missing}: there is no store here — load one first: kg load PAGE.json "
        "(or pass --store / set KG_STORE)\n",
    )
    pyoxigraph.Store(str(tmp_path / "empty"))
    result = runner.invoke(cli, ["sparql", "--store", str(tmp_path / "empty"), "ASK {}"])
    assert result.output == (
        f"Error: {tmp_path / 'empty'}: the store is empty — load pages first: kg load PAGE.json\n"
    )


def test_invalid_sparql_names_line_and_column(
    runner: CliRunner, store_dir: Path, sample_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    result = runner.invoke(cli, ["sparql", "--store", str(store_dir), "SELECT ?q WHERE {\n ?q"])
    assert result.exit_code == 1
    # One line: Oxigraph's character classes (several lines of ranges) are named.
    assert result.output == (
        'Error: query: invalid SPARQL at line 2, column 4: expected one of "!", "$", "(", ":", '
        '"<", "?", "^", "a", a digit, a letter or "_" — fix the query\n'
    )


def test_an_update_is_refused_in_one_line(
    runner: CliRunner, store_dir: Path, sample_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    update = "DELETE WHERE { ?s ?p ?o }"
    result = runner.invoke(cli, ["sparql", "--store", str(store_dir), update])
    assert result.exit_code == 1
    assert result.output == (
        "Error: query: this is a SPARQL update (DELETE), and kg runs queries only — ask with "
        "SELECT, ASK, CONSTRUCT or DESCRIBE; the store changes with kg load\n"
    )
    assert len(pyoxigraph.Store.read_only(str(store_dir))) == 407


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = run(runner, "--help")
    listed = result.output.split("Commands:\n", 1)[1].splitlines()
    names = [line.split()[0] for line in listed if line.strip()]
    assert names == [
        "export",
        "fetch",
        "load",
        "optimize",
        "push",
        "queries",
        "query",
        "recount",
        "serve",
        "show",
        "sparql",
        "stats",
        "text-index",
        "validate",
    ]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["nope"], "kg: no such command 'nope' — see kg --help"),
        (["--nope"], "kg: no such option '--nope' — see kg --help"),
        (["load", "--xyzzy", "x"], "kg load: no such option '--xyzzy' — see kg load --help"),
        (
            ["load", "--stor", "x"],
            "kg load: no such option '--stor'. Did you mean '--store'? — see kg load --help",
        ),
        (["load"], "kg load: missing argument 'INPUTS...' — see kg load --help"),
        (
            ["query", "members", "--limit", "x"],
            "kg query: invalid value for '--limit': 'x' is not a valid integer range"
            " — see kg query --help",
        ),
    ],
    ids=["command", "group-option", "option", "near-option", "argument", "value"],
)
def test_a_command_line_kg_cannot_parse_is_one_line(
    runner: CliRunner, args: list[str], line: str
) -> None:
    result = runner.invoke(cli, args)
    assert (result.exit_code, result.output) == (2, f"Error: {line}\n")


def test_help_is_not_an_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["load", "--help"]).output.startswith("Usage: kg load [OPTIONS]")
    assert runner.invoke(cli, []).output.startswith("Usage: kg [OPTIONS] COMMAND [ARGS]...")


def test_the_commands_of_other_modules_are_imported_when_run() -> None:
    """``kg load`` starts without the HTTP, endpoint and canned-query modules."""
    others = ["kg.cli_fetch", "kg.cli_query", "kg.cli_remote", "kg.remote", "kg.fetch"]
    code = f"import sys, kg.cli; print([m for m in {others!r} if m in sys.modules])"
    started = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert started.stdout == "[]\n", started.stderr
    code = "import sys, kg.cli; kg.cli.cli.get_command(None, 'query'); print('kg.cli_query' in sys.modules)"
    asked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert asked.stdout == "True\n", asked.stderr


def test_the_converter_is_imported_only_by_the_commands_that_convert() -> None:
    """``kg query`` starts without the converter (kg load's, in kg.cli_load)."""
    code = "import sys, kg.cli, kg.cli_query; print('kg.convert' in sys.modules)"
    started = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert started.stdout == "False\n", started.stderr
    code = "import sys, kg.cli; kg.cli.cli.get_command(None, 'load'); print('kg.convert' in sys.modules)"
    asked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert asked.stdout == "True\n", asked.stderr


def test_export_writes_the_store_to_a_file_or_to_stdout(
    runner: CliRunner, store_dir: Path, sample_path: Path, tmp_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    target = tmp_path / "kg.ttl"
    written = run(runner, "export", "--store", str(store_dir), "-f", "ttl", "-o", str(target))
    assert (written.exit_code, written.stdout) == (0, "")
    assert written.stderr == f"Wrote 407 triples to {target}\n"
    store = pyoxigraph.Store.read_only(str(store_dir))
    exported = pyoxigraph.Store()
    exported.load(path=str(target), format=pyoxigraph.RdfFormat.TURTLE)
    assert {str(q) for q in exported} == {str(q) for q in store}
    text = target.read_text(encoding="utf-8")
    blocks = [line.split(" ", 1)[0] for line in text.splitlines() if line.startswith("<" + Q)]
    assert len(blocks) == len(set(blocks)) == 18  # each question's and answer's triples together
    lines = run(runner, "export", "--store", str(store_dir), "-f", "nt").stdout.splitlines()
    assert len(lines) == 407 and len(set(lines)) == 407


def test_export_takes_the_format_from_its_long_name_or_the_file_extension(
    runner: CliRunner, store_dir: Path, sample_path: Path, tmp_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    exported = {
        (fmt, name): tmp_path / name
        for fmt, name in [(None, "a.nt"), (None, "a.JSONLD"), ("turtle", "a.txt"), (None, "a.x")]
    }
    for (fmt, _), path in exported.items():
        given = ["-f", fmt] if fmt else []
        run(runner, "export", "--store", str(store_dir), *given, "-o", str(path))
    formats = {
        "a.nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "a.JSONLD": pyoxigraph.RdfFormat.JSON_LD,
        "a.txt": pyoxigraph.RdfFormat.TURTLE,
        "a.x": pyoxigraph.RdfFormat.TURTLE,  # an extension of no format: Turtle, the default
    }
    stored = {str(q) for q in pyoxigraph.Store.read_only(str(store_dir))}
    for (_, name), path in exported.items():
        read = pyoxigraph.parse(path=str(path), format=formats[name])
        assert {str(q) for q in read} == stored, name
    assert (tmp_path / "a.nt").read_text().count("\n") == 407  # one triple a line
    packed = tmp_path / "a.nt.gz"
    run(runner, "export", "--store", str(store_dir), "-o", str(packed))
    assert gzip.decompress(packed.read_bytes()) == (tmp_path / "a.nt").read_bytes()


def test_export_in_an_unknown_format_is_one_line(
    runner: CliRunner, store_dir: Path, sample_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    result = runner.invoke(cli, ["export", "--store", str(store_dir), "-f", "owl"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: export: unknown format 'owl' — use one of ttl, nt, nq, trig, xml, jsonld\n"
    )


def test_validate_says_the_store_conforms(
    runner: CliRunner, store_dir: Path, sample_path: Path
) -> None:
    run(runner, "load", "--store", str(store_dir), str(sample_path))
    result = runner.invoke(cli, ["validate", "--store", str(store_dir)])
    assert (result.exit_code, result.output) == (
        0,
        "The data conforms to the shapes (24 focus nodes checked).\n",
    )


@pytest.fixture()
def invalid_store(
    runner: CliRunner, store_dir: Path, tmp_path: Path, sample_items: list[dict[str, Any]]
) -> Path:
    """The sample, its third question kept without a UIN."""
    items = copy.deepcopy(sample_items)
    del items[2]["uin"]
    page = write_page(tmp_path / "no-uin.json", items)
    run(runner, "load", "--on-invalid", "keep", "--store", str(store_dir), str(page))
    return store_dir


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_validate_names_each_violation_and_exits_1(invalid_store: Path, engine: str) -> None:
    result = CliRunner().invoke(
        cli, ["validate", "--store", str(invalid_store), "--engine", engine]
    )
    assert result.exit_code == 1
    assert result.output == (
        "The data does not conform to the shapes: 1 violation (24 focus nodes checked).\n"
        "Violation kgsh:Question-uin: a question has exactly one parl:uin\n"
        "    1 result (sh:MinCountConstraintComponent) on 1 focus node: "
        "http://data.parliament.uk/resources/1696807\n"
    )


def test_validate_writes_the_full_report(invalid_store: Path) -> None:
    result = CliRunner().invoke(
        cli, ["validate", "--store", str(invalid_store), "--format", "turtle"]
    )
    assert result.exit_code == 1
    report = rdflib.Graph().parse(data=result.output, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert set(report.objects(None, sh.conforms)) == {rdflib.Literal(False)}
    results = list(report.subjects(rdflib.RDF.type, sh.ValidationResult))
    assert len(results) == 1
    assert report.value(results[0], sh.focusNode) == rdflib.URIRef(
        "http://data.parliament.uk/resources/1696807"
    )
    assert report.value(results[0], sh.resultPath) == rdflib.URIRef(
        "http://data.parliament.uk/schema/parl#uin"
    )


def test_sparql_reads_the_query_from_a_file(
    runner: CliRunner, store_dir: Path, sample_path: Path, tmp_path: Path
) -> None:
    run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?q a kg:WrittenQuestion }\n")
    result = run(runner, "sparql", "--store", str(store_dir), "-f", str(query), "--csv")
    assert result.output == "n\n9\n"
    missing = tmp_path / "missing.rq"
    result = runner.invoke(cli, ["sparql", "--store", str(store_dir), "-f", str(missing)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {missing}: cannot read: No such file or directory — check the path\n",
    )
    result = runner.invoke(cli, ["sparql", "--store", str(store_dir)])
    assert (result.exit_code, result.output) == (
        2,
        "Error: kg sparql: give a query, or -f FILE.rq (one of the two) — see kg sparql --help\n",
    )
