"""Fetching pages of the linked-data-api over HTTP: one polite client, retries, and paging.

:class:`Fetcher` gets one page with retries (timeouts, connection errors, 5xx, 429 with
``Retry-After``, HTML error pages and truncated JSON) and falls back to a mirror when the
primary does not answer. :func:`paginate` walks a query page by page *as the server pages it*:
the page size the server returns (it silently clamps ``_pageSize``), ``totalResults`` and the
presence of ``next``. kg builds every URL itself from the base URL, the query and a page
number; it never follows a URL the server wrote.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:  # imported when a Fetcher is made: kg's other commands start faster
    import httpx

from kg import __version__
from kg.errors import FetchError, InputError
from kg.reader import Page, parse_page
from kg.values import date_of

DEFAULT_BASE_URL = "http://lda.data.parliament.uk"
DEFAULT_MIRROR_URL = "https://eldaddp.azurewebsites.net"
BASE_URL_ENV = "KG_API_BASE_URL"
MIRROR_URL_ENV = "KG_API_MIRROR_URL"
CONTACT_ENV = "KG_CONTACT"
PAGE_SIZE = 500
PROJECT_URL = "https://w3id.org/parliament-kg"


@dataclass(frozen=True)
class Endpoint:
    """A list endpoint kg can harvest, and how to filter it by date."""

    name: str
    kind: str  # "questions" or "members"
    since_param: str | None = None
    date_path: tuple[str, ...] = ()

    def latest_date(self, items: list[dict[str, Any]]) -> str | None:
        """The latest date (``YYYY-MM-DD``) at :attr:`date_path` among these items."""
        found = [d for i in items for v in _values_at(i, self.date_path) if (d := date_of(v))]
        return max(found).isoformat() if found and self.date_path else None


def _values_at(obj: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield obj
        return
    for entry in obj if isinstance(obj, list) else [obj]:
        if isinstance(entry, dict) and path[0] in entry:
            yield from _values_at(entry[path[0]], path[1:])


ENDPOINTS: dict[str, Endpoint] = {
    "answeredquestions": Endpoint(
        "answeredquestions", "questions", "min-answer.dateOfAnswer", ("answer", "dateOfAnswer")
    ),
    "commonsmembers": Endpoint("commonsmembers", "members"),
    "lordsmembers": Endpoint("lordsmembers", "members"),
    "members": Endpoint("members", "members"),
}


@dataclass(frozen=True)
class Query:
    """An endpoint and its filters (the API's own query parameters), without paging."""

    endpoint: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """A canonical text naming the query (filters sorted): what resume state is kept by."""
        return self.endpoint + "?" + urlencode(sorted(self.params))

    def url(self, base: str, *, page: int, page_size: int) -> str:
        pairs = [*self.params, ("_page", str(page)), ("_pageSize", str(page_size))]
        return f"{base.rstrip('/')}/{self.endpoint}.json?{urlencode(pairs)}"


def user_agent(contact: str | None = None) -> str:
    """``kg/<version> (+<project>; <contact>)``: who is asking and how to reach them."""
    extra = f"; {' '.join(contact.split())}" if contact and contact.strip() else ""
    return f"kg/{__version__} (+{PROJECT_URL}{extra})"


#: A wait before a retry that kg says it is taking (unless --silent), in seconds.
LONG_WAIT = 10.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try for one page. Delays are in seconds."""

    max_attempts: int = 6
    timeout: float = 60.0
    backoff: float = 1.0
    max_backoff: float = 60.0
    max_retry_after: float = 300.0


@dataclass(frozen=True)
class FetchedPage:
    """One page as received (``body``), parsed, with where and when it was fetched."""

    number: int
    url: str
    status: int
    body: bytes
    page: Page
    fetched_at: str
    attempts: int = 1

    @property
    def items(self) -> list[dict[str, Any]]:
        return self.page.items

    @property
    def items_per_page(self) -> int | None:
        return _int_or_none(self.page.meta.get("itemsPerPage"))

    @property
    def total_results(self) -> int | None:
        return _int_or_none(self.page.meta.get("totalResults"))

    @property
    def has_next(self) -> bool:
        return self.page.next_url is not None


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class _Retry(Exception):
    """A failed attempt worth another: what happened, whether the host answered at all."""

    def __init__(self, what: str, *, unreachable: bool = False, wait: float | None = None):
        super().__init__(what)
        self.what = what
        self.unreachable = unreachable
        self.wait = wait


class RateLimiter:
    """At most ``rate`` request starts per second across threads (``None``: no limit)."""

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """The delay a ``Retry-After`` header asks for (seconds or an HTTP date), if readable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    """Gets pages with retries. Thread-safe: :func:`paginate` calls it from a small pool."""

    def __init__(
        self,
        base_urls: list[str],
        *,
        policy: RetryPolicy | None = None,
        contact: str | None = None,
        rate: float | None = None,
        max_connections: int = 2,
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = _utc_now,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        on_wait: Callable[[str], Any] | None = None,
    ) -> None:
        if not base_urls:
            raise InputError("--base-url", "no base URL to fetch from", "give an API base URL")
        self.base_urls = [b.rstrip("/") for b in base_urls]
        self.policy = policy or RetryPolicy()
        self.stopped = threading.Event()
        self.sleep = sleep if sleep is not None else self.stopped.wait
        self.now = now
        #: Told, as a line, of each wait of :data:`LONG_WAIT` or more before a retry.
        self.on_wait = on_wait
        self.rng = rng or random.Random()
        self.limiter = RateLimiter(rate, clock=clock, sleep=self.sleep)
        self._base = 0
        self._lock = threading.Lock()
        import httpx

        self.client = httpx.Client(
            headers={"User-Agent": user_agent(contact), "Accept": "application/json"},
            timeout=httpx.Timeout(self.policy.timeout),
            limits=httpx.Limits(max_connections=max(1, max_connections)),
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.stopped.set()
        self.client.close()

    @property
    def base_url(self) -> str:
        """The base URL now in use (the mirror, once the primary stopped answering)."""
        return self.base_urls[self._base]

    def _fall_back(self, failed: int) -> None:
        with self._lock:
            if self._base == failed and len(self.base_urls) > 1:
                self._base = (failed + 1) % len(self.base_urls)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: about ``backoff * 2**(attempt-1)``, capped."""
        ceiling = min(self.policy.max_backoff, self.policy.backoff * 2.0 ** (attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def fetch(self, query: Query, *, page: int, page_size: int) -> FetchedPage:
        """One page, tried up to ``max_attempts`` times; :class:`FetchError` after that."""
        tried: list[str] = []
        url = query.url(self.base_url, page=page, page_size=page_size)
        for attempt in range(1, self.policy.max_attempts + 1):
            if self.stopped.is_set():
                raise FetchError(url, "the harvest was stopped", "run it again to resume")
            base = self._base
            url = query.url(self.base_urls[base], page=page, page_size=page_size)
            self.limiter.wait()
            try:
                return self._attempt(url, page, attempt)
            except _Retry as failure:
                tried.append(failure.what)
                if failure.unreachable:
                    self._fall_back(base)
                if attempt < self.policy.max_attempts:
                    delay = self.backoff(attempt)
                    if failure.wait is not None:
                        delay = max(delay, min(failure.wait, self.policy.max_retry_after))
                    if delay >= LONG_WAIT and self.on_wait is not None:
                        self.on_wait(self._waiting(url, failure, delay, attempt))
                    self.sleep(delay)
        raise FetchError(
            url,
            f"no good answer after {len(tried)} attempt{'s' if len(tried) != 1 else ''} "
            f"({_reasons(tried)})",
            "the API may be down or overloaded: try again later",
        )

    def _waiting(self, url: str, failure: _Retry, delay: float, attempt: int) -> str:
        """The line that says why kg waits, how long, and what the server asked for."""
        line = f"{url}: {failure.what}; waiting {delay:.0f} s before attempt {attempt + 1}"
        if failure.wait is not None and failure.wait > delay:
            line += (
                f" (the server asked for {failure.wait:.0f} s; kg waits"
                f" {self.policy.max_retry_after:.0f} s at most)"
            )
        return line

    def _attempt(self, url: str, page: int, attempt: int) -> FetchedPage:
        import httpx

        try:
            response = self.client.get(url)
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out after {self.policy.timeout:g} s", unreachable=True) from exc
        except httpx.ConnectError as exc:
            raise _Retry(f"cannot connect ({_one_line(str(exc))})", unreachable=True) from exc
        except httpx.TransportError as exc:
            text = _one_line(str(exc)) or type(exc).__name__
            raise _Retry(f"connection broken ({text})") from exc
        except httpx.RequestError as exc:  # a body it cannot decode, too many redirects...
            text = _one_line(str(exc)) or type(exc).__name__
            raise _Retry(f"a response kg cannot read ({text})") from exc
        status = response.status_code
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.now())
            raise _Retry("HTTP 429 Too Many Requests", wait=wait)
        if status >= 500 or status == 408:
            raise _Retry(f"HTTP {status}")
        if status >= 400:
            raise FetchError(
                url,
                f"HTTP {status} {response.reason_phrase}".strip(),
                "check the endpoint name and the --where filters",
            )
        body = response.content
        if "html" in response.headers.get("Content-Type", "") or body.lstrip()[:1] == b"<":
            raise _Retry(f"an HTML page instead of JSON (HTTP {status})")
        try:
            parsed = parse_page(url, body)
        except InputError as exc:
            raise _Retry(exc.what) from exc
        served = _int_or_none(parsed.meta.get("page"))
        if served is not None and served != page:
            raise _Retry(f"the server answered page {served} instead")
        fetched_at = self.now().isoformat(timespec="seconds").replace("+00:00", "Z")
        return FetchedPage(page, url, status, body, parsed, fetched_at, attempt)


def _reasons(tried: list[str]) -> str:
    """Why each attempt failed, in order, a reason given again counted, not repeated:
    ``HTTP 503 (3 times); timed out``."""
    runs = [(reason, len(list(again))) for reason, again in itertools.groupby(tried)]
    return "; ".join(reason if n == 1 else f"{reason} ({n} times)" for reason, n in runs)
