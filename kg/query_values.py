"""Binding canned-query parameters for an endpoint that takes no substitutions: a VALUES
block of RDF terms at the top of the WHERE group of every SELECT (never pasted text)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.sparql import Term

_SKIP = re.compile(
    r"""<[^<>"{}|^`\\\s]*>|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\#[^\n]*""",
    re.DOTALL,
)
_TOKEN = re.compile(r"\bSELECT\b|\{", re.IGNORECASE)


def values_block(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (term term) }`` for the bindings, each term in its SPARQL syntax."""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with a VALUES block at the top of the WHERE group of every SELECT in it.

    This is how a runner without substitutions (a remote SPARQL endpoint) binds the parameters
    so that the results equal those of :func:`kg.queries.local_runner`.
    """
    if not bindings:
        return text
    block = values_block(bindings)
    out: list[str] = []
    position = 0
    after_select = False
    while position < len(text):
        skipped = _SKIP.match(text, position)
        if skipped:
            out.append(skipped.group())
            position = skipped.end()
            continue
        token = _TOKEN.match(text, position)
        if token and (token.group() == "{" or text[position - 1 : position] not in ("?", "$", ":")):
            out.append(token.group())
            position = token.end()
            if token.group() != "{":
                after_select = True
            elif after_select:
                out.append(f" {block} ")
                after_select = False
            continue
        out.append(text[position])
        position += 1
    return "".join(out)
