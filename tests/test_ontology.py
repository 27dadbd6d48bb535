"""ontology.ttl, the JSON-LD context and docs/data-model.md: every class and property kg writes
is declared, has a key in the context, and is described on the data model page."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import vocab
from kg.item_roles import KNOWN_KEYS, ROLE_CLASSES
from kg.paths import jsonld_context_file, ontology_file

SCHEMA = rdflib.Namespace("https://schema.org/")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "data-model.md"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_file())


def written_properties() -> set[str]:
    keys = {key for role in KNOWN_KEYS.values() for key in role if key != "_about"}
    derived = {vocab.ANSWERING_DEPARTMENT, vocab.IN_HOUSE, vocab.DAYS_TO_ANSWER, vocab.GROUPED_WITH}
    derived |= {vocab.PART_OF_RECORD, vocab.SOURCE, vocab.LOADED_AT, vocab.CONTENT_HASH}
    derived |= {vocab.KG + name for name in TALLY_PROPERTIES}
    return {vocab.predicate_for_key(key) for key in keys} | derived


TALLY_PROPERTIES = ("department", "member", "questions", "answers", "days", "day", "month")
TALLY_PROPERTIES += ("firstDate", "lastDate")
TALLY_CLASSES = {vocab.ASKING_TALLY, vocab.ANSWERING_TALLY, vocab.ANSWER_TIME_TALLY}
TALLY_CLASSES |= {vocab.DAY_TALLY, vocab.MONTH_TALLY, vocab.TALLY_SET}


def test_ontology_declares_every_class_and_property(
    ontology: rdflib.Graph, sample: ox.Store
) -> None:
    used = {q.predicate.value for q in sample.quads_for_pattern(None, None, None, None)}
    assert used <= written_properties()
    standard = set(vocab.STANDARD_KEYS.values())
    for iri in written_properties():
        node = rdflib.URIRef(iri)
        if iri in standard:
            assert ontology.value(node, SKOS.scopeNote), iri
            assert ontology.value(node, SCHEMA.domainIncludes), iri
            assert ontology.value(node, SCHEMA.rangeIncludes), iri
            continue
        for predicate in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
            assert ontology.value(node, predicate) is not None, (iri, predicate)
        kinds = set(ontology.objects(node, RDF.type))
        assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, iri
    for iri in {*ROLE_CLASSES.values(), vocab.DEPARTMENT, *TALLY_CLASSES}:
        node = rdflib.URIRef(iri)
        assert (node, RDF.type, OWL.Class) in ontology
        assert ontology.value(node, RDFS.label) and ontology.value(node, RDFS.comment)
    assert (rdflib.URIRef(vocab.GROUPED_WITH), RDF.type, OWL.SymmetricProperty) in ontology


def context_terms() -> dict[str, tuple[str, str | None]]:
    context = json.loads(jsonld_context_file().read_text(encoding="utf-8"))["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}

    def expand(value: str) -> str:
        prefix, _, local = value.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else value

    terms: dict[str, tuple[str, str | None]] = {}
    for name, value in context.items():
        if name.startswith("@") or name in prefixes or value in ("@id", "@type"):
            continue
        iri, coercion = (
            (value["@id"], value.get("@type")) if isinstance(value, dict) else (value, None)
        )
        assert expand(iri) not in terms, f"two terms for {iri}"
        terms[expand(iri)] = (name, expand(coercion) if coercion else None)
    return terms


def test_context_has_a_key_for_every_class_and_property(ontology: rdflib.Graph) -> None:
    terms = context_terms()
    date_types = {vocab.XSD + "date", vocab.XSD + "dateTime"}
    for iri in written_properties() - {vocab.RDF_TYPE}:
        name, coercion = terms[iri]
        node = rdflib.URIRef(iri)
        if (node, RDF.type, OWL.ObjectProperty) in ontology:
            assert coercion == "@id", name
            continue
        assert coercion != "@id", name
        ranges = {str(r) for r in ontology.objects(node, RDFS.range)}
        ranges |= {str(r) for r in ontology.objects(node, SCHEMA.rangeIncludes)}
        allowed = date_types if ranges == {vocab.KG + "DateOrDateTime"} else ranges
        assert coercion is None or coercion in allowed, (name, coercion, ranges)
    for iri in {*ROLE_CLASSES.values(), vocab.DEPARTMENT, *TALLY_CLASSES}:
        assert terms[iri][0] == iri.rsplit("#", 1)[1]


def render_tables(ontology: rdflib.Graph) -> str:
    """The class tables of docs/data-model.md, from ontology.ttl and context.jsonld."""
    keys = {iri: term[0] for iri, term in context_terms().items()} | {vocab.RDF_TYPE: "type"}
    ns = ontology.namespace_manager

    def members(node: rdflib.term.Node) -> list[rdflib.term.Node]:
        union = ontology.value(node, OWL.unionOf) if isinstance(node, rdflib.BNode) else None
        return list(Collection(ontology, union)) if union is not None else [node]

    def one_line(node: rdflib.term.Node, *predicates: rdflib.URIRef) -> str:
        text = next(str(t) for p in predicates for t in ontology.objects(node, p))
        return " ".join(text.split()).replace("|", "\\|")

    order = ["WrittenQuestion", "WrittenAnswer", "AnswerVersion", "Attachment", "Member"]
    order += ["Department", "House", "AskingTally", "AnsweringTally", "AnswerTimeTally"]
    order += ["DayTally", "MonthTally"]
    props = set(ontology.subjects(RDFS.domain, None)) | set(
        ontology.subjects(SCHEMA.domainIncludes, None)
    )
    out = []
    for name in order:
        cls = rdflib.URIRef(vocab.KG + name)
        out += [f"### {cls.n3(ns)} — {ontology.value(cls, RDFS.label)}\n"]
        out += [one_line(cls, RDFS.comment) + "\n", "| Property | JSON-LD key | Range | Meaning |"]
        out += ["|---|---|---|---|"]
        rows = []
        for prop in props:
            domains = [m for d in ontology.objects(prop, RDFS.domain) for m in members(d)]
            if cls not in domains + list(ontology.objects(prop, SCHEMA.domainIncludes)):
                continue
            rng = ontology.value(prop, RDFS.range) or ontology.value(prop, SCHEMA.rangeIncludes)
            assert isinstance(prop, rdflib.URIRef) and rng is not None
            group = 0 if prop.startswith(vocab.PARL) else 2 if prop.startswith(vocab.KG) else 1
            text = one_line(prop, RDFS.comment, SKOS.scopeNote)
            row = f"| `{prop.n3(ns)}` | `{keys[str(prop)]}` | `{rng.n3(ns)}` | {text} |"
            rows.append((group, prop.n3(ns).lower(), row))
        out += [row for _, _, row in sorted(rows)] + [""]
    return "\n".join(out)


@pytest.mark.skipif(not DOCS.is_file(), reason="docs/ is not in this source tree (an sdist)")
def test_data_model_page_matches_the_ontology(ontology: rdflib.Graph) -> None:
    page = DOCS.read_text(encoding="utf-8")
    begin, end = (
        "<!-- BEGIN generated from ontology.ttl -->\n",
        "<!-- END generated from ontology.ttl -->",
    )
    generated = page[page.index(begin) + len(begin) : page.index(end)]
    expected = render_tables(ontology)
    assert generated.strip() == expected.strip(), "regenerate the tables:\n" + expected
    ns = ontology.namespace_manager
    for iri in written_properties():
        assert f"`{rdflib.URIRef(iri).n3(ns)}`" in page, iri
