"""The one N-Triples / N-Quads serializer of kg's hot path.

Every IRI and literal kg writes as RDF text goes through :func:`iri` and :func:`literal`,
which escape exactly per the N-Triples grammar (W3C RDF 1.1 N-Triples, productions
IRIREF, STRING_LITERAL_QUOTE, LANGTAG):

* an IRI keeps what RFC 3987 allows (unreserved and reserved ASCII, valid ``%XX``
  escapes, the first ``#``, and non-ASCII ``ucschar`` characters); everything else (spaces,
  ``<>"{}|^`\\[]``, control characters, a stray ``%``, a second ``#``, non-characters) is
  percent-encoded as UTF-8, and so is, in an authority (``//user@host:port``), an ``@``
  before the last, a ``:`` not followed by a port's digits, and brackets around what is not
  an IP address: so that any text becomes an IRI that parsers accept;
* in a literal ``"`` ``\\`` LF and CR are escaped with ECHAR, as STRING_LITERAL_QUOTE
  requires, and every other character is written as it is; lone surrogates, which UTF-8
  cannot carry, become U+FFFD (in :func:`literal`, or when :func:`utf8` encodes the text).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

import pyoxigraph

from kg.vocab import XSD_STRING

#: An IRI kept as it is (the commonest: checked first, so a quick match): http(s), a host
#: name without user info or port, then ASCII without ``%``. Any other goes the long way.
_IRI_SAFE = re.compile(
    r"https?://[A-Za-z0-9\-._~!$&'()*+,;=]+(?=[/?#]|$)"
    r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*(#[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?"
)
#: An authority's host (a bracketed IP literal, or a name without ``:``) and port.
_HOST_PORT = re.compile(r"(\[[^\[\]]*\]|[^\[\]:]*)(:[0-9]*)?")
_IP_FUTURE = re.compile(r"v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+")
_IRI_ASCII_KEEP = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?"
)
_HEX = frozenset("0123456789abcdefABCDEF")
_SURROGATE = re.compile("[" + chr(0xD800) + "-" + chr(0xDFFF) + "]")
#: Whether each language tag met is well-formed (BCP 47), as Oxigraph checks it.
_LANGUAGE_TAGS: dict[str, bool] = {}
_DATATYPE_SUFFIXES: dict[str, str] = {}


def _percent_encode(ch: str) -> str:
    return "".join(f"%{byte:02X}" for byte in ch.encode("utf-8"))


def _is_ucschar(code: int) -> bool:
    if (code & 0xFFFF) >= 0xFFFE:
        return False
    return (
        0xA0 <= code <= 0xD7FF
        or 0xF900 <= code <= 0xFDCF
        or 0xFDF0 <= code <= 0xFFEF
        or (0x10000 <= code <= 0xEFFFD and not 0xE0000 <= code <= 0xE0FFF)
    )


def _normalise_iri(value: str) -> str:
    out: list[str] = []
    seen_fragment = False
    length = len(value)
    for index, ch in enumerate(value):
        if ch in _IRI_ASCII_KEEP or (
            ch == "%"
            and value[index + 1 : index + 3]
            and set(value[index + 1 : index + 3]) <= _HEX
            and index + 2 < length
        ):
            out.append(ch)
        elif ch == "#" and not seen_fragment:
            seen_fragment = True
            out.append(ch)
        elif ord(ch) > 0x7F and _is_ucschar(ord(ch)):
            out.append(ch)
        else:
            out.append(_percent_encode(ch))
    return "".join(out)


def _is_ip_literal(text: str) -> bool:
    """Whether ``text`` (inside brackets) is an IPv6 address or an IPvFuture literal."""
    if _IP_FUTURE.fullmatch(text):
        return True
    if "%" in text:  # a zone, which an IRI cannot carry as it is
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _normalise_authority(authority: str) -> str:
    userinfo, at, host_port = authority.rpartition("@")
    if at:
        userinfo = _normalise_iri(userinfo).replace("@", "%40") + at
    parts = _HOST_PORT.fullmatch(host_port)
    if parts is not None and parts[1].startswith("["):
        if _is_ip_literal(parts[1][1:-1]):
            return userinfo + host_port
        parts = None
    if parts is None:
        return userinfo + _normalise_iri(host_port).replace(":", "%3A")
    return userinfo + _normalise_iri(parts[1]) + (parts[2] or "")


def iri_text(value: str) -> str:
    """The IRI as kg stores it: forbidden characters percent-encoded."""
    if _IRI_SAFE.fullmatch(value):
        return value
    return normalised_iri(value)


def normalised_iri(value: str) -> str:
    """:func:`iri_text` the long way, which gives the same for the IRIs the quick match keeps."""
    scheme, colon, rest = without_surrogates(value).partition(":")
    if not rest.startswith("//"):
        return scheme + colon + _normalise_iri(rest)
    end = len(rest)
    for mark in "/?#":
        found = rest.find(mark, 2)
        if found != -1 and found < end:
            end = found
    return scheme + colon + "//" + _normalise_authority(rest[2:end]) + _normalise_iri(rest[end:])


def iri(value: str) -> str:
    """An IRI term in N-Triples syntax."""
    return "<" + iri_text(value) + ">"


def iris(values: Iterable[str]) -> str:
    """IRI terms in N-Triples syntax, separated by spaces: the body of a VALUES block."""
    return " ".join(iri(value) for value in values)


def without_surrogates(text: str) -> str:
    """``text`` with every lone surrogate (which UTF-8 cannot carry) replaced by U+FFFD."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


def utf8(text: str) -> bytes:
    """N-Triples text as UTF-8, lone surrogates replaced by U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return without_surrogates(text).encode("utf-8")


def escape_string(value: str) -> str:
    """The body of a quoted N-Triples string (without the quotes).

    Only what STRING_LITERAL_QUOTE forbids is escaped (``"``, ``\\``, LF, CR, with ECHAR);
    every other character, control characters included, is allowed as it is. Lone
    surrogates are left in place: :func:`utf8` replaces them when the text is encoded.
    """
    # str.replace and `in` run in C: far faster than a regex over long HTML answers.
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if '"' in value:
        value = value.replace('"', '\\"')
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def string_literal(value: str) -> str:
    """A plain string literal (the commonest term kg writes)."""
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        return '"' + escape_string(value) + '"'
    return '"' + value + '"'


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` is a well-formed language tag, as Oxigraph's parser takes it."""
    known = _LANGUAGE_TAGS.get(tag)
    if known is None:
        try:
            pyoxigraph.Literal("", language=tag)
            known = True
        except ValueError:
            known = False
        if len(_LANGUAGE_TAGS) < 1024:
            _LANGUAGE_TAGS[tag] = known
    return known


def literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal term in N-Triples syntax; a plain string when neither datatype nor language."""
    body = '"' + escape_string(without_surrogates(value)) + '"'
    if language:
        if not is_language_tag(language):
            raise ValueError(f"not a language tag: {language!r}")
        return body + "@" + language
    if datatype and datatype != XSD_STRING:
        suffix = _DATATYPE_SUFFIXES.get(datatype)
        if suffix is None:
            suffix = _DATATYPE_SUFFIXES[datatype] = "^^" + iri(datatype)
        return body + suffix
    return body


def term(value: object) -> str:
    """A pyoxigraph term (named node, literal or blank node) in N-Triples syntax."""
    if isinstance(value, pyoxigraph.NamedNode):
        return iri(value.value)
    if isinstance(value, pyoxigraph.Literal):
        return literal(value.value, value.datatype.value, value.language)
    if isinstance(value, pyoxigraph.BlankNode):
        return "_:" + value.value
    raise TypeError(f"not an RDF term: {value!r}")


def rewrite(lines: Iterable[str]) -> list[str]:
    """N-Triples lines from elsewhere (Oxigraph's results), parsed and written again here."""
    data = "".join(lines).encode("utf-8")
    return [
        triple(term(t.subject), term(t.predicate), term(t.object))
        for t in pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_TRIPLES)
    ]


def triple(subject: str, predicate: str, obj: str) -> str:
    """One N-Triples line from already serialized terms."""
    return f"{subject} {predicate} {obj} .\n"


def quad(subject: str, predicate: str, obj: str, graph: str | None) -> str:
    """One N-Quads line; ``graph`` None means the default graph."""
    if graph is None:
        return f"{subject} {predicate} {obj} .\n"
    return f"{subject} {predicate} {obj} {graph} .\n"
