"""``kg text-index`` (kg/cli_text.py): builds the text index of a store, and says so in one line.

How the index is built, used and kept current is tests/test_text_index.py's.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.load import load_paths
from kg.paths import text_index_file

# tests/test_cli.py's fixtures, shared ("as": re-exported, so that ruff takes a test's argument
# of the same name for the fixture, not for a redefinition of the import).
from tests.test_cli import locked_store as locked_store
from tests.test_cli import store_dir as store_dir


@pytest.fixture()
def loaded(tmp_path: Path, sample_path: Path) -> Path:
    """An on-disk store holding the bundled sample (9 questions, 18 texts), without an index."""
    path = tmp_path / "kg-store"
    store = pyoxigraph.Store(str(path))
    load_paths(store, [str(sample_path)], validate=False)
    store.flush()
    del store
    return path


def text_index(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["text-index", *args], env=env)


def indexed(store: Path) -> str:
    """The line kg text-index prints for the sample's index in ``store``, as it is on disk."""
    index = text_index_file(store)
    size = index.stat().st_size / 1048576
    return f"Indexed 18 texts of 9 questions in {index} ({size:,.1f} MiB)\n"


def index_rows(store: Path) -> tuple[int, int]:
    """The texts in the index, and the questions they belong to."""
    with contextlib.closing(sqlite3.connect(text_index_file(store))) as db:
        texts, questions = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT question) FROM docs"
        ).fetchone()
    return int(texts), int(questions)


def test_kg_text_index_indexes_the_texts_of_the_sample(loaded: Path) -> None:
    assert not text_index_file(loaded).exists()
    result = text_index("--store", str(loaded), "--silent")
    assert (result.exit_code, result.stdout, result.stderr) == (0, indexed(loaded), "")
    assert text_index_file(loaded) == loaded / "kg-text-index.sqlite"
    assert index_rows(loaded) == (18, 9)


def test_no_progress_bar_is_drawn_when_stderr_is_not_a_terminal(loaded: Path) -> None:
    result = text_index("--store", str(loaded))
    assert (result.exit_code, result.stdout, result.stderr) == (0, indexed(loaded), "")


def test_indexing_again_replaces_the_index(loaded: Path) -> None:
    first = text_index("--store", str(loaded), "--silent")
    again = text_index("--store", str(loaded), "--silent")
    assert (again.exit_code, again.output) == (0, first.output)
    assert index_rows(loaded) == (18, 9)


def test_kg_store_names_the_store_to_index(loaded: Path) -> None:
    result = text_index("--silent", env={"KG_STORE": str(loaded)})
    assert (result.exit_code, result.output) == (0, indexed(loaded))


def test_without_a_store_is_one_error_line_and_makes_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "none"
    result = text_index("--store", str(missing))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {missing}: there is no store here — load one first: kg load PAGE.json "
        "(or pass --store / set KG_STORE)\n",
    )
    assert not missing.exists()


def test_a_folder_that_is_not_a_store_is_one_error_line_and_is_left_as_it_is(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page.json").write_text("{}", encoding="utf-8")
    result = text_index("--store", str(folder))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {folder}: this folder is not an Oxigraph store — give the --store that kg load "
        "made\n",
    )
    assert sorted(p.name for p in folder.iterdir()) == ["page.json"]


def test_a_store_another_process_writes_is_one_error_line(locked_store: Path) -> None:
    result = text_index("--store", str(locked_store))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {locked_store}: the store is locked by another process — wait for the other "
        "kg command to finish, or use another --store\n",
    )
    assert not text_index_file(locked_store).exists()


def test_an_empty_store_is_one_error_line_and_gets_no_index(tmp_path: Path) -> None:
    empty = tmp_path / "kg-store"
    pyoxigraph.Store(str(empty)).flush()
    result = text_index("--store", str(empty))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {empty}: the store is empty — load pages first: kg load PAGE.json\n",
    )
    assert not text_index_file(empty).exists()
