"""kg.validation_report: the readable summary and the full ``sh:ValidationReport``."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib import RDF, BNode, Literal, URIRef

from kg.errors import InputError
from kg.validate import ValidationResult, ValidationResults, conforms, validate_store
from kg.validation_report import report, summarize
from tests.test_validate import A1, DEPT, KGSH, MEM, Q1, SH, UPDATES, insert, keys, record_store

# --- on the record of tests/test_validate.py, with faults ------------------------------------
FAULTS = "".join(
    UPDATES[name]
    for name in ("no uin", "answered by member 0", "two day counts", "department bare")
)


def test_summary_groups_by_shape_and_message() -> None:
    results = validate_store(record_store(FAULTS))
    assert summarize(results, examples=1) == (
        "The data does not conform to the shapes: 4 violations, 1 warning (8 focus nodes checked).\n"
        "Violation kgsh:Department-answeringDeptId: a department has exactly one parl:answeringDeptId\n"
        f"    1 result (sh:MinCountConstraintComponent) on 1 focus node: {DEPT}\n"
        "Violation kgsh:Department-label: a department has at least one rdfs:label\n"
        f"    1 result (sh:MinCountConstraintComponent) on 1 focus node: {DEPT}\n"
        "Violation kgsh:Question-daysToAnswer: a question has at most one kg:daysToAnswer\n"
        f"    1 result (sh:MaxCountConstraintComponent) on 1 focus node: {Q1}\n"
        "Violation kgsh:Question-uin: a question has exactly one parl:uin\n"
        f"    1 result (sh:MinCountConstraintComponent) on 1 focus node: {Q1}\n"
        "Warning kgsh:Answer-answeringMember-placeholder: answered by the placeholder member 0\n"
        f"    1 result (sh:NotConstraintComponent) on 1 focus node: {A1}\n"
    )
    assert not conforms(results)
    assert conforms([r for r in results if r.severity.endswith("Warning")])


def test_summary_shows_a_few_examples() -> None:
    store = record_store(insert("ex:h1 a kg:House . ex:h2 a kg:House . ex:h3 a kg:House ."))
    assert summarize(validate_store(store), examples=2) == (
        "The data does not conform to the shapes: 3 violations (10 focus nodes checked).\n"
        "Violation kgsh:House: a house has a skos:prefLabel or a parl:houseId\n"
        "    3 results (sh:OrConstraintComponent) on 3 focus nodes: "
        "http://example.org/h1, http://example.org/h2 and 1 more\n"
    )
    assert summarize([]) == "The data conforms to the shapes.\n"


#: rdflib's own JSON-LD parser makes a ConjunctiveGraph, which rdflib 7 deprecates.
RDFLIB_JSONLD_PARSER = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning:rdflib"
)


@RDFLIB_JSONLD_PARSER
@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_reports_parse_back_with_every_result(fmt: str) -> None:
    results = validate_store(
        record_store(FAULTS + insert('ex:q a kg:WrittenQuestion ; parl:uin "x"@en .'))
    )
    graph = rdflib.Graph().parse(data=report(results, fmt=fmt), format=fmt)
    report_node = graph.value(None, RDF.type, SH.ValidationReport)
    assert graph.value(report_node, SH.conforms) == Literal(False)
    nodes = list(graph.objects(report_node, SH.result))
    assert len(nodes) == len(results) > 5
    parsed = set()
    for node in nodes:
        path = graph.value(node, SH.resultPath)
        parsed.add(
            (
                str(graph.value(node, SH.focusNode)),
                str(graph.value(node, SH.sourceShape)),
                str(graph.value(node, SH.sourceConstraintComponent)),
                str(graph.value(node, SH.resultSeverity)),
                str(graph.value(node, SH.resultMessage)),
            )
        )
        if isinstance(path, BNode):
            assert graph.value(path, SH.inversePath) is not None
    assert parsed == keys(results)
    values = {graph.value(n, SH.value) for n in nodes} - {None}
    assert Literal("x", lang="en") in values
    assert URIRef(MEM + "0") in values


@RDFLIB_JSONLD_PARSER
@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_a_clean_report_conforms(fmt: str) -> None:
    text = report([], fmt=fmt)
    graph = rdflib.Graph().parse(data=text, format=fmt)
    assert list(graph.objects(None, SH.conforms)) == [Literal(True)]
    assert list(graph.objects(None, SH.result)) == []


def test_report_turtle_is_exact() -> None:
    results = [
        r for r in validate_store(record_store(UPDATES["uin typed"] + UPDATES["orphan answer"]))
    ]
    assert report(results, fmt="turtle") == (
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n"
        "[] a sh:ValidationReport ;\n"
        "    sh:conforms false ;\n"
        "    sh:result\n"
        "    [\n"
        "        a sh:ValidationResult ;\n"
        f"        sh:focusNode <{Q1}> ;\n"
        "        sh:resultPath <http://data.parliament.uk/schema/parl#uin> ;\n"
        '        sh:value "1"^^<http://www.w3.org/2001/XMLSchema#integer> ;\n'
        f"        sh:sourceShape <{KGSH}Question-uin-datatype> ;\n"
        "        sh:sourceConstraintComponent <http://www.w3.org/ns/shacl#DatatypeConstraintComponent> ;\n"
        "        sh:resultSeverity <http://www.w3.org/ns/shacl#Violation> ;\n"
        '        sh:resultMessage "parl:uin is an xsd:string"\n'
        "    ] ,\n"
        "    [\n"
        "        a sh:ValidationResult ;\n"
        f"        sh:focusNode <{A1}> ;\n"
        "        sh:resultPath [ sh:inversePath <http://data.parliament.uk/schema/parl#answer> ] ;\n"
        f"        sh:sourceShape <{KGSH}Answer-question> ;\n"
        "        sh:sourceConstraintComponent <http://www.w3.org/ns/shacl#MinCountConstraintComponent> ;\n"
        "        sh:resultSeverity <http://www.w3.org/ns/shacl#Violation> ;\n"
        '        sh:resultMessage "an answer is the parl:answer of exactly one question"\n'
        "    ] .\n"
    )
    document = json.loads(report(results, fmt="json-ld"))
    assert document["sh:result"][1]["sh:resultPath"] == {
        "sh:inversePath": {"@id": "http://data.parliament.uk/schema/parl#answer"}
    }


def test_an_unknown_report_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown report format"):
        report([], fmt="xml")


# --- on results made by hand -----------------------------------------------------------------
EX = "http://example.org/"
SHNS = str(SH)
XSD = "http://www.w3.org/2001/XMLSchema#"


def result(
    focus: str,
    shape: str,
    component: str,
    severity: str = "Violation",
    message: str = "m",
    path: str | None = None,
    value: str | None = None,
) -> ValidationResult:
    """A result with SHACL's namespace put before ``component`` (``MinCount``) and a severity
    without a namespace (``Warning``)."""
    return ValidationResult(
        focus=focus,
        shape=shape,
        component=SHNS + component + "ConstraintComponent" if ":" not in component else component,
        severity=severity if ":" in severity else SHNS + severity,
        message=message,
        path=path,
        value=value,
    )


def test_summary_orders_severities_then_shapes_and_counts_each_focus_node_once() -> None:
    results = [
        result(EX + "d", EX + "Other", EX + "Comp", EX + "severity#Custom", "c"),
        result(EX + "c", KGSH + "S1", "MinCount", "Info", "i"),
        result(EX + "b", KGSH + "S2", "Not", "Warning", "w"),
        result(EX + "b", KGSH + "S3", "MinCount", message="v"),
        result(EX + "a", KGSH + "S3", "MaxCount", message="v"),
        result(EX + "a", KGSH + "S3", "MinCount", message="v", path=EX + "p"),
        result(EX + "z", KGSH + "A", "Pattern", message="a"),
    ]
    expected = (
        "The data does not conform to the shapes: "
        "4 violations, 1 warning, 1 info, 1 custom.\n"
        "Violation kgsh:A: a\n"
        "    1 result (sh:PatternConstraintComponent) on 1 focus node: http://example.org/z\n"
        "Violation kgsh:S3: v\n"
        "    3 results (sh:MaxCountConstraintComponent, sh:MinCountConstraintComponent) "
        "on 2 focus nodes: http://example.org/a, http://example.org/b\n"
        "Warning kgsh:S2: w\n"
        "    1 result (sh:NotConstraintComponent) on 1 focus node: http://example.org/b\n"
        "Info kgsh:S1: i\n"
        "    1 result (sh:MinCountConstraintComponent) on 1 focus node: http://example.org/c\n"
        "Custom http://example.org/Other: c\n"
        "    1 result (http://example.org/Comp) on 1 focus node: http://example.org/d\n"
    )
    assert summarize(results) == expected
    assert summarize(reversed(results)) == expected


def test_a_summary_of_warnings_and_infos_only_says_the_data_conforms() -> None:
    results = [
        result(EX + "b", KGSH + "S", "Not", "Warning", "w"),
        result(EX + "a", KGSH + "S", "In", "Info", "i"),
    ]
    assert summarize(results).splitlines()[0] == (
        "The data conforms to the shapes: 1 warning, 1 info."
    )


def test_a_summary_counts_the_focus_nodes_checked_when_the_results_know_them() -> None:
    assert (
        summarize(ValidationResults([], focus_count=lambda: 1))
        == "The data conforms to the shapes (1 focus node checked).\n"
    )
    one = ValidationResults([result(EX + "a", KGSH + "S", "MinCount")], focus_count=lambda: 5)
    assert summarize(one) == (
        "The data does not conform to the shapes: 1 violation (5 focus nodes checked).\n"
        "Violation kgsh:S: m\n"
        "    1 result (sh:MinCountConstraintComponent) on 1 focus node: http://example.org/a\n"
    )


def test_a_summary_names_every_focus_node_up_to_the_examples() -> None:
    results = [result(EX + n, KGSH + "S", "MinCount") for n in "cab"]
    nodes = "http://example.org/a, http://example.org/b, http://example.org/c"
    assert summarize(results, examples=3).splitlines()[-1] == (
        f"    3 results (sh:MinCountConstraintComponent) on 3 focus nodes: {nodes}"
    )


def test_a_turtle_report_without_results_is_exact() -> None:
    assert report([], fmt="turtle") == (
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n"
        "[] a sh:ValidationReport ;\n"
        "    sh:conforms true .\n"
    )


ONE = f'"1"^^<{XSD}integer>'
#: Given out of order: a blank-node focus with an inverse path, a literal focus, and an IRI
#: focus with a longer (blank-node) path, which the report leaves out.
MIXED = [
    result(EX + "a", EX + "Size", "Datatype", "Info", "höchstens zehn", "_:seq", ONE),
    result("_:b1", KGSH + "S", "MinCount", message='say "hi"\nnow', path="^" + EX + "p"),
    result('"lit"@en', EX + "Known", "NodeKind", "Warning", "known", value='"lit"@en'),
    result(EX + "a", EX + "Tag", "In", "Warning", "a tag", EX + "tag", '"x"'),
]


def test_a_turtle_report_sorts_the_results_and_writes_each_term_in_n_triples() -> None:
    text = report(MIXED, fmt="turtle")
    assert text == report(reversed(MIXED), fmt="turtle")
    assert text == (
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n"
        "[] a sh:ValidationReport ;\n"
        "    sh:conforms false ;\n"
        "    sh:result\n"
        "    [\n"
        "        a sh:ValidationResult ;\n"
        '        sh:focusNode "lit"@en ;\n'
        '        sh:value "lit"@en ;\n'
        "        sh:sourceShape <http://example.org/Known> ;\n"
        f"        sh:sourceConstraintComponent <{SHNS}NodeKindConstraintComponent> ;\n"
        f"        sh:resultSeverity <{SHNS}Warning> ;\n"
        '        sh:resultMessage "known"\n'
        "    ] ,\n"
        "    [\n"
        "        a sh:ValidationResult ;\n"
        "        sh:focusNode _:b1 ;\n"
        "        sh:resultPath [ sh:inversePath <http://example.org/p> ] ;\n"
        f"        sh:sourceShape <{KGSH}S> ;\n"
        f"        sh:sourceConstraintComponent <{SHNS}MinCountConstraintComponent> ;\n"
        f"        sh:resultSeverity <{SHNS}Violation> ;\n"
        '        sh:resultMessage "say \\"hi\\"\\nnow"\n'
        "    ] ,\n"
        "    [\n"
        "        a sh:ValidationResult ;\n"
        "        sh:focusNode <http://example.org/a> ;\n"
        f'        sh:value "1"^^<{XSD}integer> ;\n'
        "        sh:sourceShape <http://example.org/Size> ;\n"
        f"        sh:sourceConstraintComponent <{SHNS}DatatypeConstraintComponent> ;\n"
        f"        sh:resultSeverity <{SHNS}Info> ;\n"
        '        sh:resultMessage "höchstens zehn"\n'
        "    ] ,\n"
        "    [\n"
        "        a sh:ValidationResult ;\n"
        "        sh:focusNode <http://example.org/a> ;\n"
        "        sh:resultPath <http://example.org/tag> ;\n"
        '        sh:value "x" ;\n'
        "        sh:sourceShape <http://example.org/Tag> ;\n"
        f"        sh:sourceConstraintComponent <{SHNS}InConstraintComponent> ;\n"
        f"        sh:resultSeverity <{SHNS}Warning> ;\n"
        '        sh:resultMessage "a tag"\n'
        "    ] .\n"
    )
    graph = rdflib.Graph().parse(data=text, format="turtle")
    assert set(graph.objects(None, SH.resultMessage)) == {
        Literal(m) for m in ("known", 'say "hi"\nnow', "höchstens zehn", "a tag")
    }
    focus = set(graph.objects(None, SH.focusNode))
    assert len(focus) == 3
    assert {URIRef(EX + "a"), Literal("lit", lang="en")} < focus
    assert any(isinstance(node, BNode) for node in focus)


def test_a_json_ld_report_is_exact() -> None:
    expected = {
        "@context": {"sh": SHNS},
        "@type": "sh:ValidationReport",
        "sh:conforms": False,
        "sh:result": [
            {
                "@type": "sh:ValidationResult",
                "sh:focusNode": {"@value": "lit", "@language": "en"},
                "sh:value": {"@value": "lit", "@language": "en"},
                "sh:sourceShape": {"@id": EX + "Known"},
                "sh:sourceConstraintComponent": {"@id": SHNS + "NodeKindConstraintComponent"},
                "sh:resultSeverity": {"@id": SHNS + "Warning"},
                "sh:resultMessage": {"@value": "known"},
            },
            {
                "@type": "sh:ValidationResult",
                "sh:focusNode": {"@id": "_:b1"},
                "sh:resultPath": {"sh:inversePath": {"@id": EX + "p"}},
                "sh:sourceShape": {"@id": KGSH + "S"},
                "sh:sourceConstraintComponent": {"@id": SHNS + "MinCountConstraintComponent"},
                "sh:resultSeverity": {"@id": SHNS + "Violation"},
                "sh:resultMessage": {"@value": 'say "hi"\nnow'},
            },
            {
                "@type": "sh:ValidationResult",
                "sh:focusNode": {"@id": "http://example.org/a"},
                "sh:value": {"@value": "1", "@type": XSD + "integer"},
                "sh:sourceShape": {"@id": EX + "Size"},
                "sh:sourceConstraintComponent": {"@id": SHNS + "DatatypeConstraintComponent"},
                "sh:resultSeverity": {"@id": SHNS + "Info"},
                "sh:resultMessage": {"@value": "höchstens zehn"},
            },
            {
                "@type": "sh:ValidationResult",
                "sh:focusNode": {"@id": "http://example.org/a"},
                "sh:resultPath": {"@id": EX + "tag"},
                "sh:value": {"@value": "x"},
                "sh:sourceShape": {"@id": EX + "Tag"},
                "sh:sourceConstraintComponent": {"@id": SHNS + "InConstraintComponent"},
                "sh:resultSeverity": {"@id": SHNS + "Warning"},
                "sh:resultMessage": {"@value": "a tag"},
            },
        ],
    }
    text = report(MIXED, fmt="json-ld")
    assert json.loads(text) == expected
    assert text == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert text == report(reversed(MIXED), fmt="json-ld")


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_a_report_of_warnings_only_conforms(fmt: str) -> None:
    warnings_only = [r for r in MIXED if r.severity == SHNS + "Warning"]
    text = report(warnings_only, fmt=fmt)
    if fmt == "turtle":
        assert "    sh:conforms true ;\n" in text
        assert text.count("a sh:ValidationResult") == 2
    else:
        document = json.loads(text)
        assert document["sh:conforms"] is True
        assert len(document["sh:result"]) == 2
