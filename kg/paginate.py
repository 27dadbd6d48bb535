"""Paging through a harvest: every page of a query, in order, a few requests in flight, and
stopped where a server that does not page as the API does would lead on for ever."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future

from kg.errors import FetchError
from kg.fetch import PAGE_SIZE, FetchedPage, Fetcher, Query


def pages_expected(first: FetchedPage) -> int | None:
    """How many pages the whole result has, by the first page's own metadata."""
    size, total = first.items_per_page, first.total_results
    if not size or total is None:
        return None
    return max(1, math.ceil(total / size))


#: Pages past those totalResults gives that a harvest still follows ``next`` to (the result
#: may grow while it runs): beyond them, a server that always says ``next`` is not believed.
PAGES_PAST_TOTAL = 10


def _check_progress(page: FetchedPage, previous: FetchedPage, expected: int | None) -> None:
    """Stop a harvest that would never end: a page holding the items of the page before, or
    pages long past those totalResults gives (a server that ignores ``_page``)."""
    about = [item.get("_about") for item in page.items]
    if about and about == [item.get("_about") for item in previous.items]:
        raise FetchError(
            page.url,
            f"page {page.number} holds the same items as page {previous.number}",
            "the server does not page as the API does: check --base-url",
        )
    if expected is not None and page.number >= expected + PAGES_PAST_TOTAL and page.has_next:
        raise FetchError(
            page.url,
            f"page {page.number} still has a next page, past the {expected} that totalResults"
            " gives",
            "the server does not page as the API does: check --base-url",
        )


def paginate(
    fetcher: Fetcher,
    query: Query,
    *,
    start_page: int = 0,
    page_size: int = PAGE_SIZE,
    in_flight: int = 2,
) -> Iterator[FetchedPage]:
    """Every page from ``start_page`` on, in order, until a page has no items or no ``next``.

    After the first page the page size is the one the server returned, and up to
    ``in_flight`` requests run at once for pages that ``totalResults`` says exist; past those,
    kg follows ``next`` one page at a time.
    """
    page = fetcher.fetch(query, page=start_page, page_size=page_size)
    yield page
    if not page.items or not page.has_next:
        return
    size = page.items_per_page or len(page.items)
    expected = pages_expected(page)
    last_known = expected - 1 if expected is not None else start_page
    previous = page
    pending: deque[tuple[int, Future[FetchedPage]]] = deque()
    scheduled = start_page
    try:
        while True:
            while len(pending) < max(1, in_flight) and (scheduled + 1 <= last_known or not pending):
                scheduled += 1
                future = _fetch_in_background(fetcher, query, page=scheduled, page_size=size)
                pending.append((scheduled, future))
            _, future = pending.popleft()
            page = future.result()
            if page.items_per_page not in (None, size):
                raise FetchError(
                    page.url,
                    f"the server changed its page size from {size} to {page.items_per_page}",
                    "run the harvest again with --refresh",
                )
            _check_progress(page, previous, expected)
            yield page
            if not page.items or not page.has_next:
                return
            previous = page
    finally:
        for _, future in pending:
            future.cancel()


def _fetch_in_background(
    fetcher: Fetcher, query: Query, *, page: int, page_size: int
) -> Future[FetchedPage]:
    """One page fetched in a thread of its own, which exiting does not wait for (a pool's
    threads it does): Ctrl-C then ends kg at once, not once the requests under way end (up
    to --timeout). The thread only fetches; what it fetched is saved by the caller."""
    future: Future[FetchedPage] = Future()

    def fetch() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fetcher.fetch(query, page=page, page_size=page_size))
        except BaseException as exc:  # handed to the caller
            future.set_exception(exc)

    threading.Thread(target=fetch, name=f"kg-fetch-{page}", daemon=True).start()
    return future
