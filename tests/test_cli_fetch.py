"""``kg fetch`` (kg/cli_fetch.py): its options, its summary and its --load, on a real local API.

The harvest under it (retries, resuming, the cache, the state) is tests/test_harvest.py's, whose
local API server, store and ``fetch`` helper these tests share.
"""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg import vocab
from kg.cli import cli
from kg.cli_fetch import base_urls, parse_where
from kg.errors import InputError
from kg.fetch import DEFAULT_BASE_URL, DEFAULT_MIRROR_URL
from kg.harvest import HarvestState
from kg.paths import text_index_file
from tests.api_server import LOOPBACK_ONLY, ApiServer, make_member, make_questions
from tests.test_harvest import PAGE, cache_folder, fetch, stored_questions

# tests/test_harvest.py's fixtures, shared ("as": re-exported, so that ruff takes a test's
# argument of the same name for the fixture, not for a redefinition of the import).
from tests.test_harvest import api as api
from tests.test_harvest import questions as questions
from tests.test_harvest import store_path as store_path

SINCE = "min-answer.dateOfAnswer"


# --- Filters, dates, the environment, validation and --load --------------------------------


def test_loading_twice_changes_nothing(api: ApiServer, store_path: Path) -> None:
    assert fetch(api, store_path, "--load").exit_code == 0
    again = fetch(api, store_path, "--load")
    assert "50 items (0 new, 0 replaced, 50 unchanged)" in again.output
    assert len(stored_questions(store_path)) == 50


def test_since_last_fetches_only_the_new_pages(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]], sample_items: list[Any]
) -> None:
    first = fetch(api, store_path, "--load")
    assert "latest answer 2024-06-13" in first.output
    added = make_questions(sample_items[0], 12, first_id=3_000_000, start="2024-07-01")
    api.datasets["answeredquestions"] += added
    api.seen.clear()
    result = fetch(api, store_path, "--since-last", "--load")
    assert result.exit_code == 0, result.output
    assert {s.params[SINCE] for s in api.seen} == {"2024-06-13"}
    assert api.pages_served() == [0, 1]  # 13 items: the last day harvested again, then 12 new
    assert "13 items (12 new, 0 replaced, 1 unchanged)" in result.output
    assert "latest answer 2024-07-15" in result.output
    assert stored_questions(store_path) == {q["_about"]: 1 for q in questions + added}
    api.seen.clear()
    quiet = fetch(api, store_path, "--since-last", "--load")
    assert {s.params[SINCE] for s in api.seen} == {"2024-07-15"} and api.pages_served() == [0]
    assert "1 items (0 new, 0 replaced, 1 unchanged)" in quiet.output


def test_since_and_where_are_the_apis_own_parameters(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    member = "http://data.parliament.uk/members/4765"
    result = fetch(api, store_path, "--where", f"tablingMember={member}", "--since", "2024-05-20")
    assert result.exit_code == 0, result.output
    assert {(s.params["tablingMember"], s.params[SINCE]) for s in api.seen} == {
        (member, "2024-05-20")
    }
    expected = [
        q
        for q in questions
        if q["tablingMember"]["_about"] == member
        and q["answer"]["dateOfAnswer"]["_value"] >= "2024-05-20"
    ]
    assert f"{len(expected)} of {len(expected)} items" in result.output
    latest = max(q["answer"]["dateOfAnswer"]["_value"] for q in expected)
    key = "answeredquestions?" + urlencode({"tablingMember": member})  # without --since
    assert HarvestState.for_store(store_path).read()["high_water"] == {key: latest}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--where", "AnsweringBody"], "Error: --where AnsweringBody: not KEY=VALUE"),
        (["--where", "_pageSize=10"], "Error: --where _pageSize=10: _pageSize is one of the API"),
        (["--since", "last week"], "Error: --since last week: not a date — give YYYY-MM-DD"),
        (["--since-last"], "Error: --since-last: no earlier complete harvest of this query"),
        (["--since", "2024-01-01", "--since-last"], "Error: --since: give --since or --since-last"),
        (["--base-url", "ftp://x"], "Error: ftp://x: not an http(s) URL"),
        (["--offline"], "nothing is cached for this query — fetch it first"),
    ],
)
def test_bad_options_are_one_error_line(
    api: ApiServer, store_path: Path, args: list[str], message: str
) -> None:
    result = fetch(api, store_path, *args)
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and message in result.output
    assert api.seen == []


def test_since_on_members_is_an_error(api: ApiServer, store_path: Path) -> None:
    result = fetch(api, store_path, "--since", "2024-01-01", endpoint="commonsmembers")
    assert result.exit_code == 1
    assert "Error: --since: commonsmembers has no date kg filters on" in result.output


def test_progress_bar_counts_items(api: ApiServer, store_path: Path) -> None:
    options = ["--base-url", api.url, "--store", str(store_path), "--no-validate"]
    result = CliRunner(env=LOOPBACK_ONLY).invoke(cli, ["fetch", "answeredquestions", *options])
    assert result.exit_code == 0, result.output
    assert "Fetching page 5/5" in result.stderr


def test_questions_are_validated_while_loading(api: ApiServer, store_path: Path) -> None:
    options = ["--base-url", api.url, "--store", str(store_path), "--silent", "--load"]
    result = CliRunner(env=LOOPBACK_ONLY).invoke(cli, ["fetch", "answeredquestions", *options])
    assert result.exit_code == 0, result.output
    assert "Loaded 5 files, 50 items (50 new, 0 replaced, 0 unchanged)" in result.output


def test_the_public_mirror_is_the_fallback_of_the_public_api_only() -> None:
    assert base_urls(None, None) == [DEFAULT_BASE_URL, DEFAULT_MIRROR_URL]
    assert base_urls(None, "none") == [DEFAULT_BASE_URL]
    assert base_urls("http://127.0.0.1:1", None) == ["http://127.0.0.1:1"]
    assert base_urls("http://127.0.0.1:1", "http://127.0.0.1:2") == [
        "http://127.0.0.1:1",
        "http://127.0.0.1:2",
    ]


def test_base_url_and_contact_from_the_environment(api: ApiServer, store_path: Path) -> None:
    env = {"KG_API_BASE_URL": api.url, "KG_CONTACT": "me@example.org", "KG_STORE": str(store_path)}
    result = CliRunner(env=LOOPBACK_ONLY).invoke(
        cli, ["fetch", "answeredquestions", "--silent"], env=env
    )
    assert result.exit_code == 0, result.output
    assert api.seen[0].user_agent.endswith("; me@example.org)")
    assert (store_path.parent / "store.harvest" / "state.json").is_file()


def test_fetch_load_keeps_the_text_index_current(
    api: ApiServer, store_path: Path, sample_path: Path, questions: list[dict[str, Any]]
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["load", str(sample_path), "--store", str(store_path)]).exit_code == 0
    assert runner.invoke(cli, ["text-index", "--store", str(store_path)]).exit_code == 0
    assert fetch(api, store_path, "--load").exit_code == 0
    with sqlite3.connect(text_index_file(store_path)) as db:
        indexed = {row[0] for row in db.execute("SELECT DISTINCT question FROM docs")}
        pending = db.execute("SELECT value FROM meta WHERE key = 'pending'").fetchone()
    assert (indexed, pending) == ({q["_about"] for q in questions}, None)


# --- Exact output: the summaries, warnings, progress bar and errors --------------------------

FETCHED = "Fetched 5 pages, 50 of 50 items, into {folder}, latest answer 2024-06-13\n"


def test_the_summary_names_the_pages_the_items_the_folder_and_the_latest_answer(
    api: ApiServer, store_path: Path
) -> None:
    result = fetch(api, store_path)
    assert (result.exit_code, result.output) == (
        0,
        FETCHED.format(folder=cache_folder(store_path)),
    )
    assert not store_path.exists()  # without --load the store is not made


def test_load_prints_the_load_summary_after_the_fetch_summary(
    api: ApiServer, store_path: Path
) -> None:
    result = fetch(api, store_path, "--load")
    assert (result.exit_code, result.output) == (
        0,
        FETCHED.format(folder=cache_folder(store_path))
        + "Loaded 5 files, 50 items (50 new, 0 replaced, 0 unchanged), 1937 triples written, "
        "53 removed, 0 warnings\n",
    )


def test_members_are_loaded_as_members(store_path: Path) -> None:
    members = [make_member(ident) for ident in (4765, 172, 4000)]
    with ApiServer({"commonsmembers": members}, max_page_size=PAGE) as server:
        result = fetch(server, store_path, "--load", endpoint="commonsmembers")
    # One page (not "pages"), and no latest answer: members have no date.
    assert (result.exit_code, result.output) == (
        0,
        f"Fetched 1 page, 3 of 3 items, into {cache_folder(store_path)}\n"
        "Loaded 1 file, 3 items (3 new, 0 replaced, 0 unchanged), 49 triples written, "
        "0 removed, 0 warnings\n",
    )
    store = pyoxigraph.Store.read_only(str(store_path))
    rows = store.query(f"SELECT ?m {{ ?m a <{vocab.MEMBER}> }}")
    found = {row["m"].value for row in rows}  # type: ignore[union-attr]
    any_question = bool(store.query(f"ASK {{ ?q a <{vocab.QUESTION}> }}"))
    del rows, store
    assert (found, any_question) == ({m["_about"] for m in members}, False)


def test_keys_kg_does_not_know_are_one_warning_and_counted(
    api: ApiServer, store_path: Path, questions: list[dict[str, Any]]
) -> None:
    odd = copy.deepcopy(questions[:3])
    for item in odd:
        item["shoeSize"] = {"_value": "9"}
    api.datasets["answeredquestions"] = odd
    options = ["--base-url", api.url, "--store", str(store_path), "--no-validate", "--silent"]
    result = CliRunner(env=LOOPBACK_ONLY).invoke(
        cli, ["fetch", "answeredquestions", *options, "--load"]
    )
    outcome = (result.exit_code, result.stdout, result.stderr)
    del result
    assert outcome == (
        0,
        f"Fetched 1 page, 3 of 3 items, into {cache_folder(store_path)}, latest answer "
        "2024-04-16\nLoaded 1 file, 3 items (3 new, 0 replaced, 0 unchanged), 150 triples "
        "written, 0 removed, 3 warnings\n",
        "Warning: keys kg does not know, kept as parl: predicates: question.shoeSize (3)\n",
    )


def test_silent_leaves_out_the_progress_bar(
    api: ApiServer, store_path: Path, tmp_path: Path
) -> None:
    runner = CliRunner(env=LOOPBACK_ONLY)
    options = ["--base-url", api.url, "--no-validate"]
    quiet = tmp_path / "quiet"
    shown = runner.invoke(cli, ["fetch", "answeredquestions", *options, "--store", str(store_path)])
    silent = runner.invoke(
        cli, ["fetch", "answeredquestions", *options, "--store", str(quiet), "--silent"]
    )
    assert [line for line in shown.stderr.splitlines() if line] == [
        f"Fetching page {page}/5" for page in range(1, 6)
    ]
    assert (silent.exit_code, silent.stdout, silent.stderr) == (
        0,
        FETCHED.format(folder=cache_folder(quiet)),
        "",
    )


@pytest.mark.parametrize(
    ("endpoint", "args", "line"),
    [
        (
            "answeredquestions",
            ["--where", "AnsweringBody"],
            "--where AnsweringBody: not KEY=VALUE — e.g. --where AnsweringBody=...",
        ),
        (
            "answeredquestions",
            ["--where", "=x"],
            "--where =x: not KEY=VALUE — e.g. --where AnsweringBody=...",
        ),
        (
            "answeredquestions",
            ["--where", "_pageSize=10"],
            "--where _pageSize=10: _pageSize is one of the API's own controls (paging, views), "
            "not a filter — kg pages by itself: leave it out",
        ),
        (
            "answeredquestions",
            ["--since", "last week"],
            "--since last week: not a date — give YYYY-MM-DD",
        ),
        (
            "answeredquestions",
            ["--since", "2024-01-01", "--since-last"],
            "--since: give --since or --since-last, not both — choose one",
        ),
        (
            "answeredquestions",
            ["--where", "min-answer.dateOfAnswer=2024-01-01", "--since", "2024-01-01"],
            "--since: --where already sets min-answer.dateOfAnswer — keep one",
        ),
        (
            "answeredquestions",
            ["--since-last"],
            "--since-last: no earlier complete harvest of this query to continue from — "
            "harvest it once without --since-last (or with --since DATE)",
        ),
        (
            "commonsmembers",
            ["--since-last"],
            "--since-last: commonsmembers has no date kg filters on — leave --since-last out",
        ),
        (
            "answeredquestions",
            ["--base-url", "ftp://x"],
            "ftp://x: not an http(s) URL — give e.g. http://lda.data.parliament.uk",
        ),
        (
            "answeredquestions",
            ["--mirror", "ftp://y"],
            "ftp://y: not an http(s) URL — give e.g. http://lda.data.parliament.uk",
        ),
    ],
    ids=[
        "where-no-equals",
        "where-no-key",
        "where-control",
        "since-not-a-date",
        "since-and-since-last",
        "since-set-twice",
        "since-last-first-time",
        "since-last-members",
        "base-url",
        "mirror",
    ],
)
def test_each_bad_option_is_exactly_one_error_line(
    api: ApiServer, store_path: Path, endpoint: str, args: list[str], line: str
) -> None:
    result = fetch(api, store_path, *args, endpoint=endpoint)
    assert (result.exit_code, result.output) == (1, f"Error: {line}\n")
    assert api.seen == [] and not store_path.exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["nowhere"],
            "Error: kg fetch: invalid value for "
            "'{answeredquestions|commonsmembers|lordsmembers|members}': 'nowhere' is not one of "
            "'answeredquestions', 'commonsmembers', 'lordsmembers', 'members'"
            " — see kg fetch --help\n",
        ),
        (
            ["answeredquestions", "--page-size", "5001"],
            "Error: kg fetch: invalid value for '--page-size': 5001 is not in the range 1<=x<=5000"
            " — see kg fetch --help\n",
        ),
        (
            ["answeredquestions", "--concurrency", "9"],
            "Error: kg fetch: invalid value for '--concurrency': 9 is not in the range 1<=x<=8"
            " — see kg fetch --help\n",
        ),
    ],
    ids=["endpoint", "page-size", "concurrency"],
)
def test_an_unknown_endpoint_or_a_value_out_of_range_is_a_usage_error(
    tmp_path: Path, args: list[str], error: str
) -> None:
    store = tmp_path / "store"
    result = CliRunner(env=LOOPBACK_ONLY).invoke(cli, ["fetch", *args, "--store", str(store)])
    assert (result.exit_code, result.output) == (2, error)
    assert not store.exists()


def test_where_filters_keep_their_order_and_the_equals_signs_of_their_values() -> None:
    given = [" AnsweringBody =Department for Work and Pensions", "uin=a=b", "house="]
    assert parse_where(given) == (
        ("AnsweringBody", "Department for Work and Pensions"),
        ("uin", "a=b"),
        ("house", ""),
    )
    assert parse_where([]) == ()


def test_no_mirror_in_each_spelling_and_a_url_without_its_scheme() -> None:
    for off in ("", "none", "off", " OFF "):
        assert base_urls(None, off) == [DEFAULT_BASE_URL], off
    assert base_urls("", None) == [DEFAULT_BASE_URL, DEFAULT_MIRROR_URL]
    with pytest.raises(InputError) as caught:
        base_urls("lda.data.parliament.uk", None)
    assert caught.value.line() == (
        "lda.data.parliament.uk: not an http(s) URL — give e.g. http://lda.data.parliament.uk"
    )
