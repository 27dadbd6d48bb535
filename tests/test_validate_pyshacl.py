"""kg.validate_pyshacl: pyshacl run on a store, its report read back as kg's results."""

from __future__ import annotations

import logging

import pytest
import rdflib
from rdflib import RDF, RDFS, Graph, URIRef

from kg import shacl_sparql as ss
from kg.validate import ValidationResult, load_shapes, validate_store
from kg.validate_pyshacl import run_pyshacl, without_compiled_targets
from tests.test_validate import KGSH, SH, turtle_store

EX = "http://example.org/"
SHNS = str(SH)
XSD = "http://www.w3.org/2001/XMLSchema#"
PARL = "http://data.parliament.uk/schema/parl#"
HOUSE = "http://data.parliament.uk/terms/1"
DEPT = "https://w3id.org/parliament-kg/id/department/29"
ANSWER = "http://data.parliament.uk/resources/1/answer"
#: Faults against kg's shapes on three nodes: a house with no name, a department with two
#: ids, an answer with no date and no question.
FAULTY = f"""
<{HOUSE}> a kg:House .
<{DEPT}> a kg:Department ; parl:answeringDeptId "29" , "30" ; rdfs:label "Work and Pensions" .
<{ANSWER}> a kg:WrittenAnswer .
"""


def shapes_graph(text: str) -> Graph:
    prefixes = f"@prefix sh: <{SHNS}> .\n@prefix ex: <{EX}> .\n@prefix xsd: <{XSD}> .\n"
    return Graph().parse(data=prefixes + text, format="turtle")


def by_shape(results: list[ValidationResult]) -> dict[str, ValidationResult]:
    found = {r.shape.removeprefix(EX): r for r in results}
    assert len(found) == len(results), results
    return found


def test_kg_shapes_results_read_back_as_kg_results() -> None:
    results = run_pyshacl(turtle_store(FAULTY), load_shapes().graph)
    violation = SHNS + "Violation"
    assert sorted(results, key=ValidationResult.sort_key) == [
        ValidationResult(
            focus=ANSWER,
            shape=KGSH + "Answer-dateOfAnswer",
            component=SHNS + "MinCountConstraintComponent",
            severity=violation,
            message="an answer has exactly one parl:dateOfAnswer",
            path=PARL + "dateOfAnswer",
            value=None,
        ),
        ValidationResult(
            focus=ANSWER,
            shape=KGSH + "Answer-question",
            component=SHNS + "MinCountConstraintComponent",
            severity=violation,
            message="an answer is the parl:answer of exactly one question",
            path="^" + PARL + "answer",
            value=None,
        ),
        ValidationResult(
            focus=HOUSE,
            shape=KGSH + "House",
            component=SHNS + "OrConstraintComponent",
            severity=violation,
            message="a house has a skos:prefLabel or a parl:houseId",
            path=None,
            value=f"<{HOUSE}>",
        ),
        ValidationResult(
            focus=DEPT,
            shape=KGSH + "Department-answeringDeptId",
            component=SHNS + "MaxCountConstraintComponent",
            severity=violation,
            message="a department has exactly one parl:answeringDeptId",
            path=PARL + "answeringDeptId",
            value=None,
        ),
    ]


def test_pyshacl_and_the_compiled_validator_agree_on_a_small_graph() -> None:
    store = turtle_store(FAULTY)
    assert set(run_pyshacl(store, load_shapes().graph)) == set(validate_store(store))


def test_literal_focus_nodes_longer_paths_several_messages_and_no_details() -> None:
    shapes = shapes_graph("""
ex:Known a sh:NodeShape ; sh:targetObjectsOf ex:knows ; sh:nodeKind sh:IRI ; sh:message "known" .
ex:Small a sh:PropertyShape ; sh:targetSubjectsOf ex:size ; sh:path ex:size ;
    sh:maxInclusive 10 ; sh:message "höchstens zehn"@de , "at most ten"@en .
ex:Chain a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ( ex:knows ex:name ) ;
    sh:minCount 1 ; sh:message "a friend with a name" .
ex:Nested a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:HasColor ; sh:message "nested" .
ex:HasColor a sh:NodeShape ; sh:property [ sh:path ex:color ; sh:minCount 1 ; sh:message "inner" ] .
""")
    store = turtle_store('ex:a ex:knows "lit" , ex:b ; ex:size 11 .')
    found = by_shape(run_pyshacl(store, shapes))
    assert set(found) == {"Known", "Small", "Chain", "Nested"}  # not the sh:detail of Nested
    known = found["Known"]
    assert (known.focus, known.value, known.path) == ('"lit"', '"lit"', None)
    small = found["Small"]
    assert small.message == "at most ten / höchstens zehn"
    assert small.component == SHNS + "MaxInclusiveConstraintComponent"
    assert (small.focus, small.path, small.value) == (
        EX + "a",
        EX + "size",
        f'"11"^^<{XSD}integer>',
    )
    chain = found["Chain"]
    assert chain.path is not None and chain.path.startswith("_:")  # the list of the path
    assert (chain.focus, chain.value) == (EX + "a", None)
    nested = found["Nested"]
    assert (nested.component, nested.message) == (SHNS + "NodeConstraintComponent", "nested")


def test_literals_are_validated_as_written_and_quietly(caplog: pytest.LogCaptureFixture) -> None:
    """Values as written, where rdflib would write ``"true"`` and ``"1.0"``; no error logged
    for ``"three"^^xsd:integer``; and rdflib left as it was."""
    shapes = shapes_graph("""
ex:Flag a sh:PropertyShape ; sh:targetSubjectsOf ex:flag ; sh:path ex:flag ;
    sh:datatype xsd:boolean ; sh:message "a flag is a boolean" .
ex:Count a sh:PropertyShape ; sh:targetSubjectsOf ex:count ; sh:path ex:count ;
    sh:datatype xsd:integer ; sh:message "a count is an integer" .
ex:Size a sh:PropertyShape ; sh:targetSubjectsOf ex:size ; sh:path ex:size ;
    sh:maxInclusive 0 ; sh:message "no size" .
""")
    store = turtle_store(
        'ex:a ex:flag "True"^^xsd:boolean ; ex:count "three"^^xsd:integer ;'
        ' ex:size "1"^^xsd:double .'
    )
    logger = logging.getLogger("rdflib.term")
    level, normalize = logger.level, rdflib.NORMALIZE_LITERALS
    with caplog.at_level(logging.DEBUG):
        found = by_shape(run_pyshacl(store, shapes))
    assert {shape: (r.component, r.value) for shape, r in found.items()} == {
        "Flag": (SHNS + "DatatypeConstraintComponent", f'"True"^^<{XSD}boolean>'),
        "Count": (SHNS + "DatatypeConstraintComponent", f'"three"^^<{XSD}integer>'),
        "Size": (SHNS + "MaxInclusiveConstraintComponent", f'"1"^^<{XSD}double>'),
    }
    assert [r.getMessage() for r in caplog.records if r.name.startswith("rdflib")] == []
    assert (logger.level, rdflib.NORMALIZE_LITERALS) == (level, normalize)


TARGETED = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:A a sh:NodeShape ; sh:targetClass ex:T ; sh:targetNode ex:n ; sh:nodeKind sh:Literal .
ex:B a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:nodeKind sh:Literal .
ex:C a sh:NodeShape , rdfs:Class ; sh:nodeKind sh:Literal .
ex:D a sh:PropertyShape ; sh:targetObjectsOf ex:p ; sh:path ex:q ; sh:minCount 1 .
"""


def test_without_compiled_targets_leaves_pyshacl_only_the_other_shapes() -> None:
    graph = shapes_graph(TARGETED)
    before = set(graph)
    fallback = without_compiled_targets(graph, {EX + "A", EX + "C", EX + "D"})
    assert set(graph) == before  # a copy: the shapes graph is not changed
    ex = rdflib.Namespace(EX)
    assert before - set(fallback) == {
        (ex.A, SH.targetClass, ex.T),
        (ex.A, SH.targetNode, ex.n),
        (ex.C, RDF.type, RDFS.Class),
        (ex.D, SH.targetObjectsOf, ex.p),
    }
    assert set(fallback) < before
    assert (ex.C, RDF.type, SH.NodeShape) in fallback
    assert ss.top_level_shapes(fallback) == [URIRef(EX + "B")]
    store = turtle_store("ex:x a ex:T , ex:C ; ex:p ex:y .")
    assert {(r.focus, r.shape) for r in run_pyshacl(store, graph)} == {
        (EX + "n", EX + "A"),
        (EX + "x", EX + "A"),
        (EX + "x", EX + "B"),
        (EX + "x", EX + "C"),
        (EX + "y", EX + "D"),
    }
    assert {(r.focus, r.shape) for r in run_pyshacl(store, fallback)} == {(EX + "x", EX + "B")}
