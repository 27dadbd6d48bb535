"""The resources kg adds to the data: the department that answers a question, and the house it
was asked in where the data names no legislature term for it. Many questions share each, so
their triples are made once per distinct content (see :class:`kg.record.SharedTriples`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kg import ntriples, vocab
from kg.record import SharedTriples
from kg.value_cache import remember
from kg.values import as_list, entry_literal, only_text, plain_text

#: Names of the houses by ``houseId``, for houses the data gives no legislature term for.
HOUSE_NAMES = {"1": "House of Commons", "2": "House of Lords"}
#: The data.parliament.uk terms of the houses, by houseId: what the API gives as the
#: legislature, so that a question without one has the same house as one with it.
HOUSE_TERMS = {
    "1": "http://data.parliament.uk/terms/25259",
    "2": "http://data.parliament.uk/terms/25277",
}
_TYPE = ntriples.iri(vocab.RDF_TYPE)
_LABEL = ntriples.iri(vocab.RDFS + "label")
_PREF_LABEL = ntriples.iri(vocab.SKOS + "prefLabel")
_DEPARTMENT_KEYS = _DEPARTMENT_ID, _DEPARTMENT_SHORT, _DEPARTMENT_SORT = (
    "answeringDeptId",
    "answeringDeptShortName",
    "answeringDeptSortName",
)
_BODY = "AnsweringBody"
_DEPARTMENT_PREDICATES = {
    key: ntriples.iri(vocab.predicate_for_key(key)) for key in _DEPARTMENT_KEYS
}
#: Department triples (or None) by the department's id, with the values they were made of.
_DEPARTMENTS: dict[str, tuple[list[Any], SharedTriples | None]] = {}


@lru_cache(maxsize=65536)
def shared_iri(value: str) -> str:
    """An IRI in N-Triples, remembered: one that many questions name (members, terms)."""
    return ntriples.iri(value)


def department_of(item: dict[str, Any]) -> SharedTriples | None:
    """The department's IRI and triples; None when the item names no department."""
    get = item.get
    values = [get(_DEPARTMENT_ID), get(_DEPARTMENT_SHORT), get(_DEPARTMENT_SORT), get(_BODY)]
    key = values[0].get("_value") if type(values[0]) is dict else None
    known = _DEPARTMENTS.get(key) if type(key) is str else None
    if known is not None and known[0] == values:
        return known[1]
    lines = _department_lines(item)
    found = SharedTriples.of(lines[0], lines[1:]) if lines else None
    if type(key) is str and only_text(values):
        remember(_DEPARTMENTS, key, (values, found))
    return found


def _department_lines(item: dict[str, Any]) -> list[str]:
    dept_id = plain_text(item.get(_DEPARTMENT_ID))
    if not dept_id:
        return []
    dept = ntriples.iri(vocab.department_iri(dept_id))
    lines = [dept, f"{dept} {_TYPE} <{vocab.DEPARTMENT}> .\n"]
    for key in _DEPARTMENT_KEYS:
        for entry in as_list(item.get(key, [])):
            term = entry_literal(entry)  # the question keeps the rest
            if term is not None:
                lines.append(f"{dept} {_DEPARTMENT_PREDICATES[key]} {term} .\n")
    for entry in as_list(item.get(_BODY, [])):
        name = plain_text(entry)
        if name:
            lines.append(f"{dept} {_LABEL} {ntriples.literal(name)} .\n")
    return lines


def house_of(item: dict[str, Any]) -> tuple[str, SharedTriples | None] | None:
    """The house's IRI in N-Triples, with its triples when kg makes them (from ``houseId``,
    where the item names no legislature term); None when the item names neither."""
    legislature = item.get("legislature")
    if legislature is not None:
        for entry in as_list(legislature):
            if type(entry) is dict and type(entry.get("_about")) is str:
                return shared_iri(entry["_about"]), None
    house_id = plain_text(item.get("houseId"))
    if not house_id:
        return None
    house = _house_triples(house_id)
    return house.subject, house


@lru_cache(maxsize=64)
def _house_triples(house_id: str) -> SharedTriples:
    """A house the data names only by ``houseId``: its IRI (its term, for the two houses)
    and triples."""
    house = ntriples.iri(HOUSE_TERMS.get(house_id) or vocab.house_iri(house_id))
    name = HOUSE_NAMES.get(house_id, f"House {house_id}")
    lines = [f"{house} {_TYPE} <{vocab.HOUSE}> .\n"]
    lines.append(f"{house} {_PREF_LABEL} {ntriples.literal(name)} .\n")
    return SharedTriples.of(house, lines)
