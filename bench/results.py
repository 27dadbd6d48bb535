"""What a step found: its runs at one size (:class:`Result`) and, for the validation steps,
the results of a SHACL validation report (:class:`Validation`, :func:`parse_report`)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import Sample

SH = "http://www.w3.org/ns/shacl#"


@dataclass
class Result:
    """The runs of one step at one size."""

    size: int
    step: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rsss: list[float] = field(default_factory=list)
    status: str = "ok"  # ok | not available | failed | skipped
    notes: list[str] = field(default_factory=list)
    #: How much each run processed, for the throughput: (amount, unit) e.g. (10000, "q").
    amount: tuple[float, str] = (0.0, "q")
    #: For a run stopped at its time limit: how long it ran (a lower bound of its time).
    lower_bound: float | None = None
    #: The convert step's: CPU-seconds of the conversion floor (bench/convert_floor.py) per run.
    floor_cpus: list[float] = field(default_factory=list)

    def add(self, sample: Sample, *, wall: float | None = None, cpu: float | None = None) -> None:
        self.walls.append(sample.wall if wall is None else wall)
        self.cpus.append(sample.cpu if cpu is None else cpu)
        self.rsss.append(sample.rss_mib)

    def fail(self, why: str) -> None:
        self.status = "failed"
        self.notes.append(why)

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls else None


@dataclass
class Validation:
    """Validation results of one engine, as comparable tuples."""

    results: set[tuple[str, str, str, str, str]]
    count: int


def parse_report(path: Path) -> Validation | None:
    """The (focus, shape, component, severity, message) of every result of a Turtle report."""
    import pyoxigraph as ox

    try:
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError, ValueError):
        return None
    query = f"""
        PREFIX sh: <{SH}>
        SELECT ?focus ?shape ?component ?severity ?message WHERE {{
            ?r a sh:ValidationResult ; sh:focusNode ?focus ; sh:sourceShape ?shape ;
               sh:sourceConstraintComponent ?component ; sh:resultSeverity ?severity .
            OPTIONAL {{ ?r sh:resultMessage ?message }}
        }}"""
    results: set[tuple[str, str, str, str, str]] = set()
    count = 0
    for row in store.query(query):  # type: ignore[union-attr]
        count += 1
        results.add(tuple(_text(row[v]) for v in ("focus", "shape", "component", "severity", "message")))  # type: ignore[arg-type]  # fmt: skip
    return Validation(results, count)


def _text(term: Any) -> str:
    if term is None:
        return ""
    kind = type(term).__name__
    if kind == "BlankNode":
        return "_:b"  # blank nodes have no identity across reports
    return str(getattr(term, "value", term))
