"""RDF/XML, written by kg: Oxigraph's own writer leaves carriage returns raw (XML parsers read
them as line feeds) and writes invalid elements for predicates without an XML name.

One ``rdf:Description`` per subject, from the groups of quads :mod:`kg.export` reads; what RDF/XML
cannot carry (a predicate with no XML name, a character XML 1.0 forbids, a triple term, a base
direction) is an :class:`~kg.errors.ExportError` that names another format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kg import vocab
from kg.errors import ExportError

_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHARS = _NAME_START + r"\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_LOCAL_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHARS}]*$")
_NAME_CHARS_ONLY = re.compile(f"[{_NAME_CHARS}]+$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_ATTR = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_XML_ATTR |= {'"': "&quot;", "\t": "&#9;", "\n": "&#10;"}
_XML_ATTR_SPECIAL = re.compile('[&<>\r"\t\n]')
#: rdf: names that RDF/XML reads as syntax, not as properties.
_RDF_SYNTAX = {"RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype", "Description"}
_RDF_SYNTAX |= {"li", "aboutEach", "aboutEachPrefix", "bagID"}


def _xml_text(value: str, quad: ox.Quad) -> str:
    if bad := _NOT_XML.search(value):
        what = f"{quad.subject} {quad.predicate}: XML 1.0 cannot carry U+{ord(bad.group(0)):04X}"
        raise ExportError("xml", what, "export as nt or ttl")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")


def _xml_attr(value: str) -> str:
    return _XML_ATTR_SPECIAL.sub(lambda m: _XML_ATTR[m.group(0)], value)


def _resource(term: ox.NamedNode | ox.BlankNode | ox.Triple, where: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f'rdf:resource="{_xml_attr(term.value)}"'
    if isinstance(term, ox.BlankNode):  # an NCName: b<id>, or h<hex> when the id is not one
        plain = _NAME_CHARS_ONLY.match(term.value)
        return f'rdf:nodeID="{"b" + term.value if plain else "h" + term.value.encode().hex()}"'
    raise ExportError("xml", f"{where}: cannot write an RDF-star triple term", "export as nt")


def _element(predicate: str, names: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """The element name of a predicate, and the namespace declaration it needs (or "")."""
    known = names.get(predicate)
    if known is not None:
        return known
    for index in range(len(predicate)):
        if _LOCAL_NAME.match(predicate, index):
            namespace, local = predicate[:index], predicate[index:]
            break
    else:
        raise ExportError("xml", f"the predicate <{predicate}> has no XML name", "export as ttl")
    if namespace == vocab.RDF and local in _RDF_SYNTAX:
        raise ExportError("xml", f"rdf:{local} cannot be a property in RDF/XML", "export as ttl")
    prefix = next((p for p, ns in vocab.PREFIXES.items() if ns == namespace), None)
    if prefix is not None:
        names[predicate] = (f"{prefix}:{local}", "")
    else:
        names[predicate] = (f"ns:{local}", f' xmlns:ns="{_xml_attr(namespace)}"')
    return names[predicate]


def write_rdfxml(groups: Iterable[list[ox.Quad]], write: Callable[[str], None]) -> None:
    """Write the groups (each one subject's quads) as an RDF/XML document, in text chunks."""
    names: dict[str, tuple[str, str]] = {}
    declarations = "".join(
        f'\n    xmlns:{prefix}="{_xml_attr(ns)}"' for prefix, ns in vocab.PREFIXES.items()
    )
    write(f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{declarations}>\n')
    for quads in groups:
        subject = quads[0].subject
        about = _resource(subject, subject).replace("rdf:resource", "rdf:about", 1)
        write(f"  <rdf:Description {about}>\n")
        for quad in quads:
            name, xmlns = _element(quad.predicate.value, names)
            obj = quad.object
            if not isinstance(obj, ox.Literal):
                write(f"    <{name}{xmlns} {_resource(obj, quad)}/>\n")
                continue
            if obj.direction is not None:
                raise ExportError("xml", f"{quad}: a literal with a base direction")
            datatype = obj.datatype.value
            attrs = f' rdf:datatype="{_xml_attr(datatype)}"' if datatype != vocab.XSD_STRING else ""
            attrs = f' xml:lang="{_xml_attr(obj.language)}"' if obj.language else attrs
            text = _xml_text(obj.value, quad)
            write(f"    <{name}{xmlns}{attrs}>{text}</{name}>\n")
        write("  </rdf:Description>\n")
    write("</rdf:RDF>\n")
