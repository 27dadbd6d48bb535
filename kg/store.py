"""Opening the Oxigraph store: on disk by default, in memory on request, with clear errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from kg import tallies
from kg.errors import StoreError
from kg.sparql import run_query


@contextmanager
def refusals_as_store_errors() -> Iterator[None]:
    """Around Oxigraph's parse of N-Triples kg wrote: a line it refuses (which kg's serializer
    should never write) is one error line, not a traceback."""
    try:
        yield
    except SyntaxError as exc:
        raise StoreError(
            "store", f"Oxigraph refused a triple kg wrote: {exc}", "nothing was written; report it"
        ) from exc


def _describe_os_error(path: Path, exc: OSError) -> StoreError:
    text = str(exc)
    lowered = text.lower()
    if "lock" in lowered:
        return StoreError(
            str(path),
            "the store is locked by another process",
            "wait for the other kg command to finish, or use another --store",
        )
    if any(w in lowered for w in ("permission", "not permitted", "read-only", "read only")):
        return StoreError(
            str(path), "the store is not writable", "choose a writable --store folder"
        )
    return StoreError(str(path), f"cannot open the store ({text})", "check the --store folder")


def open_store(path: Path | None, *, create: bool = True) -> pyoxigraph.Store:
    """Open (or create) the on-disk store at ``path`` for writing; ``None`` means in memory.

    With ``create=False`` a missing store, or a folder that is not one, is an error that says
    what to do.
    """
    if path is None:
        return pyoxigraph.Store()
    if path.exists() and not path.is_dir():
        raise StoreError(str(path), "is a file, not a store folder", "give a folder to --store")
    if not create:
        _require_store(path)
    elif not path.exists():
        parent = path.resolve().parent
        if not parent.is_dir():
            raise StoreError(
                str(path),
                f"the folder it would be made in, {parent}, does not exist",
                "create that first, or choose another --store",
            )
        if not os.access(parent, os.W_OK):
            raise StoreError(str(path), "the folder cannot be created here", "choose a --store")
    elif not os.access(path, os.W_OK):
        raise StoreError(str(path), "the store is not writable", "choose a writable --store")
    elif not (path / "CURRENT").is_file() and any(path.iterdir()):
        raise StoreError(
            str(path),
            "the folder holds other files and is not an Oxigraph store",
            "give --store a new or empty folder, or one kg load made",
        )
    with _opening(path):
        return pyoxigraph.Store(str(path))


@contextmanager
def _opening(path: Path) -> Iterator[None]:
    """Around opening the store at ``path``: what Oxigraph and RocksDB raise, as kg's errors."""
    try:
        yield
    except OSError as exc:
        raise _describe_os_error(path, exc) from exc
    except RuntimeError as exc:  # RocksDB's: a damaged store
        raise StoreError(
            str(path),
            f"the store is damaged ({exc})",
            "restore the folder from a copy, or load the pages again into a new --store",
        ) from exc


def store_is_empty(store: pyoxigraph.Store) -> bool:
    """Whether the store holds no data: nothing at all, or only the marker of tallies kept
    (all zero), which a failed first load leaves; the next load may then bulk load."""
    return not bool(store.query(f"ASK {{ ?s ?p ?o FILTER (?s != <{tallies.MARKER}>) }}"))


def open_for_reading(path: Path, *, require_data: bool = True) -> pyoxigraph.Store:
    """Open an existing store read-only (works while another process writes to it)."""
    _require_store(path)
    with _opening(path):
        store = pyoxigraph.Store.read_only(str(path))
    if require_data:
        require_data_in(store, path)
    return store


def require_data_in(store: pyoxigraph.Store, path: Path) -> None:
    """Raise unless the store at ``path`` holds data (see :func:`store_is_empty`) of no first
    load under way or cut short (see :func:`marking_first_load`)."""
    marked = (path / FIRST_LOAD_MARK).exists()
    if not marked and not store_is_empty(store):
        return
    if is_being_written(path):
        raise StoreError(
            str(path),
            "a first load into the store is under way, and nothing of it is readable before it ends",
            "wait for that kg load to finish",
        )
    if marked:
        raise StoreError(
            str(path),
            "a first load into the store was killed before its end, and left part of its pages",
            "load the pages again (kg load empties the store first)",
        )
    raise StoreError(str(path), "the store is empty", "load pages first: kg load PAGE.json")


#: In a store's folder while a first load writes it: Oxigraph's bulk loader writes as it goes,
#: so what readers would see is part of the pages until the load ends.
FIRST_LOAD_MARK = "kg-first-load"


@contextmanager
def marking_first_load(store: pyoxigraph.Store, path: Path | None) -> Iterator[bool]:
    """Around a load into the store at ``path`` (held for writing): when the store is empty,
    a mark in its folder says a first load is under way until the load ends, however it ends
    (one that fails empties the store); a mark left by a load that was killed means the store
    holds part of that load, which is emptied first. Yields whether it was."""
    mark = None if path is None else path / FIRST_LOAD_MARK
    emptied = False
    if mark is not None and mark.exists():
        store.clear()
        emptied = True
    if mark is None or not store_is_empty(store):
        yield emptied
        return
    try:
        mark.write_text("a first load of kg is under way, or was killed (see kg/store.py)\n")
    except OSError as exc:
        raise StoreError(
            str(path), f"cannot write in the store's folder ({exc})", "check it"
        ) from exc
    try:
        yield emptied
    finally:
        mark.unlink(missing_ok=True)


def is_being_written(path: Path) -> bool:
    """Whether another process has the store at ``path`` open for writing: RocksDB holds a
    lock on its LOCK file, which Linux lists in /proc/locks. Read there, not asked of the
    file: closing a descriptor of LOCK would let go of this process's own lock on it."""
    if sys.platform != "linux":
        return False
    try:
        found = os.stat(path / "LOCK")
        locks = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    device = f"{os.major(found.st_dev):02x}:{os.minor(found.st_dev):02x}:{found.st_ino}"
    for line in locks.splitlines():
        # "1: POSIX  ADVISORY  WRITE 21429 fe:00:2367526 0 EOF" (a waiter's has "->" too)
        fields = line.split()
        if device in fields and "->" not in fields:
            holder = fields[fields.index(device) - 1]
            if holder != str(os.getpid()):
                return True
    return False


def _require_store(path: Path) -> None:
    """Raise unless ``path`` is the folder of an existing Oxigraph store."""
    if not path.is_dir():
        raise missing_store(path)
    if not (path / "CURRENT").is_file():
        raise StoreError(
            str(path), "this folder is not an Oxigraph store", "give the --store that kg load made"
        )


def missing_store(path: Path) -> StoreError:
    return StoreError(
        str(path),
        "there is no store here",
        "load one first: kg load PAGE.json (or pass --store / set KG_STORE)",
    )


@dataclass(frozen=True)
class DiskUsage:
    """An on-disk store's sorted tables (RocksDB's ``.sst`` files, which a query may have to
    read one after another) and the size in bytes of all its files."""

    tables: int
    size: int

    @classmethod
    def of(cls, path: Path) -> DiskUsage:
        files = [entry for entry in path.iterdir() if entry.is_file()]
        tables = sum(1 for entry in files if entry.suffix == ".sst")
        return cls(tables=tables, size=sum(entry.stat().st_size for entry in files))


def optimize_store(path: Path) -> tuple[DiskUsage, DiskUsage]:
    """Compact the on-disk store at ``path`` (Oxigraph's ``Store.optimize``, a full RocksDB
    compaction), so that queries read one sorted run per index instead of the overlapping
    files a bulk load leaves; returns its disk usage before and after. Queries open stores
    read-only, which never compacts them, so only a load or this does."""
    _require_store(path)
    before = DiskUsage.of(path)
    store = open_store(path, create=False)
    try:
        store.optimize()
    except OSError as exc:
        raise StoreError(str(path), f"could not compact the store ({exc})", "try again") from exc
    del store  # closed: RocksDB deletes the files compaction replaced
    return before, DiskUsage.of(path)


def recount_store(path: Path) -> int:
    """Count every tally of the on-disk store at ``path`` again from its records, in one
    transaction (what a store an older kg loaded needs before the queries that read them);
    returns how many tallies it holds."""
    _require_store(path)
    store = open_store(path, create=False)
    try:
        tallies.recount(store)
        store.flush()
    except OSError as exc:
        raise StoreError(str(path), f"could not recount the tallies ({exc})", "try again") from exc
    found = run_query(store, tallies.COUNT_QUERY).row_list()[0][0]
    return int(found.value) if isinstance(found, pyoxigraph.Literal) else 0
