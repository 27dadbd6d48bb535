"""Linked-data-api values: ``{"_value", "_datatype", "_lang"}`` objects, plain JSON scalars,
single values vs lists, and typing them as well-formed RDF literals."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kg import ntriples
from kg.canonical import (
    canonical_date_time,
    canonical_decimal,
    canonical_double,
    canonical_float,
    canonical_integer,
)
from kg.vocab import XSD

_BARE_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INTEGER_TYPES = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
}  # fmt: skip
_FLOAT_TYPES = {"double", "float"}


#: An absolute IRI: a scheme, a colon, then anything not a space (kg percent-encodes what
#: N-Triples forbids in the rest).
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S")
#: Beginnings that make an IRI absolute by themselves (a scheme, then a non-space): sooner
#: checked than :data:`ABSOLUTE_IRI`.
_ABSOLUTE_PREFIXES = ("http:/", "https:/")


def is_absolute_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI (:data:`ABSOLUTE_IRI`)."""
    return value.startswith(_ABSOLUTE_PREFIXES) or ABSOLUTE_IRI.match(value) is not None


def only_text(value: Any) -> bool:
    """Whether every leaf of a JSON value is a string: then ``==`` on it is exact (no
    ``True == 1``), so a cache can compare such values instead of hashing them."""
    if type(value) is str:
        return True
    if type(value) is dict:
        return all(only_text(entry) for entry in value.values())
    if type(value) is list:
        return all(only_text(entry) for entry in value)
    return False


class ValueProblem(ValueError):
    """A value of an unexpected shape or an unparseable lexical form."""


def as_list(value: Any) -> list[Any]:
    """A JSON value that may be one thing or a list of things, always as a list."""
    if isinstance(value, list):
        return value
    return [value]


def datatype_iri(name: str) -> str:
    """A ``_datatype`` short name (``dateTime``) or full IRI as a datatype IRI."""
    if name.startswith(("http://", "https://")):
        return name
    if name.startswith("xsd:"):
        name = name[4:]
    return XSD + name


def _check_date(text: str) -> None:
    try:
        dt.date.fromisoformat(text.lstrip("-")[:10])
    except ValueError as exc:
        raise ValueProblem(f"unparseable date {text!r}") from exc


def typed_literal(text: str, datatype: str) -> str:
    """An N-Triples literal for a typed value, normalising what real data gets wrong.

    A ``dateTime`` that holds a bare date becomes ``xsd:date``; booleans are lower-cased;
    a value that cannot be read as its type raises :class:`ValueProblem`.
    """
    local = datatype[len(XSD) :] if datatype.startswith(XSD) else ""
    text = text.strip() if local else text
    if local in ("dateTime", "date"):
        if _BARE_DATE.fullmatch(text):
            _check_date(text)
            return ntriples.literal(text, XSD + "date")
        if _DATE_TIME.fullmatch(text):
            _check_date(text)
            return ntriples.literal(canonical_date_time(text), XSD + "dateTime")
        raise ValueProblem(f"unparseable date {text!r}")
    if local == "boolean":
        lowered = text.lower()
        if lowered in ("true", "1"):
            return ntriples.literal("true", XSD + "boolean")
        if lowered in ("false", "0"):
            return ntriples.literal("false", XSD + "boolean")
        raise ValueProblem(f"not a boolean: {text!r}")
    if local in _INTEGER_TYPES:
        if not _INTEGER.fullmatch(text):
            raise ValueProblem(f"not an integer: {text!r}")
        text = canonical_integer(text)
    elif local == "decimal":
        if not _DECIMAL.fullmatch(text):
            raise ValueProblem(f"not a decimal: {text!r}")
        text = canonical_decimal(text)
    elif local in _FLOAT_TYPES:
        try:
            number = float(text)
        except ValueError as exc:
            raise ValueProblem(f"not a number: {text!r}") from exc
        text = canonical_double(number) if local == "double" else canonical_float(number)
    return ntriples.literal(text, datatype)


def scalar_literal(value: Any) -> str:
    """A literal for a plain JSON scalar (string, boolean, number)."""
    if isinstance(value, bool):
        return ntriples.literal("true" if value else "false", XSD + "boolean")
    if isinstance(value, int):
        return ntriples.literal(str(value), XSD + "integer")
    if isinstance(value, float):
        return ntriples.literal(canonical_double(value), XSD + "double")
    if isinstance(value, str):
        return ntriples.literal(value)
    raise ValueProblem(f"unexpected value of type {type(value).__name__}")


def value_literal(obj: dict[str, Any]) -> str:
    """A literal for a ``{"_value": ..., "_datatype"?: ..., "_lang"?: ...}`` object."""
    raw = obj["_value"]
    if isinstance(raw, list | dict) or raw is None:
        raise ValueProblem(f"_value holds a {type(raw).__name__}, not text")
    lang = obj.get("_lang")
    datatype = obj.get("_datatype")
    for key, given in (("_lang", lang), ("_datatype", datatype)):
        if given is not None and not isinstance(given, str):
            raise ValueProblem(f"{key} holds a {type(given).__name__}, not text")
    if lang:
        try:
            return ntriples.literal(str(raw), language=str(lang))
        except ValueError as exc:
            raise ValueProblem(str(exc)) from exc
    if datatype:
        text = raw if isinstance(raw, str) else scalar_text(raw)
        return typed_literal(text, datatype_iri(str(datatype)))
    return scalar_literal(raw)


def entry_literal(entry: Any) -> str | None:
    """The literal of a JSON value that is one (a ``{"_value": ...}`` object or a scalar);
    None for what is not (an object without ``_value``, a null, a list)."""
    if isinstance(entry, dict):
        return value_literal(entry) if "_value" in entry else None
    if entry is None or isinstance(entry, list):
        return None
    return scalar_literal(entry)


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plain_text(value: Any) -> str | None:
    """The text of a value that may be a string, a ``_value`` object or a one-element list."""
    for entry in as_list(value):
        if isinstance(entry, dict) and "_value" in entry:
            return scalar_text(entry["_value"])
        if isinstance(entry, str | int | float | bool):
            return scalar_text(entry)
    return None


def date_of(value: Any) -> dt.date | None:
    """The calendar date of a date or dateTime value, or None when absent or unreadable."""
    text = plain_text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
