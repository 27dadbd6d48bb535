"""The columns of ``SELECT *`` in the order a reader of the query expects them.

Oxigraph answers ``SELECT * WHERE { ?s ?p ?o }`` with its columns sorted by name (``o, p, s``);
Jena, rdflib and Virtuoso give them as the variables first appear in the query (``s, p, o``),
and so does kg. A query that names its columns keeps them as named.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.sparql_tokens import is_keyword, selects_of, tokens_of

_MODIFIERS = {"DISTINCT", "REDUCED"}


def star_order(text: str, columns: Sequence[str]) -> list[int] | None:
    """Where each of ``columns`` (the answer's) is to come from, when ``text`` is a
    ``SELECT *`` query whose variables first appear in another order; else None."""
    tokens = tokens_of(text)
    selects = selects_of(tokens)
    if not selects:
        return None
    after = (t for t in tokens[selects[0] + 1 :] if not is_keyword(t, *_MODIFIERS))
    projected = next(after, None)
    if projected is None or projected.text != "*":
        return None  # the columns are named
    first: dict[str, int] = {}
    for number, token in enumerate(tokens):
        if token.kind == "var":
            first.setdefault(token.text[1:], number)
    unseen = len(text)  # after every token
    order = sorted(range(len(columns)), key=lambda index: first.get(columns[index], unseen))
    return None if order == list(range(len(columns))) else order
