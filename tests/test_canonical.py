"""kg writes typed values in the form Oxigraph gives back, whatever form the data has."""

from __future__ import annotations

import struct

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.value_cache import date_time_literal
from kg.values import scalar_literal, typed_literal
from kg.vocab import XSD


def stored_form(literal: str) -> str:
    """The lexical form Oxigraph gives back for a literal in N-Triples."""
    store = pyoxigraph.Store()
    store.load(f"<urn:s> <urn:p> {literal} .".encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    (quad,) = store
    assert isinstance(quad.object, pyoxigraph.Literal)
    return quad.object.value


def written_form(literal: str) -> str:
    return literal[1 : literal.rindex('"')]


def same_as_stored(literal: str) -> bool:
    return written_form(literal) == stored_form(literal)


_doubles = st.floats(allow_nan=True, allow_infinity=True) | st.integers(
    min_value=0, max_value=2**64 - 1
).map(lambda bits: struct.unpack("<d", struct.pack("<Q", bits))[0])
_singles = st.floats(width=32) | st.integers(min_value=0, max_value=2**32 - 1).map(
    lambda bits: struct.unpack("<f", struct.pack("<I", bits))[0]
)
_date_times = st.from_regex(
    r"\A20[0-9]{2}-0[1-9]-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z|[+-]0[0-9]:[0-5][0-9])?\Z"
)


@settings(max_examples=300)
@given(_doubles)
def test_doubles(value: float) -> None:
    assert same_as_stored(typed_literal(repr(value), XSD + "double"))
    assert same_as_stored(scalar_literal(value))  # a JSON number with a point


@settings(max_examples=300)
@given(_singles)
def test_floats(value: float) -> None:
    assert same_as_stored(typed_literal(repr(value), XSD + "float"))


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.sampled_from(["", "+", "00"]))
def test_integers(value: int, lead: str) -> None:
    text = (lead if value >= 0 else "-" + lead.strip("+")) + str(abs(value))
    for datatype in ("integer", "long", "nonNegativeInteger" if value >= 0 else "integer"):
        assert same_as_stored(typed_literal(text, XSD + datatype))


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=6, min_value=-(10**12), max_value=10**12
    )
)
def test_decimals(value: object) -> None:
    text = format(value, "f")
    assert same_as_stored(typed_literal(text, XSD + "decimal"))
    assert same_as_stored(typed_literal(text + "000", XSD + "decimal"))


@given(_date_times)
def test_date_times(text: str) -> None:
    literal = typed_literal(text, XSD + "dateTime")
    assert same_as_stored(literal)
    assert date_time_literal(text) == literal  # the converter's shortcut agrees


@pytest.mark.parametrize(
    ("text", "datatype", "written"),
    [
        ("2024-04-16T15:28:15.160Z", "dateTime", "2024-04-16T15:28:15.16Z"),
        ("2024-04-16T15:28:15.000+00:00", "dateTime", "2024-04-16T15:28:15Z"),
        ("2024-04-16T24:00:00", "dateTime", "2024-04-17T00:00:00"),
        ("+007", "integer", "7"),
        ("1.50", "decimal", "1.5"),
        ("-0.0", "decimal", "0"),
        ("1e10", "double", "10000000000"),
        ("-0.0", "double", "-0"),
        ("19781.0625", "float", "19781.063"),
    ],
)
def test_non_canonical_forms_in_the_data(text: str, datatype: str, written: str) -> None:
    literal = typed_literal(text, XSD + datatype)
    assert written_form(literal) == written == stored_form(literal)
