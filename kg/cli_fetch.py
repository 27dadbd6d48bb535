"""``kg fetch``: harvest a slice of the linked-data-api into the cache, and optionally the store."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kg.cli_options import FiniteRange, seconds, silent_option, store_option
from kg.convert import convert_item
from kg.errors import InputError
from kg.fetch import (
    BASE_URL_ENV,
    CONTACT_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_MIRROR_URL,
    ENDPOINTS,
    MIRROR_URL_ENV,
    PAGE_SIZE,
    Endpoint,
    FetchedPage,
    Fetcher,
    Query,
    RetryPolicy,
)
from kg.harvest import HarvestResult, HarvestState, harvest
from kg.harvest_cache import Cache
from kg.load import ON_INVALID_CHOICES, LoadReport, OnInvalid, Validator
from kg.members import convert_member
from kg.output import terminal_line
from kg.page_load import load_page
from kg.paths import harvest_cache_dir
from kg.store import open_store
from kg.text_index import kept_current

_NO_MIRROR = ("", "none", "off")


def parse_where(pairs: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` filters as the API's own query parameters (in the order given)."""
    params = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--where {pair}", "not KEY=VALUE", "e.g. --where AnsweringBody=...")
        if key.startswith("_"):
            raise InputError(
                f"--where {pair}",
                f"{key} is one of the API's own controls (paging, views), not a filter",
                "kg pages by itself: leave it out",
            )
        params.append((key, value))
    return tuple(params)


def build_query(
    endpoint: Endpoint,
    params: tuple[tuple[str, str], ...],
    *,
    since: str | None,
    since_last: bool,
    state: HarvestState,
) -> Query:
    """The query to harvest: the filters, plus the date filter of --since / --since-last."""
    base = Query(endpoint.name, params)
    if since is None and not since_last:
        return base
    option = "--since" if since is not None else "--since-last"
    if since is not None and since_last:
        raise InputError(option, "give --since or --since-last, not both", "choose one")
    if endpoint.since_param is None:
        raise InputError(
            option, f"{endpoint.name} has no date kg filters on", f"leave {option} out"
        )
    if any(key == endpoint.since_param for key, _ in params):
        raise InputError(option, f"--where already sets {endpoint.since_param}", "keep one")
    if since is not None:
        try:
            dt.date.fromisoformat(since)
        except ValueError as exc:
            raise InputError(f"--since {since}", "not a date", "give YYYY-MM-DD") from exc
        return Query(endpoint.name, (*params, (endpoint.since_param, since)))
    mark = state.high_water(base.key)
    if mark is None:
        raise InputError(
            "--since-last",
            "no earlier complete harvest of this query to continue from",
            "harvest it once without --since-last (or with --since DATE)",
        )
    return Query(endpoint.name, (*params, (endpoint.since_param, mark)))


def base_urls(base_url: str | None, mirror: str | None) -> list[str]:
    """The primary, then the mirror: the public mirror only when the primary is the default."""
    primary = base_url or DEFAULT_BASE_URL
    if mirror is None:
        mirror = DEFAULT_MIRROR_URL if not base_url else ""
    urls = [primary] + ([] if mirror.strip().lower() in _NO_MIRROR else [mirror])
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise InputError(url, "not an http(s) URL", "give e.g. http://lda.data.parliament.uk")
    return urls


def _validator(no_validate: bool) -> Validator | None:
    if no_validate:
        return None
    try:
        module = importlib.import_module("kg.record_validation")
    except ImportError:
        click.echo("Warning: kg cannot validate here; loading without validation", err=True)
        return None
    validator: Validator = module.record_validator()
    return validator


class _Progress:
    """A progress bar of items against totalResults, created once the first page is in."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.stack = contextlib.ExitStack()

    def __call__(self, fetched: FetchedPage, result: HarvestResult) -> None:
        if not self.enabled or not result.total:
            return
        if self.bar is None:
            bar = click.progressbar(length=result.total, show_pos=True, file=sys.stderr)
            self.bar = self.stack.enter_context(bar)
        size = fetched.items_per_page or len(fetched.items) or 1
        self.bar.label = f"Fetching page {fetched.number + 1}/{-(-result.total // size)}"
        self.bar.update(max(0, result.items - self.bar.pos))


@click.command()
@click.argument("endpoint", type=click.Choice(sorted(ENDPOINTS)))
@click.option("--where", multiple=True, metavar="KEY=VALUE", help="A filter of the API.")
@click.option("--since", metavar="DATE", help="Only what was answered on or after DATE.")
@click.option("--since-last", is_flag=True, help="Only what is new since the last harvest.")
@click.option("--load", "load_pages", is_flag=True, help="Load each page into the store too.")
@store_option
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of raw pages [default: beside the store, STORE.harvest/cache].",
)
@click.option("--refresh", is_flag=True, help="Start again from the first page.")
@click.option("--offline", is_flag=True, help="No network: replay the cached pages.")
@click.option("--base-url", envvar=BASE_URL_ENV, help=f"The API [{DEFAULT_BASE_URL}].")
@click.option("--mirror", envvar=MIRROR_URL_ENV, help="Fallback API ('none': no fallback).")
@click.option("--contact", envvar=CONTACT_ENV, help="Contact details for the User-Agent.")
@click.option("--page-size", type=click.IntRange(1, 5000), default=PAGE_SIZE, show_default=True)
@click.option("--concurrency", type=click.IntRange(1, 8), default=2, show_default=True)
@click.option("--rate", type=FiniteRange(min=0.01), help="At most this many requests/s.")
@click.option("--timeout", type=seconds(), default=60.0, show_default=True)
@click.option("--max-attempts", type=click.IntRange(1, 100), default=6, show_default=True)
@click.option("--backoff", type=seconds(min_open=False), default=1.0, show_default=True)
@click.option("--no-validate", is_flag=True, help="Do not check items against the shapes.")
@click.option(
    "--on-invalid", type=click.Choice(ON_INVALID_CHOICES), default="abort", show_default=True
)
@silent_option
def fetch(
    endpoint: str,
    where: Sequence[str],
    since: str | None,
    since_last: bool,
    load_pages: bool,
    store_path: Path,
    cache_dir: Path | None,
    refresh: bool,
    offline: bool,
    base_url: str | None,
    mirror: str | None,
    contact: str | None,
    page_size: int,
    concurrency: int,
    rate: float | None,
    timeout: float,
    max_attempts: int,
    backoff: float,
    no_validate: bool,
    on_invalid: OnInvalid,
    silent: bool,
) -> None:
    """Harvest ENDPOINT of the linked-data-api, page by page, resuming where it stopped.

    \b
      kg fetch answeredquestions --where AnsweringBody="Department for Work and Pensions" \\
          --since 2019-08-05
      kg fetch answeredquestions --since-last --load
      kg fetch commonsmembers --load
    """
    info = ENDPOINTS[endpoint]
    state = HarvestState.for_store(store_path)
    query = build_query(info, parse_where(where), since=since, since_last=since_last, state=state)
    cache = Cache(cache_dir if cache_dir is not None else harvest_cache_dir(store_path))
    report = LoadReport()
    sink = None
    upkeep_stack = contextlib.ExitStack()
    if load_pages:
        store = open_store(store_path)
        validator = _validator(no_validate)
        converter = convert_member if info.kind == "members" else convert_item
        # Pages loaded from the cache carry the time they were fetched: named to the index.
        upkeep = upkeep_stack.enter_context(kept_current(store, store_path))

        def sink(fetched: FetchedPage) -> None:
            upkeep.wrote(item.get("_about") for item in fetched.page.items)
            load_page(
                store,
                fetched.page,
                validator=validator,
                on_invalid=on_invalid,
                source=fetched.url,
                loaded_at=fetched.fetched_at,
                report=report,
                converter=converter,
            )

    progress = _Progress(not silent)
    policy = RetryPolicy(max_attempts=max_attempts, timeout=timeout, backoff=backoff)
    with upkeep_stack, progress.stack, contextlib.ExitStack() as stack:
        fetcher = None
        if not offline:
            fetcher = stack.enter_context(
                Fetcher(
                    base_urls(base_url, mirror),
                    policy=policy,
                    contact=contact,
                    rate=rate,
                    max_connections=concurrency,
                    on_wait=None if silent else _say_waiting,
                )
            )
        result = harvest(
            query,
            endpoint=info,
            base_key=Query(endpoint, parse_where(where)).key,
            cache=cache,
            state=state,
            fetcher=fetcher,
            load=sink,
            on_page=progress,
            refresh=refresh,
            page_size=page_size,
            in_flight=concurrency,
        )
    _summarize(result, report if load_pages else None)


def _say_waiting(line: str) -> None:
    click.echo(f"Waiting: {line}", err=True)


def _summarize(result: HarvestResult, report: LoadReport | None) -> None:
    for warning in result.warnings:
        click.echo(f"Warning: {terminal_line(warning)}", err=True)
    total = f" of {result.total}" if result.total is not None else ""
    parts = [f"Fetched {result.pages} page{'s' if result.pages != 1 else ''}"]
    if result.start_page:
        parts.append(f"resuming at page {result.start_page}")
    if result.replayed:
        parts.append(f"{result.replayed} from the cache")
    parts.append(f"{result.items}{total} items, into {result.folder}")
    if result.high_water:
        parts.append(f"latest answer {result.high_water}")
    click.echo(", ".join(parts))
    if report is not None:
        report.count_warnings()
        for warning in report.warning_lines():
            click.echo(f"Warning: {terminal_line(warning)}", err=True)
        click.echo(report.summary())
