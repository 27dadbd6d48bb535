"""Compiled SHACL shapes: the SPARQL queries of :mod:`kg.shacl_sparql`, as plain data.

A :class:`Plan` holds only strings and numbers. It is saved as JSON in kg's cache (see
:func:`kg.paths.cache_dir`), keyed by the shapes' bytes and the compiler's, so that a command
that validates a page (``kg load`` of a day's questions) runs the queries without parsing the
shapes or importing rdflib: at 100,000 questions a reload of 1% took 1.3 s, 0.1 s of it that.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg import ntriples, paths, vocab

#: Template markers: the target as a sub-SELECT, as UNION branches, and the focus VALUES.
TARGET, TARGETS, FOCUS = "#KG-TARGET#\n", "#KG-TARGETS#\n", "#KG-FOCUS#\n"
TYPE_STEP = ntriples.iri(vocab.RDF_TYPE)
SUBCLASS_TYPE_STEP = f"{TYPE_STEP}/{ntriples.iri(vocab.RDFS + 'subClassOf')}*"
#: Changed whenever the JSON form of a plan changes.
_FORMAT = "kg-shapes-plan-2"


@dataclass(frozen=True)
class Check:
    """What a failing row reports; ``column`` says whether a row fails: a count within
    ``low``/``high``, else a boolean (not true fails); no column: every row fails."""

    shape: str
    component: str
    severity: str
    message: str
    path: str | None
    column: str | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Query:
    """``kind``: ``exact`` (rows are focus nodes), ``candidates`` (rows to keep where ``?this``
    is a focus node) or ``sparql`` (exact, with ``?value``, ``?path``, ``{?var}`` messages).
    ``lookups``, when set, is the template to run for focus nodes given one by one (a VALUES
    block), where ``template`` is written to scan them all."""

    kind: str
    template: str
    checks: tuple[Check, ...]
    lookups: str = ""


@dataclass(frozen=True)
class Target:
    """The focus nodes of a shape: class instances, nodes, subjects or objects of predicates."""

    classes: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    subjects_of: tuple[str, ...] = ()
    objects_of: tuple[str, ...] = ()

    def alternatives(self, subclasses: bool) -> list[str]:
        step = SUBCLASS_TYPE_STEP if subclasses else TYPE_STEP
        alts = [f"?this {step} {ntriples.iri(c)} ." for c in self.classes]
        alts += ["VALUES ?this { " + " ".join(self.nodes) + " }"] if self.nodes else []
        alts += [f"?this {ntriples.iri(p)} ?_o ." for p in self.subjects_of]
        return alts + [f"?_s {ntriples.iri(p)} ?this ." for p in self.objects_of]

    def pattern(self, *, subclasses: bool, focus: str) -> str:
        """A sub-SELECT of each focus node once (``focus``: a VALUES block, or nothing)."""
        alts = self.alternatives(subclasses)
        distinct = "" if len(self.classes) == len(alts) == 1 and not subclasses else "DISTINCT "
        union = " UNION ".join("{ " + alt + " }" for alt in alts)
        return f"{{ SELECT {distinct}?this WHERE {{ {focus}{union} }} }}\n"

    def branches(self, *, subclasses: bool, focus: str) -> str:
        """UNION branches of the focus nodes, their rows marked by ``?_t``."""
        alts = self.alternatives(subclasses)
        return " UNION ".join(f"{{ {focus}{alt} BIND (true AS ?_t) }}" for alt in alts) + "\n"


@dataclass(frozen=True)
class Unit:
    """One shape with targets, compiled."""

    shape: str
    target: Target
    queries: tuple[Query, ...]

    def texts(self, *, subclasses: bool, focus: str) -> Iterator[tuple[Query, str]]:
        pattern = self.target.pattern(subclasses=subclasses, focus=focus)
        branches = self.target.branches(subclasses=subclasses, focus=focus)
        for query in self.queries:
            template = query.lookups if focus and query.lookups else query.template
            text = template.replace(TARGET, pattern).replace(TARGETS, branches)
            yield query, text.replace(FOCUS, focus)


@dataclass(frozen=True)
class Fallback:
    """A shape with targets that pyshacl validates, and why."""

    shape: str
    reason: str


@dataclass(frozen=True)
class Plan:
    units: tuple[Unit, ...]
    fallbacks: tuple[Fallback, ...]


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return asdict(plan)


def plan_from_json(data: dict[str, Any]) -> Plan:
    def query(q: dict[str, Any]) -> Query:
        checks = tuple(Check(**c) for c in q["checks"])
        return Query(q["kind"], q["template"], checks, q.get("lookups", ""))

    units = tuple(
        Unit(
            u["shape"],
            Target(**{k: tuple(v) for k, v in u["target"].items()}),
            tuple(query(q) for q in u["queries"]),
        )
        for u in data["units"]
    )
    return Plan(units, tuple(Fallback(**f) for f in data["fallbacks"]))


def cache_key(files: Sequence[Path], compiler: Sequence[Path]) -> str:
    """What the plans of these shapes files depend on: their names and bytes, and the bytes
    of the modules that compile them."""
    digest = hashlib.sha256(_FORMAT.encode())
    for path in [*compiler, *files]:
        digest.update(b"\0%s\0%d\0" % (path.name.encode(), path.stat().st_size))
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _cache_file(key: str) -> Path:
    return paths.cache_dir() / f"shapes-{key}.json"


def read_cached_plans(key: str) -> dict[bool, Plan] | None:
    """The plans saved under ``key`` (without and with ``rdfs:subClassOf``), or None."""
    try:
        data = json.loads(_cache_file(key).read_bytes())
        return {False: plan_from_json(data["plain"]), True: plan_from_json(data["subclasses"])}
    except (OSError, ValueError, KeyError, TypeError):  # absent, or not a plan: compile again
        return None


def save_plans(key: str, plans: dict[bool, Plan]) -> None:
    """Save the plans under ``key``, whole or not at all; a cache that cannot be written is
    no error (the shapes are compiled again next time)."""
    data = {"plain": plan_to_json(plans[False]), "subclasses": plan_to_json(plans[True])}
    with contextlib.suppress(OSError):
        paths.write_atomic(_cache_file(key), json.dumps(data).encode())
