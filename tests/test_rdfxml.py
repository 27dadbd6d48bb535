"""kg's RDF/XML writer, on quads grouped by subject as kg.export hands them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import vocab
from kg.errors import ExportError
from kg.rdfxml import write_rdfxml

EX = "http://example.org/"
QUESTION = ox.NamedNode("http://data.parliament.uk/resources/1")


def written(*groups: list[ox.Quad]) -> str:
    parts: list[str] = []
    write_rdfxml(groups, parts.append)
    return "".join(parts)


def body(text: str) -> str:
    """The document without its XML declaration and namespace declarations."""
    start = text.index(">\n", text.index("<rdf:RDF")) + 2
    return text[start:]


def test_each_subject_is_one_description_with_kgs_prefixes() -> None:
    quads = [
        ox.Quad(QUESTION, ox.NamedNode(vocab.RDF_TYPE), ox.NamedNode(vocab.QUESTION)),
        ox.Quad(QUESTION, ox.NamedNode(vocab.PARL + "uin"), ox.Literal("HL1")),
        ox.Quad(QUESTION, ox.NamedNode(vocab.DAYS_TO_ANSWER), ox.Literal(3)),
        ox.Quad(QUESTION, ox.NamedNode(EX + "note"), ox.Literal("a\r\n<b> & c", language="en")),
    ]
    text = written(quads, [ox.Quad(ox.BlankNode("x1"), ox.NamedNode(EX + "see"), QUESTION)])
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n    xmlns:')
    assert body(text) == (
        '  <rdf:Description rdf:about="http://data.parliament.uk/resources/1">\n'
        '    <rdf:type rdf:resource="https://w3id.org/parliament-kg/def#WrittenQuestion"/>\n'
        "    <parl:uin>HL1</parl:uin>\n"
        '    <kg:daysToAnswer rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">3'
        "</kg:daysToAnswer>\n"
        '    <ns:note xmlns:ns="http://example.org/" xml:lang="en">a&#13;\n&lt;b&gt; &amp; c'
        "</ns:note>\n"
        "  </rdf:Description>\n"
        '  <rdf:Description rdf:nodeID="bx1">\n'
        '    <ns:see xmlns:ns="http://example.org/" '
        'rdf:resource="http://data.parliament.uk/resources/1"/>\n'
        "  </rdf:Description>\n"
        "</rdf:RDF>\n"
    )


@pytest.mark.parametrize(
    ("predicate", "message"),
    [
        (vocab.PARL + "123", "has no XML name — export as ttl"),
        (vocab.RDF + "about", "rdf:about cannot be a property in RDF/XML — export as ttl"),
    ],
)
def test_a_predicate_rdfxml_cannot_name_is_refused(predicate: str, message: str) -> None:
    quad = ox.Quad(QUESTION, ox.NamedNode(predicate), ox.Literal("o"))
    with pytest.raises(ExportError) as caught:
        written([quad])
    assert str(caught.value).endswith(message)
