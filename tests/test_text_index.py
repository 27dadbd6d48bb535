"""The text index: built, kept current by kg's loads, and find-questions gives the same rows
with it as without (searching it, kg.text_search: tests/test_text_search.py)."""

from __future__ import annotations

import copy
import gc
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg import text_index
from kg.cli import cli
from kg.errors import InputError
from kg.load import load_paths
from kg.page_load import load_page
from kg.paths import sample_page, text_index_file
from kg.queries import bind_parameters, load_catalog, local_runner, run_canned
from kg.query_values import narrowed
from kg.reader import read_page
from kg.text_index import build, kept_current
from kg.text_search import TextIndex
from tests.conftest import write_page
from tests.test_text_search import _index

CATALOG = load_catalog()
FIND = CATALOG["find-questions"]


SEARCHES = [
    "complex NEEDS toolkit",
    "Written Off",
    "no such words anywhere",
    "DENTISTS",
    "nhs",
    "dent",
    "ists",
    "child maintenance",
    '"no" } UNION { ?s ?p ?o } #',
    "\\",
    "<p>",
    "café",
]


@pytest.mark.parametrize("fixture", ["sample", "handmade"])
def test_find_questions_gives_the_same_rows_with_the_index(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store: pyoxigraph.Store = request.getfixturevalue(fixture)
    index = _index(store, tmp_path)
    narrowed_any = False
    for text in SEARCHES:
        given_ = {"text": text}
        bindings = bind_parameters(FIND, given_, local_runner(store))
        narrowed_any |= narrowed(FIND.text, bindings, index) != FIND.text
        plain = run_canned(store, "find-questions", given_, catalog=CATALOG)
        fast = run_canned(store, "find-questions", given_, catalog=CATALOG, text_index=index)
        assert fast.row_list() == plain.row_list(), text
    assert narrowed_any
    index.close()


#: Question texts whose lower case (SPARQL's LCASE) differs from what FTS5 makes of them.
UNICODE_TEXTS = [
    "\u0130ZQ",
    "in \u0130stanbul",
    "\u212aW",
    "A\u212aB",
    "\u1e9e",
    "\u03a3\u0391\u03a3 OK",
]


def test_find_questions_gives_the_same_rows_with_the_index_whatever_the_case_mapping(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    items = []
    for number, text in enumerate(UNICODE_TEXTS):
        item = copy.deepcopy(sample_items[0])
        item["_about"] = f"http://data.parliament.uk/resources/{900 + number}"
        item["uin"], item["questionText"] = f"U{number}", text
        del item["answer"]
        items.append(item)
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "page.json", items))], validate=False)
    index = _index(store, tmp_path)
    for text in ("i", "zq", "in i", "stanbul", "k", "kb", "ss", "ok"):
        plain = run_canned(store, "find-questions", {"text": text}, catalog=CATALOG)
        fast = run_canned(
            store, "find-questions", {"text": text}, catalog=CATALOG, text_index=index
        )
        assert fast.row_list() == plain.row_list(), text
        assert plain.row_list() or text in ("ss",), text  # LCASE("ẞ") is "ß", not "ss"
    assert index.match_expression("zq") is not None  # narrowed, not read whole
    index.close()


# --- Through the command line: built, used, kept current -----------------------------------


def _kg(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    return result


def _changed_page(path: Path) -> Path:
    doc = json.loads(sample_page().read_text(encoding="utf-8"), strict=False)
    items = doc["result"]["items"]
    question = items[0]["questionText"]
    items[0]["questionText"] = question + " Zebra crossings too?"
    path.write_text(json.dumps({**doc, "result": {**doc["result"], "items": [items[0]]}}))
    return path


def _indexed_sample(runner: CliRunner, store: Path) -> Path:
    """A store at ``store`` with the sample loaded and a text index built."""
    assert _kg(runner, "load", str(sample_page()), "--store", str(store)).exit_code == 0
    assert _kg(runner, "text-index", "--store", str(store), "--silent").exit_code == 0
    return store


def _docs(store: Path) -> int:
    with sqlite3.connect(text_index_file(store)) as db:
        return int(db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])


def test_kg_text_index_builds_and_kg_load_keeps_it_current(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "store"
    assert _kg(runner, "load", str(sample_page()), "--store", str(store)).exit_code == 0
    built = _kg(runner, "text-index", "--store", str(store), "--silent")
    size = text_index_file(store).stat().st_size / 1048576
    assert built.stdout == (
        f"Indexed 18 texts of 9 questions in {text_index_file(store)} ({size:,.1f} MiB)\n"
    )
    assert _docs(store) == 18
    find = ["query", "find-questions", "--store", str(store), "-p", "text=zebra", "--csv"]
    assert _kg(runner, *find).stdout == "uin,tabled,member,department,hansardHeading,foundIn\n"

    loaded = _kg(
        runner, "load", str(_changed_page(tmp_path / "changed.json")), "--store", str(store)
    )
    assert "1 replaced" in loaded.stdout
    with sqlite3.connect(text_index_file(store)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'pending'").fetchone() is None
        assert db.execute("SELECT term FROM terms WHERE term = 'zebra'").fetchone() == ("zebra",)
    assert _docs(store) == 18  # the replaced question's two texts, indexed again
    found = _kg(runner, *find)
    assert found.stdout.splitlines()[1:] == [
        "20427,2024-03-25,Wendy Chamberlain,Work and Pensions,Children: Maintenance,question"
    ]
    assert found.stderr == ""


FIND_TOOLKIT = ["query", "find-questions", "-p", "text=toolkit", "--csv"]


def _searched_without_the_index(runner: CliRunner, store: Path, *changes: str) -> Any:
    """``kg query find-questions`` after ``changes`` to the sample's index, which empty it: the
    query reads every text (all five found) as if there were no index."""
    with sqlite3.connect(text_index_file(store)) as db:
        for change in changes:
            db.execute(change)
        db.execute("DELETE FROM docs")  # were it used, it would find nothing
    searched = _kg(runner, *FIND_TOOLKIT, "--store", str(store))
    assert len(searched.stdout.splitlines()) == 6
    return searched


def test_an_index_an_older_kg_built_is_not_used_and_kg_says_so(tmp_path: Path) -> None:
    runner = CliRunner()
    store = _indexed_sample(runner, tmp_path / "store")
    searched = _searched_without_the_index(
        runner, store, "UPDATE meta SET value = '1' WHERE key = 'format'"
    )
    assert searched.stderr == (
        "Warning: the text index was built by an older kg: searching every text instead"
        " (slower) — run kg text-index\n"
    )
    assert _kg(runner, "text-index", "--store", str(store), "--silent").exit_code == 0
    again = _kg(runner, *FIND_TOOLKIT, "--store", str(store))
    assert again.stdout == searched.stdout
    assert again.stderr == ""


def test_a_pending_index_is_not_used_and_the_next_load_builds_it_again(tmp_path: Path) -> None:
    runner = CliRunner()
    store = _indexed_sample(runner, tmp_path / "store")
    searched = _searched_without_the_index(  # as a load killed before catching up
        runner, store, "INSERT INTO meta VALUES ('pending', '2020-01-01T00:00:00Z')"
    )
    assert searched.stderr == (
        "Warning: the text index was left pending by a load that stopped: searching every text"
        " instead (slower) — load again, or run kg text-index\n"
    )
    _kg(runner, "load", str(sample_page()), "--store", str(store))  # nothing changes
    assert _docs(store) == 18
    again = _kg(runner, *FIND_TOOLKIT, "--store", str(store))
    assert again.stdout == searched.stdout
    assert again.stderr == ""


def test_a_load_that_stops_part_way_still_catches_the_index_up(tmp_path: Path) -> None:
    runner = CliRunner()
    store = _indexed_sample(runner, tmp_path / "store")
    pages = tmp_path / "pages"
    pages.mkdir()
    _changed_page(pages / "a.json")
    (pages / "b.json").write_text('{"format": "linked-data-api", "result": {"items": [')
    failed = _kg(runner, "load", str(pages), "--store", str(store))
    assert failed.exit_code == 1
    assert failed.stderr.startswith("Error: ")
    find = ["query", "find-questions", "--store", str(store), "-p", "text=zebra", "--csv"]
    assert len(_kg(runner, *find).stdout.splitlines()) == 2  # a.json was kept, and indexed


def test_kg_text_index_without_a_store(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["text-index", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'none'}: ")
    assert "\n" not in result.stderr.rstrip("\n")


def test_an_index_that_cannot_be_written_stops_the_load_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.text_index.BUSY_TIMEOUT", 0.05)
    runner = CliRunner()
    store = _indexed_sample(runner, tmp_path / "store")
    holder = sqlite3.connect(text_index_file(store), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing it
    try:
        result = _kg(
            runner, "load", str(_changed_page(tmp_path / "changed.json")), "--store", str(store)
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {text_index_file(store)}: the text index could not be written (database is"
        " locked) — run kg text-index again, or delete the file (searches then read every text)\n"
    )
    stats = _kg(runner, "stats", "--store", str(store), "--csv")
    assert "triples,407" in stats.stdout  # nothing was loaded
    find = ["query", "find-questions", "--store", str(store), "-p", "text=zebra", "--csv"]
    assert len(_kg(runner, *find).stdout.splitlines()) == 1


def test_a_damaged_index_is_not_used(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "store"
    _kg(runner, "load", str(sample_page()), "--store", str(store))
    text_index_file(store).write_bytes(b"not a database" * 100)
    find = ["query", "find-questions", "--store", str(store), "-p", "text=toolkit", "--csv"]
    searched = _kg(runner, *find)
    assert (searched.exit_code, len(searched.stdout.splitlines()), searched.stderr) == (0, 6, "")
    loaded = _kg(runner, "load", str(sample_page()), "--store", str(store))
    assert loaded.exit_code == 0


def test_a_load_names_what_it_wrote_with_an_older_time(tmp_path: Path) -> None:
    """Pages fetched earlier carry their fetch time as kg:loadedAt: kg fetch names them."""
    store = pyoxigraph.Store()
    build(store, tmp_path)  # an empty index
    page = read_page(str(_changed_page(tmp_path / "changed.json")))
    iri = str(page.items[0]["_about"])
    for named in (False, True):
        with kept_current(store, tmp_path) as upkeep:
            if named:
                upkeep.wrote([iri])
            load_page(store, page, loaded_at="2000-01-01T00:00:00Z")
        index = TextIndex.open(tmp_path)
        assert index is not None
        found = index.candidates("zebra", ["questionText"])
        index.close()
        assert found == {"questionText": [iri] if named else []}


@pytest.mark.parametrize("about", [None, "", "relative/x", {"_value": "x"}])
def test_a_load_refusing_an_item_without_an_iri_says_so_not_the_index(
    tmp_path: Path, about: Any
) -> None:
    # kg fetch --load names each item's _about to the index before the load refuses it.
    store = pyoxigraph.Store()
    build(store, tmp_path)
    page = read_page(str(_changed_page(tmp_path / "changed.json")))
    page.items[0]["_about"] = about
    with pytest.raises(InputError, match="_about"), kept_current(store, tmp_path) as upkeep:
        upkeep.wrote(item.get("_about") for item in page.items)
        load_page(store, page)
    assert upkeep.questions == set()


class _Stop(Exception):
    pass


@pytest.mark.parametrize("stop_in", ["indexing", "reading"])
def test_a_build_that_stops_part_way_frees_the_stores_results_in_their_thread(
    sample: pyoxigraph.Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unraisable: list[str],
    stop_in: str,
) -> None:
    # pyoxigraph's results may only be freed by the thread that made them (the read-ahead's).
    monkeypatch.setattr(text_index, "CHUNK_TEXTS", 2)  # the sample's 18 texts: 9 chunks

    def stop(_: object) -> str:
        raise _Stop

    if stop_in == "reading":
        monkeypatch.setattr(text_index, "_value", stop)
    with pytest.raises(_Stop):
        build(sample, tmp_path, on_texts=stop)
    gc.collect()
    assert unraisable == []
    assert not text_index_file(tmp_path).exists()
    assert list(tmp_path.iterdir()) == []  # nor its part
