"""The columns of ``SELECT *`` in the order a reader of the query expects them.

Oxigraph answers ``SELECT * WHERE { ?s ?p ?o }`` with its columns sorted by name (``o, p, s``);
Jena, rdflib and Virtuoso give them as the variables first appear in the query (``s, p, o``),
and so does kg. A query that names its columns keeps them as named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: What the query text is read as: what cannot hold a column's variable (strings, IRIs,
#: comments) skipped whole, then variables, words and the star.
_TOKEN = re.compile(
    r'(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*)"
    r"|[?$](?P<variable>\w+)"
    r"|(?P<word>[A-Za-z]+)"
    r"|(?P<star>\*)",
    re.DOTALL,
)
_MODIFIERS = {"DISTINCT", "REDUCED"}


def star_order(text: str, columns: Sequence[str]) -> list[int] | None:
    """Where each of ``columns`` (the answer's) is to come from, when ``text`` is a
    ``SELECT *`` query whose variables first appear in another order; else None."""
    tokens = _TOKEN.finditer(text)
    for token in tokens:
        word = token["word"]
        if word is not None and word.upper() == "SELECT":
            break
    else:
        return None
    for token in tokens:
        word = token["word"]
        if word is not None and word.upper() in _MODIFIERS:
            continue
        if token["star"] is None:
            return None  # the columns are named
        break
    else:
        return None
    first: dict[str, int] = {}
    for number, token in enumerate(_TOKEN.finditer(text)):
        name = token["variable"]
        if name is not None:
            first.setdefault(name, number)
    unseen = len(text)  # after every token
    order = sorted(range(len(columns)), key=lambda index: first.get(columns[index], unseen))
    return None if order == list(range(len(columns))) else order
