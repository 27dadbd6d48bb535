"""VALUES blocks of RDF terms (never pasted text) in canned queries: binding the parameters for
an endpoint that takes no substitutions (at the top of the WHERE group of every SELECT), and
the text index's candidates (at the query's ``#kg:text-index`` markers)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pyoxigraph

from kg import ntriples, vocab
from kg.sparql import Term
from kg.sparql_tokens import selects_of, tokens_of, where_group

if TYPE_CHECKING:
    from kg.text_search import TextIndex

#: ``#kg:text-index ?question questionText ?text``: where a canned query takes the text
#: index's candidates (:mod:`kg.text_search`), as a VALUES block of the variable's IRIs.
_MARKER = re.compile(r"^[ \t]*#kg:text-index[ \t]+\?(\w+)[ \t]+(\w+)[ \t]+\?(\w+)[ \t]*$", re.M)
#: Stands for no candidate at all: Oxigraph plans an empty VALUES block as a scan of what it
#: joins (3.7 s for find-questions at a million questions), a one-row one as look-ups (0.0 s).
NO_CANDIDATE = vocab.KG_ID + "no-candidate"


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
    block = f" {values_block(bindings)} "
    tokens = tokens_of(text)
    groups = (where_group(tokens, select) for select in selects_of(tokens))
    ends = sorted({tokens[group].end for group in groups if group is not None})
    pieces = [text[start:end] for start, end in zip([0, *ends], [*ends, len(text)], strict=True)]
    return block.join(pieces)


# --- Narrowing by the text index ----------------------------------------------------------


def markers(query_text: str) -> list[tuple[str, str, str]]:
    """The ``#kg:text-index ?var kind ?param`` markers of a query: (var, kind, param)."""
    return [m.groups() for m in _MARKER.finditer(query_text)]  # type: ignore[misc]


def with_candidates(query_text: str, candidates: Mapping[str, Sequence[str]]) -> str:
    """The query with each marker whose variable has candidates replaced by a VALUES block of
    their IRIs (RDF terms, never pasted text)."""

    def block(match: re.Match[str]) -> str:
        variable = match.group(1)
        if variable not in candidates:
            return match.group(0)
        iris = ntriples.iris(candidates[variable] or [NO_CANDIDATE])
        return f"VALUES ?{variable} {{ {iris} }}"

    return _MARKER.sub(block, query_text)


def narrowed(query_text: str, bindings: Mapping[str, Term], index: TextIndex | None) -> str:
    """The query narrowed by the index where its markers ask, if the index can."""
    if index is None:
        return query_text
    wanted: dict[str, dict[str, str]] = {}
    for variable, kind, parameter in markers(query_text):
        term = bindings.get(parameter)
        if isinstance(term, pyoxigraph.Literal) and term.value:
            wanted.setdefault(term.value, {})[variable] = kind
    chosen: dict[str, list[str]] = {}
    for text, variables in wanted.items():
        found = index.candidates(text, set(variables.values()))
        if found is None:
            continue
        for variable, kind in variables.items():
            chosen[variable] = found[kind]
    return with_candidates(query_text, chosen) if chosen else query_text
