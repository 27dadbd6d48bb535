"""Answered-question items of the linked-data-api → N-Triples lines, one record per question.

The mapping: a JSON key is the local name of a predicate in ``parl:`` (except ``label``,
``prefLabel``, ``date`` and ``type``, see :data:`kg.vocab.STANDARD_KEYS`); a nested object with
``_about`` is a resource; ``{"_value": ...}`` objects and plain scalars are literals. On top of
what the data says kg adds types, a department and a house resource, days to answer and
``kg:partOfRecord`` links from the parts of a question's record (its answer, previous answer
versions, attachments) to the question, so that a newer version of a question can replace it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kg import ntriples, vocab
from kg.errors import InputError
from kg.values import ValueProblem, as_list, date_of, plain_text, scalar_literal, value_literal

#: Bumped whenever the mapping changes, so that re-loading re-converts unchanged items.
CONVERTER_VERSION = "3"

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S")

#: The role of a nested object, by the key that holds it.
CHILD_ROLES: dict[str, str] = {
    "answer": "answer",
    "previousAnswerVersion": "version",
    "attachment": "attachment",
    "tablingMember": "member",
    "answeringMember": "member",
    "correctingMember": "member",
    "legislature": "house",
}
ROLE_CLASSES: dict[str, str] = {
    "question": vocab.QUESTION,
    "answer": vocab.ANSWER,
    "version": vocab.ANSWER_VERSION,
    "attachment": vocab.ATTACHMENT,
    "member": vocab.MEMBER,
    "house": vocab.HOUSE,
}
#: Resources that many questions share: never part of one question's record.
SHARED_ROLES = frozenset({"member", "house"})

_ANSWER_KEYS = {
    "_about", "answerText", "answeringMember", "answeringMemberConstituency",
    "answeringMemberPrinted", "dateOfAnswer", "groupedQuestionUIN", "isMinisterialCorrection",
    "questionFirstAnswered", "previousAnswerVersion", "attachment", "attachmentCount",
    "isHoldingAnswer", "answerCorrectionDate", "correctingMember", "correctingMemberPrinted",
    "dateOfCorrection",
}  # fmt: skip
KNOWN_KEYS: dict[str, set[str]] = {
    "question": {
        "_about", "AnsweringBody", "answer", "answeringDeptId", "answeringDeptShortName",
        "answeringDeptSortName", "date", "hansardHeading", "houseId", "legislature",
        "questionText", "registeredInterest", "tablingMember", "tablingMemberConstituency",
        "tablingMemberPrinted", "uin", "type", "questionStatus", "dateTabled",
    },
    "answer": _ANSWER_KEYS,
    "version": _ANSWER_KEYS | {"versionNumber", "date"},
    "attachment": {"_about", "fileName", "title", "url", "sizeInBytes", "fileSizeBytes", "label"},
    "member": {"_about", "label"},
    "house": {"_about", "prefLabel", "label"},
}  # fmt: skip

_TYPE = ntriples.iri(vocab.RDF_TYPE)
_PART_OF = ntriples.iri(vocab.PART_OF_RECORD)
_DEPARTMENT_LINK = ntriples.iri(vocab.ANSWERING_DEPARTMENT)
_HOUSE_LINK = ntriples.iri(vocab.IN_HOUSE)
_DAYS = ntriples.iri(vocab.DAYS_TO_ANSWER)
_CONTENT_HASH = ntriples.iri(vocab.CONTENT_HASH)
_LABEL = ntriples.iri(vocab.RDFS + "label")
_PREF_LABEL = ntriples.iri(vocab.SKOS + "prefLabel")
#: Names of the houses by ``houseId``, for houses the data gives no legislature term for.
HOUSE_NAMES = {"1": "House of Commons", "2": "House of Lords"}
_DEPARTMENT_KEYS = ("answeringDeptId", "answeringDeptShortName", "answeringDeptSortName")
_DEPARTMENT_SOURCE_KEYS = (*_DEPARTMENT_KEYS, "AnsweringBody")
_DEPARTMENT_LINES: dict[str, list[str]] = {}


_MISSING = object()
_needs_escape = ntriples.LITERAL_SPECIAL.search
_TYPED_LITERALS: dict[tuple[str, Any, Any], str] = {}
_TYPED_LITERALS_MAX = 100_000
_PREDICATES: dict[str, str] = {}


def _predicate(key: str) -> str:
    text = ntriples.iri(vocab.predicate_for_key(key))
    if len(_PREDICATES) < 4096:
        _PREDICATES[key] = text
    return text


@lru_cache(maxsize=65536)
def _shared_iri(value: str) -> str:
    return ntriples.iri(value)


@dataclass
class Record:
    """One question converted: its IRI, UIN, N-Triples lines and what was odd about it."""

    iri: str
    uin: str | None
    lines: list[str]
    content_hash: str
    unknown_keys: Counter[str] = field(default_factory=Counter)
    #: (house IRI, date tabled): with the UIN, what identifies a question among its group.
    group_key: tuple[str, str] | None = None
    grouped_uins: tuple[str, ...] = ()


def content_hash(lines: list[str]) -> str:
    """A fingerprint of a converted item (nothing is lost in conversion, so it stands for the
    item's content) and of the converter that read it."""
    digest = hashlib.sha256(CONVERTER_VERSION.encode("ascii"))
    digest.update("".join(lines).encode("utf-8"))
    return digest.hexdigest()


class _ItemConverter:
    def __init__(self, question: str) -> None:
        self.question = question
        self.question_nt = ntriples.iri(question)
        self.lines: list[str] = []
        self.unknown: Counter[str] = Counter()
        self.group_key: tuple[str, str] | None = None
        self.grouped_uins: tuple[str, ...] = ()

    def resource(self, subject: str, subject_nt: str, obj: dict[str, Any], role: str) -> None:
        known = KNOWN_KEYS.get(role)
        lines = self.lines
        term = self.term
        for key, value in obj.items():
            if key == "_about":
                continue
            if known is not None and key not in known:
                self.unknown[f"{role}.{key}"] += 1
            predicate = _PREDICATES.get(key) or _predicate(key)
            if type(value) is list:
                for index, entry in enumerate(value, start=1):
                    text = term(subject, key, index, entry)
                    if text is not None:
                        lines.append(f"{subject_nt} {predicate} {text} .\n")
            elif type(value) is dict and len(value) == 1 and type(value.get("_value")) is str:
                # The commonest shape, {"_value": "text"}, without a call.
                raw = value["_value"]
                if _needs_escape(raw) is None:
                    lines.append(f'{subject_nt} {predicate} "{raw}" .\n')
                else:
                    lines.append(f"{subject_nt} {predicate} {ntriples.string_literal(raw)} .\n")
            else:
                text = term(subject, key, 1, value)
                if text is not None:
                    lines.append(f"{subject_nt} {predicate} {text} .\n")

    def term(self, subject: str, key: str, index: int, entry: Any) -> str | None:
        kind = type(entry)
        if kind is dict:
            raw = entry.get("_value", _MISSING)
            if raw is _MISSING:
                return self.child(subject, key, index, entry)
            if type(raw) is str:
                if len(entry) == 1:
                    return ntriples.string_literal(raw)
                # Dates, booleans and ids repeat across items: read each lexical form once.
                cache_key = (raw, entry.get("_datatype"), entry.get("_lang"))
                text = _TYPED_LITERALS.get(cache_key)
                if text is None:
                    text = value_literal(entry)
                    if len(_TYPED_LITERALS) >= _TYPED_LITERALS_MAX:
                        _TYPED_LITERALS.clear()
                    _TYPED_LITERALS[cache_key] = text
                return text
            return value_literal(entry)
        if kind is str:
            if key == "type" and _ABSOLUTE_IRI.match(entry):
                return _shared_iri(entry)
            return ntriples.string_literal(entry)
        if entry is None:
            self.unknown[f"null value of {key}"] += 1
            return None
        if isinstance(entry, list):
            raise ValueProblem(f"{key}: a list inside a list")
        if key == "type" and isinstance(entry, str) and _ABSOLUTE_IRI.match(entry):
            return _shared_iri(entry)
        return scalar_literal(entry)

    def child(self, parent: str, key: str, index: int, obj: dict[str, Any]) -> str | None:
        role = CHILD_ROLES.get(key, "resource")
        about = obj.get("_about")
        if about is None:
            if not obj:
                return None
            about = f"{parent}/{key}/{index}"
        elif not isinstance(about, str) or not _ABSOLUTE_IRI.match(about):
            raise ValueProblem(f"{key}: _about is not an absolute IRI: {about!r}")
        shared = role in SHARED_ROLES
        child_nt = _shared_iri(about) if shared else ntriples.iri(about)
        if role in ROLE_CLASSES:
            self.lines.append(f"{child_nt} {_TYPE} <{ROLE_CLASSES[role]}> .\n")
        if not shared:
            self.lines.append(f"{child_nt} {_PART_OF} {self.question_nt} .\n")
        self.resource(about, child_nt, obj, role)
        return child_nt

    def department_lines(self, item: dict[str, Any]) -> list[str]:
        """The department's IRI, then its triples; empty when the item names no department."""
        dept_id = plain_text(item.get("answeringDeptId"))
        if not dept_id:
            return []
        dept = ntriples.iri(vocab.department_iri(dept_id))
        lines = [dept, f"{dept} {_TYPE} <{vocab.DEPARTMENT}> .\n"]
        for key in _DEPARTMENT_KEYS:
            for entry in as_list(item.get(key, [])):
                term = self.term(self.question, key, 0, entry)
                if term is not None:
                    lines.append(f"{dept} {_predicate(key)} {term} .\n")
        for entry in as_list(item.get("AnsweringBody", [])):
            name = plain_text(entry)
            if name:
                lines.append(f"{dept} {_LABEL} {ntriples.literal(name)} .\n")
        return lines

    def derived(self, item: dict[str, Any]) -> None:
        q = self.question_nt
        lines = self.lines
        lines.append(f"{q} {_TYPE} <{vocab.QUESTION}> .\n")
        # Every question to a department repeats its names: convert each set of them once.
        source = repr([item.get(key) for key in _DEPARTMENT_SOURCE_KEYS])
        department = _DEPARTMENT_LINES.get(source)
        if department is None:
            department = self.department_lines(item)
            if len(_DEPARTMENT_LINES) >= _TYPED_LITERALS_MAX:
                _DEPARTMENT_LINES.clear()
            _DEPARTMENT_LINES[source] = department
        if department:
            lines.append(f"{q} {_DEPARTMENT_LINK} {department[0]} .\n")
            lines.extend(department[1:])
        house_id = plain_text(item.get("houseId"))
        house = None
        for entry in as_list(item.get("legislature", [])):
            if isinstance(entry, dict) and isinstance(entry.get("_about"), str):
                house = _shared_iri(entry["_about"])
                break
        if house is None and house_id:
            house = ntriples.iri(vocab.house_iri(house_id))
            name = HOUSE_NAMES.get(house_id, f"House {house_id}")
            lines.append(f"{house} {_TYPE} <{vocab.HOUSE}> .\n")
            lines.append(f"{house} {_PREF_LABEL} {ntriples.literal(name)} .\n")
        if house is not None:
            lines.append(f"{q} {_HOUSE_LINK} {house} .\n")
        tabled = date_of(item.get("date"))
        if house is not None and tabled is not None:
            self.group_key = (house[1:-1], tabled.isoformat())
        answer = item.get("answer")
        answer = answer[0] if isinstance(answer, list) and answer else answer
        if isinstance(answer, dict):
            self.grouped_uins = tuple(
                text
                for text in (plain_text(u) for u in as_list(answer.get("groupedQuestionUIN", [])))
                if text
            )
            # A corrected answer may carry the correction's date as dateOfAnswer: the time to
            # answer runs to the first answer when the data says when that was.
            answered = date_of(answer.get("questionFirstAnswered")) or date_of(
                answer.get("dateOfAnswer")
            )
            if tabled and answered:
                days = str((answered - tabled).days)
                lines.append(f"{q} {_DAYS} {ntriples.literal(days, vocab.XSD + 'integer')} .\n")


def convert_item(item: dict[str, Any], *, where: str) -> Record:
    """Convert one answered-question item; ``where`` names it in errors (``file item 3``)."""
    about = item.get("_about")
    if about is None:
        raise InputError(where, "the item has no _about (its IRI)", "fix the page or drop the item")
    if not isinstance(about, str) or not _ABSOLUTE_IRI.match(about):
        raise InputError(where, f"_about is not an absolute IRI: {about!r}", "fix the page")
    converter = _ItemConverter(about)
    try:
        converter.resource(about, converter.question_nt, item, "question")
        converter.derived(item)
    except ValueProblem as exc:
        raise InputError(
            f"{where} ({about})", str(exc), "fix the value in the page, or drop the item"
        ) from exc
    lines = list(dict.fromkeys(converter.lines))
    digest = content_hash(lines)
    lines.append(f"{converter.question_nt} {_CONTENT_HASH} {ntriples.literal(digest)} .\n")
    return Record(
        iri=about,
        uin=plain_text(item.get("uin")),
        lines=lines,
        content_hash=digest,
        unknown_keys=converter.unknown,
        group_key=converter.group_key,
        grouped_uins=converter.grouped_uins,
    )
