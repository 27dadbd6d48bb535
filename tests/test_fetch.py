"""kg.fetch against a real HTTP server on 127.0.0.1 that injects faults (no mocks, no internet)."""

from __future__ import annotations

import datetime as dt
import random
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from kg.errors import FetchError
from kg.fetch import (
    ENDPOINTS,
    Fetcher,
    Query,
    RateLimiter,
    RetryPolicy,
    retry_after_seconds,
    user_agent,
)
from kg.paginate import PAGES_PAST_TOTAL, paginate
from tests.api_server import ApiServer, make_questions

QUERY = Query("answeredquestions")


@pytest.fixture(scope="module")
def questions(sample_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sample_items + make_questions(sample_items[0], 41)


@pytest.fixture()
def api(questions: list[dict[str, Any]]) -> Iterator[ApiServer]:
    with ApiServer({"answeredquestions": list(questions)}, max_page_size=10) as server:
        yield server


class Sleeps(list[float]):
    """An injected sleep: records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetcher(
    bases: list[str], *, sleeps: Sleeps | None = None, connections: int = 2, **policy: Any
) -> Fetcher:
    settings = {"max_attempts": 4, "timeout": 2.0, "backoff": 0.5, **policy}
    return Fetcher(
        bases,
        policy=RetryPolicy(**settings),
        max_connections=connections,
        sleep=sleeps if sleeps is not None else Sleeps(),
        rng=random.Random(7),
        contact="ops@example.org",
    )


def dead_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def abouts(pages: list[Any]) -> list[str]:
    return [item["_about"] for page in pages for item in page.items]


def test_pages_by_the_page_size_the_server_returns(api: ApiServer, questions: list[Any]) -> None:
    with fetcher([api.url]) as client:
        pages = list(paginate(client, QUERY, page_size=500))
    assert [p.number for p in pages] == [0, 1, 2, 3, 4]
    assert abouts(pages) == [q["_about"] for q in questions]
    sizes = [s.params["_pageSize"] for s in api.seen]
    assert sizes[0] == "500" and set(sizes[1:]) == {"10"}  # asked 500, the server clamped to 10
    assert not pages[-1].has_next and pages[0].total_results == 50
    assert all(s.path == "/answeredquestions.json" for s in api.seen)  # never followed `next`


def test_stops_at_a_page_without_items(api: ApiServer) -> None:
    api.datasets["answeredquestions"] = []
    with fetcher([api.url]) as client:
        pages = list(paginate(client, QUERY))
    assert len(pages) == 1 and pages[0].items == [] and len(api.seen) == 1


def test_filters_pass_through_as_query_parameters(api: ApiServer) -> None:
    member = "http://data.parliament.uk/members/4765"
    query = Query("answeredquestions", (("tablingMember", member),))
    with fetcher([api.url]) as client:
        pages = list(paginate(client, query))
    assert {s.params["tablingMember"] for s in api.seen} == {member}
    items = [i for p in pages for i in p.items]
    assert items and all(i["tablingMember"]["_about"] == member for i in items)


@pytest.mark.parametrize("in_flight", [1, 2, 3])
def test_requests_in_flight_are_bounded(api: ApiServer, in_flight: int) -> None:
    api.handle_delay = 0.05
    with fetcher([api.url], connections=in_flight) as client:
        pages = list(paginate(client, QUERY, in_flight=in_flight))
    assert len(pages) == 5
    assert api.max_in_flight == in_flight
    assert sorted(api.pages_served()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "fault", ["500", "503", "reset", "cut", "truncated-json", "html", "slow", "429", "bad-gzip"]
)
def test_each_fault_is_retried(api: ApiServer, fault: str) -> None:
    api.fault(fault, page=1, delay=2.0)
    sleeps = Sleeps()
    with fetcher([api.url], sleeps=sleeps, timeout=0.3) as client:
        page = client.fetch(QUERY, page=1, page_size=10)
    assert page.attempts == 2 and len(page.items) == 10
    assert [s.fault for s in api.seen] == [fault, None]
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5  # backoff 0.5 with jitter


def test_429_retry_after_is_honoured(api: ApiServer) -> None:
    api.fault("429", retry_after="7")
    sleeps = Sleeps()
    with fetcher([api.url], sleeps=sleeps) as client:
        client.fetch(QUERY, page=0, page_size=10)
    assert sleeps == [7.0]


def test_a_long_wait_is_said_and_one_past_the_cap_says_so(api: ApiServer) -> None:
    api.fault("429", retry_after="100000")
    api.fault("429", retry_after="12")
    api.fault("429", retry_after="3")
    sleeps, said = Sleeps(), []
    with fetcher([api.url], sleeps=sleeps) as client:
        client.on_wait = said.append
        client.fetch(QUERY, page=0, page_size=10)
    assert sleeps == [300.0, 12.0, 3.0]
    url = f"{api.url}/answeredquestions.json?_page=0&_pageSize=10"
    assert said == [
        f"{url}: HTTP 429 Too Many Requests; waiting 300 s before attempt 2 (the server asked"
        " for 100000 s; kg waits 300 s at most)",
        f"{url}: HTTP 429 Too Many Requests; waiting 12 s before attempt 3",
    ]  # the 3 s wait is not worth a line


def test_retry_after_forms() -> None:
    now = dt.datetime(2024, 4, 16, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Tue, 16 Apr 2024 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 16 Apr 2024 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_gives_up_naming_the_page_and_what_was_tried(api: ApiServer) -> None:
    api.fault("503", page=2, times=2)
    api.fault("500", page=2, times=99)
    sleeps = Sleeps()
    client = fetcher([api.url], sleeps=sleeps, max_attempts=3)
    with client, pytest.raises(FetchError) as caught:
        client.fetch(QUERY, page=2, page_size=10)
    error = caught.value
    assert error.where == f"{api.url}/answeredquestions.json?_page=2&_pageSize=10"
    assert error.what == "no good answer after 3 attempts (HTTP 503 (2 times); HTTP 500)"
    assert "\n" not in error.line()
    assert len(api.seen) == 3
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0  # exponential


def test_a_client_error_is_not_retried(api: ApiServer) -> None:
    with fetcher([api.url]) as client, pytest.raises(FetchError, match="HTTP 404"):
        client.fetch(Query("nosuchthing"), page=0, page_size=10)
    assert len(api.seen) == 1


def test_mirror_is_used_when_the_primary_does_not_answer(api: ApiServer) -> None:
    sleeps = Sleeps()
    with fetcher([dead_url(), api.url], sleeps=sleeps) as client:
        pages = list(paginate(client, QUERY))
        assert client.base_url == api.url
    assert len(pages) == 5 and all(p.url.startswith(api.url) for p in pages)
    assert len(sleeps) == 1  # one failed attempt at the primary, then the mirror for good


def test_page_size_changing_mid_harvest_is_an_error(api: ApiServer) -> None:
    with fetcher([api.url]) as client:
        pages = paginate(client, QUERY, in_flight=1)
        next(pages)
        api.max_page_size = 5
        with pytest.raises(FetchError, match="changed its page size from 10 to 5"):
            list(pages)


def test_user_agent_names_kg_and_the_contact(api: ApiServer) -> None:
    with fetcher([api.url]) as client:
        client.fetch(QUERY, page=0, page_size=10)
    assert api.seen[0].user_agent == "kg/0.1.0 (+https://w3id.org/parliament-kg; ops@example.org)"
    assert user_agent(None) == "kg/0.1.0 (+https://w3id.org/parliament-kg)"
    assert user_agent("  a\nb ") == "kg/0.1.0 (+https://w3id.org/parliament-kg; a b)"


def test_rate_limit_spaces_requests() -> None:
    now = [100.0]
    sleeps = Sleeps()

    def sleep(seconds: float) -> None:
        sleeps(seconds)
        now[0] += seconds

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limiter.wait()
    assert sleeps == [0.25, 0.25, 0.25]
    assert RateLimiter(None).interval == 0.0


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    client = Fetcher(["http://127.0.0.1:9"], policy=RetryPolicy(backoff=1.0, max_backoff=8.0))
    with client:
        for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
            delays = {client.backoff(attempt) for _ in range(50)}
            assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1


def test_query_urls_and_keys() -> None:
    query = Query("answeredquestions", (("AnsweringBody", "Work & Pensions"), ("b", "1")))
    url = query.url("http://h/", page=3, page_size=500)
    assert url == (
        "http://h/answeredquestions.json?AnsweringBody=Work+%26+Pensions&b=1&_page=3&_pageSize=500"
    )
    flipped = Query("answeredquestions", (("b", "1"), ("AnsweringBody", "Work & Pensions")))
    assert flipped.key == query.key
    assert ENDPOINTS["answeredquestions"].since_param == "min-answer.dateOfAnswer"


def test_latest_date_of_items(questions: list[dict[str, Any]]) -> None:
    endpoint = ENDPOINTS["answeredquestions"]
    assert endpoint.latest_date(questions[:9]) == "2024-04-16"
    assert endpoint.latest_date([]) is None
    assert ENDPOINTS["commonsmembers"].latest_date(questions) is None


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("500", "HTTP 500"),
        ("503", "HTTP 503"),
        ("429", "HTTP 429 Too Many Requests"),
        ("reset", "connection broken"),
        ("cut", "connection broken (peer closed connection without sending complete message"),
        ("truncated-json", "truncated JSON"),
        ("html", "an HTML page instead of JSON (HTTP 200)"),
        ("slow", "timed out after 0.3 s"),
        ("bad-gzip", "a response kg cannot read (Error -3 while decompressing data"),
    ],
)
def test_each_fault_is_named_when_giving_up(api: ApiServer, fault: str, said: str) -> None:
    api.fault(fault, delay=2.0)
    client = fetcher([api.url], max_attempts=1, timeout=0.3)
    with client, pytest.raises(FetchError) as caught:
        client.fetch(QUERY, page=0, page_size=10)
    assert caught.value.what.startswith(f"no good answer after 1 attempt ({said}")


def test_a_server_that_sends_the_same_items_again_is_not_followed_for_ever(
    api: ApiServer,
) -> None:
    api.fault("repeat", times=100)  # every page: page 0's items, and a next page
    api.faults[-1].page = None
    with fetcher([api.url]) as client, pytest.raises(FetchError) as caught:
        for _ in paginate(client, QUERY, page_size=10, in_flight=1):
            pass
    assert caught.value.what == "page 1 holds the same items as page 0"
    assert caught.value.hint == "the server does not page as the API does: check --base-url"


def test_a_server_that_always_has_a_next_page_is_followed_only_so_far_past_its_total(
    api: ApiServer,
) -> None:
    # 50 questions, 5 pages of 10; then pages of earlier items, each with a next page.
    api.fault("endless", times=1000)
    api.faults[-1].page = None
    with fetcher([api.url]) as client, pytest.raises(FetchError) as caught:
        for _ in paginate(client, QUERY, page_size=10, in_flight=1):
            pass
    last = 5 + PAGES_PAST_TOTAL
    assert caught.value.what == (
        f"page {last} still has a next page, past the 5 that totalResults gives"
    )
    assert max(api.pages_served() + [s.page for s in api.seen]) == last
