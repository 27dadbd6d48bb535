"""HTML of answers → plain text: paragraphs kept, tags and hidden content dropped, entities decoded."""

from __future__ import annotations

import pytest

from kg.html_text import html_paragraphs, html_to_text


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
