"""``kg fetch`` end to end: a real local API with faults, a real cache folder, a real store.

The harvest itself (retries, resuming, the cache, the state); the command's own options,
summary and loading are tests/test_cli_fetch.py's.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.fetch import Query
from kg.harvest import HarvestState
from kg.harvest_cache import Cache, locked
from kg.paths import harvest_cache_dir
from kg.reader import parse_page
from tests.api_server import LOOPBACK_ONLY, ApiServer, make_questions

PAGE = 10  # the server clamps every page to 10 items


@pytest.fixture(scope="module")
def questions(sample_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """50 distinct questions: the 9 real ones, then 41 made from them, later and later."""
    return sample_items + make_questions(sample_items[0], 41, start="2024-05-01")


@pytest.fixture()
def api(questions: list[dict[str, Any]]) -> Iterator[ApiServer]:
    with ApiServer({"answeredquestions": list(questions)}, max_page_size=PAGE) as server:
        yield server


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str


def fetch(
    api: ApiServer, store_path: Path, *args: str, endpoint: str = "answeredquestions"
) -> Outcome:
    """``kg fetch`` in-process, with short timeouts and backoffs.

    Only the exit code and output are kept: a traceback kept alive would keep the store open.
    """
    options = ["--base-url", api.url, "--store", str(store_path), "--silent", "--no-validate"]
    options += ["--timeout", "0.5", "--backoff", "0.001"]
    result = CliRunner(env=LOOPBACK_ONLY).invoke(cli, ["fetch", endpoint, *options, *args])
    outcome = Outcome(result.exit_code, result.output)
    del result
    gc.collect()
    return outcome


def stored_questions(store_path: Path) -> dict[str, int]:
    """Each question in the store and how many content hashes it has (1 if loaded once)."""
    store = pyoxigraph.Store.read_only(str(store_path))
    query = """SELECT ?q (COUNT(?h) AS ?n) WHERE {
        ?q a <https://w3id.org/parliament-kg/def#WrittenQuestion> ;
           <https://w3id.org/parliament-kg/def#contentHash> ?h } GROUP BY ?q"""
    found = {row["q"].value: int(row["n"].value) for row in store.query(query)}  # type: ignore[union-attr]
    del store
    return found


def cache_folder(store_path: Path) -> Path:
    (folder,) = [p for p in harvest_cache_dir(store_path).iterdir() if p.is_dir()]
    return folder


def check_cache(folder: Path) -> list[dict[str, Any]]:
    """Every cached page parses and matches its manifest line; nothing half-written is left."""
    lines = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]
    files = sorted(folder.glob("run-*/*"))
    assert all(f.name.startswith("page-") and f.suffix == ".json" for f in files), files
    for line in lines:
        body = (folder / line["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == line["sha256"]
        assert len(parse_page(line["url"], body).items) == line["items"]
        assert line["status"] == 200 and line["url"].startswith("http://127.0.0.1:")
    assert {str(f.relative_to(folder)) for f in files} == {line["file"] for line in lines}
    return lines


def test_every_item_arrives_exactly_once_through_every_fault(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    for page, fault in enumerate(["500", "503", "429", "reset", "cut"]):
        api.fault(fault, page=page, retry_after="0")
    for page, fault in enumerate(["html", "truncated-json", "slow"], start=1):
        api.fault(fault, page=page, delay=2.0)
    result = fetch(api, store_path, "--load")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Fetched 5 pages, 50 of 50 items, into ")
    assert "Loaded 5 files, 50 items (50 new, 0 replaced, 0 unchanged)" in result.output
    assert sum(1 for s in api.seen if s.fault) == 8
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions}
    lines = check_cache(cache_folder(store_path))
    assert [line["page"] for line in lines] == [0, 1, 2, 3, 4]
    assert [line["attempts"] for line in lines] == [2, 3, 3, 3, 2]
    assert sum(line["items"] for line in lines) == 50
    store = pyoxigraph.Store.read_only(str(store_path))
    q = "SELECT DISTINCT ?s ?t WHERE { ?q <https://w3id.org/parliament-kg/def#source> ?s ; <https://w3id.org/parliament-kg/def#loadedAt> ?t }"
    provenance = {(row["s"].value, row["t"].value) for row in store.query(q)}  # type: ignore[union-attr]
    assert provenance == {(line["url"], line["fetched_at"]) for line in lines}


def test_giving_up_prints_one_error_keeps_the_pages_and_resumes(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    api.fault("503", page=3, times=99)
    failed = fetch(api, store_path, "--load", "--max-attempts", "3", "--concurrency", "1")
    assert failed.exit_code == 1
    url = f"{api.url}/answeredquestions.json?_page=3&_pageSize=10"
    assert failed.output.splitlines()[-1] == (
        f"Error: {url}: no good answer after 3 attempts (HTTP 503 (3 times)) — the API"
        f" may be down or overloaded: try again later; the 3 pages fetched so far are kept in "
        f"{cache_folder(store_path)}: run the same command again to resume at page 3"
    )
    assert sum(line.startswith("Error:") for line in failed.output.splitlines()) == 1
    assert [line["page"] for line in check_cache(cache_folder(store_path))] == [0, 1, 2]
    assert len(stored_questions(store_path)) == 30
    api.faults.clear()
    api.seen.clear()
    resumed = fetch(api, store_path, "--load")
    assert resumed.exit_code == 0, resumed.output
    assert "Fetched 2 pages, resuming at page 3, 50 of 50 items" in resumed.output
    assert api.pages_served() == [3, 4]
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions}


def test_a_page_that_never_parses_is_never_cached(api: ApiServer, store_path: Path) -> None:
    api.fault("html", page=0, times=99)
    failed = fetch(api, store_path, "--max-attempts", "2")
    assert failed.exit_code == 1 and "an HTML page instead of JSON" in failed.output
    folder = cache_folder(store_path)
    assert not (folder / "manifest.jsonl").exists()
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == [".lock", "query.json"]


def test_a_killed_harvest_resumes_at_the_right_page(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    api.fault("hold", page=3)
    command = [
        sys.executable,
        "-m",
        "kg",
        "fetch",
        "answeredquestions",
        "--base-url",
        api.url,
        "--store",
        str(store_path),
        "--load",
        "--no-validate",
        "--silent",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert api.held.wait(30), "the harvest never reached page 3"
        deadline = time.monotonic() + 10
        state = HarvestState.for_store(store_path)
        while time.monotonic() < deadline:  # page 2 is saved and loaded just before page 3
            entry: dict[str, Any] = next(iter(state.read()["harvests"].values()), {})
            if entry.get("fetched") == 3:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(10)
        api.released.set()
    entry = next(iter(HarvestState.for_store(store_path).read()["harvests"].values()))
    assert entry["fetched"] == entry["loaded"] == 3
    assert [line["page"] for line in check_cache(cache_folder(store_path))] == [0, 1, 2]
    api.seen.clear()
    resumed = fetch(api, store_path, "--load")
    assert resumed.exit_code == 0, resumed.output
    assert api.seen[0].page == 3 and sorted(api.pages_served()) == [3, 4]
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions}
    assert [line["page"] for line in check_cache(cache_folder(store_path))] == [0, 1, 2, 3, 4]


def test_ctrl_c_ends_a_harvest_at_once_though_a_request_is_under_way(
    api: ApiServer, store_path: Path
) -> None:
    api.fault("hold", page=3)  # answered after 30 s, or when the test ends
    command = [sys.executable, "-m", "kg", "fetch", "answeredquestions", "--base-url", api.url,
               "--store", str(store_path), "--load", "--no-validate", "--silent"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Ctrl-C as in a terminal, though the tests run as a background job (SIGINT ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert api.held.wait(30), "the harvest never reached page 3"
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, stderr = process.communicate(timeout=20)
        waited = time.monotonic() - started
    finally:
        api.released.set()
        if process.poll() is None:
            process.kill()
    assert (process.returncode, stderr.decode().splitlines()[-1]) == (1, "Aborted!")
    assert waited < 10, f"kg waited {waited:.1f} s for the request under way"
    entry = next(iter(HarvestState.for_store(store_path).read()["harvests"].values()))
    assert entry["fetched"] == entry["loaded"] and entry["fetched"] in (2, 3)


@pytest.mark.parametrize(
    ("page", "kept"),
    [
        (0, "no page was fetched: run the same command again"),
        (1, "the page fetched so far is kept in {folder}: run the same command again to resume"
            " at page 1"),
    ],
)  # fmt: skip
def test_a_failed_harvest_says_what_it_kept(
    api: ApiServer, store_path: Path, page: int, kept: str
) -> None:
    api.fault("503", page=page, times=99)
    failed = fetch(api, store_path, "--max-attempts", "1", "--concurrency", "1")
    assert failed.exit_code == 1
    line = failed.output.splitlines()[-1]
    assert line.endswith("try again later; " + kept.format(folder=cache_folder(store_path)))


def test_a_harvest_the_server_ends_too_soon_is_not_complete_and_resumes(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    api.fault("no-next", page=1)  # page 1 of the 5 that totalResults gives says it is the last
    stopped = fetch(api, store_path, "--load", "--concurrency", "1")
    folder = cache_folder(store_path)
    total = len(questions)
    assert (stopped.exit_code, stopped.output) == (
        1,
        f"Error: {folder}: the server gave no next page after page 1, where its totalResults"
        f" ({total}) makes 5 pages of {total // 5} — the server may have failed part way; the 2"
        f" pages fetched so far are kept in {folder}: run the same command again to resume at"
        " page 2\n",
    )
    assert HarvestState.for_store(store_path).read()["completed"] == {}
    resumed = fetch(api, store_path, "--load")
    assert resumed.exit_code == 0, resumed.output
    assert sorted(api.pages_served()) == [0, 1, 2, 3, 4]
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions}


def test_refresh_starts_from_the_first_page(api: ApiServer, store_path: Path) -> None:
    api.fault("503", page=2, times=99)
    assert fetch(api, store_path, "--max-attempts", "1", "--concurrency", "1").exit_code == 1
    api.faults.clear()
    api.seen.clear()
    assert fetch(api, store_path, "--refresh").exit_code == 0
    assert api.seen[0].page == 0 and sorted(api.pages_served()) == [0, 1, 2, 3, 4]


def test_fetched_without_load_then_loaded_from_the_cache(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    api.fault("503", page=3, times=99)
    assert fetch(api, store_path, "--max-attempts", "1", "--concurrency", "1").exit_code == 1
    api.faults.clear()
    api.seen.clear()
    result = fetch(api, store_path, "--load")
    assert result.exit_code == 0, result.output
    assert "3 from the cache" in result.output and api.pages_served() == [3, 4]
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions}


def test_offline_replays_the_cache_without_network(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    assert fetch(api, store_path).exit_code == 0
    api.stop()
    result = fetch(api, store_path, "--offline", "--load")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Fetched 0 pages, 5 from the cache, 50 of 50 items")
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions}


def test_a_second_harvest_of_the_same_query_waits(api: ApiServer, store_path: Path) -> None:
    folder = Cache(harvest_cache_dir(store_path)).query_dir(Query("answeredquestions"))
    with locked(folder / ".lock", wait=False) as free:
        assert free
        result = fetch(api, store_path)
    assert result.exit_code == 1 and "another kg fetch is harvesting this query" in result.output


def test_items_added_during_an_interrupted_harvest_are_not_lost(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]], sample_items: list[Any]
) -> None:
    api.fault("503", page=3, times=99)
    assert fetch(api, store_path, "--load", "--max-attempts", "1").exit_code == 1
    added = make_questions(sample_items[0], 5, first_id=4_000_000, start="2024-08-01")
    api.datasets["answeredquestions"] += added
    api.faults.clear()
    result = fetch(api, store_path, "--load")
    assert result.exit_code == 0, result.output
    assert "Warning: the query has 55 results now, 50 when the harvest began" in result.output
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions + added}


def test_the_cache_survives_a_cut_manifest_line_and_detects_a_changed_page(
    api: ApiServer, store_path: Path
) -> None:
    assert fetch(api, store_path).exit_code == 0
    folder = cache_folder(store_path)
    manifest = folder / "manifest.jsonl"
    lines = manifest.read_bytes().splitlines(keepends=True)
    manifest.write_bytes(b"".join(lines[:4]) + lines[4][:30])  # the last line cut by a crash
    cache, query = Cache(harvest_cache_dir(store_path)), Query("answeredquestions")
    run = json.loads(lines[0])["run"]
    assert [p.number for p in cache.cached_pages(query, run)] == [0, 1, 2, 3]
    result = fetch(api, store_path, "--refresh")
    assert result.exit_code == 0, result.output
    raw = manifest.read_bytes().splitlines()
    assert len(raw) == 10 and raw[4] == lines[4][:30]  # the cut line stays on its own line
    assert len(cache.entries(query)) == 4 + 5
    page = folder / json.loads(lines[1])["file"]
    page.write_bytes(page.read_bytes().replace(b"Maintenance", b"Maintenancf"))
    with pytest.raises(InputError, match="does not match its sha256"):
        list(cache.cached_pages(query, run))
