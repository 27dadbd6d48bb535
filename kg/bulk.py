"""Bulk loading into an empty store: conversion in a second process streams N-Triples
straight into Oxigraph's bulk loader (and the group links and the tallies of all it wrote into
a second one), then the whole new graph is validated.

This is the fast path for a first, large load. Per-file atomicity is kept the same way as
on the transactional path: pages are written whole, a page that cannot be read or converted
stops the load before any of it is written, and pages that fail validation under
``--on-invalid abort`` are removed again, with every page after them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
import pyoxigraph

from kg.bulk_validation import (
    BulkPage,
    Conflicts,
    StoreValidator,
    load_conflicts,
    validate_pages,
)
from kg.bulk_worker import convert_pages
from kg.errors import InputError, KgError, StoreError
from kg.load import LoadReport, OnInvalid, Validator, now, write_changes
from kg.member_labels import Sightings, superseded_after_bulk_load
from kg.reader import Page
from kg.store import store_is_empty

_PIPE_SIZE = 1 << 20
_NOTHING_KEPT = "nothing was kept; load again"
_COMPACTION_THREAD = "rocksdb:low"
_LOWEST_PRIORITY = 19
#: The converting process runs the kg this process runs, wherever it is imported from (a
#: compiled build on PYTHONPATH, an install, a checkout): ``-P`` keeps a ``kg`` folder in the
#: working directory off its path, as ``python -m`` would not, and this kg's folder comes last.
_WORKER = (
    sys.executable,
    "-P",
    "-c",
    "import sys; sys.path.append(sys.argv[1]); from kg.bulk_worker import main; main()",
    str(Path(__file__).resolve().parent.parent),
)


def bulk_load_paths(
    store: pyoxigraph.Store,
    sources: Sequence[str],
    *,
    validator: StoreValidator | None = None,
    page_validator: Validator | None = None,
    on_invalid: OnInvalid = "abort",
    on_page: Callable[[Page, LoadReport], None] | None = None,
) -> LoadReport:
    """Load ``sources`` into an empty ``store`` with Oxigraph's bulk loader: ``validator``
    checks what it streamed, ``page_validator`` the questions later pages change, which it
    writes apart, page by page."""
    with tempfile.TemporaryDirectory(prefix="kg-load-") as contributions:
        return _bulk_load(
            store,
            sources,
            validator=validator,
            page_validator=page_validator,
            on_invalid=on_invalid,
            on_page=on_page,
            contributions=Path(contributions),
        )


def _bulk_load(
    store: pyoxigraph.Store,
    sources: Sequence[str],
    *,
    validator: StoreValidator | None,
    page_validator: Validator | None,
    on_invalid: OnInvalid,
    on_page: Callable[[Page, LoadReport], None] | None,
    contributions: Path,
) -> LoadReport:
    report = LoadReport()
    pages: list[BulkPage] = []
    conflicts = Conflicts(contributions / "apart.jsonl")
    meta_read, meta_write = os.pipe()
    data_read, data_write = os.pipe()
    end_read, end_write = os.pipe()
    _widen(data_write)
    worker = subprocess.Popen(
        _WORKER,
        stdin=subprocess.PIPE,
        pass_fds=(meta_write, data_write, end_write),
    )
    for fd in (meta_write, data_write, end_write):
        os.close(fd)
    assert worker.stdin is not None
    loaded_at = now()  # one time for the whole load, the questions written apart included
    request = {
        "sources": list(sources),
        "loaded_at": loaded_at,
        "meta_fd": meta_write,
        "data_fd": data_write,
        "end_fd": end_write,
        "contributions": None if validator is None else str(contributions),
    }
    worker.stdin.write(json.dumps(request).encode("utf-8"))
    worker.stdin.close()
    failure: list[BaseException] = []
    # Two bulk loads at once, the pages' and the end's (group links and tallies). Oxigraph's
    # bulk loader indexes in batches of a million triples, each on one thread, and a batch
    # starts when its last triple is read: as one stream, the end (13% of the triples at
    # 100,000 questions) held back the last batch until all of it was worked out, which then
    # indexed alone. Now the pages' last batch starts with the last page, the end's beside it.
    loaders = [_start_bulk_load(store, data_read, failure)]

    def load_end() -> None:
        # Started once the end is written, not before: a store in memory lets one bulk load
        # write at a time, and one waiting for the end would hold up the pages' for good.
        loaders.append(_start_bulk_load(store, end_read, failure))

    end_unread = [end_read]  # closed here if no loader took it, once (stop_loading may run twice)

    def stop_loading() -> None:
        for loaded in loaders:  # each reads to the end of its stream and writes it
            loaded.wait()
        if len(loaders) == 1 and end_unread:  # the converter stopped before the end
            os.close(end_unread.pop())

    def take_page(message: dict[str, Any]) -> None:
        page = BulkPage(message["source"], [(r[0], r[1], r[2]) for r in message["records"]])
        pages.append(page)
        if message["conflicts"]:
            conflicts.add(len(pages) - 1, page.source, message["conflicts"])
        report.files += 1
        report.items += message["items"] - len(message["conflicts"])  # counted when loaded
        report.new += len(page.records)
        repeated = message["repeated"]
        report.unchanged += (
            message["items"] - len(page.records) - len(message["conflicts"]) - len(repeated)
        )
        report.repeated += len(repeated)
        report.problems.extend(repeated)
        report.triples_written += message["triples"]
        report.unknown_keys.update(message["unknown"])
        if on_page is not None:
            on_page(Page(source=page.source, items=[]), report)

    try:
        messages = _Messages(on_page=take_page, on_end=load_end)
        with os.fdopen(meta_read, "rb") as meta:
            for line in meta:
                messages.write(line)
        report.triples_written += messages.end_triples
        error = messages.error
        label_sightings = messages.label_sightings
        del messages
        status = worker.wait()
        stop_loading()
        if failure or status != 0:
            store.clear()  # the bulk loader writes as it goes: part of the stream may be in
        if failure:
            cause = failure[0]
            raise StoreError("store", f"the bulk load failed: {cause}", _NOTHING_KEPT) from cause
        if status != 0:  # killed, or a bug: a page it cannot read is an error message
            raise StoreError(
                "load",
                f"the converting process stopped before the end (exit status {status})",
                _NOTHING_KEPT,
            )
        # Oxigraph's flush waits for RocksDB to compact what the bulk loader ingested while it
        # leaves too many files for writes to go on (a minute at a million questions, on one
        # core): validating meanwhile lets the two use both cores. What is left to compact once
        # nothing waits for it gives way to validation (at 100,000 questions, all of it).
        flushing = threading.Thread(
            target=_flush_then_yield, args=(store, validator is not None), daemon=True
        )
        flushing.start()
        try:
            stopped = None
            dropped: set[int] = set()  # where the records not kept stood (kg.member_labels)
            if validator is not None:
                stopped = validate_pages(
                    store, pages, validator, on_invalid, report, contributions, dropped
                )
            stopped = (
                load_conflicts(
                    store,
                    conflicts,
                    pages,
                    stopped=stopped,
                    validator=page_validator,
                    on_invalid=on_invalid,
                    report=report,
                    folder=contributions,
                    dropped=dropped,
                    loaded_at=loaded_at,
                )
                or stopped
            )
            # A member or department renamed between pages: the name given last by a question
            # kept stays (kg.member_labels).
            superseded = superseded_after_bulk_load(store, label_sightings, dropped)
            if superseded:  # written by this load (into an empty store): as never written
                write_changes(store, superseded, [])
                report.triples_written -= len(superseded)
            if store_is_empty(store) and len(store):  # every question written apart, skipped
                report.triples_written -= len(store)  # the tallies' marker: left empty, as
                store.clear()  # page by page
        finally:
            store.flush()
            flushing.join()
        if stopped is not None:
            raise stopped.error
        if error is not None:
            raise InputError(error["where"], error["what"], error["hint"])
        report.count_warnings()
        return report
    except KgError:
        raise  # the store holds what the error says (the pages before a bad one, say)
    except BaseException:  # interrupted (Ctrl-C), or failed otherwise: nothing is kept
        with _interrupts_held():
            worker.terminate()
            worker.wait()
            stop_loading()
            store.clear()
        raise


def _start_bulk_load(
    store: pyoxigraph.Store, fd: int, failure: list[BaseException]
) -> threading.Event:
    """Oxigraph's bulk loader, in a thread, reading the pipe ``fd`` into ``store`` (by path,
    in Rust, without holding the GIL) and closing it; what it raises goes to ``failure``. The
    event is set when it returned: waited for, not the thread joined, as a join cut short by
    Ctrl-C may not wait again (Python 3.11)."""
    loaded = threading.Event()

    def load() -> None:
        # Not leniently: a lenient load stores typed literals unparsed, and queries on them
        # ran 2.5x slower.
        try:
            store.bulk_load(path=f"/dev/fd/{fd}", format=pyoxigraph.RdfFormat.N_TRIPLES)
        except BaseException as exc:  # handed to the calling thread
            failure.append(exc)
        finally:
            os.close(fd)
            loaded.set()

    threading.Thread(target=load, daemon=True).start()
    return loaded


def write_ntriples(sources: Sequence[str], out: BinaryIO) -> int:
    """Write to ``out`` the N-Triples that a bulk load of ``sources`` into an empty store
    hands to Oxigraph's bulk loader, in that order, and return how many: what the benchmarks
    load with Oxigraph alone. A question that a later page changes, which the load then
    writes apart, is not in them. Raises :class:`InputError` for a page that cannot be read,
    after writing what came before it."""
    messages = _Messages()
    convert_pages(list(sources), loaded_at=now(), out=out, meta=messages)
    if messages.error is not None:
        raise InputError(messages.error["where"], messages.error["what"], messages.error["hint"])
    return messages.triples


class _Messages:
    """The converter's messages, taken in as they come: the triples counted, the error kept,
    each page's message handed to ``on_page``, and ``on_end`` called once the end is written."""

    def __init__(
        self,
        *,
        on_page: Callable[[dict[str, Any]], None] | None = None,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        self.triples = 0
        #: The triples written after the pages: the group links and the tallies.
        self.end_triples = 0
        #: The labels of each member given more than one, with where each was given: to
        #: settle after the bulk load (:func:`kg.member_labels.superseded_after_bulk_load`).
        self.label_sightings: Sightings = []
        self.error: dict[str, str] | None = None
        self._on_page = on_page
        self._on_end = on_end

    def write(self, line: bytes) -> int:
        message = msgspec.json.decode(line)
        if "error" in message:
            self.error = message["error"]
        elif "tallies" in message:
            self.label_sightings = message["label_sightings"]
            self.end_triples = message["links"] + message["tallies"]
            self.triples += self.end_triples
            if self._on_end is not None:
                self._on_end()
        else:
            self.triples += message["triples"]
            if self._on_page is not None:
                self._on_page(message)
        return len(line)

    def flush(self) -> None:
        """Nothing to do: messages are taken in as they are written."""


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C (and SIGTERM, which kg's commands take for it) waits until the block has run.
    Not so outside the main thread (signals do not come there), nor for a signal whose handler
    was not set from Python (it could not be put back)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    earlier = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    earlier = {n: handler for n, handler in earlier.items() if handler is not None}
    held: list[tuple[int, Any]] = []
    for number in earlier:
        signal.signal(number, lambda number, frame: held.append((number, frame)))
    try:
        yield
    finally:
        for number, handler in earlier.items():
            signal.signal(number, handler)
    if not held:
        return
    number = signal.Signals(held[0][0])
    handler = earlier[number]
    if callable(handler):
        handler(*held[0])
    elif handler == signal.SIG_DFL:  # what it would have done: SIGTERM ends the process
        signal.raise_signal(number)


def _flush_then_yield(store: pyoxigraph.Store, validating: bool) -> None:
    # A flush that fails here fails again in the loading thread, which reports it.
    with contextlib.suppress(Exception):
        store.flush()
    if validating:
        _lower_compaction_priority()


def _lower_compaction_priority() -> None:
    """RocksDB's compaction threads (``rocksdb:low``, shared by the process's stores) to the
    lowest CPU priority, as RocksDB's ``Env::LowerThreadPoolCPUPriority`` would, which
    pyoxigraph does not expose: then they take the CPU that queries leave. Linux only; for
    the rest of the process, as a thread cannot be given its priority back."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError):
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                if (task / "comm").read_text().startswith(_COMPACTION_THREAD):
                    os.setpriority(os.PRIO_PROCESS, int(task.name), _LOWEST_PRIORITY)


def _widen(pipe: int) -> None:
    """A larger pipe buffer (Linux), so that converter and loader wait on each other less."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)


__all__ = ["KgError", "StoreValidator", "bulk_load_paths", "write_ntriples"]
