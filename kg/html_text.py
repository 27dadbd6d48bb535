"""HTML of answers → plain text, safely: paragraphs kept, tags dropped, entities decoded.

The answers of the linked-data-api are HTML fragments, and the real data has lost the opening
``<p>`` tags while keeping the closing ones, so a paragraph ends at *any* block tag, opening or
closing. The parser is the standard library's :class:`html.parser.HTMLParser`: it never runs
anything, it only hands over text, and the content of ``<script>``, ``<style>`` (and of the other
elements whose text a reader never sees) is thrown away.

Most answers are plain markup: tags with simple names and attributes, and text without ``<``.
Those are cut into tags and text by one regular expression and handed to the same callbacks,
which is several times faster than the parser; anything else (comments, hidden or raw-text
elements, a lone ``<``, unusual tag or attribute syntax) goes to the parser whole.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

#: Tags that end a paragraph (when they open and when they close).
BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt", "dd", "table", "thead",
        "tbody", "tfoot", "tr", "hr", "address", "figure", "figcaption", "form", "fieldset",
    }
)  # fmt: skip
#: Tags whose content is never shown.
HIDDEN_TAGS = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head"}
)
#: Void elements: they never hold content, so their start tag must not open a hidden region.
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "wbr"})
#: Whitespace that HTML collapses: ASCII only, so no-break spaces (U+00A0, U+202F) are kept.
#: Runs that are one space already are left alone (most of them): fewer replacements.
_HTML_SPACE = re.compile(r"[\t\n\r\f][ \t\n\r\f]*| [ \t\n\r\f]+")
#: One piece of plain markup: text without ``<`` (group 1); or a tag (group 3 its name, group 2
#: ``/`` for an end tag, group 4 its attributes, group 5 ``/`` for a self-closing tag), with
#: attribute values quoted without ``<`` or ``>``, or unquoted without quotes, ``=`` or ``/``
#: and followed by a space or the tag's end. Spaces are HTML's (ASCII): the parser reads other
#: white space in a tag as part of the tag's name.
_PLAIN_PIECE = re.compile(
    r"([^<]+)|<(/?)([A-Za-z][A-Za-z0-9]*)"
    r"((?:[ \t\n\r\f]+[A-Za-z_:][-A-Za-z0-9_:.]*"
    r"(?:[ \t\n\r\f]*=[ \t\n\r\f]*"
    r"(?:\"[^\"<>]*\"|'[^'<>]*'|[^ \t\n\r\f\"'<>=`/]+(?=[ \t\n\r\f>])))?)*)"
    r"[ \t\n\r\f]*(/?)>"
)
#: Elements whose content the parser reads as raw text (in some Python version): never taken
#: apart by the fast path.
_RAW_TEXT_TAGS = HIDDEN_TAGS | {"title", "textarea", "xmp", "plaintext", "noembed", "noframes"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.hidden: list[str] = []

    # Building the text
    def _end_line(self) -> None:
        line = "".join(self.parts)
        # Checked first, as most lines have only single spaces: `in` is 10x faster than `sub`.
        if "\n" in line or "  " in line or "\t" in line or "\r" in line or "\f" in line:
            line = _HTML_SPACE.sub(" ", line)
        line = line.strip(" ")
        self.parts = []
        if line:
            self.lines.append(line)

    def end_paragraph(self) -> None:
        self._end_line()
        if self.lines:
            self.paragraphs.append("\n".join(self.lines))
        self.lines = []

    # Parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_TAGS and tag not in _VOID:
            self.hidden.append(tag)
            return
        if self.hidden:
            return
        if tag == "br":
            self._end_line()
        elif tag == "li":
            self.end_paragraph()
            self.parts.append("• ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in BLOCK_TAGS:
            self.end_paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden:
            return
        if tag == "br":
            self._end_line()
        elif tag in BLOCK_TAGS:
            self.end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TAGS:
            if tag in self.hidden:
                while self.hidden and self.hidden.pop() != tag:
                    pass
            return
        if self.hidden:
            return
        if tag in BLOCK_TAGS or tag == "li":
            self.end_paragraph()
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _collect_plain_markup(collector: _TextCollector, html: str) -> bool:
    """Hand plain markup's tags and text to ``collector`` as the parser would; False (with
    the collector half fed) when ``html`` is not plain markup."""
    position, end = 0, len(html)
    while position < end:
        piece = _PLAIN_PIECE.match(html, position)
        if piece is None:
            return False
        text, closing, name, attributes, self_closing = piece.groups()
        if text is not None:
            collector.handle_data(unescape(text))
        else:
            tag = name.lower()
            if tag in _RAW_TEXT_TAGS:
                return False
            if not closing:
                if self_closing:
                    collector.handle_startendtag(tag, [])
                else:
                    collector.handle_starttag(tag, [])
            elif attributes or self_closing:
                return False
            else:
                collector.handle_endtag(tag)
        position = piece.end()
    return True


def parsed_paragraphs(html: str) -> list[str]:
    """:func:`html_paragraphs` by the parser alone, for any HTML."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    collector.end_paragraph()
    return collector.paragraphs


def html_paragraphs(html: str) -> list[str]:
    """The paragraphs of an HTML fragment as plain text (a ``<br>`` becomes a line break)."""
    collector = _TextCollector()
    if not _collect_plain_markup(collector, html):
        return parsed_paragraphs(html)
    collector.end_paragraph()
    return collector.paragraphs


def html_to_text(html: str, *, separator: str = "\n\n") -> str:
    """Plain text of an HTML fragment: paragraphs joined by ``separator``."""
    return separator.join(html_paragraphs(html))
