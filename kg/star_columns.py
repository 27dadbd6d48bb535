"""The columns of ``SELECT *`` in the order a reader of the query expects them.

Oxigraph answers ``SELECT * WHERE { ?s ?p ?o }`` with its columns sorted by name (``o, p, s``);
Jena, rdflib and Virtuoso give them as the variables first appear in the query (``s, p, o``),
and so does kg. A query that names its columns keeps them as named.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.sparql_tokens import is_keyword, iter_tokens, tokens_of

_MODIFIERS = {"DISTINCT", "REDUCED"}


def star_order(text: str, columns: Sequence[str]) -> list[int] | None:
    """Where each of ``columns`` (the answer's) is to come from, when ``text`` is a
    ``SELECT *`` query whose variables first appear in another order; else None."""
    tokens = iter_tokens(text)  # read as far as the projection only, unless it is a star
    if not any(is_keyword(token, "SELECT") for token in tokens):
        return None
    projected = next((t for t in tokens if not is_keyword(t, *_MODIFIERS)), None)
    if projected is None or projected.text != "*":
        return None  # the columns are named
    first: dict[str, int] = {}
    for number, token in enumerate(tokens_of(text)):
        if token.kind == "var":
            first.setdefault(token.text[1:], number)
    unseen = len(text)  # after every token
    order = sorted(range(len(columns)), key=lambda index: first.get(columns[index], unseen))
    return None if order == list(range(len(columns))) else order
