"""Namespaces and the IRIs kg writes. Everything else is named by the parl: key rule."""

from __future__ import annotations

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PARL = "http://data.parliament.uk/schema/parl#"
SH = "http://www.w3.org/ns/shacl#"

#: kg's own vocabulary (classes and derived properties).
KG = "https://w3id.org/parliament-kg/def#"
#: kg's own resources (departments, houses without a data.parliament.uk term).
KG_ID = "https://w3id.org/parliament-kg/id/"

PARLIAMENT_RESOURCES = "http://data.parliament.uk/resources/"
PARLIAMENT_MEMBERS = "http://data.parliament.uk/members/"
PARLIAMENT_TERMS = "http://data.parliament.uk/terms/"
PLACEHOLDER_MEMBER = PARLIAMENT_MEMBERS + "0"

PREFIXES: dict[str, str] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "parl": PARL,
    "kg": KG,
    "kgid": KG_ID,
}
#: :data:`PREFIXES` declared in SPARQL, for query texts that any endpoint must read as they are.
PREFIX_LINES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

RDF_TYPE = RDF + "type"

#: JSON keys of the linked-data-api that map to standard vocabularies instead of parl:.
STANDARD_KEYS: dict[str, str] = {
    "label": RDFS + "label",
    "prefLabel": SKOS + "prefLabel",
    "date": DCTERMS + "date",
    "type": RDF_TYPE,
}

# Classes
QUESTION = KG + "WrittenQuestion"
ANSWER = KG + "WrittenAnswer"
ANSWER_VERSION = KG + "AnswerVersion"
ATTACHMENT = KG + "Attachment"
MEMBER = KG + "Member"
DEPARTMENT = KG + "Department"
HOUSE = KG + "House"
TALLY_SET = KG + "TallySet"
ASKING_TALLY = KG + "AskingTally"
ANSWERING_TALLY = KG + "AnsweringTally"
ANSWER_TIME_TALLY = KG + "AnswerTimeTally"
DAY_TALLY = KG + "DayTally"
MONTH_TALLY = KG + "MonthTally"

# Derived properties
ANSWERING_DEPARTMENT = KG + "answeringDepartment"
IN_HOUSE = KG + "house"
DAYS_TO_ANSWER = KG + "daysToAnswer"
GROUPED_WITH = KG + "groupedWith"
PART_OF_RECORD = KG + "partOfRecord"
SOURCE = KG + "source"
LOADED_AT = KG + "loadedAt"
CONTENT_HASH = KG + "contentHash"


def predicate_for_key(key: str) -> str:
    """The predicate IRI for a JSON key, by the rule the original API used to name its keys."""
    return STANDARD_KEYS.get(key) or PARL + key


def key_for_predicate(predicate: str) -> str | None:
    """The JSON key a predicate came from, or None for kg's own derived predicates."""
    for key, iri in STANDARD_KEYS.items():
        if iri == predicate:
            return key
    if predicate.startswith(PARL):
        return predicate[len(PARL) :]
    return None


def department_iri(dept_id: str) -> str:
    return f"{KG_ID}department/{dept_id}"


def house_iri(house_id: str) -> str:
    return f"{KG_ID}house/{house_id}"
