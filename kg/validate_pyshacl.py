"""pyshacl, the reference validator: run on a store, its report read back as kg's results.

Here are all of kg's validation that needs rdflib: :mod:`kg.validate` imports this module only
for pyshacl (``kg validate --engine pyshacl``, or shapes the compiler leaves to it).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pyoxigraph
import rdflib
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from kg import shacl_sparql as ss
from kg.shacl_sparql import SH, shape_id, term_nt
from kg.validate import ValidationResult


def without_compiled_targets(graph: Graph, compiled: set[str]) -> Graph:
    """The shapes graph with the targets of the ``compiled`` shapes taken away: what pyshacl
    is left to validate."""
    fallback = Graph()
    for triple in graph:
        fallback.add(triple)
    for shape in ss.top_level_shapes(graph):
        if shape_id(shape) in compiled:
            for predicate in ss.TARGET_PREDICATES:
                fallback.remove((shape, predicate, None))
            fallback.remove((shape, RDF.type, rdflib.RDFS.Class))
    return fallback


@contextlib.contextmanager
def _verbatim_literals() -> Iterator[None]:
    """Literals as written (``"01"`` stays ``"01"``), and quiet about ill-typed ones."""
    saved, logger = rdflib.NORMALIZE_LITERALS, logging.getLogger("rdflib.term")
    level, logger.level = logger.level, logging.CRITICAL
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS, logger.level = saved, level


def run_pyshacl(store: pyoxigraph.Store, shapes_graph: Graph) -> list[ValidationResult]:
    from pyshacl import validate as pyshacl_validate

    data = store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
    graph = Graph()
    with _verbatim_literals():
        graph.parse(data=data, format="nt")
        _, report_graph, _ = pyshacl_validate(graph, shacl_graph=shapes_graph, inference="none")
    nodes = report_graph.objects(None, SH.result)  # not the sh:detail of sh:node results
    return [_from_report(report_graph, node) for node in nodes]


def _from_report(graph: Graph, node: Node) -> ValidationResult:
    focus, value, path = (graph.value(node, SH[p]) for p in ("focusNode", "value", "resultPath"))
    inverse = graph.value(path, SH.inversePath) if path is not None else None
    return ValidationResult(
        focus=term_nt(focus) if isinstance(focus, Literal) else shape_id(focus),
        shape=shape_id(graph.value(node, SH.sourceShape)),
        component=str(graph.value(node, SH.sourceConstraintComponent)),
        severity=str(graph.value(node, SH.resultSeverity)),
        message=" / ".join(sorted({str(m) for m in graph.objects(node, SH.resultMessage)})),
        path=(
            None if path is None else str(path) if isinstance(path, URIRef)
            else "^" + str(inverse) if isinstance(inverse, URIRef) else shape_id(path)
        ),
        value=None if value is None else term_nt(value),
    )  # fmt: skip
