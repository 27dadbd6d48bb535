"""A SHACL-SPARQL ``SELECT`` rewritten so that Oxigraph hash-joins its triple patterns.

kg runs a SPARQL constraint once over all its focus nodes (the target joined in first, see
:mod:`kg.shacl_sparql`), where a SHACL engine such as pyshacl runs it once per focus node with
``$this`` bound. Written as plain triple patterns, the query suits the second; in Oxigraph the
first then looks each focus node up in turn (19.5–36 s at a million answers, against 7.9–8.5 s
for the same patterns as sub-SELECTs, which it scans whole and hash-joins). So kg's shapes
are written for every engine, and kg runs them as :func:`hash_joined` makes them when it
validates all the focus nodes, and as written when it looks a few up.

The rewrite keeps the query's meaning: a basic graph pattern is the join of its triple
patterns, and each becomes a sub-SELECT of its own variables, in place, so that FILTERs still
apply to the whole group and each BIND still follows the patterns before it. Only a ``WHERE``
group of triple patterns (variables, IRIs, prefixed names and ``a``, each pattern whole),
``FILTER``s and ``BIND``s is rewritten; any other query is left as it is.
"""

from __future__ import annotations

from kg.sparql_tokens import Token, is_keyword, selects_of, tokens_of, where_group

_KEYWORDS = ("FILTER", "BIND")


def hash_joined(query: str) -> str | None:
    """``query`` with each triple pattern of its ``WHERE`` group a sub-SELECT of its own
    variables (written ``?name``: ``$name`` is the same variable); None when the group holds
    anything but whole triple patterns, FILTERs and BINDs, or fewer than two triple patterns
    (nothing to join)."""
    tokens = tokens_of(query)
    selects = selects_of(tokens)
    opening = where_group(tokens, selects[0]) if len(selects) == 1 else None
    if opening is None:
        return None
    closing = next((i for i in range(opening + 1, len(tokens)) if tokens[i].text == "}"), None)
    if closing is None or closing != len(tokens) - 1:
        return None  # a nested group, or anything after the WHERE group
    statements = _statements(query, tokens[opening + 1 : closing])
    if statements is None or sum(1 for s in statements if s.startswith("{")) < 2:
        return None
    body = "".join(f"  {statement}\n" for statement in statements)
    return query[: tokens[opening].end] + "\n" + body + query[tokens[closing].start :]


def _statements(query: str, tokens: list[Token]) -> list[str] | None:
    """The group's statements, triple patterns as sub-SELECTs; None if one is of another kind."""
    statements: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if is_keyword(token, *_KEYWORDS):
            end = _call_end(tokens, index + 1)
            if end is None:
                return None
            statements.append(query[token.start : tokens[end - 1].end])
            index = end + (end < len(tokens) and tokens[end].text == ".")
            continue
        terms = tokens[index : index + 3]
        if len(terms) < 3 or not all(_is_term(t, place) for place, t in enumerate(terms)):
            return None
        index += 3
        if index < len(tokens) and tokens[index].text == ".":
            index += 1
        names = list(dict.fromkeys("?" + t.text[1:] for t in terms if t.kind == "var"))
        if not names:
            return None
        pattern = " ".join(t.text for t in terms)
        statements.append(f"{{ SELECT {' '.join(names)} WHERE {{ {pattern} }} }}")
    return statements


def _is_term(token: Token, place: int) -> bool:
    if token.kind in ("var", "iri"):
        return True
    if token.kind != "name" or token.text.startswith("_:"):  # a blank node is one per group
        return False
    return ":" in token.text or (place == 1 and token.text == "a")


def _call_end(tokens: list[Token], index: int) -> int | None:
    """The index after the parenthesized expression (or function call) from ``index``."""
    if index < len(tokens) and tokens[index].kind == "name":
        index += 1  # FILTER regex(...), FILTER isIRI(...)
    if index >= len(tokens) or tokens[index].text != "(":
        return None
    depth = 0
    for position in range(index, len(tokens)):
        text = tokens[position].text
        if text in ("{", "}"):
            return None  # EXISTS { ... }: a group inside
        depth += (text == "(") - (text == ")")
        if depth == 0:
            return position + 1
    return None
