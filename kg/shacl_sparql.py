"""SHACL shapes → SPARQL SELECT queries, so that Oxigraph validates millions of nodes fast.

Each active shape with a target becomes a :class:`Unit` of a few queries written for what
Oxigraph does fast (index scans, hash joins of sub-SELECTs, MINUS), not per-node lookups:

* one ``GROUP BY ?this`` over the UNION of the target and the counted paths: every
  ``sh:minCount``, ``sh:maxCount`` and property ``sh:hasValue`` of the shape;
* per path, one scan of its values with each value constraint as a boolean column
  (``sh:datatype``, ``sh:or`` of datatypes, ``sh:nodeKind``, ``sh:pattern``, ``sh:in``,
  ``sh:not``, lengths…) and one ``MINUS`` per ``sh:class``: these return *candidates* over all
  subjects of the path, kept by the caller where ``?this`` is a focus node of the unit;
* one query for the constraints on the focus node itself; one per SHACL-SPARQL ``sh:select``,
  ``$this`` pre-bound by joining the target first in its ``WHERE`` group.

A shape using anything else (``sh:closed``, ``sh:equals``, ranges, qualified shapes, complex
paths…) raises :class:`Unsupported` and is a :class:`Fallback`, left to pyshacl.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg import ntriples, vocab
from kg.joined_patterns import hash_joined
from kg.shacl_plan import (
    FOCUS,
    SUBCLASS_TYPE_STEP,
    TARGET,
    TARGETS,
    TYPE_STEP,
    Check,
    Fallback,
    Plan,
    Query,
    Target,
    Unit,
)
from kg.sparql_tokens import selects_of, tokens_of, where_group

SH = Namespace(vocab.SH)
RDF_TYPE = URIRef(vocab.RDF_TYPE)
RDFS_CLASS = URIRef(vocab.RDFS + "Class")
TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_IGNORED = {*TARGET_PREDICATES} | {SH[name] for name in (
    "message", "severity", "name", "description", "order", "group", "defaultValue",
    "deactivated", "path", "flags", "declare", "prefixes", "property", "sparql",
)}  # fmt: skip
_COMPONENTS = {SH[name]: SH[name[0].upper() + name[1:] + "ConstraintComponent"] for name in (
    "datatype", "nodeKind", "class", "in", "pattern", "minLength", "maxLength", "not", "and",
    "or", "xone", "node", "hasValue", "minCount", "maxCount",
)}  # fmt: skip
_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
#: Datatypes whose lexical forms are checked by casting (an ill-typed literal does not cast).
_CASTABLE = {vocab.XSD + name for name in (
    "boolean", "integer", "decimal", "float", "double", "date", "time", "dateTime", "duration",
    "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay",
)}  # fmt: skip


class Unsupported(Exception):
    """A shape uses a feature the compiler does not translate."""


def shape_id(node: Node | None) -> str:
    """A node's name in results: its IRI, or ``_:id`` for a blank node."""
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def term_nt(node: Node | None) -> str:
    """An rdflib term in N-Triples syntax (blank nodes as ``_:id``)."""
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype is not None else None
        return ntriples.literal(str(node), datatype, node.language)
    return ntriples.iri(str(node)) if isinstance(node, URIRef) else f"_:{node}"


def compile_shapes(graph: Graph, *, subclasses: bool) -> Plan:
    """Compile every active shape with targets; ``subclasses``: honour ``rdfs:subClassOf``."""
    compiler = _Compiler(graph, subclasses)
    units: list[Unit] = []
    fallbacks: list[Fallback] = []
    for shape in top_level_shapes(graph):
        try:
            units.append(Unit(shape_id(shape), compiler.target(shape), compiler.unit(shape)))
        except Unsupported as exc:
            fallbacks.append(Fallback(shape_id(shape), str(exc)))
    return Plan(tuple(units), tuple(fallbacks))


def top_level_shapes(graph: Graph) -> list[Node]:
    """Active shapes with targets (explicit, or implicit for a shape that is an rdfs:Class)."""
    found = {s for predicate in TARGET_PREDICATES for s in graph.subjects(predicate, None)}
    for shape in graph.subjects(RDF_TYPE, RDFS_CLASS):
        if {SH.NodeShape, SH.PropertyShape} & set(graph.objects(shape, RDF_TYPE)):
            found.add(shape)
    return sorted((s for s in found if not _deactivated(graph, s)), key=shape_id)


def _deactivated(graph: Graph, node: Node) -> bool:
    return any(str(v).lower() == "true" for v in graph.objects(node, SH.deactivated))


def _safe(expr: str) -> str:
    """An expression that is false where it would raise a SPARQL error."""
    return f"COALESCE({expr}, false)"


def _select(projection: str, body: str, tail: str = "") -> str:
    return f"SELECT {projection} WHERE {{\n{body}}}{tail}\n"


class _Compiler:
    def __init__(self, graph: Graph, subclasses: bool) -> None:
        self.g = graph
        self.type = SUBCLASS_TYPE_STEP if subclasses else TYPE_STEP
        self.counter = 0
        self.stack: list[Node] = []

    def objects(self, node: Node, predicate: URIRef) -> list[Node]:
        return sorted(self.g.objects(node, predicate), key=term_nt)

    def one(self, node: Node, predicate: URIRef) -> Node | None:
        values = self.objects(node, predicate)
        if len(values) > 1:
            raise Unsupported(f"{shape_id(node)} has {len(values)} values of {predicate}")
        return values[0] if values else None

    def integer(self, node: Node, predicate: URIRef) -> int | None:
        value = self.one(node, predicate)
        if value is not None and not re.fullmatch(r"\+?[0-9]+", str(value)):
            raise Unsupported(f"{shape_id(node)}: {predicate} is not a non-negative integer")
        return None if value is None else int(str(value))

    def params(self, node: Node, *, counts: bool = False) -> list[tuple[URIRef, Node]]:
        """The constraint parameters of a shape (with or without the counts); an unknown one
        makes it unsupported."""
        found: list[tuple[URIRef, Node]] = []
        for predicate, obj in self.g.predicate_objects(node):
            if isinstance(predicate, URIRef) and predicate.startswith(vocab.SH):
                if predicate not in _IGNORED and predicate not in _COMPONENTS:
                    raise Unsupported(f"{shape_id(node)} uses {predicate}")
                if predicate in _COMPONENTS and (counts or "Count" not in predicate):
                    found.append((predicate, obj))
        return sorted(found, key=lambda pair: (str(pair[0]), term_nt(pair[1])))

    def message(self, *nodes: Node) -> str:
        return " / ".join(sorted({str(m) for n in nodes for m in self.g.objects(n, SH.message)}))

    def check(self, shape: Node, param: URIRef, path: str | None, column: str = "") -> Check:
        component = _COMPONENTS.get(param, SH.SPARQLConstraintComponent)
        severity = str(self.one(shape, SH.severity) or SH.Violation)
        message = self.message(shape) or f"{component[len(vocab.SH) :]} of {shape_id(shape)}"
        return Check(shape_id(shape), str(component), severity, message, path, column or None)

    def target(self, shape: Node) -> Target:
        def iris(predicate: URIRef) -> tuple[str, ...]:
            values = self.objects(shape, predicate)
            if any(not isinstance(v, URIRef) for v in values):
                raise Unsupported(f"{shape_id(shape)}: {predicate} is not an IRI")
            return tuple(str(v) for v in values)

        nodes = tuple(term_nt(n) for n in self.objects(shape, SH.targetNode))
        if any(n.startswith("_:") for n in nodes):
            raise Unsupported(f"{shape_id(shape)}: a blank sh:targetNode")
        classes = iris(SH.targetClass)
        if isinstance(shape, URIRef) and (shape, RDF_TYPE, RDFS_CLASS) in self.g:
            classes = tuple(sorted({*classes, str(shape)}))
        return Target(classes, nodes, iris(SH.targetSubjectsOf), iris(SH.targetObjectsOf))

    def path(self, shape: Node) -> tuple[str, str]:
        """``(text, sparql)``: ``iri`` and ``<iri>``, or for an inverse ``^iri`` and ``^<iri>``."""
        path = self.one(shape, SH.path)
        if isinstance(path, URIRef):
            return str(path), ntriples.iri(str(path))
        inverse = self.g.value(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(inverse, URIRef) and len(list(self.g.predicate_objects(path))) == 1:
            return "^" + str(inverse), "^" + ntriples.iri(str(inverse))
        raise Unsupported(f"{shape_id(shape)} has a path other than a predicate or an inverse")

    # --- expressions: "does the term in var conform?" -------------------------------------
    def value_expr(self, node: Node, param: URIRef, obj: Node, var: str) -> str:
        if param == SH.datatype:
            if obj == URIRef(vocab.RDFS + "Literal"):
                return f"isLiteral({var})"
            dt = term_nt(obj)
            cast = f" && isLiteral({dt}(STR({var})))" if str(obj) in _CASTABLE else ""
            return _safe(f"sameTerm(DATATYPE({var}), {dt}){cast}")
        if param == SH.nodeKind and obj in _NODE_KINDS:
            return _NODE_KINDS[obj].format(v=var)
        if param == SH["class"]:
            return f"EXISTS {{ {var} {self.type} {term_nt(obj)} }}"
        if param in (SH["in"], SH.hasValue):
            terms = list(self.g.items(obj)) if param == SH["in"] else [obj]
            if any(isinstance(t, BNode) for t in terms):
                raise Unsupported(f"{shape_id(node)}: a blank node in {param}")
            return "(" + " || ".join(f"sameTerm({var}, {term_nt(t)})" for t in terms) + ")"
        if param == SH.pattern:
            flags = self.one(node, SH.flags)
            args = ntriples.literal(str(obj)) + (f", {term_nt(flags)}" if flags else "")
            return _safe(f"REGEX(STR({var}), {args})")
        if param in (SH.minLength, SH.maxLength):
            op = ">=" if param == SH.minLength else "<="
            return _safe(f"STRLEN(STR({var})) {op} {self.integer(node, param)}")
        if param in (SH["not"], SH.node):
            return ("!" if param == SH["not"] else "") + self.shape_expr(obj, var)
        if param in (SH["and"], SH["or"], SH.xone):
            parts = [self.shape_expr(member, var) for member in self.g.items(obj)]
            if param == SH.xone:
                return "((" + " + ".join([f"IF({p}, 1, 0)" for p in parts] or ["0"]) + ") = 1)"
            joiner, empty = (" && ", "true") if param == SH["and"] else (" || ", "false")
            return "(" + (joiner.join(parts) or empty) + ")"
        raise Unsupported(f"{shape_id(node)}: {param} {obj}")

    def shape_expr(self, node: Node, var: str) -> str:
        """Conformance of ``var`` to a nested shape; its property shapes by (NOT) EXISTS."""
        if _deactivated(self.g, node):
            return "true"
        if node in self.stack or self.objects(node, SH.sparql):
            raise Unsupported(f"{shape_id(node)}: a recursive or SPARQL-based nested shape")
        self.stack.append(node)
        parts, step = [], self.path(node)[1] if self.one(node, SH.path) else None
        value = f"?_v{len(self.stack)}"
        if step is None:
            parts = [self.value_expr(node, p, o, var) for p, o in self.params(node)]
            parts += [self.shape_expr(p, var) for p in self.objects(node, SH.property)]
        else:
            low, high = self.integer(node, SH.minCount), self.integer(node, SH.maxCount)
            if low not in (None, 0, 1) or high not in (None, 0):
                raise Unsupported(f"{shape_id(node)}: a nested count other than min 1, max 0")
            parts += [f"EXISTS {{ {var} {step} {value} }}"] if low else []
            parts += [f"NOT EXISTS {{ {var} {step} {value} }}"] if high == 0 else []
            each = [self.shape_expr(p, value) for p in self.objects(node, SH.property)]
            for param, obj in self.params(node):
                if param == SH.hasValue:
                    parts.append(f"EXISTS {{ {var} {step} {term_nt(obj)} }}")
                else:
                    each.append(self.value_expr(node, param, obj, value))
            if each:
                failing = "!(" + " && ".join(each) + ")"
                parts.append(f"NOT EXISTS {{ {var} {step} {value} FILTER ({failing}) }}")
        self.stack.pop()
        return "(" + (" && ".join(parts) or "true") + ")"

    # --- shapes with targets --------------------------------------------------------------
    def unit(self, shape: Node) -> tuple[Query, ...]:
        queries: list[Query] = []
        flags: list[tuple[Check, str]] = []
        properties = [] if self.one(shape, SH.path) is None else [shape]
        if not properties:
            for param, obj in self.params(shape, counts=True):
                if param == SH["class"]:
                    body = f"{TARGET}MINUS {{ ?this {self.type} {term_nt(obj)} }}\n"
                    queries.append(
                        Query("exact", _select("?this", body), (self.check(shape, param, None),))
                    )
                elif "Count" in param:
                    raise Unsupported(f"{shape_id(shape)}: {param} without sh:path")
                else:
                    expr = self.value_expr(shape, param, obj, "?this")
                    flags.append((self.check(shape, param, None, f"c{len(flags)}"), expr))
            for constraint in self.objects(shape, SH.sparql):
                queries += self.sparql(shape, constraint, None)
            properties = [
                p for p in self.objects(shape, SH.property) if not _deactivated(self.g, p)
            ]
        queries += [_flags("exact", flags, TARGET)] if flags else []
        by_path: dict[tuple[str, str], list[Node]] = {}
        for prop in properties:
            if self.objects(prop, SH.property):
                raise Unsupported(f"{shape_id(prop)}: sh:property in a property shape")
            by_path.setdefault(self.path(prop), []).append(prop)
        counts: list[Check] = []
        branches: list[str] = []
        for index, ((text, step), shapes) in enumerate(sorted(by_path.items())):
            queries += self.values(shapes, text, step)
            column = f"n{index}"
            for shape in shapes:
                low, high = self.integer(shape, SH.minCount), self.integer(shape, SH.maxCount)
                if low:
                    counts.append(replace(self.check(shape, SH.minCount, text, column), low=low))
                if high is not None:
                    counts.append(replace(self.check(shape, SH.maxCount, text, column), high=high))
                for value in self.objects(shape, SH.hasValue):
                    has = f"h{len(branches)}"
                    counts.append(replace(self.check(shape, SH.hasValue, text, has), low=1))
                    branches.append(
                        f"{{ {FOCUS}?this {step} {term_nt(value)} BIND (1 AS ?_{has}) }}"
                    )
            if any(c.column == column for c in counts):
                branches.append(f"{{ {FOCUS}?this {step} ?_{column} }}")
        return tuple(queries + ([_count(counts, branches)] if counts else []))

    def values(self, shapes: list[Node], text: str, step: str) -> list[Query]:
        """The candidate queries for the value constraints of the property shapes on a path."""
        queries: list[Query] = []
        flags: list[tuple[Check, str]] = []
        scan = f"{FOCUS}?this {step} ?value .\n"
        for shape in shapes:
            for constraint in self.objects(shape, SH.sparql):
                queries += self.sparql(shape, constraint, (text, step))
            for param, obj in self.params(shape):
                if param == SH["class"]:
                    body = f"{scan}MINUS {{ ?value {self.type} {term_nt(obj)} }}\n"
                    check = self.check(shape, param, text)
                    queries.append(Query("candidates", _select("?this ?value", body), (check,)))
                elif param != SH.hasValue:
                    check = self.check(shape, param, text, f"c{len(flags)}")
                    flags.append((check, self.value_expr(shape, param, obj, "?value")))
        return queries + ([_flags("candidates", flags, scan)] if flags else [])

    def sparql(self, shape: Node, constraint: Node, path: tuple[str, str] | None) -> list[Query]:
        if _deactivated(self.g, constraint):
            return []
        selects = self.objects(constraint, SH.select)
        if len(selects) != 1:
            raise Unsupported(f"{shape_id(shape)}: a SPARQL constraint without one sh:select")
        text = str(selects[0])
        if "$shapesGraph" in text or "$currentShape" in text or (path is None and "$PATH" in text):
            raise Unsupported(f"{shape_id(shape)}: a SPARQL constraint kg cannot pre-bind")
        text = re.sub(r"\$PATH\b", path[1], text) if path else text
        declared = [
            (self.g.value(d, SH.prefix), self.g.value(d, SH.namespace))
            for source in self.objects(constraint, SH.prefixes)
            for d in self.objects(source, SH.declare)
        ]
        prologue = "".join(f"PREFIX {p}: {ntriples.iri(str(ns))}\n" for p, ns in declared)
        check = self.check(shape, SH.sparql, path[0] if path else None)
        check = replace(check, message=self.message(constraint, shape) or check.message)
        where = shape_id(shape)
        as_written = prologue + inject_target(text, where)
        joined = hash_joined(text)
        if joined is None:
            return [Query("sparql", as_written, (check,))]
        return [Query("sparql", prologue + inject_target(joined, where), (check,), as_written)]


def _flags(kind: str, checks: list[tuple[Check, str]], head: str) -> Query:
    """Each check a boolean column. Costly checks (strings, casts, lookups) of values are
    worked out once per distinct value, then joined back to the focus nodes that have it."""
    names = [f"?{check.column}" for check, _ in checks]
    binds = "".join(
        f"BIND ({expr} AS {name})\n" for (_, expr), name in zip(checks, names, strict=True)
    )
    filters = binds + "FILTER (!(" + " && ".join(names) + "))\n"
    projection = "?this " + ("?value " if kind == "candidates" else "") + " ".join(names)
    if kind == "candidates" and re.search(r"STR\(|EXISTS", filters):
        distinct = f"{{ SELECT DISTINCT ?value WHERE {{ {head.strip()} }} }}\n"
        inner = _select("?value " + " ".join(names), distinct + filters).strip()
        return Query(
            kind, _select(projection, f"{{ {inner} }}\n{head}"), tuple(c for c, _ in checks)
        )
    return Query(kind, _select(projection, head + filters), tuple(c for c, _ in checks))


def _count(checks: list[Check], branches: list[str]) -> Query:
    columns = sorted({c.column or "" for c in checks})
    conditions = {f"COUNT(?_{c.column}) < {c.low}" for c in checks if c.low is not None}
    conditions |= {f"COUNT(?_{c.column}) > {c.high}" for c in checks if c.high is not None}
    projection = "?this " + " ".join(f"(COUNT(?_{c}) AS ?{c})" for c in columns)
    body = TARGETS + "".join(f"UNION {branch}\n" for branch in branches)
    having = f" GROUP BY ?this HAVING (COUNT(?_t) > 0 && ({' || '.join(sorted(conditions))}))"
    return Query("exact", _select(projection, body, having), tuple(checks))


def inject_target(query: str, where: str) -> str:
    """The query with the target pattern first in its WHERE group (``$this`` projected)."""
    tokens = tokens_of(query)
    selects = selects_of(tokens)
    opening = where_group(tokens, selects[0]) if selects else None
    if opening is None:
        raise Unsupported(f"{where}: not a SELECT query")
    projected = tokens[selects[0] + 1 : opening]
    if not (
        any(t.kind == "var" and t.text[1:] == "this" for t in projected)
        or (projected and projected[0].text == "*")
    ):
        raise Unsupported(f"{where}: a SPARQL constraint that does not select $this")
    end = tokens[opening].end
    return query[:end] + "\n" + TARGET + query[end:]
