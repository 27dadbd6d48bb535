"""SHACL validation: kg's shapes, the compiled SPARQL validator, and pyshacl as the reference."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib import RDF, URIRef

from kg import validate as v
from kg.convert import convert_item
from kg.paths import shapes_dir
from kg.reader import read_page
from kg.validate import (
    ValidationResult,
    load_shapes,
    summarize,
    validate_store,
    validate_with_pyshacl,
)

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
KGSH = "https://w3id.org/parliament-kg/shapes#"
RES = "http://data.parliament.uk/resources/"
MEM = "http://data.parliament.uk/members/"
PREFIXES = """\
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kg: <https://w3id.org/parliament-kg/def#> .
@prefix parl: <http://data.parliament.uk/schema/parl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix res: <http://data.parliament.uk/resources/> .
@prefix mem: <http://data.parliament.uk/members/> .
@prefix ex: <http://example.org/> .
"""
#: One conforming record: a question, its answer and an earlier version, two members,
#: a department and a house.
VALID = """
res:1 a kg:WrittenQuestion ; parl:uin "1" ; parl:questionText "To ask…" ;
    dcterms:date "2024-03-01"^^xsd:date ; parl:tablingMember mem:10 ;
    kg:answeringDepartment <https://w3id.org/parliament-kg/id/department/29> ;
    kg:house <http://data.parliament.uk/terms/25259> ; parl:answer <http://data.parliament.uk/resources/1/answer> ;
    kg:daysToAnswer 3 ; parl:registeredInterest false .
<http://data.parliament.uk/resources/1/answer> a kg:WrittenAnswer ;
    parl:dateOfAnswer "2024-03-01T09:00:00Z"^^xsd:dateTime ; parl:answerText "An answer." ;
    parl:answeringMember mem:11 ; parl:isMinisterialCorrection false ; parl:groupedQuestionUIN "2" .
<http://data.parliament.uk/resources/1/answer/v/1> a kg:AnswerVersion ; kg:partOfRecord res:1 ;
    parl:dateOfAnswer "2024-02-28"^^xsd:date ; parl:answeringMember mem:11 .
mem:10 a kg:Member . mem:11 a kg:Member .
<https://w3id.org/parliament-kg/id/department/29> a kg:Department ; parl:answeringDeptId "29" ;
    rdfs:label "Department for Work and Pensions" .
<http://data.parliament.uk/terms/25259> a kg:House ; skos:prefLabel "House of Commons" .
"""
Q1, A1, V1 = RES + "1", RES + "1/answer", RES + "1/answer/v/1"
DEPT, HOUSE = (
    "https://w3id.org/parliament-kg/id/department/29",
    "http://data.parliament.uk/terms/25259",
)
UPDATE_PREFIXES = {
    "dcterms": "http://purl.org/dc/terms/",
    "kg": "https://w3id.org/parliament-kg/def#",
    "parl": "http://data.parliament.uk/schema/parl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "res": RES,
    "mem": MEM,
    "ex": "http://example.org/",
}


def turtle_store(text: str) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(PREFIXES + text, pyoxigraph.RdfFormat.TURTLE)
    return store


def record_store(update: str = "") -> pyoxigraph.Store:
    store = turtle_store(VALID)
    if update:
        store.update(update, prefixes=UPDATE_PREFIXES)
    return store


def keys(results: Iterable[ValidationResult]) -> set[tuple[str, ...]]:
    return {(r.focus, r.shape, r.component, r.severity, r.message) for r in results}


def short(results: Iterable[ValidationResult]) -> set[tuple[str, str, str, str]]:
    """(focus, shape, component, severity) with kg's and SHACL's namespaces cut off."""
    return {
        (
            r.focus,
            r.shape.removeprefix(KGSH),
            r.component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent"),
            r.severity.rsplit("#", 1)[-1],
        )
        for r in results
    }


def both(store: pyoxigraph.Store, **options: object) -> list[ValidationResult]:
    """The compiled results, after checking that pyshacl gives the same ones (values too)."""
    compiled = validate_store(store, **options)  # type: ignore[arg-type]
    reference = validate_with_pyshacl(store, **options)  # type: ignore[arg-type]
    assert keys(compiled) == keys(reference)
    assert {(r.focus, r.shape, r.path, r.value) for r in compiled} == {
        (r.focus, r.shape, r.path, r.value) for r in reference
    }
    return compiled


@pytest.fixture(scope="module")
def sample() -> pyoxigraph.Store:
    page = read_page("samples/answeredquestions-children-maintenance.json")
    lines = "".join(
        line for i, it in enumerate(page.items) for line in convert_item(it, where=str(i)).lines
    )
    store = pyoxigraph.Store()
    store.load(lines, pyoxigraph.RdfFormat.N_TRIPLES)
    return store


# --- the shapes themselves --------------------------------------------------------------------
def test_every_property_shape_is_named_and_every_constraint_has_a_message() -> None:
    graph = load_shapes().graph
    kg_shapes = {s for s in graph.subjects(RDF.type, None) if str(s).startswith(KGSH)}
    assert {
        KGSH + n for n in ("Question", "Answer", "AnswerVersion", "Member", "Department", "House")
    } <= {str(s) for s in kg_shapes}
    for prop in graph.objects(None, SH.property):
        assert isinstance(prop, URIRef), prop
    for shape in kg_shapes:
        constraints = {p for p in graph.predicates(shape, None) if str(p).startswith(str(SH))} - {
            SH.message,
            SH.path,
            SH.property,
            SH.severity,
            SH.targetClass,
            SH.sparql,
            SH.flags,
        }
        if constraints:
            assert graph.value(shape, SH.message) is not None, shape
    for sparql in graph.objects(None, SH.sparql):
        assert graph.value(sparql, SH.message) is not None


def test_the_shapes_compile_entirely_and_load_once() -> None:
    shapes = load_shapes()
    assert shapes.fallbacks == ()
    assert shapes.fallback_graph is None
    assert load_shapes() is shapes
    assert load_shapes(Path(os.path.relpath(shapes_dir()))) is shapes


def test_the_real_sample_conforms(sample: pyoxigraph.Store) -> None:
    assert both(sample) == []
    # 9 questions, their 9 answers, 4 members, 1 department and 1 house
    assert (
        summarize(validate_store(sample))
        == "The data conforms to the shapes (24 focus nodes checked).\n"
    )
    assert validate_with_pyshacl(sample).focus_count == 24


def test_the_sample_as_kg_loads_it_conforms(sample_store: pyoxigraph.Store) -> None:
    assert both(sample_store) == []


def test_the_conforming_record_conforms() -> None:
    assert both(record_store()) == []


# --- one case per constraint: the data, and the results both validators must give -----------
def delete(subject: str, predicate: str) -> str:
    return f"DELETE WHERE {{ <{subject}> {predicate} ?o }} ;"


def insert(triples: str) -> str:
    return f"INSERT DATA {{ {triples} }} ;"


def replace(subject: str, predicate: str, obj: str) -> str:
    return delete(subject, predicate) + insert(f"<{subject}> {predicate} {obj} .")


BAD_MEMBER = "http://data.parliament.uk/member/5"
NODES = {"Q": Q1, "A": A1, "V": V1, "D": DEPT, "H": HOUSE, "M": BAD_MEMBER}
#: name: (SPARQL update of the conforming record, the results: "focus shape component
#: [severity]" with focus Q(uestion), A(nswer), V(ersion), D(epartment), H(ouse), M(ember))
CASES: dict[str, tuple[str, str]] = {
    "no uin": (delete(Q1, "parl:uin"), "Q Question-uin MinCount"),
    "two uins": (insert(f'<{Q1}> parl:uin "1a" .'), "Q Question-uin MaxCount"),
    "uin typed": (replace(Q1, "parl:uin", "1"), "Q Question-uin-datatype Datatype"),
    "uin tagged": (replace(Q1, "parl:uin", '"1"@en'), "Q Question-uin-datatype Datatype"),
    "empty uin": (replace(Q1, "parl:uin", '""'), "Q Question-uin-length MinLength"),
    "no text": (delete(Q1, "parl:questionText"), "Q Question-questionText MinCount"),
    "text a resource": (
        replace(Q1, "parl:questionText", "ex:text"),
        "Q Question-questionText-datatype Datatype",
    ),
    "text a number": (
        replace(Q1, "parl:questionText", "5"),
        "Q Question-questionText-datatype Datatype",
    ),
    "no date": (delete(Q1, "dcterms:date"), "Q Question-date MinCount"),
    "date as text": (replace(Q1, "dcterms:date", '"2024-03-01"'), "Q Question-date-datatype Or"),
    "date ill-typed": (
        replace(Q1, "dcterms:date", '"2024-02-30"^^xsd:date'),
        "Q Question-date-datatype Or",
    ),
    "bad member IRI": (
        replace(Q1, "parl:tablingMember", f"<{BAD_MEMBER}>")
        + insert(f"<{BAD_MEMBER}> a kg:Member ."),
        "Q Question-tablingMember-iri Pattern; M Member Pattern",
    ),
    "member untyped": (delete(MEM + "10", "a"), "Q Question-tablingMember-class Class"),
    "tabled by member 0": (
        replace(Q1, "parl:tablingMember", "mem:0") + insert("mem:0 a kg:Member ."),
        "Q Question-tablingMember-placeholder Not Warning",
    ),
    "no department": (
        delete(Q1, "kg:answeringDepartment"),
        "Q Question-answeringDepartment MinCount",
    ),
    "department untyped": (delete(DEPT, "a"), "Q Question-answeringDepartment-class Class"),
    "two answers": (
        insert(f"<{Q1}> parl:answer ex:other ."),
        "Q Question-answer MaxCount; Q Question-answer-class Class",
    ),
    "no house": (delete(Q1, "kg:house"), "Q Question-house MinCount"),
    "house untyped": (delete(HOUSE, "a"), "Q Question-house-class Class"),
    "two day counts": (insert(f"<{Q1}> kg:daysToAnswer 4 ."), "Q Question-daysToAnswer MaxCount"),
    "day count ill-typed": (
        replace(Q1, "kg:daysToAnswer", '"three"^^xsd:integer'),
        "Q Question-daysToAnswer-datatype Datatype",
    ),
    "interest as text": (
        replace(Q1, "parl:registeredInterest", '"no"'),
        "Q Question-registeredInterest-datatype Datatype",
    ),
    "question IRI": (
        "DELETE { ?s ?p ?o } INSERT { ex:q ?p ?o } WHERE { ?s ?p ?o FILTER (?s = res:1) } ;"
        "DELETE { ?s ?p ?o } INSERT { ?s ?p ex:q } WHERE { ?s ?p ?o FILTER (?o = res:1) }",
        "http://example.org/q Question Pattern",
    ),
    "no answer date": (delete(A1, "parl:dateOfAnswer"), "A Answer-dateOfAnswer MinCount"),
    "answer date as text": (
        replace(A1, "parl:dateOfAnswer", '"2024-03-02"'),
        "A Answer-dateOfAnswer-datatype Or",
    ),
    "answered before tabled": (
        replace(A1, "parl:dateOfAnswer", '"2024-02-29T23:59:59Z"^^xsd:dateTime'),
        "A Answer-notBeforeQuestion SPARQL",
    ),
    "two answer texts": (
        insert(f'<{A1}> parl:answerText "More." .'),
        "A Answer-answerText MaxCount",
    ),
    "answer text a resource": (
        replace(A1, "parl:answerText", "ex:text"),
        "A Answer-answerText-datatype Datatype",
    ),
    "answered by member 0": (
        replace(A1, "parl:answeringMember", "mem:0") + insert("mem:0 a kg:Member ."),
        "A Answer-answeringMember-placeholder Not Warning",
    ),
    "two answerers": (
        insert(f"<{A1}> parl:answeringMember mem:10 ."),
        "A Answer-answeringMember MaxCount",
    ),
    "correction as text": (
        replace(A1, "parl:isMinisterialCorrection", '"false"'),
        "A Answer-isMinisterialCorrection-datatype Datatype",
    ),
    "grouped UIN as integer": (
        insert(f"<{A1}> parl:groupedQuestionUIN 3 ."),
        "A Answer-groupedQuestionUIN-datatype Datatype",
    ),
    "orphan answer": (delete(Q1, "parl:answer"), "A Answer-question MinCount"),
    "answer shared": (insert(f"ex:q2 parl:answer <{A1}> ."), "A Answer-question MaxCount"),
    "version orphan": (delete(V1, "kg:partOfRecord"), "V AnswerVersion-partOfRecord MinCount"),
    "version by member 0": (
        replace(V1, "parl:answeringMember", "mem:0") + insert("mem:0 a kg:Member ."),
        "V AnswerVersion-answeringMember-placeholder Not Warning",
    ),
    "version of nothing": (
        replace(V1, "kg:partOfRecord", "ex:nothing"),
        "V AnswerVersion-partOfRecord-class Class",
    ),
    "department bare": (
        delete(DEPT, "parl:answeringDeptId") + delete(DEPT, "rdfs:label"),
        "D Department-answeringDeptId MinCount; D Department-label MinCount",
    ),
    "department twice": (
        insert(f'<{DEPT}> parl:answeringDeptId "30" .'),
        "D Department-answeringDeptId MaxCount",
    ),
    "house unnamed": (delete(HOUSE, "skos:prefLabel"), "H House Or"),
    "house by id": (delete(HOUSE, "skos:prefLabel") + insert(f'<{HOUSE}> parl:houseId "1" .'), ""),
    "answered the same day": (replace(A1, "parl:dateOfAnswer", '"2024-03-01"^^xsd:date'), ""),
}


def expected(text: str) -> set[tuple[str, ...]]:
    found = set()
    for result in filter(None, text.split("; ")):
        focus, shape, component, *severity = result.split()
        found.add((NODES.get(focus, focus), shape, component, *(severity or ["Violation"])))
    return found


@pytest.mark.parametrize("name", list(CASES))
def test_each_constraint(name: str) -> None:
    update, results = CASES[name]
    assert short(both(record_store(update))) == expected(results)


UPDATES = {name: update for name, (update, _) in CASES.items()}


# --- focus ---------------------------------------------------------------------------------
def test_focus_restricts_the_results(monkeypatch: pytest.MonkeyPatch) -> None:
    store = record_store(delete(Q1, "parl:uin") + delete(A1, "parl:dateOfAnswer"))
    assert short(validate_store(store, focus=[A1])) == {
        (A1, "Answer-dateOfAnswer", "MinCount", "Violation")
    }
    assert validate_store(store, focus=[A1]).focus_count == 1
    assert validate_store(store, focus=[]) == []
    monkeypatch.setattr(v, "FOCUS_LIMIT", 0)  # too many focus nodes for a VALUES block
    assert short(validate_store(store, focus=[Q1])) == {
        (Q1, "Question-uin", "MinCount", "Violation")
    }


def test_focus_nodes_are_escaped() -> None:
    store = record_store()
    assert validate_store(store, focus=['http://x/a b"} } ;DROP ALL', Q1]) == []


def test_bench_fault_kinds_name_shapes_that_exist() -> None:
    generate = pytest.importorskip("bench.generate")
    faults = pytest.importorskip("bench.faults")
    names = {str(s) for s in load_shapes().graph.subjects(RDF.type, None)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, kind in enumerate(faults.FAULT_KINDS):
            for _, shape in faults.expected_results(index, kind):
                assert generate.KGSH + shape in names, shape
