"""SPARQL text as tokens: where a query's SELECTs, their WHERE groups and its variables are,
read without parsing it. Strings, IRIs and comments are tokens of their own, so nothing inside
them is taken for a keyword, a variable or a brace."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"(?P<space>\s+|#[^\n\r]*)"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<var>[?$]\w+)"
    r"|(?P<name>(?:[A-Za-z_][\w-]*(?:\.[\w-]+)*)?:(?:[\w-]+(?:\.[\w-]+)*)?|[A-Za-z_]\w*)"
    r"|(?P<other>\S)",
    re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """``kind``: ``string``, ``iri``, ``var``, ``name`` (a keyword, a function, a prefixed
    name or ``a``) or ``other`` (one character: a brace, a dot, a digit...)."""

    kind: str
    text: str
    start: int
    end: int


def iter_tokens(query: str) -> Iterator[Token]:
    """The query's tokens, without white space and comments, as they are read."""
    for match in _TOKEN.finditer(query):
        if match.lastgroup != "space":
            yield Token(match.lastgroup or "other", match.group(), match.start(), match.end())


def tokens_of(query: str) -> list[Token]:
    """The query's tokens, without white space and comments."""
    return list(iter_tokens(query))


def is_keyword(token: Token, *words: str) -> bool:
    """Whether ``token`` is one of the keywords ``words`` (upper case), in any case."""
    return token.kind == "name" and token.text.upper() in words


def selects_of(tokens: list[Token]) -> list[int]:
    """The indexes of the ``SELECT`` keywords."""
    return [i for i, t in enumerate(tokens) if is_keyword(t, "SELECT")]


def where_group(tokens: list[Token], select: int) -> int | None:
    """The index of the ``{`` that opens the WHERE group of the SELECT at ``select``."""
    return next((i for i in range(select, len(tokens)) if tokens[i].text == "{"), None)
