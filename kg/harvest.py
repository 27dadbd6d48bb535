"""Harvesting a query into a cache folder, with resume state and high-water marks.

Layout (nothing in a path comes from the server)::

    <cache>/<endpoint>-<hash of the query>/query.json        the query, for people
    <cache>/<endpoint>-<hash of the query>/manifest.jsonl    one line per saved page
    <cache>/<endpoint>-<hash of the query>/<run>/page-000037.json
    <store>.harvest/state.json                               resume state, high-water marks

Every page is written as received, atomically (temporary file + rename), before anything else
is done with it; a page that does not parse is never written. The state records, per query,
how many pages were saved and loaded, so that an interrupted harvest continues where it
stopped, and, per query without its date filter, the latest answer date harvested.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import FetchError, InputError
from kg.fetch import PAGE_SIZE, Endpoint, FetchedPage, Fetcher, Query
from kg.harvest_cache import Cache, locked, write_error
from kg.paginate import paginate
from kg.paths import harvest_dir, write_atomic

STATE_VERSION = 1


class HarvestState:
    """Resume state and high-water marks: one JSON file beside the store, updated under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_store(cls, store_path: Path) -> HarvestState:
        return cls(harvest_dir(store_path) / "state.json")

    def read(self) -> dict[str, Any]:
        data: Any = {"version": STATE_VERSION}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            raise InputError(
                str(self.path),
                f"the harvest state cannot be read ({exc})",
                "delete it to start the harvests afresh (the cache keeps every page)",
            ) from exc
        if not isinstance(data, dict):
            raise InputError(str(self.path), "the harvest state is not an object", "delete it")
        for section in ("harvests", "high_water", "completed"):
            data.setdefault(section, {})
        return data

    def update(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Read, change and write back atomically, holding the lock for the whole step."""
        try:
            with locked(self.path.with_name(self.path.name + ".lock"), wait=True):
                data = self.read()
                change(data)
                text = json.dumps(data, indent=1, sort_keys=True) + "\n"
                write_atomic(self.path, text.encode("utf-8"))
        except OSError as exc:
            raise write_error(self.path, exc) from exc
        return data

    def harvest(self, key: str) -> dict[str, Any] | None:
        entry = self.read()["harvests"].get(key)
        return entry if isinstance(entry, dict) else None

    def high_water(self, base_key: str) -> str | None:
        value = self.read()["high_water"].get(base_key)
        return value if isinstance(value, str) else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        self.update(lambda data: data["harvests"].__setitem__(key, dict(entry)))


def _later(a: str | None, b: str | None) -> str | None:
    return max(x for x in (a, b) if x) if a or b else None


def _stamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class HarvestResult:
    """What a harvest did: pages from the network and from the cache, items, where they are."""

    query: Query
    folder: Path
    run: str
    start_page: int = 0
    pages: int = 0
    replayed: int = 0
    items: int = 0
    total: int | None = None
    complete: bool = False
    high_water: str | None = None
    warnings: list[str] = field(default_factory=list)


PageHook = Callable[[FetchedPage, HarvestResult], None]


@dataclass
class _Run:
    query: Query
    endpoint: Endpoint
    cache: Cache
    state: HarvestState
    entry: dict[str, Any]
    result: HarvestResult
    load: Callable[[FetchedPage], None] | None
    on_page: PageHook | None

    def take(self, fetched: FetchedPage, *, replayed: bool = False, count: bool = True) -> None:
        """Load a page (already saved) and count it."""
        if self.load is not None:
            self.load(fetched)
        result = self.result
        result.replayed += replayed
        result.pages += not replayed
        result.items += len(fetched.items) if count else 0
        result.high_water = _later(result.high_water, self.endpoint.latest_date(fetched.items))
        if result.total is None:
            result.total = fetched.total_results
        if self.on_page is not None:
            self.on_page(fetched, result)

    def load_cached(self) -> None:
        """Load the pages saved by an earlier run but not loaded (a run without --load)."""
        entry = self.entry
        pages = self.cache.cached_pages(
            self.query, self.result.run, start=entry["loaded"], stop=entry["fetched"]
        )
        for fetched in pages:
            self.take(fetched, replayed=True, count=False)
            entry["loaded"] = fetched.number + 1
            self.state.put(self.query.key, entry)
        entry["fetched"] = entry["loaded"]  # pages missing from the cache are fetched again

    def fetch(self, fetcher: Fetcher, *, page_size: int, in_flight: int) -> None:
        entry, result = self.entry, self.result
        start = result.start_page = entry["fetched"]
        size = entry["page_size"] or page_size
        pages = paginate(fetcher, self.query, start_page=start, page_size=size, in_flight=in_flight)
        for fetched in pages:
            if fetched.number == start and start:
                self.check_resumed(fetched)
            self.cache.save(self.query, result.run, fetched)
            self.take(fetched)
            entry["page_size"] = entry["page_size"] or fetched.items_per_page
            if fetched.total_results is not None:
                entry["total"] = result.total = fetched.total_results
            entry["fetched"] = fetched.number + 1
            if self.load is not None:
                entry["loaded"] = entry["fetched"]
            entry.update(items=result.items, high_water=result.high_water)
            entry["updated_at"] = fetched.fetched_at
            self.state.put(self.query.key, entry)

    def check_resumed(self, fetched: FetchedPage) -> None:
        before, now = self.entry["page_size"], fetched.items_per_page
        if before and now not in (None, before):
            raise FetchError(
                fetched.url,
                f"the server's page size changed from {before} to {now} since the harvest began",
                "start it again with --refresh",
            )
        total = self.entry.get("total")
        if total is not None and fetched.total_results != total:
            self.result.warnings.append(
                f"the query has {fetched.total_results} results now, {total} when the harvest "
                "began: pages may have shifted, run it again with --refresh to be sure"
            )

    def finish(self, base_key: str, finished_at: str) -> None:
        result = self.result
        result.complete = True
        done: dict[str, Any] = {"query": self.query.key, "run": result.run, "at": finished_at}
        done.update(pages=self.entry["fetched"], items=result.items)

        def change(data: dict[str, Any]) -> None:
            data["harvests"].pop(self.query.key, None)
            data["completed"][base_key] = done
            mark = _later(data["high_water"].get(base_key), result.high_water)
            if mark:
                data["high_water"][base_key] = mark

        self.state.update(change)


def harvest(
    query: Query,
    *,
    endpoint: Endpoint,
    base_key: str,
    cache: Cache,
    state: HarvestState,
    fetcher: Fetcher | None,
    load: Callable[[FetchedPage], None] | None = None,
    on_page: PageHook | None = None,
    refresh: bool = False,
    page_size: int = PAGE_SIZE,
    in_flight: int = 2,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> HarvestResult:
    """Fetch (or, with ``fetcher=None``, replay from the cache) every page of ``query``.

    An unfinished harvest of the same query resumes at its first page not yet saved (pages
    saved but not yet loaded are loaded from the cache first); ``refresh`` starts over. When
    it completes, ``base_key`` (the query without its date filter) gets its high-water mark.
    """
    folder = cache.query_dir(query)
    if fetcher is None:
        entry = state.harvest(query.key)
        run = entry["run"] if entry else cache.latest_run(query)
        if run is None:
            raise InputError(str(folder), "nothing is cached for this query", "fetch it first")
        replay = _Run(
            query, endpoint, cache, state, {}, HarvestResult(query, folder, run), load, on_page
        )
        for fetched in cache.cached_pages(query, run):
            replay.take(fetched, replayed=True)
        if not replay.result.replayed:
            raise InputError(str(folder), "no page of this query is cached", "fetch it first")
        replay.result.complete = True
        return replay.result
    with locked(folder / ".lock", wait=False) as free:
        if not free:
            raise FetchError(str(folder), "another kg fetch is harvesting this query", "wait")
        entry = None if refresh else state.harvest(query.key)
        if entry is None:
            entry = {"run": f"run-{now().strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"}
            entry.update(started_at=_stamp(now()), fetched=0, loaded=0, items=0, page_size=None)
        result = HarvestResult(query, folder, str(entry["run"]), total=entry.get("total"))
        result.items, result.high_water = entry["items"], entry.get("high_water")
        run = _Run(query, endpoint, cache, state, entry, result, load, on_page)
        cache.prepare(query, result.run)
        state.put(query.key, entry)
        if load is not None and entry["loaded"] < entry["fetched"]:
            run.load_cached()
        try:
            run.fetch(fetcher, page_size=page_size, in_flight=in_flight)
            _check_all_pages_came(entry, folder)
        except FetchError as exc:
            raise FetchError(exc.where, exc.what, f"{exc.hint}; {_kept(entry, folder)}") from exc
        run.finish(base_key, _stamp(now()))
    return result


def _kept(entry: dict[str, Any], folder: Path) -> str:
    """What a harvest that failed keeps, and how to go on."""
    kept = entry["fetched"]
    if kept == 0:
        return "no page was fetched: run the same command again"
    pages = "the page fetched so far is" if kept == 1 else f"the {kept} pages fetched so far are"
    return f"{pages} kept in {folder}: run the same command again to resume at page {kept}"


def _check_all_pages_came(entry: dict[str, Any], folder: Path) -> None:
    """Raise when the server ended the paging (no ``next``) pages before those its
    ``totalResults`` gives: the harvest is not complete, and is not marked so."""
    total, size, fetched = entry.get("total"), entry.get("page_size"), entry["fetched"]
    if not isinstance(total, int) or not isinstance(size, int) or size <= 0:
        return
    expected = max(1, math.ceil(total / size))
    if fetched < expected:
        raise FetchError(
            str(folder),
            f"the server gave no next page after page {fetched - 1}, where its totalResults"
            f" ({total:,}) makes {expected} pages of {size}",
            "the server may have failed part way",
        )
