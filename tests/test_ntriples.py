"""The one serializer, checked against pyoxigraph's own N-Triples parser."""

from __future__ import annotations

import pyoxigraph
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kg import ntriples
from kg.vocab import XSD

S = ntriples.iri("http://example.org/s")
P = ntriples.iri("http://example.org/p")


def parse_one(line: str) -> pyoxigraph.Triple:
    triples = list(pyoxigraph.parse(line.encode("utf-8"), pyoxigraph.RdfFormat.N_TRIPLES))
    assert len(triples) == 1
    return triples[0]


hostile_text = st.text(
    alphabet=st.characters(codec=None, categories=None),
    max_size=80,
)


@settings(max_examples=400)
@given(hostile_text)
def test_any_string_round_trips_through_pyoxigraph(value: str) -> None:
    parsed = parse_one(ntriples.triple(S, P, ntriples.literal(value)))
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    assert isinstance(parsed.object, pyoxigraph.Literal)
    assert parsed.object.value == expected


@settings(max_examples=300)
@given(st.text(max_size=40), st.sampled_from(["integer", "date", "dateTime", "string", "boolean"]))
def test_typed_literals_keep_their_datatype(value: str, local: str) -> None:
    parsed = parse_one(ntriples.triple(S, P, ntriples.literal(value, XSD + local)))
    assert isinstance(parsed.object, pyoxigraph.Literal)
    assert parsed.object.datatype == pyoxigraph.NamedNode(XSD + local)


@settings(max_examples=400)
@given(hostile_text)
def test_any_iri_path_gives_a_valid_iri(tail: str) -> None:
    assert_parsed_as_kept("http://example.org/" + tail)


def assert_parsed_as_kept(value: str) -> None:
    """kg's IRI for ``value`` is one Oxigraph parses, as kg keeps it."""
    parsed = parse_one(ntriples.triple(ntriples.iri(value), P, '"x"'))
    assert isinstance(parsed.subject, pyoxigraph.NamedNode)
    assert parsed.subject.value == ntriples.iri_text(value)


authority_text = st.text(alphabet=st.sampled_from("ab1:@[]%/?#.-v") | st.characters(), max_size=30)


@settings(max_examples=600)
@given(authority_text)
def test_any_authority_gives_a_valid_iri(tail: str) -> None:
    # After "//" comes the authority: user info before an "@", a host, a port after a ":".
    value = "http://" + tail
    assert_parsed_as_kept(value)
    assert ntriples.iri_text(ntriples.iri_text(value)) == ntriples.iri_text(value)


@settings(max_examples=600)
@given(st.sampled_from(["http://", "https://", "http://a", "https://x.org/"]), authority_text)
def test_the_quick_match_keeps_only_what_the_long_way_keeps(start: str, tail: str) -> None:
    value = start + tail
    if ntriples._IRI_SAFE.fullmatch(value):
        assert ntriples.normalised_iri(value) == value


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("http://a:xyz/p", "http://a%3Axyz/p"),
        ("http://a:80:90/", "http://a%3A80%3A90/"),
        ("http://user@host@x/", "http://user%40host@x/"),
        ("http://u:p@h:8080/x?y#z", "http://u:p@h:8080/x?y#z"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("http://[zz]/x", "http://%5Bzz%5D/x"),
        ("http://[fe80::1%eth0]/", "http://%5Bfe80%3A%3A1%25eth0%5D/"),
        ("http://example.org/a b", "http://example.org/a%20b"),
        ("http://example.org/a>b", "http://example.org/a%3Eb"),
        ('http://example.org/"{x}|^`\\', "http://example.org/%22%7Bx%7D%7C%5E%60%5C"),
        ("http://example.org/®", "http://example.org/®"),
        ("http://example.org/%20", "http://example.org/%20"),
    ],
)
def test_forbidden_iri_characters_are_percent_encoded(raw: str, stored: str) -> None:
    assert ntriples.iri_text(raw) == stored
    assert parse_one(ntriples.triple(ntriples.iri(raw), P, '"x"')).subject.value == stored


@settings(max_examples=400)
@given(hostile_text)
def test_the_hot_path_string_literal_round_trips_once_encoded(value: str) -> None:
    # string_literal leaves lone surrogates to utf8(), which the converter always calls.
    line = ntriples.triple(S, P, ntriples.string_literal(value))
    triples = list(pyoxigraph.parse(ntriples.utf8(line), pyoxigraph.RdfFormat.N_TRIPLES))
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    assert len(triples) == 1
    assert isinstance(triples[0].object, pyoxigraph.Literal)
    assert triples[0].object.value == expected
    if value == expected:
        assert ntriples.string_literal(value) == ntriples.literal(value)


def test_escapes_are_exactly_the_grammar_ones() -> None:
    # STRING_LITERAL_QUOTE forbids only " \ LF and CR; tabs, NUL and DEL may stand as they are.
    assert ntriples.literal('a"b\\c\nd\re\tf\x00g\x7f😀') == ('"a\\"b\\\\c\\nd\\re\tf\x00g\x7f😀"')
    assert ntriples.string_literal('a"b\\c\nd\re') == '"a\\"b\\\\c\\nd\\re"'


def test_lone_surrogate_becomes_replacement_character() -> None:
    assert ntriples.literal("a\ud800b") == '"a\ufffdb"'
    assert ntriples.utf8(ntriples.string_literal("a\ud800b")) == '"a\ufffdb"'.encode()
    assert ntriples.without_surrogates("plain") == "plain"


def test_language_tags() -> None:
    assert ntriples.literal("Tŷ", language="cy-GB") == '"Tŷ"@cy-GB'
    assert (
        parse_one(ntriples.triple(S, P, ntriples.literal("x", language="en"))).object.language
        == "en"
    )
    for tag in ("en gb", "x", "en-a", "englishlanguage"):
        with pytest.raises(ValueError, match="not a language tag"):
            ntriples.literal("x", language=tag)
    assert ntriples.literal("x", language="i-klingon") == '"x"@i-klingon'


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from("aZx19-") | st.characters(), max_size=20))
def test_a_language_tag_is_refused_or_parsed(tag: str) -> None:
    assume(tag)  # no tag: a plain literal
    try:
        line = ntriples.triple(S, P, ntriples.literal("v", language=tag))
    except ValueError:
        return
    parsed = parse_one(line).object
    assert isinstance(parsed, pyoxigraph.Literal)
    assert (parsed.language or "").lower() == tag.lower()


def test_quads_name_their_graph() -> None:
    line = ntriples.quad(S, P, '"x"', ntriples.iri("http://example.org/g"))
    quads = list(pyoxigraph.parse(line.encode(), pyoxigraph.RdfFormat.N_QUADS))
    assert quads[0].graph_name == pyoxigraph.NamedNode("http://example.org/g")
    assert ntriples.quad(S, P, '"x"', None) == ntriples.triple(S, P, '"x"')
