"""Exports of the store, the ontology, the JSON-LD context and the data-model page.

Every format is parsed back by rdflib and by pyoxigraph and must give a graph isomorphic to
the store's: the real sample page plus hostile literals. rdflib's literal normalisation is off
so that lexical forms are compared as they are.
"""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg import ntriples, vocab
from kg.convert import convert_item
from kg.errors import KgError
from kg.export import FORMATS, ExportError, export, export_to_file
from kg.paths import jsonld_context_file, sample_page
from kg.reader import read_page

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
SCHEMA = rdflib.Namespace("https://schema.org/")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "data-model.md"
RDFLIB_FORMATS = {
    "ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "xml": "xml", "jsonld": "json-ld",
}  # fmt: skip
OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "xml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
}  # fmt: skip
EX = "http://example.org/"
S, P = ntriples.iri(EX + "hostile"), ntriples.iri(vocab.PARL + "questionText")
HOSTILE = [
    (P, ntriples.literal('She said "no" \\ and \\"left\\"')),
    (P, ntriples.literal("line one\nline two\r\nline three\rtab\there")),
    (P, ntriples.literal("astral 😀 𝔘𝔎 \U0010fffd and < & > ]]> '")),
    (P, ntriples.literal("")),
    (P, ntriples.literal("Bonjour", language="fr")),
    (P, ntriples.literal("colour", language="en-GB")),
    (ntriples.iri(vocab.DCTERMS + "date"), ntriples.literal("2024-01-01T10:00:00Z", vocab.XSD + "dateTime")),
    (ntriples.iri(vocab.DCTERMS + "date"), ntriples.literal("2024-01-02", vocab.XSD + "date")),
    (ntriples.iri(vocab.DAYS_TO_ANSWER), ntriples.literal("042", vocab.XSD + "integer")),
    (ntriples.iri(vocab.DAYS_TO_ANSWER), ntriples.literal("3.50", vocab.XSD + "decimal")),
    (ntriples.iri(vocab.PARL + "registeredInterest"), ntriples.literal("1", vocab.XSD + "boolean")),
    (ntriples.iri(vocab.PARL + "uin"), ntriples.literal("x", EX + "custom-datatype")),
    (ntriples.iri(vocab.PARL + "uin"), ntriples.iri(EX + "an-iri-where-text-is-usual")),
    (ntriples.iri(vocab.PARL + "answer"), ntriples.literal("text where an IRI is usual")),
    (ntriples.iri(vocab.PARL + "answer"), "_:b1"),
    (ntriples.iri(vocab.RDF_TYPE), ntriples.iri(EX + "SomeClass")),
    (ntriples.iri(vocab.RDF_TYPE), ntriples.iri(vocab.KG + "NotATerm")),
    (ntriples.iri(vocab.RDF_TYPE), ntriples.literal("a literal type")),
    (ntriples.iri(EX + "vocab#custom"), ntriples.iri(EX + "café/ünï")),
    (ntriples.iri(vocab.PARL + "unknownKey"), ntriples.literal("7", vocab.XSD + "integer")),
]  # fmt: skip
HOSTILE_LINES = [ntriples.triple(S, p, o) for p, o in HOSTILE] + [
    ntriples.triple("_:b1", ntriples.iri(vocab.RDFS + "label"), ntriples.literal("a blank node")),
    ntriples.triple("_:b1", ntriples.iri(vocab.PARL + "answer"), "_:b1"),
]


@pytest.fixture(autouse=True)
def exact_literals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)


def fill(store: ox.Store, *, hostile: bool = True) -> ox.Store:
    for number, item in enumerate(read_page(str(sample_page())).items, start=1):
        lines = convert_item(item, where=f"sample item {number}").lines
        store.load("".join(lines), ox.RdfFormat.N_TRIPLES)
    if hostile:
        store.load("".join(HOSTILE_LINES), ox.RdfFormat.N_TRIPLES)
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return fill(ox.Store())


def dump(store: ox.Store, fmt: str, *, on_disk: bool = False) -> bytes:
    out = io.BytesIO()
    count = export(store, fmt=fmt, out=out, on_disk=on_disk)
    graph = None if FORMATS[fmt].dataset else ox.DefaultGraph()
    assert count == sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
    return out.getvalue()


def to_rdflib(term: Any) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == vocab.XSD_STRING:  # rdflib keeps simple literals untyped
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def graph_of(quads: Iterator[Any]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def store_graph(store: ox.Store) -> rdflib.Graph:
    return graph_of(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def rdflib_parse(data: bytes, fmt: str) -> rdflib.Graph:
    if FORMATS[fmt].dataset:
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMATS[fmt])
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rdflib_reads_back_the_store(store: ox.Store, fmt: str) -> None:
    assert isomorphic(rdflib_parse(dump(store, fmt), fmt), store_graph(store))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pyoxigraph_reads_back_the_store(store: ox.Store, fmt: str) -> None:
    quads = list(ox.parse(dump(store, fmt), OX_FORMATS[fmt]))
    assert all(
        isinstance(getattr(q, "graph_name", ox.DefaultGraph()), ox.DefaultGraph) for q in quads
    )
    assert isomorphic(graph_of(iter(quads)), store_graph(store))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_on_disk_store_exports_the_same(tmp_path: Path, store: ox.Store, fmt: str) -> None:
    on_disk = fill(ox.Store(str(tmp_path / "store")))
    # A named graph too, which the dataset formats read in its own pass; and the converter's
    # members and departments are subjects of their own.
    graph = ox.NamedNode(EX + "graph")
    on_disk.add(ox.Quad(ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "p"), ox.Literal("1"), graph))
    on_disk.add(ox.Quad(ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "p"), ox.Literal("2"), graph))
    read_in_store_order = dump(on_disk, fmt, on_disk=True)
    assert read_in_store_order == dump(on_disk, fmt)  # byte for byte: same subjects, same order
    wanted = store_graph(store)
    if FORMATS[fmt].dataset:
        wanted.add((rdflib.URIRef(EX + "g1"), rdflib.URIRef(EX + "p"), rdflib.Literal("1")))
        wanted.add((rdflib.URIRef(EX + "g1"), rdflib.URIRef(EX + "p"), rdflib.Literal("2")))
    assert isomorphic(rdflib_parse(read_in_store_order, fmt), wanted)


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "xml"])
def test_an_in_memory_store_given_as_on_disk_is_still_exported_whole(
    store: ox.Store, fmt: str
) -> None:
    assert isomorphic(rdflib_parse(dump(store, fmt, on_disk=True), fmt), store_graph(store))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_empty_store_exports(fmt: str) -> None:
    data = dump(ox.Store(), fmt)
    assert len(rdflib_parse(data, fmt)) == 0
    assert list(ox.parse(data, OX_FORMATS[fmt])) == []


def test_formats() -> None:
    assert set(FORMATS) == {"ttl", "nt", "nq", "trig", "xml", "jsonld"}
    for spec in FORMATS.values():
        assert spec.description and spec.extension.startswith(".") and "/" in spec.media_type


def test_turtle_and_trig_use_kg_prefixes(store: ox.Store) -> None:
    for fmt in ("ttl", "trig"):
        text = dump(store, fmt).decode("utf-8")
        for prefix, namespace in vocab.PREFIXES.items():
            assert f"@prefix {prefix}: <{namespace}> ." in text
        assert "parl:questionText" in text and " a kg:WrittenQuestion" in text
        assert text.count(f"<{vocab.PARL}") == text.count(f"<{vocab.KG}") == 1  # @prefix only


def test_dataset_formats_carry_named_graphs_and_the_others_the_default_graph() -> None:
    store = fill(ox.Store(), hostile=False)
    graph = ox.NamedNode(EX + "graph")
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"), graph))
    for fmt in ("nq", "trig"):
        quads = list(ox.parse(dump(store, fmt), OX_FORMATS[fmt]))
        assert sum(1 for q in quads if q.graph_name == graph) == 1
    for fmt in ("ttl", "nt", "xml", "jsonld"):
        out = io.BytesIO()
        assert export(store, fmt=fmt, out=out) == len(store) - 1
        assert b"http://example.org/s" not in out.getvalue()


def test_each_subject_is_written_once(store: ox.Store) -> None:
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert dump(store, "xml").count(b"<rdf:Description ") == len(subjects)
    assert len(json.loads(dump(store, "jsonld"))["@graph"]) == len(subjects)
    turtle = dump(store, "ttl").decode("utf-8")
    statements = [line for line in turtle.splitlines() if line and not line[0].isspace()]
    assert len([s for s in statements if not s.startswith("@prefix")]) == len(subjects)


def jsonld_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from jsonld_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from jsonld_keys(inner)


def test_jsonld_is_compact_with_kg_context() -> None:
    document = json.loads(dump(fill(ox.Store(), hostile=False), "jsonld"))
    context = json.loads(jsonld_context_file().read_text(encoding="utf-8"))["@context"]
    assert document["@context"] == context
    keys = set(jsonld_keys(document["@graph"]))
    assert {"id", "type", "uin", "questionText", "date", "answer", "department", "house"} <= keys
    assert {"tablingMember", "answeringMember", "dateOfAnswer", "label", "prefLabel"} <= keys
    assert keys <= set(context) | {"@value", "@type", "@language", "@id"}
    assert not [key for key in keys if key.startswith(("http:", "https:"))]
    nodes = {node["id"]: node for node in document["@graph"]}
    assert len(nodes) == len(document["@graph"])  # one node object per subject
    question = nodes["http://data.parliament.uk/resources/1698517"]
    assert question["type"] == "WrittenQuestion"
    assert question["date"] == "2024-03-25"
    assert question["registeredInterest"] == "false"
    assert question["department"] == vocab.department_iri("29")
    assert question["daysToAnswer"] == "22"
    assert nodes[vocab.department_iri("29")]["label"] == "Department for Work and Pensions"


def test_jsonld_writes_unusual_values_as_value_objects(store: ox.Store) -> None:
    document = json.loads(dump(store, "jsonld"))
    node = next(n for n in document["@graph"] if n["id"] == EX + "hostile")
    assert {"@value": "2024-01-01T10:00:00Z", "@type": "xsd:dateTime"} in node["date"]
    assert "2024-01-02" in node["date"]
    # Oxigraph keeps numbers by value: "3.50"^^xsd:decimal is stored as "3.5"
    assert {"@value": "3.5", "@type": "xsd:decimal"} in node["daysToAnswer"]
    assert "42" in node["daysToAnswer"]
    assert {"@value": "text where an IRI is usual"} in node["answer"]
    assert {"@id": EX + "an-iri-where-text-is-usual"} in node["uin"]
    assert {"@value": "Bonjour", "@language": "fr"} in node["questionText"]
    assert node["parl:unknownKey"] == {"@value": "7", "@type": "xsd:integer"}
    assert node["rdf:type"] == "a literal type"  # the key is the compact IRI, not @type
    assert sorted(node["type"]) == sorted([EX + "SomeClass", "kg:NotATerm"])
    assert node[EX + "vocab#custom"] == {"@id": EX + "café/ünï"}


def test_control_characters_round_trip_except_in_rdfxml(tmp_path: Path) -> None:
    store = ox.Store()
    store.load(
        ntriples.triple(S, P, ntriples.literal("bell\x07 vt\x0b nul\x00")), ox.RdfFormat.N_TRIPLES
    )
    for fmt in ("ttl", "nt", "nq", "trig", "jsonld"):
        assert isomorphic(rdflib_parse(dump(store, fmt), fmt), store_graph(store))
    with pytest.raises(ExportError, match=r"XML 1\.0 cannot carry U\+0007"):
        export(store, fmt="xml", out=io.BytesIO())
    target = tmp_path / "kg.rdf"
    with pytest.raises(ExportError) as caught:
        export_to_file(store, fmt="xml", path=target)
    assert caught.value.where == str(target)
    assert list(tmp_path.iterdir()) == []  # no file, no leftover part file


def test_rdfxml_refuses_predicates_without_an_xml_name() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(vocab.PARL + "123"), ox.Literal("o")))
    with pytest.raises(ExportError, match="no XML name"):
        export(store, fmt="xml", out=io.BytesIO())
    assert len(rdflib_parse(dump(store, "jsonld"), "jsonld")) == 1


def test_unknown_format_is_a_kg_error(store: ox.Store) -> None:
    with pytest.raises(KgError, match=r"unknown format 'owl'.*ttl, nt, nq, trig, xml, jsonld"):
        export(store, fmt="owl", out=io.BytesIO())


class Broken(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_unwritable_outputs_are_kg_errors(tmp_path: Path, store: ox.Store, fmt: str) -> None:
    with pytest.raises(ExportError, match="No space left on device") as caught:
        export(store, fmt=fmt, out=Broken())
    assert isinstance(caught.value.__cause__, OSError) and caught.value.__cause__.errno == 28
    with pytest.raises(ExportError, match="text stream"):
        export(store, fmt=fmt, out=io.StringIO())  # type: ignore[arg-type]
    closed = io.BytesIO()
    closed.close()
    with pytest.raises(ExportError, match="closed"):
        export(store, fmt=fmt, out=closed)
    (tmp_path / "in").write_bytes(b"")
    with open(tmp_path / "in", "rb") as read_only, pytest.raises(ExportError, match="writing"):
        export(store, fmt=fmt, out=read_only)  # type: ignore[arg-type]


def test_export_to_file(tmp_path: Path, store: ox.Store) -> None:
    target = tmp_path / "kg.ttl"
    target.write_text("old")
    assert export_to_file(store, fmt="ttl", path=target) == len(store)
    assert isomorphic(rdflib_parse(target.read_bytes(), "ttl"), store_graph(store))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl"]
    with pytest.raises(ExportError, match="folder does not exist"):
        export_to_file(store, fmt="nt", path=tmp_path / "missing" / "kg.nt")
    with pytest.raises(ExportError, match="is a folder"):
        export_to_file(store, fmt="nt", path=tmp_path)
    with pytest.raises(ExportError, match="unknown format"):
        export_to_file(store, fmt="n3", path=tmp_path / "kg.n3")
    assert export_to_file(store, fmt="nt", path=Path("/dev/null")) == len(store)


class Counting(io.RawIOBase):
    def __init__(self) -> None:
        self.writes = 0
        self.largest = 0
        self.total = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.writes += 1
        self.largest = max(self.largest, len(data))
        self.total += len(data)
        return len(data)


@pytest.fixture(scope="module")
def big_store() -> ox.Store:
    """150 copies of the sample page (1,350 questions, about 45,000 triples)."""
    store = ox.Store()
    items = read_page(str(sample_page())).items
    for copy in range(150):
        text = json.dumps(items).replace("/resources/", f"/resources/{copy}0")
        records = [convert_item(item, where=str(n)) for n, item in enumerate(json.loads(text))]
        store.load("".join(line for r in records for line in r.lines), ox.RdfFormat.N_TRIPLES)
    return store


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_exports_stream(big_store: ox.Store, fmt: str) -> None:
    out = Counting()
    tracemalloc.start()
    try:
        count = export(big_store, fmt=fmt, out=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == len(big_store) > 40_000
    assert out.total > 5_000_000 and out.writes > 50
    assert out.largest < 200_000
    # Python memory stays bounded (chunks of 64 KiB of text, one subject's quads), far below
    # the output and the ~300 bytes per quad that holding the quads as objects would take
    assert peak < 2_000_000 < out.total / 3, f"{fmt}: {peak} bytes of Python memory at peak"
