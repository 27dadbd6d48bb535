from __future__ import annotations

import datetime as dt
from typing import Any

import pyoxigraph
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg import values
from kg.values import ValueProblem, plain_text, value_literal

XSD = "http://www.w3.org/2001/XMLSchema#"


@given(st.text(max_size=12), st.text(max_size=12))
def test_the_absolute_iri_shortcut_agrees_with_the_rule(scheme: str, rest: str) -> None:
    for value in (scheme + ":" + rest, "http:" + rest, "https:" + rest, rest):
        assert values.is_absolute_iri(value) == bool(values.ABSOLUTE_IRI.match(value))


@pytest.mark.parametrize(
    ("value", "absolute"),
    [
        ("http://data.parliament.uk/members/172", True),
        ("urn:isbn:0451450523", True),
        ("mailto:someone@example.org", True),
        ("members/172", False),
        ("http: //example.org", False),
        (":nothing", False),
        ("1http://example.org", False),
        ("", False),
    ],
)
def test_is_absolute_iri(value: str, absolute: bool) -> None:
    assert values.is_absolute_iri(value) is absolute


def test_only_text_is_true_for_strings_all_the_way_down() -> None:
    assert values.only_text({"_about": "x", "label": [{"_value": "a"}, "b"]})
    assert values.only_text([])
    # True == 1 and 1 == 1.0: such values must not be compared in place of hashed ones.
    assert not values.only_text({"_value": True})
    assert not values.only_text(["a", 1])
    assert not values.only_text({"a": {"b": None}})


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"_value": "2019-01-09", "_datatype": "dateTime"}, f'"2019-01-09"^^<{XSD}date>'),
        (
            {"_value": "2019-01-09T10:16:31.427Z", "_datatype": "dateTime"},
            f'"2019-01-09T10:16:31.427Z"^^<{XSD}dateTime>',
        ),
        ({"_value": " TRUE ", "_datatype": "boolean"}, f'"true"^^<{XSD}boolean>'),
        ({"_value": "0", "_datatype": "xsd:boolean"}, f'"false"^^<{XSD}boolean>'),
        ({"_value": 12, "_datatype": "integer"}, f'"12"^^<{XSD}integer>'),
        ({"_value": "Cymraeg", "_lang": "cy"}, '"Cymraeg"@cy'),
        ({"_value": 'say "no"\n'}, '"say \\"no\\"\\n"'),
        ({"_value": False}, f'"false"^^<{XSD}boolean>'),
    ],
)
def test_value_literal(obj: dict[str, Any], expected: str) -> None:
    assert value_literal(obj) == expected
    parsed = pyoxigraph.parse(f"<urn:s> <urn:p> {expected} .\n", pyoxigraph.RdfFormat.N_TRIPLES)
    assert len(list(parsed)) == 1


@pytest.mark.parametrize(
    ("obj", "problem"),
    [
        ({"_value": "2019-02-30", "_datatype": "dateTime"}, "unparseable date '2019-02-30'"),
        ({"_value": "yes", "_datatype": "boolean"}, "not a boolean: 'yes'"),
        ({"_value": "1.5", "_datatype": "integer"}, "not an integer: '1.5'"),
        ({"_value": "1,5", "_datatype": "decimal"}, "not a decimal: '1,5'"),
        ({"_value": "many", "_datatype": "double"}, "not a number: 'many'"),
        ({"_value": ["a"]}, "_value holds a list, not text"),
        ({"_value": "x", "_lang": "not a tag"}, "not a language tag: 'not a tag'"),
    ],
)
def test_value_literal_refuses(obj: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        value_literal(obj)
    assert str(caught.value) == problem


def test_plain_text_and_dates_take_every_shape_of_a_value() -> None:
    assert plain_text("HL1") == "HL1"
    assert plain_text([{"_value": 5}]) == "5"
    assert plain_text({"_value": True}) == "true"
    assert plain_text([]) is None
    assert plain_text({"_about": "x"}) is None
    assert values.date_of({"_value": "2019-01-09T10:16:31Z"}) == dt.date(2019, 1, 9)
    assert values.date_of("not a date") is None
    assert values.as_list("a") == ["a"]
    assert values.datatype_iri("xsd:date") == XSD + "date"
