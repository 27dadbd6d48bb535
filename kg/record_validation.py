"""Validation of records before they are written: the bridge between SHACL and the loader.

The records of one page are put in a small in-memory store, validated there, and every
result is traced back to the question whose record it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyoxigraph

from kg import ntriples, vocab
from kg.load import Finding, Validator
from kg.record import Record
from kg.sparql import select
from kg.store import refusals_as_store_errors
from kg.validate import Shapes, load_shapes, validate_store

if TYPE_CHECKING:
    from kg.bulk import StoreValidator

_SEVERITY_PREFIX = "http://www.w3.org/ns/shacl#"


def _severity_name(severity: str) -> str:
    return severity[len(_SEVERITY_PREFIX) :] if severity.startswith(_SEVERITY_PREFIX) else severity


def record_validator(*, shapes: Shapes | None = None) -> Validator:
    """A :data:`kg.load.Validator` that checks records against kg's SHACL shapes."""
    loaded = shapes if shapes is not None else load_shapes()

    def validate(records: list[Record]) -> list[Finding]:
        scratch = pyoxigraph.Store()
        # As bytes: pyoxigraph reads a str argument a third slower (42 vs 67 ms for a page).
        text = "".join(line for r in records for line in r.lines)
        with refusals_as_store_errors():
            scratch.load(ntriples.utf8(text), pyoxigraph.RdfFormat.N_TRIPLES)
        results = validate_store(scratch, shapes=loaded)
        if not results:
            return []
        owners = _owners(scratch, records)
        findings = []
        for result in results:
            for owner in owners.get(result.focus, []):
                findings.append(
                    Finding(
                        record=owner,
                        severity=_severity_name(result.severity),
                        message=result.message,
                    )
                )
        return findings

    return validate


def _owners(scratch: pyoxigraph.Store, records: list[Record]) -> dict[str, list[str]]:
    """For each node of the page, the question records it belongs to or is used by."""
    owners: dict[str, list[str]] = {r.iri: [r.iri] for r in records}
    part_of = pyoxigraph.NamedNode(vocab.PART_OF_RECORD)
    for quad in scratch.quads_for_pattern(None, part_of, None):
        if isinstance(quad.subject, pyoxigraph.NamedNode) and isinstance(
            quad.object, pyoxigraph.NamedNode
        ):
            owners.setdefault(quad.subject.value, []).append(quad.object.value)
    parts = dict(owners)
    for quad in scratch.quads_for_pattern(None, None, None):
        obj, subject = quad.object, quad.subject
        if not isinstance(obj, pyoxigraph.NamedNode) or obj.value in parts:
            continue
        if isinstance(subject, pyoxigraph.NamedNode):
            for owner in parts.get(subject.value, []):
                owners.setdefault(obj.value, []).append(owner)
    return {k: list(dict.fromkeys(v)) for k, v in owners.items()}


__all__ = ["record_validator"]


#: The questions whose records hold ``?focus`` or point to it. What refers to the focus is
#: found first, then checked one by one (OPTIONAL, then FILTER): as a join, Oxigraph read
#: every question's type first, 0.7-0.9 s a focus at 100,000 questions against 1 ms.
_OWNERS_OF = """
SELECT DISTINCT ?q ?focus WHERE {
  { ?focus kg:partOfRecord ?q }
  UNION { ?q ?p ?focus . OPTIONAL { ?q a ?type } FILTER(?type = kg:WrittenQuestion) }
  UNION { ?part ?p ?focus . OPTIONAL { ?part kg:partOfRecord ?q } FILTER(BOUND(?q)) }
}"""


def store_validator(*, shapes: Shapes | None = None) -> StoreValidator:
    """A validator for the bulk path: checks the whole (new) store, then traces results."""
    loaded = shapes if shapes is not None else load_shapes()

    def validate(store: pyoxigraph.Store, iris: Sequence[str]) -> list[Finding]:
        records = set(iris)
        findings: list[Finding] = []
        owners_of: dict[str, list[str]] = {}
        for result in validate_store(store, shapes=loaded):
            owners = owners_of.get(result.focus)
            if owners is None:
                owners = owners_of[result.focus] = _store_owners(store, result.focus, records)
            severity = _severity_name(result.severity)
            findings.extend(Finding(owner, severity, result.message) for owner in owners)
        return findings

    return validate


def _store_owners(store: pyoxigraph.Store, focus: str, records: set[str]) -> list[str]:
    if focus in records:
        return [focus]
    rows = select(store, _OWNERS_OF, substitutions={"focus": pyoxigraph.NamedNode(focus)})
    return [
        row["q"].value
        for row in rows
        if isinstance(row["q"], pyoxigraph.NamedNode) and row["q"].value in records
    ]
