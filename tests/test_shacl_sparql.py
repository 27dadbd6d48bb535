"""The SHACL → SPARQL compiler on what kg's shapes do not exercise, and its code paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import validate as v
from kg.errors import InputError
from kg.shacl_plan import TARGET
from kg.shacl_sparql import Unsupported, inject_target
from kg.validate import FallbackWarning, load_shapes, validate_store
from tests.test_validate import A1, Q1, UPDATES, both, insert, record_store, short, turtle_store


def test_the_full_scan_path_agrees_with_the_lookup_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no small targets every shape scans its paths and filters candidates by target."""
    faults = ("uin typed", "no text", "answered by member 0", "answered before tabled")
    update = "".join(UPDATES[name] for name in faults)
    update += insert("ex:not-a-question parl:uin 5 ; parl:tablingMember ex:nobody .")
    store = record_store(update)
    looked_up = validate_store(store)
    monkeypatch.setattr(v, "SMALL_TARGET", 0)
    assert validate_store(store) == looked_up
    monkeypatch.setattr(v, "_WORKERS", 3)  # queries in parallel threads
    assert validate_store(store) == looked_up
    assert short(looked_up) == {
        (Q1, "Question-uin-datatype", "Datatype", "Violation"),
        (Q1, "Question-questionText", "MinCount", "Violation"),
        (A1, "Answer-answeringMember-placeholder", "Not", "Warning"),
        (A1, "Answer-notBeforeQuestion", "SPARQL", "Violation"),
    }


def test_a_sparql_constraint_scans_as_sub_selects_and_looks_up_as_written() -> None:
    plan = load_shapes().plan(subclasses=False)
    (query,) = [q for unit in plan.units for q in unit.queries if q.kind == "sparql"]
    assert "{ SELECT ?q ?questionDate WHERE { ?q dcterms:date ?questionDate } }" in query.template
    assert "?q dcterms:date ?questionDate ." in query.lookups
    assert "SELECT ?q" not in query.lookups


def test_subclasses_of_a_target_class_are_targets() -> None:
    store = record_store(insert("ex:Sub rdfs:subClassOf kg:WrittenQuestion . ex:q a ex:Sub ."))
    results = both(store)
    assert ("http://example.org/q", "Question-uin", "MinCount", "Violation") in short(results)


COVERAGE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:Nodes a sh:NodeShape ; sh:targetNode ex:n1 , ex:n2 ; sh:in ( ex:n1 ) ; sh:message "in" .
ex:Fixed a sh:NodeShape ; sh:targetNode ex:n1 , ex:n2 ; sh:hasValue ex:n1 ; sh:message "n1" .
ex:Named a sh:NodeShape ; sh:targetSubjectsOf ex:name ; sh:property ex:Named-name .
ex:Named-name a sh:PropertyShape ; sh:path ex:name ; sh:minLength 2 ; sh:maxLength 5 ;
    sh:pattern "^[a-z]+$" ; sh:flags "i" ; sh:message "a name" .
ex:Known a sh:NodeShape ; sh:targetObjectsOf ex:knows ; sh:nodeKind sh:IRI ; sh:message "known" .
ex:Owned a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path [ sh:inversePath ex:owns ] ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:message "owned once" .
ex:Thing-shape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property ex:Thing-color , ex:Thing-tag , ex:Thing-size , ex:Thing-ref , ex:Thing-big ;
    sh:node ex:HasName ; sh:message "a thing has a name" .
ex:HasName a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:Thing-color a sh:PropertyShape ; sh:path ex:color ; sh:in ( "red" "green" ) ;
    sh:not [ sh:in ( "green" ) ] ; sh:message "a color" .
ex:Thing-tag a sh:PropertyShape ; sh:path ex:tag ; sh:hasValue "a" ; sh:minCount 2 ;
    sh:severity sh:Info ; sh:message "tags" .
ex:Thing-size a sh:PropertyShape ; sh:path ex:size ;
    sh:xone ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ;
    sh:and ( [ sh:nodeKind sh:Literal ] ) ; sh:message "a size" .
ex:Thing-ref a sh:PropertyShape ; sh:path ex:ref ; sh:class ex:Thing ; sh:message "a ref" .
ex:Thing-big a sh:PropertyShape ; sh:path ex:size ; sh:sparql [
    sh:message "{?value} is too big for {$this}" ;
    sh:select "SELECT $this ?value WHERE { $this $PATH ?value FILTER (isNumeric(?value) && ?value > 10) }" ] .
ex:Off a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ; sh:nodeKind sh:Literal .
"""
COVERAGE_DATA = """
ex:n1 ex:x 1 .
ex:SubThing rdfs:subClassOf ex:Thing .
ex:a a ex:Thing ; ex:name "Ab" ; ex:color "red" ; ex:tag "a" , "b" ; ex:size 30 ; ex:ref ex:b .
ex:b a ex:SubThing ; ex:name "b" ; ex:color "green" ; ex:tag "b" ; ex:size "x" ; ex:ref ex:c .
ex:c ex:name "toolong1" ; ex:knows "lit" , ex:a .
ex:z ex:owns ex:a . ex:y ex:owns ex:a .
ex:d a ex:Thing ; ex:tag "a" , "c" ; ex:color "blue" ; ex:size 1.5 ; ex:owns ex:z .
"""


def coverage_shapes(tmp_path: Path, extra: str = "") -> v.Shapes:
    (tmp_path / "coverage.ttl").write_text(COVERAGE + extra)
    return load_shapes(tmp_path)


@pytest.mark.parametrize("limit", [v.SMALL_TARGET, 0], ids=["lookups", "scans"])
def test_the_compiler_covers_core_and_sparql_like_pyshacl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(v, "SMALL_TARGET", limit)
    shapes = coverage_shapes(tmp_path)
    assert shapes.fallbacks == ()
    results = both(turtle_store(COVERAGE_DATA), shapes=shapes)
    ex = "http://example.org/"
    assert short(results) == {
        (ex + "n2", ex + "Nodes", "In", "Violation"),
        (ex + "n2", ex + "Fixed", "HasValue", "Violation"),
        (ex + "b", ex + "Named-name", "MinLength", "Violation"),
        (ex + "c", ex + "Named-name", "MaxLength", "Violation"),
        (ex + "c", ex + "Named-name", "Pattern", "Violation"),
        ('"lit"', ex + "Known", "NodeKind", "Violation"),
        (ex + "a", ex + "Owned", "MaxCount", "Violation"),
        (ex + "b", ex + "Owned", "MinCount", "Violation"),
        (ex + "b", ex + "Thing-color", "Not", "Violation"),
        (ex + "d", ex + "Thing-color", "In", "Violation"),
        (ex + "b", ex + "Thing-tag", "HasValue", "Info"),
        (ex + "b", ex + "Thing-tag", "MinCount", "Info"),
        (ex + "b", ex + "Thing-size", "Xone", "Violation"),
        (ex + "b", ex + "Thing-ref", "Class", "Violation"),
        (ex + "a", ex + "Thing-big", "SPARQL", "Violation"),
        (ex + "d", ex + "Thing-shape", "Node", "Violation"),
        (ex + "d", ex + "Owned", "MinCount", "Violation"),
    }
    big = next(r for r in results if r.component.endswith("SPARQLConstraintComponent"))
    assert big.message == f"30 is too big for {ex}a"
    assert big.path == ex + "size"
    owned = next(r for r in results if r.shape == ex + "Owned")
    assert owned.path == "^" + ex + "owns"


def test_uncompilable_shapes_fall_back_to_pyshacl(tmp_path: Path) -> None:
    extra = """
ex:Ranged a sh:PropertyShape ; sh:targetClass ex:Thing ; sh:path ex:size ;
    sh:maxInclusive 10 ; sh:message "at most ten" .
"""
    with pytest.warns(FallbackWarning, match=r"Ranged .*maxInclusive"):
        shapes = coverage_shapes(tmp_path, extra)
    assert [f.shape for f in shapes.fallbacks] == ["http://example.org/Ranged"]
    store = turtle_store(COVERAGE_DATA)
    results = both(store, shapes=shapes)
    ranged = {r.focus for r in results if r.shape.endswith("Ranged")}
    assert ranged == {"http://example.org/a", "http://example.org/b"}  # "x" is not <= 10
    assert {
        r.focus for r in validate_store(store, shapes=shapes, focus=["http://example.org/b"])
    } == {"http://example.org/b"}


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:sparql [ sh:select 'SELECT $this WHERE { $this ?p }' ] .",
            "bad SPARQL",
        ),
        ("ex:S a sh:NodeShape ; sh:targetClass .", "not valid Turtle"),
    ],
)
def test_broken_shapes_are_input_errors(tmp_path: Path, text: str, what: str) -> None:
    (tmp_path / "broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n" + text
    )
    with pytest.raises(InputError, match=what):
        load_shapes(tmp_path)


def test_a_folder_without_shapes_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no SHACL shapes"):
        load_shapes(tmp_path)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "does not select $this"),
        ("ASK { $this ?p ?o }", "not a SELECT query"),
        ("PREFIX ex: <http://e.org/#select>\nSELECT ?x ex:select WHERE { }", "does not select"),
    ],
)
def test_a_target_goes_only_into_a_select_of_this(query: str, error: str) -> None:
    with pytest.raises(Unsupported, match=re.escape(error)):
        inject_target(query, "ex:S")


def test_the_target_opens_the_where_group() -> None:
    query = 'SELECT * WHERE { $this ex:p "{" }'
    assert inject_target(query, "ex:S") == "SELECT * WHERE {\n" + TARGET + ' $this ex:p "{" }'
