"""Validating the store against kg's SHACL shapes (``shapes/*.ttl``).

:func:`validate_store` runs the shapes compiled to SPARQL (:mod:`kg.shacl_sparql`) in Oxigraph,
a few queries per shape whatever the size of the data, and leaves the shapes the compiler does
not cover to pyshacl (a :class:`FallbackWarning` names them). :func:`validate_with_pyshacl` is
the reference, which the compiled validator agrees with on (focus, shape, component, severity,
message) and, for literals Oxigraph does not canonicalise, on values too.

Results name nodes as plain strings (an IRI as itself, a blank node ``_:id``, a literal in
N-Triples syntax); ``value`` is always an N-Triples term; ``path`` an IRI, ``^`` and an IRI for
an inverse path, or (from pyshacl only) a blank node for a longer path.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kg import ntriples, paths, vocab
from kg import shacl_plan as sp
from kg.errors import InputError
from kg.shacl_plan import Plan, Unit
from kg.sparql import releasing

if TYPE_CHECKING:
    from rdflib import Graph

VIOLATION, WARNING, INFO = (vocab.SH + name for name in ("Violation", "Warning", "Info"))
#: Up to this many focus nodes go into a VALUES block; beyond, all is validated and filtered.
FOCUS_LIMIT = 5000
#: A shape with at most this many focus nodes is validated by looking them up, not by scans.
SMALL_TARGET = 100
_CHUNK = 5000
#: Queries run in parallel: Oxigraph evaluates them without holding the GIL.
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_SUBCLASS_ASK = f"ASK {{ ?a {ntriples.iri(vocab.RDFS + 'subClassOf')} ?b }}"
_HAS_VALUE = vocab.SH + "HasValueConstraintComponent"
_SHORT = {"kgsh": "https://w3id.org/parliament-kg/shapes#", "sh": vocab.SH}


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``."""

    focus: str
    shape: str
    component: str
    severity: str
    message: str
    path: str | None
    value: str | None

    def sort_key(self) -> tuple[str, ...]:
        fields = (self.focus, self.shape, self.component, self.path, self.value, self.message)
        return (*(f or "" for f in fields), self.severity)


class ValidationResults(list[ValidationResult]):
    """The results of one validation, sorted, and how many focus nodes it checked (counted on
    first use of :attr:`focus_count`, in the store as it is then)."""

    def __init__(self, results: Iterable[ValidationResult], *, focus_count: Callable[[], int]):
        super().__init__(sorted(set(results), key=ValidationResult.sort_key))
        self._count: Callable[[], int] | int = focus_count

    @property
    def focus_count(self) -> int:
        if callable(self._count):
            self._count = self._count()
        return self._count


class FallbackWarning(UserWarning):
    """Some shapes use constraints the SPARQL compiler does not cover: pyshacl checks them."""


@dataclass(eq=False)
class Shapes:
    """The shapes files, compiled for data with and without ``rdfs:subClassOf``; their
    rdflib graph is parsed only when asked for (pyshacl, or a shape the compiler leaves)."""

    sources: tuple[Path, ...]
    plans: dict[bool, Plan] = field(default_factory=dict)
    #: The shapes graph without the targets of compiled shapes (None: nothing falls back).
    fallback_graph: Graph | None = None
    _graph: Graph | None = None

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = _parse(self.sources)
        return self._graph

    def plan(self, *, subclasses: bool) -> Plan:
        if subclasses not in self.plans:
            from kg import shacl_sparql

            self.plans[subclasses] = shacl_sparql.compile_shapes(self.graph, subclasses=subclasses)
        return self.plans[subclasses]

    @property
    def fallbacks(self) -> tuple[sp.Fallback, ...]:
        return self.plan(subclasses=False).fallbacks


def load_shapes(directory: Path | None = None) -> Shapes:
    """Parse and compile every ``*.ttl`` in ``directory`` (default: kg's shapes), once; the
    compiled queries are kept in kg's cache for the next process (:mod:`kg.shacl_plan`)."""
    return _load_shapes(str((directory or paths.shapes_dir()).resolve()))


def _compiler_files() -> list[Path]:
    """The compiler's modules, found without importing them (and rdflib)."""
    names = ("kg.shacl_plan", "kg.shacl_sparql", "kg.joined_patterns", "kg.sparql_tokens")
    specs = [importlib.util.find_spec(name) for name in names]
    return [Path(spec.origin) for spec in specs if spec is not None and spec.origin]


@lru_cache(maxsize=8)
def _load_shapes(directory: str) -> Shapes:
    files = tuple(sorted(Path(directory).glob("*.ttl")))
    if not files:
        raise InputError(directory, "no SHACL shapes (*.ttl) here", "point to the shapes folder")
    shapes = Shapes(files)
    key = sp.cache_key(files, _compiler_files())
    cached = sp.read_cached_plans(key)
    if cached is not None:
        shapes.plans.update(cached)
    else:
        _check_queries(shapes)
        sp.save_plans(key, shapes.plans)
    if shapes.fallbacks:
        from kg.validate_pyshacl import without_compiled_targets

        compiled = {unit.shape for unit in shapes.plan(subclasses=False).units}
        shapes.fallback_graph = without_compiled_targets(shapes.graph, compiled)
        listed = "; ".join(f"{f.shape} ({f.reason})" for f in shapes.fallbacks)
        warnings.warn(f"pyshacl validates shapes kg cannot compile: {listed}", FallbackWarning, 3)
    return shapes


def _parse(files: tuple[Path, ...]) -> Graph:
    from rdflib import Graph

    graph = Graph()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds of parse errors
            raise InputError(str(path), f"not valid Turtle: {exc}", "fix the shapes file") from exc
    return graph


def _check_queries(shapes: Shapes) -> None:
    """Compile the shapes both ways, and check that Oxigraph parses every query."""
    empty = pyoxigraph.Store()
    for subclasses, focus in ((False, ""), (True, "VALUES ?this { <urn:x> }\n")):
        for unit in shapes.plan(subclasses=subclasses).units:
            for _, text in unit.texts(subclasses=subclasses, focus=focus):
                try:
                    empty.query(text)
                except SyntaxError as exc:
                    raise InputError(unit.shape, f"bad SPARQL: {exc}", "fix the shape") from exc


def validate_store(
    store: pyoxigraph.Store,
    *,
    shapes: Shapes | None = None,
    focus: Collection[str] | None = None,
) -> ValidationResults:
    """Validate the store's default graph; ``focus``: only these focus nodes (IRIs)."""
    shapes = shapes or load_shapes()
    wanted = None if focus is None else {ntriples.iri(f) for f in focus}
    block = _values(wanted) if wanted is not None and len(wanted) <= FOCUS_LIMIT else ""
    subclasses = bool(store.query(_SUBCLASS_ASK))
    plan = shapes.plan(subclasses=subclasses)
    units = plan.units if wanted is None or wanted else ()
    results: list[ValidationResult] = []
    with ThreadPoolExecutor(_WORKERS) as pool:
        blocks = list(pool.map(lambda u: block or _small_target(store, u, subclasses), units))
        jobs = [
            (unit, query, text)
            for unit, unit_block in zip(units, blocks, strict=True)
            if unit_block is not None
            for query, text in unit.texts(subclasses=subclasses, focus=unit_block)
        ]
        candidates: dict[Unit, list[tuple[str, ValidationResult]]] = {}
        jobs.sort(key=_longest_first)
        for unit, query, rows in pool.map(lambda j: (*j[:2], _decode(j[1], store, j[2])), jobs):
            if query.kind == "candidates":
                candidates.setdefault(unit, []).extend(rows)
            else:
                results += [result for _, result in rows]
        for kept in pool.map(
            lambda c: _of_target(store, c[0], c[1], subclasses), candidates.items()
        ):
            results += kept
    if plan.fallbacks and shapes.fallback_graph is not None and (wanted is None or wanted):
        from kg.validate_pyshacl import run_pyshacl

        results += run_pyshacl(store, shapes.fallback_graph)
    if wanted is not None:
        results = [r for r in results if node_term(r.focus) in wanted]
    return ValidationResults(results, focus_count=lambda: _count(store, plan, subclasses, wanted))


def validate_with_pyshacl(
    store: pyoxigraph.Store, *, shapes: Shapes | None = None
) -> ValidationResults:
    """Validate the store's default graph with pyshacl (no inference): the reference."""
    shapes = shapes or load_shapes()
    subclasses = bool(store.query(_SUBCLASS_ASK))
    plan = shapes.plan(subclasses=subclasses)
    from kg.validate_pyshacl import run_pyshacl

    results = run_pyshacl(store, shapes.graph)
    return ValidationResults(results, focus_count=lambda: _count(store, plan, subclasses, None))


def conforms(results: Iterable[ValidationResult]) -> bool:
    """True when no result is a ``sh:Violation`` (warnings and infos do not count)."""
    return all(r.severity != VIOLATION for r in results)


# --- compiled queries ---------------------------------------------------------------------
def _values(terms: Iterable[str]) -> str:
    return "VALUES ?this { " + " ".join(sorted(terms)) + " }\n"


_nt = ntriples.term


def _select(store: pyoxigraph.Store, text: str) -> pyoxigraph.QuerySolutions:
    solutions = store.query(text)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):  # pragma: no cover
        raise TypeError("a validation query must be a SELECT")
    return solutions


def _longest_first(job: tuple[Unit, sp.Query, str]) -> tuple[int, int]:
    """Counts aggregate every value of each path they count (a UNION branch each) and take
    longest: they start first, so that none is left to run alone at the end (at 100,000
    questions the largest took 1.3 s, and started last)."""
    text = job[2]
    return (-text.count("\nUNION "), -len(text))


@releasing  # run in the pool's threads
def _small_target(store: pyoxigraph.Store, unit: Unit, subclasses: bool) -> str | None:
    """A VALUES block of the unit's focus nodes when they are few (looking them up is cheaper
    than scanning whole paths), "" when they are many, None when there are none."""
    pattern = unit.target.pattern(subclasses=subclasses, focus="")
    query = f"SELECT ?this WHERE {{ {pattern} }} LIMIT {SMALL_TARGET + 1}"
    terms = [_nt(row["this"]) for row in _select(store, query)]
    if len(terms) > SMALL_TARGET or any(t.startswith("_:") for t in terms):
        return ""
    return _values(terms) if terms else None


def _chunks(terms: Iterable[str]) -> list[str]:
    """VALUES blocks of at most ``_CHUNK`` terms each."""
    ordered = sorted(terms)
    return [_values(ordered[i : i + _CHUNK]) for i in range(0, len(ordered), _CHUNK)]


@releasing  # run in the pool's threads
def _of_target(
    store: pyoxigraph.Store, unit: Unit, rows: list[tuple[str, ValidationResult]], subclasses: bool
) -> list[ValidationResult]:
    """The candidate results whose ``?this`` is one of the unit's focus nodes."""
    blocks = _chunks({this for this, _ in rows if not this.startswith("_:")})
    patterns = [unit.target.pattern(subclasses=subclasses, focus=b) for b in blocks]
    if any(this.startswith("_:") for this, _ in rows):  # blank nodes cannot be in VALUES
        patterns.append(
            unit.target.pattern(subclasses=subclasses, focus="") + "FILTER isBlank(?this)"
        )
    keep: set[str] = set()
    for pattern in patterns:
        keep.update(_nt(r["this"]) for r in _select(store, f"SELECT ?this WHERE {{ {pattern} }}"))
    return [result for this, result in rows if this in keep]


@releasing  # run in the pool's threads
def _decode(
    query: sp.Query, store: pyoxigraph.Store, text: str
) -> list[tuple[str, ValidationResult]]:
    """The failing rows of a query: ``?this`` in N-Triples, and the result."""
    solutions = _select(store, text)
    names = {v.value for v in solutions.variables}
    found = []
    for row in solutions:
        this = row["this"]
        focus = this.value if isinstance(this, pyoxigraph.NamedNode) else _nt(this)
        for check in query.checks:
            cell = row[check.column] if check.column else None
            if check.low is not None or check.high is not None:
                n = int(cell.value) if cell is not None else 0
                failed = n < (check.low or 0) or (check.high is not None and n > check.high)
            else:
                failed = check.column is None or not (cell is not None and cell.value == "true")
            if failed:
                found.append(
                    (_nt(this), _result(check, focus, this, row, names, query.kind == "sparql"))
                )
    return found


def _result(
    check: sp.Check, focus: str, this: object, row: pyoxigraph.QuerySolution, names: set[str],
    sparql: bool,
) -> ValidationResult:  # fmt: skip
    value = row["value"] if "value" in names else None
    value = this if value is None and check.path is None else value
    value = None if check.component == _HAS_VALUE else value  # the node it lacks is no value
    message, path = check.message, check.path
    if sparql:  # SHACL-SPARQL: ?path overrides the path; {?var} and {$var} in messages
        bound = {name: row[name] for name in names if row[name] is not None}
        for name, term in bound.items():
            text = str(getattr(term, "value", ""))
            message = message.replace("{?" + name + "}", text).replace("{$" + name + "}", text)
        if isinstance(bound.get("path"), pyoxigraph.NamedNode):
            path = str(getattr(bound["path"], "value", ""))
    nt_value = None if value is None else _nt(value)
    return ValidationResult(
        focus, check.shape, check.component, check.severity, message, path, nt_value
    )


def _count(store: pyoxigraph.Store, plan: Plan, subclasses: bool, wanted: set[str] | None) -> int:
    """How many distinct focus nodes the compiled shapes have (those left to pyshacl aside)."""
    alternatives = sorted({a for u in plan.units for a in u.target.alternatives(subclasses)})
    union = " UNION ".join("{ " + alt + " }" for alt in alternatives)
    total = 0
    for block in ([""] if wanted is None else _chunks(wanted)) if union else []:
        query = f"SELECT (COUNT(DISTINCT ?this) AS ?n) WHERE {{ {block}{union} }}"
        total += sum(int(row["n"].value) for row in _select(store, query))
    return total


def node_term(text: str) -> str:
    """A result's node name (IRI, ``_:id`` or N-Triples literal) as an N-Triples term."""
    return text if text.startswith(('"', "_:")) else ntriples.iri(text)


# Readable summaries and full reports live beside; re-exported as part of this module's API.
from kg.validation_report import report, summarize  # noqa: E402

__all__ = [
    "FallbackWarning",
    "Shapes",
    "ValidationResult",
    "ValidationResults",
    "conforms",
    "load_shapes",
    "report",
    "summarize",
    "validate_store",
    "validate_with_pyshacl",
]
