"""Streaming export of the store: Turtle, N-Triples, N-Quads, TriG, RDF/XML and compact JSON-LD.

Only one subject's triples are in memory at a time. An on-disk store gives its triples subject by
subject (its index is sorted by subject), so it is read in one pass in its own order; an in-memory
store does not, so its subjects come from ``SELECT DISTINCT ?s`` (Oxigraph keeps the set of
subjects, not the triples) and each one's triples from ``quads_for_pattern``. Turtle and
TriG are written from these groups by Oxigraph, N-Triples and N-Quads dumped by Oxigraph in
store order (a statement per line, counted as lines); JSON-LD is written by kg here, as
Oxigraph's is expanded, not compact, and RDF/XML by :mod:`kg.rdfxml`.
``nq`` and ``trig`` carry every graph, the others the default graph, where kg keeps everything.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, groupby
from pathlib import Path
from typing import Any, BinaryIO, cast

import pyoxigraph as ox

from kg import vocab
from kg.errors import ExportError, StoreError
from kg.paths import jsonld_context_file
from kg.rdfxml import write_rdfxml


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
#: Other names users give the formats (as ``kg validate --format`` and rdflib do).
FORMAT_ALIASES = {
    "turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
    "rdf": "xml", "rdfxml": "xml", "rdf/xml": "xml", "pretty-xml": "xml", "json-ld": "jsonld",
    "json": "jsonld",
}  # fmt: skip
_OXIGRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
}  # fmt: skip
_CHUNK = 1 << 16
#: How hard an export to a ``.gz`` file is compressed: gzip's own default.
GZIP_LEVEL = 6
_Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def export(store: ox.Store, *, fmt: str, out: BinaryIO, on_disk: bool = False) -> int:
    """Write the store to ``out`` (a binary stream) in format ``fmt``; the triples written.

    ``on_disk``: the store is on disk, so it is read in its own order, subject by subject, in
    one pass, with no look-up per subject (BENCHMARKS.md has the figures). An in-memory store
    given as on disk is still exported whole and correctly, but a subject may then come in
    pieces.
    """
    fmt = format_name(fmt)
    spec = FORMATS[fmt]
    _check_output(out)
    sink, tally = _Sink(out), [0]
    graphs: list[_Graph] = [ox.DefaultGraph(), *(store.named_graphs() if spec.dataset else [])]
    runs = (_in_store_order if on_disk else _looked_up)(store, graphs)
    quads = _readable(runs, tally)
    try:
        if fmt == "jsonld":
            _write_jsonld(quads, sink)
        elif fmt == "xml":
            write_rdfxml(quads, sink.text)
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


def export_to_file(store: ox.Store, *, fmt: str, path: Path, on_disk: bool = False) -> int:
    """Export to a file: a regular file appears complete or not at all (written, then renamed);
    gzipped when its name ends in ``.gz``; ``on_disk`` as for :func:`export`."""
    format_name(fmt)
    if path.is_dir():
        raise ExportError(str(path), "is a folder", "give a file name for the export")
    special = path.exists() and not path.is_file()  # a device or a pipe: written straight into
    if not special and not path.parent.is_dir():
        raise ExportError(str(path), "the folder does not exist", "create it or give another path")
    target = path if special else path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    try:
        with open(target, "wb" if special else "xb") as handle:
            if not path.name.lower().endswith(".gz"):
                count = export(store, fmt=fmt, out=handle, on_disk=on_disk)
            else:
                with gzip.GzipFile(
                    path.name[:-3], "wb", GZIP_LEVEL, fileobj=handle, mtime=0
                ) as packed:
                    count = export(store, fmt=fmt, out=cast(BinaryIO, packed), on_disk=on_disk)
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


def format_name(fmt: str) -> str:
    """The key in :data:`FORMATS` of a format given by that key or an alias (any case)."""
    name = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if name not in FORMATS:
        raise ExportError("export", f"unknown format {fmt!r}", "use one of " + ", ".join(FORMATS))
    return name


def format_of_file(path: Path) -> str | None:
    """The format a file's extension names (``dump.nt`` and ``dump.nt.gz`` are N-Triples),
    or None."""
    extension = path.with_name(path.name.removesuffix(".gz").removesuffix(".GZ")).suffix.lower()
    by_extension = {spec.extension: name for name, spec in FORMATS.items()}
    by_extension.update({".json": "jsonld", ".owl": "xml", ".xml": "xml", ".turtle": "ttl"})
    return by_extension.get(extension)


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


def _in_store_order(store: ox.Store, graphs: list[_Graph]) -> Iterator[Iterable[ox.Quad]]:
    """Each subject's quads, graph by graph, as the store's index gives them."""
    for graph in graphs:
        for _, run in groupby(store.quads_for_pattern(None, None, None, graph), key=_subject):
            yield run


def _subject(quad: ox.Quad) -> ox.NamedNode | ox.BlankNode | ox.Triple:
    return quad.subject


def _looked_up(store: ox.Store, graphs: list[_Graph]) -> Iterator[Iterable[ox.Quad]]:
    """Each subject's quads, graph by graph, one look-up a subject."""
    for graph in graphs:
        solutions = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", default_graph=graph)
        assert isinstance(solutions, ox.QuerySolutions)
        for solution in solutions:
            yield store.quads_for_pattern(solution[0], None, None, graph)


def _readable(runs: Iterable[Iterable[ox.Quad]], tally: list[int]) -> Iterator[list[ox.Quad]]:
    """Each subject's quads in reading order; ``tally[0]`` counts the quads handed out."""
    for run in runs:
        quads = sorted(run, key=_reading)
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
    if datatype == coercion or (datatype == vocab.XSD_STRING and coercion is None):
        return obj.value
    if datatype == vocab.XSD_STRING:
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
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    separator = "\n"
    for quads in groups:
        sink.text(separator + encode(_jsonld_node(quads, ctx)))
        separator = ",\n"
    sink.text("\n  ]\n}\n")
