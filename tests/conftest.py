from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg import vocab
from kg.load import load_paths
from kg.paths import sample_page
from kg.reader import read_page
from kg.sparql import select_lines

_TALLIES = """SELECT ?s ?p ?o WHERE {
  VALUES ?kind {
    kg:AskingTally kg:AnsweringTally kg:AnswerTimeTally kg:DayTally kg:MonthTally kg:TallySet
  }
  ?s a ?kind ; ?p ?o }"""


def stored_tally_lines(store: pyoxigraph.Store) -> set[str]:
    """Every tally's triples in the store, and its marker's, as N-Triples lines."""
    return select_lines(store, _TALLIES, prefixes={"kg": vocab.KG})


def freed_by_another_thread(make: Callable[[], object]) -> None:
    """What ``make`` returns, kept in a reference cycle (as ``pytest.raises`` keeps an error),
    freed by another thread's garbage collection: pyoxigraph's results may only be freed by
    the thread that made them (see the ``unraisable`` fixture)."""
    gc.collect()
    gc.disable()
    try:
        kept = [make()]
        kept.append(kept)
        del kept
        collector = threading.Thread(target=gc.collect)
        collector.start()
        collector.join()
    finally:
        gc.enable()


@pytest.fixture()
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The unraisable exceptions of the test, such as "PyQuerySolutions is unsendable, but is
    being dropped on another thread": pyoxigraph keeps such a result, and its store."""
    found: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: found.append(str(u.exc_value)))
    return found


def pytest_configure(config: pytest.Config) -> None:
    """kg's cache (compiled shapes) in a folder of the test run's own, for the commands the
    tests run too: no test depends on what an earlier run left in ~/.cache."""
    if "KG_CACHE_DIR" not in os.environ:
        os.environ["KG_CACHE_DIR"] = tempfile.mkdtemp(prefix="kg-test-cache-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop("KG_CACHE_DIR"), True))


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """The real API page bundled with kg (and shipped as its sample)."""
    return sample_page()


@pytest.fixture(scope="session")
def sample_items(sample_path: Path) -> list[dict[str, Any]]:
    return read_page(str(sample_path)).items


@pytest.fixture()
def sample_store(sample_path: Path) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    load_paths(store, [str(sample_path)])
    return store


@pytest.fixture(scope="module")
def sample() -> pyoxigraph.Store:
    """The real sample page loaded into a store shared by a module's read-only tests."""
    store = pyoxigraph.Store()
    load_paths(store, [str(sample_page())])
    return store


@pytest.fixture(scope="module")
def handmade() -> pyoxigraph.Store:
    """The hand-made pages (tests/fixtures/handmade): several departments, Lords, corrections."""
    store = pyoxigraph.Store()
    load_paths(store, [str(Path(__file__).parent / "fixtures" / "handmade")])
    return store


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def write_page(path: Path, items: list[dict[str, Any]], **meta: Any) -> Path:
    """Write a linked-data-api list page holding ``items``."""
    doc = {"format": "linked-data-api", "version": "0.2", "result": {**meta, "items": items}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
