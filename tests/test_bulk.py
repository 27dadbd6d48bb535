"""The bulk path's converting process."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

import kg.bulk
from kg import vocab
from kg.bulk import _interrupts_held, write_ntriples
from kg.errors import InputError, StoreError
from kg.load import LoadReport, load_paths
from kg.reader import Page, expand_inputs
from kg.store import store_is_empty
from tests.conftest import write_page

#: When each record was loaded: the one thing two conversions of the same pages differ in.
DIFFERING = {vocab.LOADED_AT}
#: The hint of a first load that failed and was emptied.
KEPT = "nothing was kept; load again"


def test_the_converting_process_runs_this_kg_not_a_kg_folder_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_path: Path
) -> None:
    decoy = tmp_path / "kg"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('the kg of the working directory')\n")
    monkeypatch.chdir(tmp_path)
    store = pyoxigraph.Store()

    report = load_paths(store, [str(sample_path)], bulk=True)

    questions = store.quads_for_pattern(None, None, pyoxigraph.NamedNode(vocab.QUESTION))
    assert (report.items, report.new) == (9, 9)
    assert len(list(questions)) == 9


def test_a_failed_first_load_leaves_the_store_empty_for_the_next_bulk_load(
    tmp_path: Path, sample_path: Path
) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(sample_path.read_bytes()[:3000])
    store = pyoxigraph.Store()
    with pytest.raises(InputError, match="truncated JSON"):
        load_paths(store, [str(truncated)])
    assert store_is_empty(store)

    again = load_paths(store, [str(sample_path)])

    fresh = pyoxigraph.Store()
    first = load_paths(fresh, [str(sample_path)])
    assert again.triples_written == first.triples_written == len(store) == len(fresh)


def test_the_ntriples_written_for_the_floor_are_the_triples_a_bulk_load_stores(
    tmp_path: Path, sample_path: Path
) -> None:
    sources = [str(sample_path), str(Path(__file__).parent / "fixtures" / "handmade")]
    store = pyoxigraph.Store()
    report = load_paths(store, sources, validate=False)
    output = tmp_path / "floor.nt"

    with output.open("wb") as out:
        count = write_ntriples(expand_inputs(sources), out)

    floor = pyoxigraph.Store()
    floor.bulk_load(path=output, format=pyoxigraph.RdfFormat.N_TRIPLES)
    lines = output.read_bytes().count(b"\n")
    assert count == lines == len(floor) == len(store) == report.triples_written
    assert {q for q in floor if q.predicate.value not in DIFFERING} == {
        q for q in store if q.predicate.value not in DIFFERING
    }
    grouped = pyoxigraph.NamedNode(vocab.GROUPED_WITH)
    assert list(floor.quads_for_pattern(None, grouped, None))


def test_writing_ntriples_stops_at_a_page_that_cannot_be_read(
    tmp_path: Path, sample_path: Path
) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(sample_path.read_bytes()[:3000])
    output = tmp_path / "floor.nt"

    with output.open("wb") as out, pytest.raises(InputError, match="truncated JSON"):
        write_ntriples([str(sample_path), str(truncated)], out)

    written = list(pyoxigraph.parse(path=output, format=pyoxigraph.RdfFormat.N_TRIPLES))
    questions = [t for t in written if t.object == pyoxigraph.NamedNode(vocab.QUESTION)]
    assert len(questions) == 9


_PRIORITIES = """
import json, os, sys
from pathlib import Path
import pyoxigraph
from kg.load import load_paths

def priorities():
    # A thread may end between the listing and the reading: it is left out.
    found = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            if (task / "comm").read_text().startswith("rocksdb:low"):
                found.add(os.getpriority(os.PRIO_PROCESS, int(task.name)))
        except OSError:
            pass
    return sorted(found)

store = pyoxigraph.Store(sys.argv[1])
before = priorities()
load_paths(store, [sys.argv[2]], validate=sys.argv[3] == "validate")
print(json.dumps([os.getpriority(os.PRIO_PROCESS, 0), before, priorities()]))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="thread priorities are read from /proc")
@pytest.mark.parametrize("validate", ["validate", "no-validate"])
def test_a_validating_bulk_load_puts_compaction_after_validation(
    tmp_path: Path, sample_path: Path, validate: str
) -> None:
    args = [str(tmp_path / "store"), str(sample_path), validate]
    run = subprocess.run(
        [sys.executable, "-c", _PRIORITIES, *args], capture_output=True, text=True, check=True
    )

    own, before, after = json.loads(run.stdout)
    assert before == [own]
    assert after == ([19] if validate == "validate" else [own])


def test_bulk_and_page_by_page_loads_count_unknown_keys_alike(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    odd = copy.deepcopy(sample_items[0])
    odd["someNewField"] = {"_value": "x"}
    changed = copy.deepcopy(odd)
    changed["hansardHeading"] = {"_value": "A heading changed since"}
    sources = [
        str(write_page(tmp_path / "a.json", [odd, *sample_items[1:3], odd])),  # given twice
        str(write_page(tmp_path / "b.json", [changed])),  # loaded apart, after the bulk load
    ]

    bulk = load_paths(pyoxigraph.Store(), sources, bulk=True)
    page_by_page = load_paths(pyoxigraph.Store(), sources, bulk=False)

    assert bulk.unknown_keys == page_by_page.unknown_keys == {"question.someNewField": 3}
    assert (bulk.items, bulk.warnings) == (page_by_page.items, page_by_page.warnings) == (5, 4)


def test_a_question_twice_on_a_page_keeps_the_later_item_and_says_so_in_both_loads(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    later = copy.deepcopy(sample_items[0])
    later["hansardHeading"] = {"_value": "The later heading"}
    page = write_page(tmp_path / "a.json", [*sample_items[:3], later])
    warning = (
        f"{page} items 1 and 4 (uin {later['uin']}): the same question twice on one page, "
        "the later item kept — check the page"
    )
    heading = f"SELECT ?h WHERE {{ <{later['_about']}> <{vocab.PARL}hansardHeading> ?h }}"
    for bulk in (True, False):
        store = pyoxigraph.Store()
        report = load_paths(store, [str(page)], bulk=bulk)
        assert report.problems == [warning]
        counted = (report.items, report.new, report.replaced, report.unchanged, report.repeated)
        assert counted == (4, 3, 0, 0, 1)
        assert "4 items (3 new, 0 replaced, 0 unchanged, 1 repeated on their page)" in (
            report.summary()
        )
        assert [str(row["h"]) for row in store.query(heading)] == ['"The later heading"']


def _generated(folder: Path, questions: int) -> Path:
    generate = pytest.importorskip("bench.generate")
    generate.generate(folder, questions=questions, seed=5, page_size=250)
    return folder


_WORKER_MARK = b"kg.bulk_worker"


def _converting_process(parent: int) -> bool:
    """Whether ``parent`` has a converting process (kg.bulk_worker) running."""
    return _converting_pid(parent) is not None


def _converting_pid(parent: int) -> int | None:
    """The process id of ``parent``'s converting process, if it has one running."""
    for child in Path("/proc").glob("[0-9]*"):
        try:
            status = (child / "status").read_text()
            command = (child / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{parent}\n" in status and _WORKER_MARK in command:
            return int(child.name)
    return None


@pytest.mark.skipif(sys.platform != "linux", reason="processes are found in /proc")
def test_an_interrupted_bulk_load_keeps_nothing(tmp_path: Path) -> None:
    pages = _generated(tmp_path / "pages", 2000)
    store_dir = tmp_path / "store"
    store = pyoxigraph.Store(store_dir)
    seen: list[str] = []

    def interrupt(page: Page, report: LoadReport) -> None:
        seen.append(page.source)
        if len(seen) == 3:  # pages already in Oxigraph's bulk loader, more on their way
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_paths(store, [str(pages)], on_page=interrupt)

    assert len(seen) == 3
    assert not _converting_process(os.getpid()), "the converting process was left running"
    assert len(store) == 0
    assert not list(store_dir.glob("bulk-*")), "the bulk loader's files were left behind"
    again = load_paths(store, [str(pages)])
    fresh = pyoxigraph.Store()
    assert again.triples_written == load_paths(fresh, [str(pages)]).triples_written
    assert len(store) == len(fresh)


@pytest.mark.skipif(sys.platform != "linux", reason="processes are found in /proc")
@pytest.mark.parametrize(
    ("stop", "to_group"),
    [
        (signal.SIGINT, True),  # Ctrl-C in a terminal: to the foreground job's processes
        (signal.SIGTERM, False),  # timeout, kill: to kg's process
        (signal.SIGTERM, True),  # docker stop, systemd: to every process
    ],
)
def test_ctrl_c_or_sigterm_during_a_bulk_load_prints_no_traceback_and_keeps_nothing(
    tmp_path: Path, stop: signal.Signals, to_group: bool
) -> None:
    pages = _generated(tmp_path / "pages", 20_000)
    store_dir = tmp_path / "store"
    load = subprocess.Popen(
        [sys.executable, "-m", "kg", "load", "--store", str(store_dir), str(pages)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not _converting_process(load.pid) and load.poll() is None:
        assert time.monotonic() < deadline, "the bulk load did not start"
        time.sleep(0.05)
    time.sleep(0.5)  # pages on their way to Oxigraph
    (os.killpg if to_group else os.kill)(load.pid, stop)
    out, err = load.communicate(timeout=120)

    assert (load.returncode, out, err) == (1, b"", b"\nAborted!\n")
    store = pyoxigraph.Store.read_only(str(store_dir))
    assert len(store) == 0
    assert not list(store_dir.glob("bulk-*"))


def test_ctrl_c_waits_for_the_clean_up_then_comes() -> None:
    # Ctrl-C as in a terminal, though the tests run as a background job (SIGINT ignored).
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        finished = []
        with pytest.raises(KeyboardInterrupt), _interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)  # a second Ctrl-C, while the store is emptied
            time.sleep(0.05)
            finished.append(True)
        assert finished == [True]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)


def test_sigterm_waits_for_the_clean_up_then_comes() -> None:
    # As the commands set it (kg.cli): SIGTERM stops the command as Ctrl-C does.
    def stop(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    earlier = signal.signal(signal.SIGTERM, stop)
    try:
        finished = []
        with pytest.raises(KeyboardInterrupt), _interrupts_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            finished.append(True)
        assert finished == [True]
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, earlier)


def test_bulk_loads_into_a_store_in_memory_end_though_it_lets_one_loader_write_at_a_time(
    tmp_path: Path,
) -> None:
    # Oxigraph's store in memory lets one bulk load write at a time: an end's loader started
    # before the end is written may take the store first and wait for the end, which never
    # comes while the pages' loader waits (it hung one run of the compiled suite, 12-06).
    pages = _generated(tmp_path / "pages", 2000)
    counts: list[int] = []

    def load_five_times() -> None:
        for _ in range(5):
            store = pyoxigraph.Store()
            report = load_paths(store, [str(pages)], bulk=True, validate=False)
            counts.append(len(store))
            assert report.triples_written == len(store)

    loading = threading.Thread(target=load_five_times, daemon=True)
    loading.start()
    loading.join(120)
    assert not loading.is_alive(), "a bulk load into a store in memory did not end"
    assert len(counts) == 5 and len(set(counts)) == 1


def test_the_ends_loader_starts_once_the_end_is_written(
    monkeypatch: pytest.MonkeyPatch, sample_path: Path
) -> None:
    events: list[str] = []
    start_bulk_load = kg.bulk._start_bulk_load
    take_message = kg.bulk._Messages.write

    def starting(store: pyoxigraph.Store, fd: int, failure: list[BaseException]) -> Any:
        events.append("loader")
        return start_bulk_load(store, fd, failure)

    def taking(messages: Any, line: bytes) -> int:
        events.append("end" if b'"tallies"' in line else "page")
        return take_message(messages, line)

    monkeypatch.setattr(kg.bulk, "_start_bulk_load", starting)
    monkeypatch.setattr(kg.bulk._Messages, "write", taking)
    load_paths(pyoxigraph.Store(), [str(sample_path)], bulk=True)
    assert events == ["loader", "page", "end", "loader"]


@pytest.mark.skipif(sys.platform != "linux", reason="processes are found in /proc")
def test_a_converting_process_that_dies_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    pages = _generated(tmp_path / "pages", 2000)
    store = pyoxigraph.Store(tmp_path / "store")
    seen: list[str] = []

    def kill_the_converter(page: Page, report: LoadReport) -> None:
        seen.append(page.source)
        if len(seen) == 2:
            converter = _converting_pid(os.getpid())
            assert converter is not None
            os.kill(converter, signal.SIGKILL)

    with pytest.raises(StoreError) as failed:
        load_paths(store, [str(pages)], on_page=kill_the_converter, validate=False)

    # Whichever sees it first: the converter's end, or Oxigraph a line cut short.
    assert (failed.value.where, failed.value.what, failed.value.hint) in {
        ("load", "the converting process stopped before the end (exit status -9)", KEPT),
        ("store", failed.value.what, KEPT),
    }
    assert failed.value.what.startswith(("the converting process", "the bulk load failed"))
    assert len(store) == 0
