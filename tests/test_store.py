"""Opening, compacting and recounting the on-disk store (kg.store)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from kg import tallies
from kg.errors import StoreError
from kg.load import load_paths
from kg.store import (
    FIRST_LOAD_MARK,
    DiskUsage,
    is_being_written,
    marking_first_load,
    open_for_reading,
    open_store,
    optimize_store,
    recount_store,
    refusals_as_store_errors,
)


def _bulk_load_in_three_runs(path: Path) -> set[str]:
    """A store whose indexes are in overlapping tables, as a large bulk load leaves them: each
    bulk load writes its own tables, and these interleave (subjects 0, 3, 6, ... then 1, 4, ...).
    RocksDB may compact some of them before the store closes. Returns the triples written."""
    store = open_store(path)
    written: set[str] = set()
    for run in range(3):
        lines = [
            f'<http://example.org/s{n}> <http://example.org/p> "{n}" .\n'
            for n in range(run, 3000, 3)
        ]
        store.bulk_load("".join(lines).encode(), pyoxigraph.RdfFormat.N_TRIPLES)
        written.update(lines)
    del store
    return written


def test_optimize_leaves_one_table_per_index_and_every_triple(tmp_path: Path) -> None:
    path = tmp_path / "store"
    written = _bulk_load_in_three_runs(path)

    before, after = optimize_store(path)

    assert after == DiskUsage.of(path) and after.tables <= before.tables
    # Oxigraph's indexes that hold anything here: its version key, the strings, and the
    # default graph's three orders (spo, pos, osp): one table each, fully compacted.
    assert after.tables == 5
    stored = {f"{q.subject} {q.predicate} {q.object} .\n" for q in open_for_reading(path)}
    assert stored == written and len(written) == 3000


def test_disk_usage_counts_sorted_tables_and_every_file(tmp_path: Path) -> None:
    (tmp_path / "000001.sst").write_bytes(b"x" * 10)
    (tmp_path / "000002.sst").write_bytes(b"y" * 5)
    (tmp_path / "LOG").write_bytes(b"z" * 3)
    (tmp_path / "sub").mkdir()
    assert DiskUsage.of(tmp_path) == DiskUsage(tables=2, size=18)


def test_only_a_store_can_be_optimized(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as missing:
        optimize_store(tmp_path / "none")
    assert missing.value.what == "there is no store here"
    with pytest.raises(StoreError) as other:
        optimize_store(tmp_path)
    assert other.value.what == "this folder is not an Oxigraph store"


def test_recount_gives_a_store_without_tallies_the_tallies_a_load_keeps(
    tmp_path: Path, sample_path: Path
) -> None:
    path = tmp_path / "store"
    store = open_store(path)
    load_paths(store, [str(sample_path)], validate=False)
    kept = {str(q) for q in store}
    store.update(  # as an older kg left it: no tallies, no marker
        "DELETE { ?s ?p ?o } WHERE { ?s a ?kind ; ?p ?o . "
        "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/parliament-kg/id/tall')) }"
    )
    assert not tallies.are_kept(store) and len(store) < len(kept)
    del store

    assert recount_store(path) == 16  # 3 asking, 3 answering, 4 answer-time, 3 day, 3 month
    assert {str(q) for q in open_for_reading(path)} == kept


def test_only_a_store_can_be_recounted(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as missing:
        recount_store(tmp_path / "none")
    assert missing.value.what == "there is no store here"


def test_a_line_oxigraph_refuses_is_a_store_error_of_one_line() -> None:
    store = pyoxigraph.Store()
    with pytest.raises(StoreError) as caught, refusals_as_store_errors():
        store.load(b'<http://a:x/> <http://a/p> "v"@x .\n', pyoxigraph.RdfFormat.N_TRIPLES)
    line = caught.value.line()
    assert line.startswith("store: Oxigraph refused a triple kg wrote: ")
    assert line.endswith(" — nothing was written; report it") and "\n" not in line
    assert len(store) == 0


def test_a_folder_of_other_files_is_not_made_a_store(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path)
    assert caught.value.line() == (
        f"{tmp_path}: the folder holds other files and is not an Oxigraph store — give --store a"
        " new or empty folder, or one kg load made"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    open_store(tmp_path / "new")  # a new folder, and an empty one, are made stores
    (tmp_path / "empty").mkdir()
    open_store(tmp_path / "empty")


def test_a_store_in_a_folder_that_does_not_exist_says_which(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "store"
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert caught.value.line() == (
        f"{path}: the folder it would be made in, {tmp_path / 'missing'}, does not exist"
        " — create that first, or choose another --store"
    )
    assert not (tmp_path / "missing").exists()


def test_a_damaged_store_is_one_error_line(tmp_path: Path, sample_path: Path) -> None:
    store = open_store(tmp_path / "store")
    load_paths(store, [str(sample_path)])
    del store
    (tmp_path / "store" / "CURRENT").write_text("garbage\n")
    for opening in (open_store, open_for_reading):
        with pytest.raises(StoreError) as caught:
            opening(tmp_path / "store")
        line = caught.value.line()
        assert line.startswith(f"{tmp_path / 'store'}: the store is damaged (")
        assert line.endswith(
            ") — restore the folder from a copy, or load the pages again into a new --store"
        )


@pytest.mark.skipif(sys.platform != "linux", reason="the writer's lock is asked after on Linux")
def test_an_empty_store_that_another_process_writes_says_a_load_is_under_way(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store"
    holding = "import pyoxigraph, sys; s = pyoxigraph.Store(sys.argv[1]); print(1); input()"
    writer = subprocess.Popen(
        [sys.executable, "-c", holding, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "1\n"
        assert is_being_written(path)
        with pytest.raises(StoreError) as under_way:
            open_for_reading(path)
        assert under_way.value.line() == (
            f"{path}: a first load into the store is under way, and nothing of it is readable"
            " before it ends — wait for that kg load to finish"
        )
    finally:
        writer.communicate("\n")
    assert not is_being_written(path)
    with pytest.raises(StoreError, match="the store is empty — load pages first"):
        open_for_reading(path)


@pytest.mark.skipif(sys.platform != "linux", reason="the writer's lock is looked up on Linux")
def test_asking_whether_a_store_is_written_keeps_this_process_lock(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = open_store(path)
    assert not is_being_written(path)  # this process writes it, no other
    opening = "import pyoxigraph, sys; pyoxigraph.Store(sys.argv[1])"
    second = subprocess.run(
        [sys.executable, "-c", opening, str(path)], capture_output=True, text=True
    )
    assert second.returncode != 0 and "lock" in second.stderr.lower()
    del store


def test_a_first_load_is_marked_while_it_runs_and_a_killed_one_is_emptied_next_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store"
    store = open_store(path)
    line = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    with marking_first_load(store, path) as emptied:
        assert not emptied and (path / FIRST_LOAD_MARK).exists()
        store.bulk_load(line, pyoxigraph.RdfFormat.N_TRIPLES)
    assert not (path / FIRST_LOAD_MARK).exists()
    with marking_first_load(store, path):  # not a first load: no mark
        assert not (path / FIRST_LOAD_MARK).exists()
    # A first load killed part way leaves its mark and part of its triples.
    (path / FIRST_LOAD_MARK).write_text("left")
    with pytest.raises(StoreError) as caught:
        open_for_reading(path)
    assert caught.value.line() == (
        f"{path}: a first load into the store was killed before its end, and left part of its"
        " pages — load the pages again (kg load empties the store first)"
    )
    with marking_first_load(store, path) as emptied:
        assert emptied and len(store) == 0 and (path / FIRST_LOAD_MARK).exists()
    with pytest.raises(RuntimeError), marking_first_load(store, path):
        raise RuntimeError("the load failed")
    assert not (path / FIRST_LOAD_MARK).exists()
