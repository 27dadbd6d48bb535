from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.reader import expand_inputs, iter_pages, parse_page, read_page
from tests.conftest import write_page


def test_real_sample_with_raw_newlines_parses(sample_path: Path) -> None:
    raw = sample_path.read_bytes()
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)  # strict JSON rejects the raw newlines the real data holds
    page = read_page(str(sample_path))
    assert len(page.items) == 9
    assert page.meta["totalResults"] == 9
    assert page.items[1]["uin"] == "19185"
    assert "\n" in page.items[0]["answer"]["answerText"]["_value"]


def test_gzip_and_folders_in_sorted_order(tmp_path: Path, sample_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.json.gz").write_bytes(gzip.compress(sample_path.read_bytes()))
    write_page(tmp_path / "a.json", [{"_about": "http://data.parliament.uk/resources/1"}])
    (tmp_path / "notes.txt").write_text("ignored")
    sources = expand_inputs([str(tmp_path)])
    assert sources == [str(tmp_path / "a.json"), str(tmp_path / "b" / "2.json.gz")]
    pages = list(iter_pages([str(tmp_path)]))
    assert [len(p.items) for p in pages] == [1, 9]


def test_primary_topic_page_is_one_item() -> None:
    doc = {"format": "linked-data-api", "result": {"primaryTopic": {"_about": "http://x/1"}}}
    page = parse_page("p.json", json.dumps(doc).encode())
    assert page.items == [{"_about": "http://x/1"}]


def test_standard_input(monkeypatch: pytest.MonkeyPatch, sample_path: Path) -> None:
    fake = io.TextIOWrapper(io.BytesIO(sample_path.read_bytes()))
    monkeypatch.setattr(sys, "stdin", fake)
    assert len(read_page("-").items) == 9


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"<html>oops</html>",
            "p.json: not JSON: Expecting value at line 1 column 1 — give a "
            "linked-data-api JSON page",
        ),
        (
            b'{"format": "linked-data-api", "result": {"items": [{"_about"',
            "p.json: truncated JSON (it ends at line 1 column 60) — the download was cut short: "
            "fetch the page again",
        ),
        (
            b'{"format": "json", "result": {}}',
            'p.json: not a linked-data-api page (no "format": "linked-data-api") — give a page of '
            "the data.parliament.uk linked-data-api (a .json URL of the API)",
        ),
        (
            b'{"format": "linked-data-api", "result": {"page": 0}}',
            'p.json: the page has neither "result.items" nor "result.primaryTopic" — give a list '
            "page or an item page of the API",
        ),
        (
            b'{"format": "linked-data-api", "result": {"items": [1]}}',
            "p.json item 1: the item is not a JSON object — fix the page",
        ),
        (b"", "p.json: the file is empty — give a linked-data-api JSON page"),
        (b"\xff\xfe{", "p.json: not UTF-8 text (byte 0) — give a linked-data-api JSON page"),
    ],
)
def test_bad_pages_say_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_page("p.json", data)
    assert caught.value.line() == message


def test_missing_file_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder — check the path"):
        expand_inputs([str(tmp_path / "nope.json")])
    with pytest.raises(InputError, match=r"the folder holds no \.json or \.json\.gz files"):
        expand_inputs([str(tmp_path)])
