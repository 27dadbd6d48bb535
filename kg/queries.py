"""The catalogue of canned queries (``queries/*.rq``): headers, typed parameters, post-steps.

Each ``.rq`` file is one standard SPARQL 1.1 SELECT query with its own PREFIX lines, led by a
header of comment lines (other comment lines there are notes shown by ``kg queries NAME``)::

    # title: Late answers
    # summary: Questions answered more than N days after they were tabled, per department.
    # param: days integer default=10 -- answers later than this many days are late
    # param: department department optional -- only this department
    # post: sort-list uins ,

A parameter binds the query variable of its name to an RDF term, never to query text: locally
through pyoxigraph ``substitutions``, remotely through :func:`kg.query_values.with_values` (a VALUES block at
the top of every SELECT's WHERE group). So that both agree (tests/test_queries.py checks every
query both ways): the outer SELECT projects every parameter variable (Oxigraph binds only
projected ones; kg drops those columns); a parameter appears in a SELECT's top-level group
(triple patterns, FILTER, BIND) and in nested plain groups or UNION branches only in triple
patterns, never in OPTIONAL, MINUS or EXISTS; an optional parameter in an expression is wrapped
in COALESCE; the first ``{`` after a SELECT opens its WHERE group. Post-steps turn the rows
into what the user sees (:data:`POST_STEPS`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg import tallies, vocab
from kg.errors import QueryError
from kg.output import plain_value
from kg.paths import queries_dir
from kg.query_steps import POST_STEPS
from kg.query_values import narrowed
from kg.resolve import resolve
from kg.sparql import QueryOutcome, Runner, Term, map_rows, run_query

if TYPE_CHECKING:
    from kg.text_search import TextIndex

PARAMETER_TYPES: dict[str, str] = {
    "member": "member id, IRI or name",
    "department": "department id, IRI or name",
    "date": "date YYYY-MM-DD",
    "integer": "integer",
    "text": "text",
}
#: Folders of extra canned queries, separated like PATH (they may override the bundled ones).
QUERIES_ENV = "KG_QUERIES"
_XSD_INTEGER = pyoxigraph.NamedNode(vocab.XSD + "integer")
_XSD_DECIMAL = pyoxigraph.NamedNode(vocab.XSD + "decimal")
_XSD_DATE = pyoxigraph.NamedNode(vocab.XSD + "date")
_HEADER_LINE = re.compile(r"^#\s*(title|summary|param|post):\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+)\s+"
    r"(?P<mode>required|optional|default=\S+)\s*(?:--\s*(?P<text>.*))?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_TALLY = re.compile(r"\bkg:[A-Za-z]*Tally\b")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None
    description: str

    def describe(self) -> str:
        mode = "required" if self.required else "optional"
        if self.default is not None:
            mode = f"default {self.default}"
        return f"{self.name} ({self.type}, {mode})"


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    summary: str
    text: str
    path: Path
    parameters: tuple[Parameter, ...] = ()
    post: tuple[tuple[str, tuple[str, ...]], ...] = ()
    notes: tuple[str, ...] = field(default=())

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def reads_tallies(self) -> bool:
        """Whether the query reads kg's tallies (:mod:`kg.tallies`), which the store must keep."""
        return _TALLY.search(self.text) is not None


# --- Reading the catalogue --------------------------------------------------------------


def parse_query(path: Path, text: str) -> CannedQuery:
    """A canned query from the text of its ``.rq`` file; a bad header raises QueryError."""
    values: dict[str, str] = {}
    parameters: list[Parameter] = []
    post: list[tuple[str, tuple[str, ...]]] = []
    notes: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_LINE.match(stripped)
        if match is None:
            notes.append(stripped.lstrip("#").strip())
            continue
        key, value = match.groups()
        if key == "param":
            parameters.append(_parse_parameter(path, value, text))
        elif key == "post":
            words = value.split()
            if not words or words[0] not in POST_STEPS:
                known = ", ".join(sorted(POST_STEPS))
                raise QueryError(str(path), f"unknown post-step {value!r}", f"use one of {known}")
            post.append((words[0], tuple(words[1:])))
        else:
            values[key] = value
    for key in ("title", "summary"):
        if not values.get(key):
            raise QueryError(str(path), f"the header has no '# {key}:' line", "add one")
    if not re.search(r"\bSELECT\b", text, re.IGNORECASE):
        raise QueryError(str(path), "a canned query must be a SELECT query", "rewrite it")
    return CannedQuery(
        name=path.stem,
        title=values["title"],
        summary=values["summary"],
        text=text,
        path=path,
        parameters=tuple(parameters),
        post=tuple(post),
        notes=tuple(notes),
    )


def _parse_parameter(path: Path, value: str, text: str) -> Parameter:
    match = _PARAM.match(value)
    if match is None:
        raise QueryError(
            str(path), f"malformed parameter line {value!r}", "write: NAME TYPE MODE -- text"
        )
    name, kind, mode = match.group("name"), match.group("type"), match.group("mode")
    if kind not in PARAMETER_TYPES:
        known = ", ".join(PARAMETER_TYPES)
        raise QueryError(str(path), f"parameter {name}: unknown type {kind!r}", f"use {known}")
    if not re.search(rf"\?{name}\b", text):
        raise QueryError(str(path), f"parameter {name}: the query has no ?{name}", "use it")
    default = mode[len("default=") :] if mode.startswith("default=") else None
    return Parameter(name, kind, mode == "required", default, match.group("text") or "")


def query_dirs() -> list[Path]:
    """The bundled queries folder, then the folders named in ``KG_QUERIES``."""
    extra = [Path(p) for p in os.environ.get(QUERIES_ENV, "").split(os.pathsep) if p]
    return [queries_dir(), *extra]


def load_catalog(directories: Sequence[Path] | None = None) -> dict[str, CannedQuery]:
    """Every canned query by name (a later folder overrides an earlier one)."""
    catalog: dict[str, CannedQuery] = {}
    for directory in query_dirs() if directories is None else directories:
        if not directory.is_dir():
            raise QueryError(str(directory), "no such queries folder", f"check {QUERIES_ENV}")
        for path in sorted(directory.glob("*.rq")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise QueryError(str(path), f"cannot read: {exc}", "check the file") from exc
            catalog[path.stem] = parse_query(path, text)
    return dict(sorted(catalog.items()))


def find_query(catalog: Mapping[str, CannedQuery], name: str) -> CannedQuery:
    """The query called ``name``; an unknown name raises QueryError with the nearest names."""
    if name in catalog:
        return catalog[name]
    near = difflib.get_close_matches(name, list(catalog), n=3, cutoff=0.5)
    near += [n for n in catalog if name and name in n and n not in near][: 3 - len(near)]
    listed = ", ".join(near[:-1]) + " or " + near[-1] if len(near) > 1 else "".join(near)
    hint = f"did you mean {listed}?" if near else "kg queries lists them"
    raise QueryError(name, "there is no canned query of that name", hint)


# --- Parameters -------------------------------------------------------------------------


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """``["member=4765", ...]`` as a mapping; a pair without ``=`` raises QueryError."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair}", "expected NAME=VALUE", "e.g. --param member=4765")
        if name.strip() in values:
            raise QueryError(f"--param {name.strip()}", "given twice", "give each parameter once")
        values[name.strip()] = value
    return values


def bind_parameters(
    query: CannedQuery, given: Mapping[str, str], runner: Runner
) -> dict[str, Term]:
    """The query's parameters as ``{variable name: term}``, defaults filled in, names resolved.

    ``runner`` answers the look-ups (a member or department by name), so the same code serves
    a remote endpoint.
    """
    for name in given:
        if query.parameter(name) is None:
            names = ", ".join(p.name for p in query.parameters) or "none"
            raise QueryError(
                f"{query.name} --param {name}", "no such parameter", f"its parameters: {names}"
            )
    bindings: dict[str, Term] = {}
    for parameter in query.parameters:
        raw = given.get(parameter.name, parameter.default)
        if raw is None:
            if parameter.required:
                raise QueryError(
                    query.name,
                    f"the parameter {parameter.name} is missing",
                    f"give --param {parameter.name}=<{PARAMETER_TYPES[parameter.type]}>",
                )
            continue
        bindings[parameter.name] = to_term(parameter, raw, runner)
    _check_range(query, bindings)
    return bindings


def _check_range(query: CannedQuery, bindings: Mapping[str, Term]) -> None:
    """A ``from`` after its ``to`` would match nothing: said, instead of an empty answer."""
    start, end = bindings.get("from"), bindings.get("to")
    if not (isinstance(start, pyoxigraph.Literal) and isinstance(end, pyoxigraph.Literal)):
        return
    if start.datatype == end.datatype == _XSD_DATE and start.value > end.value:
        raise QueryError(
            f"{query.name} --param from={start.value} --param to={end.value}",
            "from is after to, so no day is in between",
            "swap them",
        )


def to_term(parameter: Parameter, raw: str, runner: Runner) -> Term:
    """One parameter value as an RDF term; a malformed value raises QueryError."""
    where, value = f"--param {parameter.name}={raw}", raw.strip()
    if parameter.type == "integer":
        if not _INTEGER.match(value):
            raise QueryError(where, "not an integer", "give a whole number, e.g. 10")
        return pyoxigraph.Literal(str(int(value)), datatype=_XSD_INTEGER)
    if parameter.type == "date":
        try:
            dt.date.fromisoformat(value if _DATE.match(value) else "")
        except ValueError:
            raise QueryError(
                where, "not a date", "give a date as YYYY-MM-DD, e.g. 2024-03-18"
            ) from None
        return pyoxigraph.Literal(value, datatype=_XSD_DATE)
    if parameter.type == "text":
        return pyoxigraph.Literal(raw)
    if not value:
        raise QueryError(where, f"an empty {parameter.type}", "give an id, an IRI or a name")
    return resolve(parameter.type, value, runner, where=where)


# --- Running ----------------------------------------------------------------------------


def local_runner(
    store: pyoxigraph.Store, *, timeout: float | None = None, where: str = "query"
) -> Runner:
    """A runner on an Oxigraph store: parameters go in as pyoxigraph substitutions."""

    def run(text: str, bindings: Mapping[str, Term], /, *, stream: bool = False) -> QueryOutcome:
        return run_query(
            store, text, where=where, substitutions=bindings, timeout=timeout, stream=stream
        )

    return run


def execute(
    query: CannedQuery,
    given: Mapping[str, str],
    runner: Runner,
    *,
    stream: bool = False,
    text_index: TextIndex | None = None,
) -> QueryOutcome:
    """Bind the parameters, run the query, drop the parameter columns, apply the post-steps.
    With ``stream`` the rows come as an iterator (see :class:`kg.sparql.QueryOutcome`). With
    the store's ``text_index``, a query that marks where it takes one is narrowed by it."""
    bindings = bind_parameters(query, given, runner)
    if query.reads_tallies:
        _require_tallies(query, runner)
    text = narrowed(query.text, bindings, text_index)
    return finish(query, runner(text, bindings, stream=stream))


def _require_tallies(query: CannedQuery, runner: Runner) -> None:
    """Raise unless the store keeps the tallies ``query`` reads (or holds no questions): one
    loaded by an older kg would give wrong counts without a word."""
    kept, loaded = (plain_value(term) for term in runner(tallies.KEPT_QUERY, {}).row_list()[0])
    if loaded and not kept:
        raise QueryError(
            query.name,
            "the store's tallies, which this query reads, are missing or were kept by an older kg",
            "count them again: kg recount (or load any page again with this kg)",
        )


def run_canned(
    store: pyoxigraph.Store,
    name: str,
    given: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
    catalog: Mapping[str, CannedQuery] | None = None,
    text_index: TextIndex | None = None,
) -> QueryOutcome:
    """Run the canned query ``name`` on a local store (narrowed by its ``text_index``)."""
    query = find_query(load_catalog() if catalog is None else catalog, name)
    runner = local_runner(store, timeout=timeout, where=query.name)
    return execute(query, given or {}, runner, text_index=text_index)


def finish(query: CannedQuery, outcome: QueryOutcome) -> QueryOutcome:
    """What the user sees of a raw result: post-steps applied, parameter columns dropped (as
    the rows are taken, when they stream)."""
    for step, args in query.post:
        outcome = POST_STEPS[step](outcome, args)
    keep = [i for i, c in enumerate(outcome.columns) if query.parameter(c) is None]
    return QueryOutcome(
        kind=outcome.kind,
        columns=[outcome.columns[i] for i in keep],
        rows=map_rows(outcome.rows, lambda row: [row[i] for i in keep]),
    )


__all__ = [
    "POST_STEPS",
    "CannedQuery",
    "Parameter",
    "Runner",
    "bind_parameters",
    "execute",
    "find_query",
    "finish",
    "load_catalog",
    "local_runner",
    "parse_assignments",
    "parse_query",
    "resolve",
    "run_canned",
]
