"""Oxigraph's SPARQL syntax errors as one line a person can act on.

Oxigraph's parser says where it stopped and what it expected there, the latter as its grammar's
tokens and character classes, over several lines (``['A' ..= 'Z' | 'a' ..= 'z' | ...]``). kg
keeps the position and the tokens, and names each character class by what it stands for.
"""

from __future__ import annotations

import re

from kg.errors import QueryError
from kg.vocab import PREFIXES

_POSITION = re.compile(r"error at (\d+):(\d+)")
#: The first keyword of a SPARQL update, after its prologue (and comments).
_UPDATE = re.compile(
    r"^(?:\s|#[^\n]*\n|(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>))*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_EXPECTED = "expected one of "
_EXPECTED_ONE = "expected "
#: A character class of one character (``['%']``, ``['\\\\']``).
_ONE_CHARACTER = re.compile(r"'(\\?.)'")
_UNKNOWN_PREFIX = "Prefix not found"
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: Characters of the query shown before and after where Oxigraph stopped.
_BEFORE, _AFTER = 24, 8
_MARK = "▸"
#: Oxigraph's labels for errors it found inside a token, and what kg says instead.
_LABELS = {"IRI parsing failed": "a valid IRI"}


def describe_syntax_error(where: str, exc: SyntaxError, text: str = "") -> QueryError:
    """The :class:`QueryError` for a query (``text``) Oxigraph could not parse."""
    update = _UPDATE.match(text)
    if update:
        return QueryError(
            where,
            f"this is a SPARQL update ({update.group(1).upper()}), and kg runs queries only",
            "ask with SELECT, ASK, CONSTRUCT or DESCRIBE; the store changes with kg load",
        )
    message = " ".join(str(exc).split())
    match = _POSITION.search(message)
    if match:
        line, column = match.groups()
        detail = _expected(message[match.end() :].lstrip(": "))
        if detail is None:
            near = _near(text, int(line), int(column))
            what = f"invalid SPARQL at line {line}, column {column}, where {_MARK} stands: {near}"
        else:
            what = f"invalid SPARQL at line {line}, column {column}: {detail}"
    else:
        what = f"invalid SPARQL: {message}"
    return QueryError(where, what, "fix the query")


def _expected(detail: str) -> str | None:
    """``expected one of`` and its items, each character class named; other text as it is.
    Keywords are left out but for BY (after ORDER or GROUP): Oxigraph's parser lists them from
    the last alternatives it tried (``expected OPTIONAL`` after ``FILTER }``). None when
    nothing of use is left."""
    if detail.startswith(_EXPECTED):
        items = _items(detail[len(_EXPECTED) :])
    elif detail.startswith(_EXPECTED_ONE):
        items = [detail[len(_EXPECTED_ONE) :].strip()]
    else:
        return detail
    if _UNKNOWN_PREFIX in items:
        known = ", ".join(f"{prefix}:" for prefix in PREFIXES)
        return f"a prefix that is not declared (kg declares {known}; add PREFIX for others)"
    named: list[str] = []
    for item in items:
        name = _name(item)
        if name and name not in named:
            named.append(name)
    if named == ["BY"]:
        return "expected BY"
    named = [name for name in named if not _KEYWORD.fullmatch(name)]
    if not named:
        return None
    if len(named) == 1:
        return "expected " + named[0]
    return _EXPECTED + ", ".join(named[:-1]) + " or " + named[-1]


def _items(listing: str) -> list[str]:
    """The comma-separated items of a listing, commas inside quotes and brackets kept."""
    items: list[str] = []
    depth, quote, start, escaped = 0, "", 0, False
    for index, char in enumerate(listing):
        if escaped:
            escaped = False
        elif quote:
            if char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(listing[start:index].strip())
            start = index + 1
    items.append(listing[start:].strip())
    return [item for item in items if item]


def _name(item: str) -> str:
    """What one expected item stands for; empty for ``[_]`` (any character: says nothing)."""
    if item in _LABELS:
        return _LABELS[item]
    if not item.startswith("["):
        return item
    body = item[1:-1].strip()
    if body == "_":
        return ""
    single = _ONE_CHARACTER.fullmatch(body)
    if single:
        return '"' + single.group(1).replace("\\\\", "\\") + '"'
    if "'A' ..= 'Z'" in body or "'a' ..= 'z'" in body:
        return "a letter"
    if "'0' ..= '9'" in body or "'0'..='9'" in body:
        return "a digit"
    return "a character of a name"


def _near(text: str, line: int, column: int) -> str:
    """The query's text around a position (its line and column, from 1), quoted, with
    :data:`_MARK` where the position is; line breaks are shown as spaces."""
    lines = text.split("\n")
    offset = sum(len(before) + 1 for before in lines[: line - 1]) + column - 1
    offset = min(max(offset, 0), len(text))
    before = " ".join(text[:offset].split())
    after = " ".join(text[offset:].split())
    lead = "…" if len(before) > _BEFORE else ""
    tail = "…" if len(after) > _AFTER else ""
    return f'"{lead}{before[-_BEFORE:]}{_MARK}{after[:_AFTER]}{tail}"'
