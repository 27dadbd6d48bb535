from __future__ import annotations

import gzip
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_page_saved_as_gz_but_not_compressed_is_read_as_json(
    tmp_path: Path, sample_path: Path
) -> None:
    saved = tmp_path / "page.json.gz"  # as curl --compressed -o page.json.gz saves it
    saved.write_bytes(b"\n " + sample_path.read_bytes())
    assert len(read_page(str(saved)).items) == 9
    saved.write_bytes(b"\x00\x01 not a page")
    with pytest.raises(InputError, match="neither gzip nor JSON — download"):
        read_page(str(saved))


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
        (
            b'{"format": "linked-data-api", "result": {"items": [' + b"[" * 100_000 + b"]}}",
            "p.json: JSON nested too deeply to read — give a linked-data-api JSON page",
        ),
        (
            b'{"format": "linked-data-api", "result": {"items": [{"uin": ' + b"1" * 5_001 + b"}]}}",
            "p.json: a number of more than 4,300 digits — fix the number in the page",
        ),
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


def test_stdin_given_twice_and_a_broken_link_in_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as twice:
        expand_inputs(["-", "-"])
    assert twice.value.line() == "-: given twice: standard input is read once — give - once"
    (tmp_path / "page-1.json").write_text("{}")
    (tmp_path / "notes.txt").symlink_to(tmp_path / "gone.txt")  # not a page: not looked at
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "page-1.json")]
    (tmp_path / "page-2.json").symlink_to(tmp_path / "gone.json")
    with pytest.raises(InputError) as broken:
        expand_inputs([str(tmp_path)])
    assert broken.value.line() == (
        f"{tmp_path / 'page-2.json'}: a broken symbolic link — mend it or remove it from the folder"
    )


def test_a_folder_linked_into_a_folder_is_read_once_and_a_loop_ends(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "2.json").write_text("{}")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "1.json").write_text("{}")
    (tmp_path / "pages" / "more").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "pages" / "again").symlink_to(tmp_path / "pages")  # a loop
    assert expand_inputs([str(tmp_path / "pages")]) == [
        str(tmp_path / "pages" / "1.json"),
        str(tmp_path / "pages" / "more" / "2.json"),
    ]
    # A folder that links under other names to one of its own is read under its own name.
    (tmp_path / "years" / "2023").mkdir(parents=True)
    (tmp_path / "years" / "2024").mkdir()
    (tmp_path / "years" / "2023" / "a.json").write_text("{}")
    (tmp_path / "years" / "2024" / "b.json").write_text("{}")
    for name in ("latest", "0-first", "zz"):
        (tmp_path / "years" / name).symlink_to(tmp_path / "years" / "2023")
    (tmp_path / "years" / "0-links").mkdir()  # a link deeper, in a folder read first
    (tmp_path / "years" / "0-links" / "to-2024").symlink_to(tmp_path / "years" / "2024")
    assert expand_inputs([str(tmp_path / "years")]) == [
        str(tmp_path / "years" / "2023" / "a.json"),
        str(tmp_path / "years" / "2024" / "b.json"),
    ]


def test_a_sub_folder_that_cannot_be_read_is_an_error_not_pages_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "1.json").write_text("{}")
    (tmp_path / "sub" / "2.json").write_text("{}")
    listing = os.scandir

    def scandir(path: Any) -> Any:  # as for a user without the right to list it
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputError) as refused:
        expand_inputs([str(tmp_path)])
    assert refused.value.line() == (
        f"{tmp_path / 'sub'}: cannot read the folder: Permission denied — check its permissions,"
        " or give the pages another way"
    )


_RAW = {"\n": "\ue000", "\r": "\ue001", "\t": "\ue002"}


def _with_raw_controls(doc: object, *, spaced: bool) -> bytes:
    """``doc`` as the API writes it: newlines, returns and tabs inside strings left raw."""

    def stand_in(value: object) -> object:
        if isinstance(value, str):
            return value.translate(str.maketrans(_RAW))
        if isinstance(value, list):
            return [stand_in(entry) for entry in value]
        if isinstance(value, dict):
            return {stand_in(k): stand_in(v) for k, v in value.items()}
        return value

    separators = (" , ", " : ") if spaced else None
    text = json.dumps(stand_in(doc), ensure_ascii=False, separators=separators)
    return text.translate(str.maketrans({v: k for k, v in _RAW.items()})).encode("utf-8")


_hostile_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Co"))
    | st.sampled_from(["\n", "\r", "\t", "\\", '"', "\x00", "\x1f", "\u2028", "😀"]),
    max_size=40,
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_hostile_text, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(items=st.lists(st.dictionaries(_hostile_text, _json_values, max_size=5), max_size=3))
def test_fast_parse_reads_what_strict_false_reads(items: list[dict[str, object]]) -> None:
    doc = {"format": "linked-data-api", "result": {"items": items}}
    for spaced in (False, True):
        data = _with_raw_controls(doc, spaced=spaced)
        expected = json.loads(data, strict=False)["result"]["items"]
        assert repr(parse_page("p.json", data).items) == repr(expected)  # 1 is not 1.0


@pytest.mark.parametrize(
    "data",
    [
        b'{"format": "linked-data-api", "result": {"items": [{"a": "x\\\ny"}]}}',
        b'\n{"format": "linked-data-api", "result": {"items": [{"a": "\\\\\n\\\ny"}]}}',
        b'{"format": "linked-data-api",\n "result": {"items": [{"a": "\xff"}]}}',
        b'{"format": "linked-data-api", "result": {"items": [{"a": 1e999, "b": NaN}]}}',
        b'{"format": "linked-data-api", "result": {"items": [{"a": "\\ud800"}]}}',
        b'{"format": "linked-data-api", "result": {"items": [{"a": 123456789012345678901}]}}',
        b'\xef\xbb\xbf{"format": "linked-data-api", "result": {"items": [{"a": "\x01"}]}}',
    ],
)
def test_pages_msgspec_refuses_read_as_the_standard_library_reads_them(data: bytes) -> None:
    try:
        expected: object = json.loads(data.decode("utf-8-sig"), strict=False)["result"]["items"]
    except (UnicodeDecodeError, json.JSONDecodeError):
        with pytest.raises(InputError):
            parse_page("p.json", data)
        return
    got = parse_page("p.json", data).items
    assert repr(got) == repr(expected)  # repr: NaN and inf compare unequal to themselves


def test_the_real_sample_takes_the_fast_path(sample_path: Path) -> None:
    from kg.reader import _UNPARSED, _fast_parse

    data = sample_path.read_bytes()
    doc = _fast_parse(data)
    assert doc is not _UNPARSED
    assert doc == json.loads(data, strict=False)
