"""The one N-Triples / N-Quads serializer of kg's hot path.

Every IRI and literal kg writes as RDF text goes through :func:`iri` and :func:`literal`,
which escape exactly per the N-Triples grammar (W3C RDF 1.1 N-Triples, productions
IRIREF, STRING_LITERAL_QUOTE, LANGTAG):

* an IRI may not contain ``<>"{}|^`\\``, spaces or control characters: those are
  percent-encoded (a ``%`` already in the IRI stays, it is legal);
* in a literal ``"`` ``\\`` LF and CR are escaped with ECHAR, every other control character
  (and DEL) with UCHAR; lone surrogates, which UTF-8 cannot carry, become U+FFFD.
"""

from __future__ import annotations

import re

from kg.vocab import XSD

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_LITERAL_SPECIAL = re.compile(r'[\x00-\x1f"\\\x7f\ud800-\udfff]')
_LANGTAG = re.compile(r"^[a-zA-Z]+(-[a-zA-Z0-9]+)*$")
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
XSD_STRING = XSD + "string"


def _percent_encode(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group(0).encode("utf-8"))


def _replace_surrogates(value: str) -> str:
    return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch in _ECHAR:
        return _ECHAR[ch]
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return f"\\u{ord(ch):04X}"


def iri_text(value: str) -> str:
    """The IRI as kg stores it: forbidden characters percent-encoded."""
    value = _replace_surrogates(value)
    if _IRI_FORBIDDEN.search(value):
        value = _IRI_FORBIDDEN.sub(_percent_encode, value)
    return value


def iri(value: str) -> str:
    """An IRI term in N-Triples syntax."""
    return "<" + iri_text(value) + ">"


def escape_string(value: str) -> str:
    """The body of a quoted N-Triples string (without the quotes)."""
    if _LITERAL_SPECIAL.search(value):
        return _LITERAL_SPECIAL.sub(_escape_char, value)
    return value


def literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal term in N-Triples syntax; a plain string when neither datatype nor language."""
    body = '"' + escape_string(value) + '"'
    if language:
        if not _LANGTAG.match(language):
            raise ValueError(f"not a language tag: {language!r}")
        return body + "@" + language
    if datatype and datatype != XSD_STRING:
        return body + "^^" + iri(datatype)
    return body


def triple(subject: str, predicate: str, obj: str) -> str:
    """One N-Triples line from already serialized terms."""
    return f"{subject} {predicate} {obj} .\n"


def quad(subject: str, predicate: str, obj: str, graph: str | None) -> str:
    """One N-Quads line; ``graph`` None means the default graph."""
    if graph is None:
        return f"{subject} {predicate} {obj} .\n"
    return f"{subject} {predicate} {obj} {graph} .\n"
