"""A member or department named by the user (numeric id, IRI or name, any case) as its IRI:
what a canned query's ``member`` and ``department`` parameters take. The look-ups go through a
:class:`kg.sparql.Runner`, so that the same code serves a local store and a remote endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph

from kg import vocab
from kg.errors import QueryError
from kg.output import plain_value
from kg.query_steps import natural_key
from kg.sparql import Runner

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$")
_BIOGRAPHY = "Biography information for "
#: Per kind: the IRI of a numeric id, a query that says whether an IRI is known, and a query
#: that finds (?key, ?label, ?node) rows whose label holds ?name (any case): the id shown, the
#: name matched and the IRI itself (as stored: not made again from the id).
_KINDS: dict[str, tuple[Callable[[str], str], str, str]] = {
    "member": (
        lambda key: vocab.PARLIAMENT_MEMBERS + key,
        "SELECT ?member WHERE { { ?question parl:tablingMember ?member }\n"
        "  UNION { ?answer parl:answeringMember ?member } } LIMIT 1",
        "SELECT ?name ?key ?label (?member AS ?node) WHERE {\n"
        "  ?member a kg:Member ; rdfs:label ?fullLabel .\n"
        f'  BIND(IF(STRSTARTS(STR(?fullLabel), "{_BIOGRAPHY}"),\n'
        f'          STRAFTER(STR(?fullLabel), "{_BIOGRAPHY}"), STR(?fullLabel)) AS ?label)\n'
        '  BIND(STRAFTER(STR(?member), "/members/") AS ?key)\n'
        f"  FILTER(?member != <{vocab.PLACEHOLDER_MEMBER}> && STRLEN(?label) > 0)\n"
        "  FILTER(CONTAINS(LCASE(?label), LCASE(STR(?name)))) }",
    ),
    "department": (
        vocab.department_iri,
        "SELECT ?department WHERE { ?department a kg:Department } LIMIT 1",
        "SELECT ?name ?key ?label (?department AS ?node) WHERE {\n"
        "  ?department a kg:Department ; parl:answeringDeptId ?key .\n"
        "  { ?department rdfs:label ?label } UNION { ?department parl:answeringDeptShortName ?label }\n"
        "  UNION { ?department parl:answeringDeptSortName ?label }\n"
        "  FILTER(CONTAINS(LCASE(STR(?label)), LCASE(STR(?name)))) }",
    ),
}


def resolve(kind: str, value: str, runner: Runner, *, where: str = "") -> pyoxigraph.NamedNode:
    """A member or department given by numeric id, IRI or name (any case) as its IRI.

    Part of a name will do; when several match, the one whose whole name it is wins (a member's
    name is its label without "Biography information for"; a department's is its full, short
    or sort name), else the name is ambiguous.
    """
    iri_of, exists, names = _KINDS[kind]
    where = where or kind
    listing = f"kg query {kind}s" + (" --param name=PART" if kind == "member" else "")
    if value.isdigit() or _IRI.match(value):
        try:
            node = pyoxigraph.NamedNode(iri_of(value) if value.isdigit() else value)
        except ValueError as exc:
            raise QueryError(where, f"not a valid IRI ({exc})", "check the IRI") from exc
        if not runner(vocab.PREFIX_LINES + exists, {kind: node}).row_list():
            raise QueryError(where, f"no such {kind} in the store", f"{listing} finds one")
        return node
    found: dict[str, list[str]] = {}
    nodes: dict[str, pyoxigraph.NamedNode] = {}
    for _, key, label, stored in runner(
        vocab.PREFIX_LINES + names, {"name": pyoxigraph.Literal(value)}
    ).rows:
        shown = str(plain_value(key))
        found.setdefault(shown, []).append(str(plain_value(label)))
        if isinstance(stored, pyoxigraph.NamedNode):
            nodes[shown] = stored
    exact = [key for key, labels in found.items() if value.lower() in map(str.lower, labels)]
    if len(found) == 1 or len(exact) == 1:
        return nodes[exact[0] if exact else next(iter(found))]
    if not found:
        raise QueryError(where, f"no {kind} of that name in the store", f"{listing} lists them")
    listed = ", ".join(
        f"{min(found[k], key=len)} ({k})" for k in sorted(found, key=natural_key)[:8]
    )
    raise QueryError(
        where,
        f"the name matches {len(found)} {kind}s: {listed}{' ...' if len(found) > 8 else ''}",
        f"give the {kind}'s id instead",
    )
