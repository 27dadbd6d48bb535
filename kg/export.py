"""Streaming export of the store: Turtle, N-Triples, N-Quads, TriG, RDF/XML and compact JSON-LD.

Only one subject's triples are in memory at a time: a graph's subjects come from ``SELECT
DISTINCT ?s`` (Oxigraph keeps the set of subjects, not the triples), each subject's triples
from ``quads_for_pattern`` (iterating an in-memory store does not group subjects). Turtle and
TriG are written from these groups by Oxigraph, N-Triples and N-Quads dumped by Oxigraph in
store order (a statement per line, counted as lines); RDF/XML and JSON-LD are written by kg, as
Oxigraph's RDF/XML leaves carriage returns raw (XML parsers read them as line feeds) and has
invalid elements for predicates without an XML name, and its JSON-LD is expanded, not compact.
``nq`` and ``trig`` carry every graph, the others the default graph, where kg keeps everything.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, cast

import pyoxigraph as ox

from kg import vocab
from kg.errors import ExportError, StoreError
from kg.paths import jsonld_context_file


@dataclass(frozen=True)
class ExportFormat:
    description: str
    extension: str
    media_type: str
    #: Whether the format carries named graphs (the whole dataset) or the default graph only.
    dataset: bool = False


FORMATS: dict[str, ExportFormat] = {
    "ttl": ExportFormat("Turtle with kg's prefixes", ".ttl", "text/turtle"),
    "nt": ExportFormat("N-Triples, one triple per line", ".nt", "application/n-triples"),
    "nq": ExportFormat("N-Quads, every graph", ".nq", "application/n-quads", dataset=True),
    "trig": ExportFormat("TriG with kg's prefixes, every graph", ".trig", "application/trig", True),
    "xml": ExportFormat("RDF/XML", ".rdf", "application/rdf+xml"),
    "jsonld": ExportFormat(
        "compact JSON-LD with kg's context embedded", ".jsonld", "application/ld+json"
    ),
}
_OXIGRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
}  # fmt: skip
_CHUNK = 1 << 16
_XSD_STRING = vocab.XSD + "string"
_Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def export(store: ox.Store, *, fmt: str, out: BinaryIO) -> int:
    """Write the store to ``out`` (a binary stream) in format ``fmt``; the triples written."""
    spec = _format(fmt)
    _check_output(out)
    sink, tally = _Sink(out), [0]
    graphs: list[_Graph] = [ox.DefaultGraph(), *(store.named_graphs() if spec.dataset else [])]
    quads = _grouped(store, graphs, tally)
    try:
        if fmt == "jsonld":
            _write_jsonld(quads, sink)
        elif fmt == "xml":
            _write_rdfxml(quads, sink)
        elif fmt in ("nt", "nq"):  # a statement per line: grouping is moot, lines are counted
            sink.lines = 0
            graph = None if spec.dataset else ox.DefaultGraph()
            store.dump(cast(BinaryIO, sink), _OXIGRAPH_FORMATS[fmt], from_graph=graph)
        else:
            items = chain.from_iterable(quads) if spec.dataset else _triples(quads)
            target = cast(BinaryIO, sink)
            ox.serialize(items, target, _OXIGRAPH_FORMATS[fmt], prefixes=dict(vocab.PREFIXES))
        sink.flush()
        tally[0] = tally[0] if sink.lines is None else sink.lines
    except OSError as exc:
        if sink.failure is None:
            raise StoreError("store", f"cannot read the store ({exc})", "check the store") from exc
        what = f"cannot write the export ({sink.failure})"  # caused by the write's own error
        raise ExportError("output", what, "check the disk or the pipe") from sink.failure
    return tally[0]


def export_to_file(store: ox.Store, *, fmt: str, path: Path) -> int:
    """Export to a file: a regular file appears complete or not at all (written, then renamed)."""
    _format(fmt)
    if path.is_dir():
        raise ExportError(str(path), "is a folder", "give a file name for the export")
    special = path.exists() and not path.is_file()  # a device or a pipe: written straight into
    if not special and not path.parent.is_dir():
        raise ExportError(str(path), "the folder does not exist", "create it or give another path")
    target = path if special else path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    try:
        with open(target, "wb" if special else "xb") as handle:
            count = export(store, fmt=fmt, out=handle)
        if not special:
            os.replace(target, path)
        return count
    except ExportError as exc:
        raise ExportError(str(path), exc.what, exc.hint) from exc
    except OSError as exc:
        what = f"cannot write the export ({exc.strerror or exc})"
        raise ExportError(str(path), what, "choose a writable path") from exc
    finally:
        if not special:
            target.unlink(missing_ok=True)


def _format(fmt: str) -> ExportFormat:
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ExportError("export", f"unknown format {fmt!r}", "use one of " + ", ".join(FORMATS))
    return spec


def _check_output(out: BinaryIO) -> None:
    if isinstance(out, io.TextIOBase):
        raise ExportError("output", "is a text stream", "open it 'wb' or use sys.stdout.buffer")
    if getattr(out, "closed", False):
        raise ExportError("output", "is closed", "give an open binary stream")
    if callable(getattr(out, "writable", None)) and not out.writable():
        raise ExportError("output", "is not open for writing", "open it with mode 'wb'")


class _Sink:
    """The output: takes text in chunks, and remembers why a write failed."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.parts: list[str] = []
        self.size = 0
        self.failure: BaseException | None = None
        self.lines: int | None = None  # counted when set

    def write(self, data: bytes) -> int:
        if self.lines is not None:
            self.lines += data.count(b"\n")
        view = memoryview(data)
        while view:
            written = self._guard(self.out.write, view)
            view = view[len(view) if written is None else written :]
        return len(data)

    def _guard(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except (OSError, ValueError) as exc:
            self.failure = exc
            raise OSError(str(exc)) from exc

    def text(self, part: str) -> None:
        self.parts.append(part)
        self.size += len(part)
        if self.size >= _CHUNK:
            self.write("".join(self.parts).encode("utf-8"))
            self.parts, self.size = [], 0

    def flush(self) -> None:
        self.write("".join(self.parts).encode("utf-8"))
        self.parts, self.size = [], 0
        if callable(getattr(self.out, "flush", None)):
            self._guard(self.out.flush)


def _grouped(store: ox.Store, graphs: list[_Graph], tally: list[int]) -> Iterator[list[ox.Quad]]:
    """Each subject's quads, graph by graph; ``tally[0]`` counts the quads handed out."""
    for graph in graphs:
        solutions = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", default_graph=graph)
        assert isinstance(solutions, ox.QuerySolutions)
        for solution in solutions:
            quads = sorted(store.quads_for_pattern(solution[0], None, None, graph), key=_reading)
            tally[0] += len(quads)
            if quads:
                yield quads


def _reading(quad: ox.Quad) -> tuple[bool, str]:
    """Types first, then by predicate: readable, and the same for every store."""
    predicate = quad.predicate.value
    return predicate != vocab.RDF_TYPE, predicate


def _triples(groups: Iterable[list[ox.Quad]]) -> Iterator[ox.Triple]:
    for quads in groups:
        for quad in quads:
            yield quad.triple


# --- JSON-LD -------------------------------------------------------------------------------


class _Context:
    """kg's JSON-LD context, read for compacting: IRI → term, IRI → prefix."""

    def __init__(self, context: dict[str, Any]) -> None:
        definitions = {k: v for k, v in context.items() if not k.startswith("@")}
        self.names = set(definitions)
        self.aliases = {"@id": "@id", "@type": "@type"}
        self.aliases |= {v: k for k, v in definitions.items() if v in ("@id", "@type")}
        namespaces = [(v, k) for k, v in definitions.items() if str(v).endswith(("#", "/"))]
        self.prefixes: list[tuple[str, str]] = sorted(namespaces, key=lambda pair: -len(pair[0]))
        self.terms: dict[str, tuple[str, str | None]] = {}
        skip = {name for _, name in namespaces} | set(self.aliases.values())
        for name, value in definitions.items():
            if name in skip:
                continue
            value = {"@id": value} if isinstance(value, str) else value
            if (
                not isinstance(value, dict)
                or not set(value) <= {"@id", "@type"}
                or "@id" not in value
            ):
                where = str(jsonld_context_file())
                raise ExportError(where, f"the term {name!r} is not an IRI or {{@id, @type}}")
            coercion = value.get("@type")
            coercion = coercion if coercion in (None, "@id") else self.expand(coercion)
            self.terms.setdefault(self.expand(value["@id"]), (name, coercion))

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        if colon:
            for namespace, name in self.prefixes:
                if name == prefix:
                    return namespace + local
        return value

    def iri(self, iri: str) -> str:
        """A full IRI as JSON-LD may carry it (not mistakable for a compact IRI or a term)."""
        scheme, _, rest = iri.partition(":")
        if scheme in self.names and not rest.startswith("//"):
            raise ExportError("jsonld", f"<{iri}> would be read as a compact IRI", "export as nt")
        return iri

    def compact(self, iri: str) -> str:
        for namespace, name in self.prefixes:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local and not local.startswith("//"):
                    return f"{name}:{local}"
        return self.iri(iri)

    def vocab_name(self, iri: str) -> str:
        """A class (a value of ``@type``) or a datatype: its term, compact IRI or IRI."""
        term = self.terms.get(iri)
        return term[0] if term else self.compact(iri)


def _load_context() -> dict[str, Any]:
    path = jsonld_context_file()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(str(path), f"cannot read kg's JSON-LD context ({exc})") from exc
    context = document.get("@context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        raise ExportError(str(path), 'no "@context" object', "reinstall kg")
    return context


def _node_ref(term: ox.NamedNode | ox.BlankNode | ox.Triple, ctx: _Context) -> str:
    if isinstance(term, ox.NamedNode):
        return ctx.iri(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    raise ExportError("jsonld", f"cannot write the RDF-star triple term {term}", "export as nt")


def _jsonld_value(
    obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, coercion: str | None, ctx: _Context
) -> Any:
    if not isinstance(obj, ox.Literal):
        ref = _node_ref(obj, ctx)
        return ref if coercion == "@id" else {"@id": ref}
    if obj.direction is not None:
        raise ExportError("jsonld", f"JSON-LD drops the base direction of {obj}", "export as nt")
    if obj.language:
        return {"@value": obj.value, "@language": obj.language}
    datatype = obj.datatype.value
    if datatype == coercion or (datatype == _XSD_STRING and coercion is None):
        return obj.value
    if datatype == _XSD_STRING:
        return {"@value": obj.value}
    return {"@value": obj.value, "@type": ctx.vocab_name(datatype)}


def _jsonld_node(quads: list[ox.Quad], ctx: _Context) -> dict[str, Any]:
    type_key = ctx.aliases["@type"]
    values: dict[str, list[Any]] = {type_key: []}
    for quad in quads:
        predicate, obj = quad.predicate.value, quad.object
        if predicate == vocab.RDF_TYPE and isinstance(obj, ox.NamedNode):
            values[type_key].append(ctx.vocab_name(obj.value))
            continue
        key, coercion = ctx.terms.get(predicate) or (ctx.compact(predicate), None)
        values.setdefault(key, []).append(_jsonld_value(obj, coercion, ctx))
    node: dict[str, Any] = {ctx.aliases["@id"]: _node_ref(quads[0].subject, ctx)}
    for key, found in values.items():
        if found:
            node[key] = found[0] if len(found) == 1 else found
    return node


def _write_jsonld(groups: Iterable[list[ox.Quad]], sink: _Sink) -> None:
    context = _load_context()
    ctx = _Context(context)
    head = json.dumps({"@context": context}, ensure_ascii=False, indent=2)[:-2]
    sink.text(head + ',\n  "@graph": [')
    separator = "\n"
    for quads in groups:
        node = _jsonld_node(quads, ctx)
        sink.text(separator + json.dumps(node, ensure_ascii=False, separators=(",", ":")))
        separator = ",\n"
    sink.text("\n  ]\n}\n")


# --- RDF/XML -------------------------------------------------------------------------------

_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHARS = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_LOCAL_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHARS}]*$")
_NAME_CHARS_ONLY = re.compile(f"[{_NAME_CHARS}]+$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_ATTR = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_XML_ATTR |= {'"': "&quot;", "\t": "&#9;", "\n": "&#10;"}
_XML_ATTR_SPECIAL = re.compile('[&<>\r"\t\n]')
#: rdf: names that RDF/XML reads as syntax, not as properties.
_RDF_SYNTAX = {"RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype", "Description"}
_RDF_SYNTAX |= {"li", "aboutEach", "aboutEachPrefix", "bagID"}


def _xml_text(value: str, quad: ox.Quad) -> str:
    if bad := _NOT_XML.search(value):
        what = f"{quad.subject} {quad.predicate}: XML 1.0 cannot carry U+{ord(bad.group(0)):04X}"
        raise ExportError("xml", what, "export as nt or ttl")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")


def _xml_attr(value: str) -> str:
    return _XML_ATTR_SPECIAL.sub(lambda m: _XML_ATTR[m.group(0)], value)


def _resource(term: ox.NamedNode | ox.BlankNode | ox.Triple, where: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f'rdf:resource="{_xml_attr(term.value)}"'
    if isinstance(term, ox.BlankNode):  # an NCName: b<id>, or h<hex> when the id is not one
        plain = _NAME_CHARS_ONLY.match(term.value)
        return f'rdf:nodeID="{"b" + term.value if plain else "h" + term.value.encode().hex()}"'
    raise ExportError("xml", f"{where}: cannot write an RDF-star triple term", "export as nt")


def _element(predicate: str, names: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """The element name of a predicate, and the namespace declaration it needs (or "")."""
    known = names.get(predicate)
    if known is not None:
        return known
    for index in range(len(predicate)):
        if _LOCAL_NAME.match(predicate, index):
            namespace, local = predicate[:index], predicate[index:]
            break
    else:
        raise ExportError("xml", f"the predicate <{predicate}> has no XML name", "export as ttl")
    if namespace == vocab.RDF and local in _RDF_SYNTAX:
        raise ExportError("xml", f"rdf:{local} cannot be a property in RDF/XML", "export as ttl")
    prefix = next((p for p, ns in vocab.PREFIXES.items() if ns == namespace), None)
    if prefix is not None:
        names[predicate] = (f"{prefix}:{local}", "")
    else:
        names[predicate] = (f"ns:{local}", f' xmlns:ns="{_xml_attr(namespace)}"')
    return names[predicate]


def _write_rdfxml(groups: Iterable[list[ox.Quad]], sink: _Sink) -> None:
    names: dict[str, tuple[str, str]] = {}
    declarations = "".join(
        f'\n    xmlns:{prefix}="{_xml_attr(ns)}"' for prefix, ns in vocab.PREFIXES.items()
    )
    sink.text(f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{declarations}>\n')
    for quads in groups:
        subject = quads[0].subject
        about = _resource(subject, subject).replace("rdf:resource", "rdf:about", 1)
        sink.text(f"  <rdf:Description {about}>\n")
        for quad in quads:
            name, xmlns = _element(quad.predicate.value, names)
            obj = quad.object
            if not isinstance(obj, ox.Literal):
                sink.text(f"    <{name}{xmlns} {_resource(obj, quad)}/>\n")
                continue
            if obj.direction is not None:
                raise ExportError("xml", f"{quad}: a literal with a base direction")
            datatype = obj.datatype.value
            attrs = f' rdf:datatype="{_xml_attr(datatype)}"' if datatype != _XSD_STRING else ""
            attrs = f' xml:lang="{_xml_attr(obj.language)}"' if obj.language else attrs
            text = _xml_text(obj.value, quad)
            sink.text(f"    <{name}{xmlns}{attrs}>{text}</{name}>\n")
        sink.text("  </rdf:Description>\n")
    sink.text("</rdf:RDF>\n")
