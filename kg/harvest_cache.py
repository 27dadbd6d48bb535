"""The harvest cache: raw pages as the server sent them, one folder per query, one sub-folder
per harvest run, with a manifest line per saved page (see :mod:`kg.harvest` for the layout),
and the file lock that guards a query's folder and the harvest state."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError, KgError
from kg.fetch import FetchedPage, Query
from kg.paths import write_atomic
from kg.reader import parse_page

MANIFEST = "manifest.jsonl"


@contextlib.contextmanager
def locked(path: Path, *, wait: bool) -> Iterator[bool]:
    """An exclusive lock on ``path`` (POSIX); yields False when busy and ``wait`` is False."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - no advisory locks there
            yield True
            return
        import fcntl

        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_error(path: Path, exc: OSError) -> KgError:
    return KgError(str(path), f"cannot write ({exc.strerror})", "choose a writable --cache/--store")


class Cache:
    """Raw pages as received, one folder per query, one sub-folder per harvest run."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def query_dir(self, query: Query) -> Path:
        if not query.endpoint.isalnum():
            raise InputError(query.endpoint, "not an endpoint name", "give e.g. answeredquestions")
        digest = hashlib.sha256(query.key.encode("utf-8")).hexdigest()[:16]
        return self.root / f"{query.endpoint}-{digest}"

    def prepare(self, query: Query, run: str) -> Path:
        folder = self.query_dir(query)
        try:
            (folder / run).mkdir(parents=True, exist_ok=True)
            about = folder / "query.json"
            if not about.exists():
                text = json.dumps({"endpoint": query.endpoint, "params": query.params}, indent=1)
                write_atomic(about, text.encode("utf-8"))
            for stale in (folder / run).glob(".tmp-*.part"):
                stale.unlink()
        except OSError as exc:
            raise write_error(folder, exc) from exc
        return folder

    def save(self, query: Query, run: str, fetched: FetchedPage) -> dict[str, Any]:
        """Write one page and its manifest line; returns the line."""
        folder = self.query_dir(query)
        name = f"{run}/page-{fetched.number:06d}.json"
        entry: dict[str, Any] = {"run": run, "page": fetched.number, "file": name}
        entry.update(url=fetched.url, fetched_at=fetched.fetched_at, status=fetched.status)
        entry.update(items=len(fetched.items), sha256=hashlib.sha256(fetched.body).hexdigest())
        entry.update(bytes=len(fetched.body), attempts=fetched.attempts)
        try:
            write_atomic(folder / name, fetched.body)
            manifest = folder / MANIFEST
            with open(manifest, "a+b") as handle:
                handle.seek(0, os.SEEK_END)
                line = json.dumps(entry, sort_keys=True).encode("utf-8") + b"\n"
                if handle.tell() > 0:
                    handle.seek(-1, os.SEEK_END)
                    if handle.read(1) != b"\n":  # a line cut short by a crash
                        line = b"\n" + line
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise write_error(folder, exc) from exc
        return entry

    def entries(self, query: Query) -> list[dict[str, Any]]:
        """The manifest lines of a query (a line cut short by a crash is left out)."""
        path = self.query_dir(query) / MANIFEST
        if not path.exists():
            return []
        found = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict) and isinstance(entry.get("page"), int):
                    found.append(entry)
        return found

    def latest_run(self, query: Query) -> str | None:
        runs = [e["run"] for e in self.entries(query) if isinstance(e.get("run"), str)]
        return runs[-1] if runs else None

    def cached_pages(
        self, query: Query, run: str, *, start: int = 0, stop: int | None = None
    ) -> Iterator[FetchedPage]:
        """The saved pages of a run, in order, checked against their sha256 (the offline seam)."""
        latest: dict[int, dict[str, Any]] = {}
        for entry in self.entries(query):
            if entry.get("run") == run:
                latest[entry["page"]] = entry
        folder = self.query_dir(query)
        number = start
        while number in latest and (stop is None or number < stop):
            entry = latest[number]
            path = folder / run / f"page-{number:06d}.json"
            try:
                body = path.read_bytes()
            except OSError as exc:
                raise InputError(str(path), "a cached page is missing", "use --refresh") from exc
            if hashlib.sha256(body).hexdigest() != entry.get("sha256"):
                raise InputError(
                    str(path), "the cached page does not match its sha256", "use --refresh"
                )
            url = str(entry.get("url", path))
            page, when = parse_page(url, body), str(entry.get("fetched_at", ""))
            yield FetchedPage(number, url, entry.get("status", 200), body, page, when)
            number += 1
