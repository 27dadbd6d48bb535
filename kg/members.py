"""Member items of the linked-data-api (``commonsmembers``, ``lordsmembers``, ``members``).

A member item becomes a record whose IRI is the member IRI itself
(``http://data.parliament.uk/members/N``, the IRI questions use for their tabling and answering
members), so members join questions, and a member whose item changed replaces its record.
The mapping is the same rule as for questions: a key is ``parl:<key>`` (``label`` is
``rdfs:label``), a ``{"_value": ...}`` is a literal, a nested object with ``_about`` (the
constituency) is a resource with its own IRI, typed, with its label.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any

from kg import ntriples, vocab
from kg.errors import InputError
from kg.record import NULL_VALUE_OF, Record
from kg.values import ValueProblem, as_list, entry_literal, is_absolute_iri

#: Bumped whenever the member mapping changes, so that re-loading re-converts unchanged items.
MEMBER_CONVERTER_VERSION = "member-1"

#: The class of a member's constituency (to be added to the ontology with the other terms).
CONSTITUENCY = vocab.KG + "Constituency"

#: The keys of member items kg knows; others are kept as ``parl:`` predicates and counted.
KNOWN_MEMBER_KEYS = frozenset(
    {
        "_about", "label", "fullName", "givenName", "familyName", "additionalName", "party",
        "gender", "constituency", "homePage", "twitter", "birthDate", "deathDate", "memberTitle",
    }
)  # fmt: skip
#: Keys whose nested resource gets a class of its own.
RESOURCE_CLASSES: dict[str, str] = {"constituency": CONSTITUENCY}

_MEMBER_IRI = re.compile(r"^http://data\.parliament\.uk/members/[0-9]+$")
_TYPE = ntriples.iri(vocab.RDF_TYPE)
_MEMBER_CLASS = ntriples.iri(vocab.MEMBER)
_CONTENT_HASH = ntriples.iri(vocab.CONTENT_HASH)


def member_content_hash(item: dict[str, Any]) -> str:
    """A fingerprint of a member item's JSON and of the member converter."""
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((MEMBER_CONVERTER_VERSION + canonical).encode("utf-8")).hexdigest()


def _literal(key: str, entry: Any, unknown: Counter[str]) -> str | None:
    term = entry_literal(entry)
    if term is not None:
        return term
    if isinstance(entry, dict):
        raise ValueProblem(f"{key}: an object with neither _value nor _about")
    if isinstance(entry, list):
        raise ValueProblem(f"{key}: a list inside a list")
    unknown[NULL_VALUE_OF + key] += 1
    return None


def _resource(key: str, entry: dict[str, Any], lines: list[str], unknown: Counter[str]) -> str:
    about = entry["_about"]
    if not isinstance(about, str) or not is_absolute_iri(about):
        raise ValueProblem(f"{key}: _about is not an absolute IRI: {about!r}")
    node = ntriples.iri(about)
    if key in RESOURCE_CLASSES:
        lines.append(ntriples.triple(node, _TYPE, ntriples.iri(RESOURCE_CLASSES[key])))
    for inner, value in entry.items():
        if inner == "_about":
            continue
        if isinstance(value, dict) and "_about" in value:
            unknown[f"{key}.{inner} (nested resource, left out)"] += 1
            continue
        predicate = ntriples.iri(vocab.predicate_for_key(inner))
        for item in as_list(value):
            term = _literal(f"{key}.{inner}", item, unknown)
            if term is not None:
                lines.append(ntriples.triple(node, predicate, term))
    return node


def convert_member(item: dict[str, Any], *, where: str) -> Record:
    """Convert one member item; ``where`` names it in errors (``page item 3``)."""
    about = item.get("_about")
    if about is None:
        raise InputError(where, "the member has no _about (its IRI)", "fix the page")
    if not isinstance(about, str) or not _MEMBER_IRI.match(about):
        raise InputError(
            where,
            f"not a member IRI: {about!r}",
            "a member item's _about is http://data.parliament.uk/members/<digits>",
        )
    subject = ntriples.iri(about)
    lines = [ntriples.triple(subject, _TYPE, _MEMBER_CLASS)]
    unknown: Counter[str] = Counter()
    try:
        for key, value in item.items():
            if key == "_about":
                continue
            if key not in KNOWN_MEMBER_KEYS:
                unknown[f"member.{key}"] += 1
            predicate = ntriples.iri(vocab.predicate_for_key(key))
            for entry in as_list(value):
                if isinstance(entry, dict) and "_about" in entry:
                    term: str | None = _resource(key, entry, lines, unknown)
                else:
                    term = _literal(key, entry, unknown)
                if term is not None:
                    lines.append(ntriples.triple(subject, predicate, term))
    except ValueProblem as exc:
        raise InputError(f"{where} ({about})", str(exc), "fix the value in the page") from exc
    digest = member_content_hash(item)
    lines.append(ntriples.triple(subject, _CONTENT_HASH, ntriples.literal(digest)))
    return Record(
        iri=about,
        uin=None,
        lines=list(dict.fromkeys(lines)),
        content_hash=digest,
        unknown_keys=unknown,
    )
