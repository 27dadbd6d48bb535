"""The converting half of a bulk load, run as its own process so that conversion and
Oxigraph's bulk loader use both cores.

Reads ``{"sources": [...], "loaded_at": "...", "data_fd": N, "end_fd": E, "meta_fd": M,
"contributions": "FOLDER" or null}`` as JSON on standard input, writes N-Triples of every page
to ``data_fd`` (whole pages only) and one JSON line per page (or per error) to ``meta_fd``;
closes ``data_fd``, then writes the group links and the tallies to ``end_fd`` and, before the
last line, which shared triples each record gave to ``FOLDER`` (a load that validates may take
some records back).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

from kg.errors import KgError
from kg.load import convert_page
from kg.load_stream import LoadStream, line_of
from kg.reader import read_page


class Output(Protocol):
    """Where converted pages and messages go: a binary file, or a :class:`BackgroundWriter`."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


#: The worker yields the CPU to Oxigraph's loader and RocksDB's compaction, which then keep
#: up with it instead of leaving a backlog for the end: a 1M load without validation took
#: 303 and 298 s so, against 351 and 390 s at the same priority (peak RSS 2.0 vs 2.3 GiB).
WORKER_NICENESS = 10

#: Bytes of N-Triples that may wait to be written: ten pages of 500 questions (a page's is
#: larger than a pipe holds), and no more whatever the pages' size. More room did not help:
#: at 1M questions without validation, 192 MiB took 246.3 s against 246.8 s for 26 MiB.
WRITE_AHEAD_BYTES = 32 << 20


def convert_pages(
    sources: list[str],
    *,
    loaded_at: str,
    out: Output,
    meta: Output,
    contributions: Path | None = None,
) -> None:
    """Write each page's triples to ``out`` and what it held to ``meta``; then the group
    links and the tallies of every record written (also when a page stops the load), and to
    the folder ``contributions`` which shared triples each record gave."""
    stream = write_pages(
        sources,
        loaded_at=loaded_at,
        out=out,
        meta=meta,
        keep_contributions=contributions is not None,
    )
    write_end(stream, out=out, meta=meta, contributions=contributions)


def write_pages(
    sources: list[str], *, loaded_at: str, out: Output, meta: Output, keep_contributions: bool
) -> LoadStream:
    """Write each page's triples to ``out`` and what it held to ``meta``, up to a page that
    cannot be read or converted (its error goes to ``meta``): the stream, for :func:`write_end`."""
    stream = LoadStream(loaded_at=loaded_at, keep_contributions=keep_contributions)
    for source in sources:
        try:
            page = read_page(source)
            converted = convert_page(source, page.items)
        except KgError as exc:
            _send(meta, {"error": {"where": exc.where, "what": exc.what, "hint": exc.hint}})
            break
        data, message = stream.page(source, page.items, converted)
        out.write(data)
        _send_line(meta, message)
    return stream


def write_end(stream: LoadStream, *, out: Output, meta: Output, contributions: Path | None) -> None:
    """Write the group links and the tallies of every record ``stream`` wrote to ``out``, to
    the folder ``contributions`` which shared triples each record gave, then the last line to
    ``meta``."""
    data, message = stream.end()
    if contributions is not None:
        stream.save_contributions(contributions)
    out.write(data)
    _send_line(meta, message)


def _folder(path: str | None) -> Path | None:
    return None if path is None else Path(path)


def _send(meta: Output, message: dict[str, Any]) -> None:
    _send_line(meta, line_of(message))


def _send_line(meta: Output, line: bytes) -> None:
    meta.write(line)
    meta.flush()


class BackgroundWriter:
    """Writes to a file descriptor from a thread, so that converting goes on while a write
    waits for the reader (a blocked ``write`` releases the GIL). At most ``ahead`` bytes wait
    (and always one chunk, however large); a failed write is raised again by the next
    ``write`` or by ``close``."""

    def __init__(self, fd: int, *, ahead: int = WRITE_AHEAD_BYTES) -> None:
        self._fd = fd
        self._ahead = ahead
        self._chunks: collections.deque[bytes | None] = collections.deque()
        self._waiting = 0  # bytes queued or being written
        self._changed = threading.Condition()
        self._failure: OSError | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="kg-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._chunks:
                    self._changed.wait()
                chunk = self._chunks.popleft()
            if chunk is None:
                return
            if self._failure is None:  # after a failure, drain: the converter never waits
                try:
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(self._fd, view) :]
                except OSError as exc:
                    self._failure = exc
            with self._changed:
                self._waiting -= len(chunk)
                self._changed.notify_all()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def write(self, data: bytes) -> int:
        self._raise_failure()
        if data:
            with self._changed:
                while self._waiting and self._waiting + len(data) > self._ahead:
                    self._changed.wait()
                self._chunks.append(data)
                self._waiting += len(data)
                self._changed.notify_all()
        return len(data)

    @property
    def waiting(self) -> int:
        """Bytes given to :meth:`write` and not yet written."""
        with self._changed:
            return self._waiting

    def flush(self) -> None:
        """Nothing to do: chunks go out in order, as soon as the reader takes them."""

    def close(self) -> None:
        """Write what waits, then close the file descriptor (once: closing again does nothing)."""
        if self._closed:
            return
        self._closed = True
        with self._changed:
            self._chunks.append(None)
            self._changed.notify_all()
        self._thread.join()
        os.close(self._fd)
        self._raise_failure()


def collect_rarely() -> None:
    """The converting process's collector: parsed pages hold no reference cycles, so
    reference counting frees them, and the cyclic collector would only walk the millions of
    objects of each page again and again (it took a fifth of reading a page's JSON)."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def main() -> None:
    collect_rarely()
    # Ctrl-C reaches the whole process group: the loading process decides what it means, and
    # stops this one (or closes the pipes, which ends it below).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    request = json.load(sys.stdin)
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(WORKER_NICENESS)
    pages_out = BackgroundWriter(request["data_fd"])
    end_out = BackgroundWriter(request["end_fd"])
    contributions = _folder(request.get("contributions"))
    try:
        with os.fdopen(request["meta_fd"], "wb") as meta:
            try:
                stream = write_pages(
                    request["sources"],
                    loaded_at=request["loaded_at"],
                    out=pages_out,
                    meta=meta,
                    keep_contributions=contributions is not None,
                )
                # The pages' loader can index its last triples while the end is worked out.
                pages_out.close()
                write_end(stream, out=end_out, meta=meta, contributions=contributions)
            finally:
                pages_out.close()
                end_out.close()
    except BrokenPipeError:  # the loading process stopped reading: no one to tell
        sys.exit(1)


if __name__ == "__main__":
    main()
