"""HTML of answers → plain text: paragraphs kept, tags and hidden content dropped, entities decoded."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.html_text import (
    _collect_plain_markup,
    _TextCollector,
    html_paragraphs,
    html_to_text,
    parsed_paragraphs,
)


def test_real_answers_without_opening_p_tags() -> None:
    # The shape of the real data: no <p>, each paragraph closed by </p>, empty </p> between.
    html = "\n\nFirst paragraph.</p>\n\n</p>\n\nSecond\nparagraph.</p>\n\n</p>\n\nThird.</p>"
    assert html_paragraphs(html) == ["First paragraph.", "Second paragraph.", "Third."]


def test_well_formed_paragraphs_and_stray_closing_tags() -> None:
    assert html_paragraphs("<p>One</p><p>Two <b>bold</b> end</p>") == ["One", "Two bold end"]
    assert html_paragraphs("text with <strong>strong</strong> words. </strong></p>") == [
        "text with strong words."
    ]
    assert html_paragraphs("<div><p>nested</p></div>after") == ["nested", "after"]


def test_entities_are_decoded_and_no_break_spaces_kept() -> None:
    assert html_to_text("Collect &amp; Pay") == "Collect & Pay"
    assert html_to_text("Collect & Pay") == "Collect & Pay"
    assert html_to_text("it&#8217;s &lsquo;x&rsquo; &euro;5") == "it’s ‘x’ €5"
    assert html_to_text("1&nbsp;April") == "1\xa0April"
    assert html_to_text("supported.\u202fThis") == "supported.\u202fThis"
    # A decoded "<script>" is text, shown as text: nothing is ever run or re-parsed.
    assert html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a</p><script>alert('x')</script><p>b</p>", "a\n\nb"),
        ("<SCRIPT type='text/javascript'>var p = '</p>';</SCRIPT>after", "after"),
        ("<style>p { color: red }</style>styled", "styled"),
        ("before<script>never closed </p> <p>still script", "before"),
        ("a<noscript>hidden</noscript>b<template><p>t</p></template>c", "abc"),
        ("<!-- a comment <p>x</p> -->shown", "shown"),
        ("<![CDATA[ raw ]]>kept", "kept"),
        ('<a href="javascript:alert(1)" onclick="steal()">link</a> text', "link text"),
        ("<img src=x onerror=alert(1)>image", "image"),
        ("a < b and c > d", "a < b and c > d"),
        ("", ""),
        ("   \n  </p>  ", ""),
    ],
)
def test_markup_and_hidden_content_are_dropped(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_line_breaks_lists_and_tables() -> None:
    assert html_paragraphs("line one<br>line two<br/>line three") == [
        "line one\nline two\nline three"
    ]
    assert html_paragraphs("Items:<ul><li>one</li><li>two</li></ul>Done.") == [
        "Items:",
        "• one",
        "• two",
        "Done.",
    ]
    table = "<table><tr><th>Year</th><th>Cases</th></tr><tr><td>2023</td><td>12</td></tr></table>"
    assert html_paragraphs(table) == ["Year Cases", "2023 12"]


def test_separator() -> None:
    assert html_to_text("<p>a</p><p>b</p>", separator=" / ") == "a / b"


# The fast path (plain markup cut by a regular expression) must give what the parser gives.

_TEXT = st.text(
    alphabet=st.sampled_from(list("ab ;#x12\n\t\r\f>&=\"'/\xa0\u202f€😀")), min_size=1, max_size=12
)
_ENTITY = st.sampled_from(
    ["&amp;", "&lt;", "&gt;", "&nbsp;", "&#8217;", "&#x20AC;", "&bogus;", "&", "&amp", "&#;"]
)
_NAME = st.sampled_from(
    ["p", "P", "br", "BR", "li", "td", "th", "ul", "div", "b", "a", "span", "img", "hr", "tr",
     "h2", "table", "i"]
)  # fmt: skip
_ATTRIBUTE = st.sampled_from(
    ["", ' class="x"', " class='a b'", " width=3", " nowrap", ' data-x = "1"', ' title="a\nb"']
)
#: Markup the fast path does not take (it gives up, and the parser reads the whole).
_AWKWARD = st.sampled_from(
    ["<", "<!-- c -->", "<script>x</p>y</script>", "<style>p{}</style>", "</ p>", "<o:p>",
     "<a href='x>y'>", "</p class=x>", "<br/ >", "<img src=x/>", "<?pi?>", "<title>t</title>",
     "<![CDATA[x]]>", "<!DOCTYPE html>", "a < b", "<p", "<li width=3/>", "<p\xa0class=x>",
     "<br\x0b/>", "<td\u2028nowrap>", "</p\xa0>"]
)  # fmt: skip


@st.composite
def _tag(draw: Any) -> str:
    name = draw(_NAME)
    form = draw(st.sampled_from(["open", "close", "self"]))
    if form == "close":
        return f"</{name}{draw(st.sampled_from(['', ' ', chr(10)]))}>"
    attribute = draw(_ATTRIBUTE)
    end = draw(st.sampled_from(["/>", " />"])) if form == "self" else ">"
    if attribute.endswith("=3") and end == "/>":  # the parser reads "3/" as the value
        end = " />"
    return f"<{name}{attribute}{end}"


_PLAIN = st.lists(st.one_of(_TEXT, _ENTITY, _tag()), max_size=30).map("".join)
_ANY = st.lists(st.one_of(_TEXT, _ENTITY, _tag(), _AWKWARD), max_size=30).map("".join)


@settings(max_examples=400)
@given(_PLAIN)
def test_the_fast_path_takes_plain_markup_and_agrees_with_the_parser(html: str) -> None:
    assert _collect_plain_markup(_TextCollector(), html)
    assert html_paragraphs(html) == parsed_paragraphs(html)


@settings(max_examples=1500)
@given(_ANY)
def test_any_markup_gives_what_the_parser_gives(html: str) -> None:
    assert html_paragraphs(html) == parsed_paragraphs(html)


@pytest.mark.parametrize(
    "html",
    [
        "a < b",
        "<!-- c -->x",
        "<script>x</script>",
        "<o:p>x</o:p>",
        "<p",
        "</p id=1>",
        "<li width=3/>",
        "<p\xa0class=x>",
    ],
)
def test_the_fast_path_gives_up_on_other_markup(html: str) -> None:
    assert not _collect_plain_markup(_TextCollector(), html)


def test_the_sample_answers_read_alike_both_ways(sample_items: list[dict[str, Any]]) -> None:
    answers = [
        entry["_value"]
        for item in sample_items
        for entry in [item["answer"]["answerText"]]
        if isinstance(entry, dict)
    ]
    assert answers
    for html in answers:
        assert _collect_plain_markup(_TextCollector(), html)
        assert html_paragraphs(html) == parsed_paragraphs(html)
