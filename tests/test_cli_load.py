"""``kg load`` (kg/cli_load.py) as a user runs it: pages from files, standard input and gzip,
one error line for each bad input, and the store left as it was."""

from __future__ import annotations

import copy
import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import write_page

# tests/test_cli.py's fixture, shared ("as": re-exported, so that ruff takes a test's argument
# of the same name for the fixture, not for a redefinition of the import).
from tests.test_cli import LOADED, Q, run, snapshot
from tests.test_cli import store_dir as store_dir


def test_standard_input_and_gzip(
    runner: CliRunner, store_dir: Path, sample_path: Path, tmp_path: Path
) -> None:
    packed = tmp_path / "page.json.gz"
    packed.write_bytes(gzip.compress(sample_path.read_bytes()))
    result = run(
        runner, "load", "--no-validate", "--store", str(store_dir), "-", input=packed.read_bytes()
    )
    assert result.output == LOADED


def bad_pages(tmp_path: Path, items: list[dict[str, Any]]) -> dict[str, tuple[Path, str]]:
    """Each bad input a user can give, with the one error line kg must print for it."""
    cases: dict[str, tuple[Path, str]] = {}
    not_json = tmp_path / "notes.json"
    not_json.write_text("Dear user, this is not JSON")
    cases["not json"] = (not_json, f"{not_json}: not JSON: Expecting value at line 1 column 1")
    other = tmp_path / "other.json"
    other.write_text('{"results": []}')
    cases["not a page"] = (
        other,
        f'{other}: not a linked-data-api page (no "format": "linked-data-api")',
    )
    truncated = tmp_path / "cut.json"
    truncated.write_text('{"format": "linked-data-api", "result": {"items": [{"_about": "http://')
    cases["truncated"] = (truncated, f"{truncated}: truncated JSON (it ends at line 1 column 70)")
    no_about = copy.deepcopy(items[:2])
    del no_about[1]["_about"]
    path = write_page(tmp_path / "no-about.json", no_about)
    cases["no _about"] = (path, f"{path} item 2: the item has no _about (its IRI)")
    shape = copy.deepcopy(items[:2])
    shape[0]["questionText"] = {"_value": ["two", "texts"]}
    path = write_page(tmp_path / "shape.json", shape)
    cases["unexpected shape"] = (
        path,
        f"{path} item 1 (http://data.parliament.uk/resources/1698517): _value holds a list, not text",
    )
    date = copy.deepcopy(items[:2])
    date[1]["answer"]["dateOfAnswer"] = {"_value": "26th March", "_datatype": "dateTime"}
    path = write_page(tmp_path / "date.json", date)
    cases["unparseable date"] = (
        path,
        f"{path} item 2 (http://data.parliament.uk/resources/1696806): unparseable date '26th March'",
    )
    not_gzip = tmp_path / "page.json.gz"
    not_gzip.write_bytes(b"<html>Service unavailable</html>")
    cases["not gzip"] = (not_gzip, f"{not_gzip}: neither gzip nor JSON")
    empty = tmp_path / "empty"
    empty.mkdir()
    cases["empty folder"] = (empty, f"{empty}: the folder holds no .json or .json.gz files")
    missing = tmp_path / "missing.json"
    cases["missing file"] = (missing, f"{missing}: no such file or folder — check the path")
    return cases


def test_each_bad_input_is_one_error_line_and_the_store_is_unchanged(
    runner: CliRunner, store_dir: Path, sample_path: Path, tmp_path: Path, sample_items: list[Any]
) -> None:
    changed = copy.deepcopy(sample_items)
    changed[0]["hansardHeading"] = {"_value": "Changed heading"}
    good_first = write_page(tmp_path / "good.json", changed[:1])
    for name, (path, message) in bad_pages(tmp_path, sample_items).items():
        run(runner, "load", "--no-validate", "--store", str(store_dir), str(sample_path))
        before = snapshot(store_dir)
        result = runner.invoke(
            cli, ["load", "--no-validate", "--store", str(store_dir), str(good_first), str(path)]
        )
        assert result.exit_code == 1, name
        lines = result.output.splitlines()
        assert len(lines) == 1, (name, result.output)
        assert lines[0].startswith("Error: " + message), (name, lines[0])
        assert " — " in lines[0] and "Traceback" not in result.output
        # The good page before the bad one is loaded (or, when the bad input is found while
        # listing the inputs, nothing is); the bad page leaves no trace.
        after = snapshot(store_dir)
        touched = {t for t in before ^ after if not t.startswith("<" + Q + "1698517")}
        assert touched == set(), name
        listing_error = name in ("empty folder", "missing file")
        assert (after == before) == listing_error, name
        shutil.rmtree(store_dir)


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_a_page_without_items_writes_nothing_and_the_store_stays_empty(
    runner: CliRunner, store_dir: Path, tmp_path: Path, sample_path: Path, source: str
) -> None:
    page = write_page(tmp_path / "last-page.json", [])
    args = ["load", "--store", str(store_dir)]
    if source == "file":
        result = run(runner, *args, str(page))
    else:
        result = run(runner, *args, "-", input=page.read_bytes())

    assert result.output == (
        "Loaded 1 file, 0 items (0 new, 0 replaced, 0 unchanged), 0 triples written, "
        "0 removed, 0 warnings\n"
    )
    stats = runner.invoke(cli, ["stats", "--store", str(store_dir)])
    assert (stats.exit_code, stats.output) == (
        1,
        f"Error: {store_dir}: the store is empty — load pages first: kg load PAGE.json\n",
    )
    assert run(runner, *args, str(sample_path)).output == LOADED


def test_an_error_line_passes_no_escape_sequence_to_the_terminal(
    runner: CliRunner, store_dir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "page\x1b]0;title\x07\nsecond line.json"
    result = runner.invoke(cli, ["load", "--store", str(store_dir), str(missing)])
    shown = str(tmp_path / "page␛]0;title␇ second line.json")  # one line already
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {shown}: no such file or folder — check the path\n",
    )
