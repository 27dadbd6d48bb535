"""Answered-question items of the linked-data-api → N-Triples lines, one record per question.

The mapping: a JSON key is the local name of a predicate in ``parl:`` (except ``label``,
``prefLabel``, ``date`` and ``type``, see :data:`kg.vocab.STANDARD_KEYS`); a nested object with
``_about`` is a resource; ``{"_value": ...}`` objects and plain scalars are literals. On top of
what the data says kg adds types, a department and a house resource, days to answer and
``kg:partOfRecord`` links from the parts of a question's record (its answer, previous answer
versions, attachments) to the question, so that a newer version of a question can replace it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import xxhash

from kg import ntriples, vocab
from kg.added_resources import department_of, house_of, shared_iri
from kg.errors import InputError
from kg.item_roles import CHILD_ROLES, KNOWN_KEYS, ROLE_CLASSES, SHARED_ROLES
from kg.record import NULL_VALUE_OF, Record, SharedTriples, shared_lines
from kg.tally_changes import TALLIED, Read
from kg.value_cache import date_time_literal, days_between, iso_day, remember
from kg.values import (
    ABSOLUTE_IRI,
    ValueProblem,
    as_list,
    is_absolute_iri,
    only_text,
    plain_text,
    scalar_literal,
    value_literal,
)

#: Bumped whenever the mapping changes, so that re-loading re-converts unchanged items.
CONVERTER_VERSION = "5"

_TYPE = ntriples.iri(vocab.RDF_TYPE)
_PART_OF = ntriples.iri(vocab.PART_OF_RECORD)
_DEPARTMENT_LINK = ntriples.iri(vocab.ANSWERING_DEPARTMENT)
_HOUSE_LINK = ntriples.iri(vocab.IN_HOUSE)
_DAYS = ntriples.iri(vocab.DAYS_TO_ANSWER)
_CONTENT_HASH = ntriples.iri(vocab.CONTENT_HASH)

_MISSING = object()
_NO_UNKNOWN_KEYS: Mapping[str, int] = MappingProxyType({})
#: Typed literals by datatype, then lexical form.
_TYPED_LITERALS: dict[Any, dict[str, str]] = {}


#: A shared resource (member, house) converted, by its ``_about``: its content, its IRI, its
#: triples, its unknown keys and its role.
_SHARED: dict[str, tuple[dict[str, Any], str, SharedTriples, tuple[str, ...], str]] = {}
_PREDICATES: dict[str, str] = {}


def _predicate(key: str) -> str:
    text = _PREDICATES.get(key)
    if text is None:
        text = ntriples.iri(vocab.predicate_for_key(key))
        if len(_PREDICATES) < 4096:
            _PREDICATES[key] = text
    return text


#: The predicate of each known key, by role, and whether the tallies read it: the
#: converter's lookup table.
_ROLE_PREDICATES: dict[str, dict[str, tuple[str, bool]]] = {
    role: {key: (p, p in TALLIED) for key in keys if key != "_about" for p in [_predicate(key)]}
    for role, keys in KNOWN_KEYS.items()
}
_NO_PREDICATES: dict[str, tuple[str, bool]] = {}


#: The content hash of a record is the 128-bit XXH3 of the converter's version, then of its
#: lines (nothing is lost in conversion, so they stand for the item's content). It tells
#: whether a question changed, not who changed it: a fast hash serves, where SHA-256 took a
#: tenth of the converter's time.
_HASH_SEED = CONVERTER_VERSION.encode("ascii")


class _ItemConverter:
    __slots__ = (
        "children",
        "lines",
        "parts_start",
        "question",
        "question_nt",
        "repeats",
        "shared",
        "tallied",
        "unknown",
    )

    def __init__(self, question: str) -> None:
        """``question``: the question's IRI as stored (:func:`kg.ntriples.iri_text`)."""
        self.question = question
        self.question_nt = f"<{question}>"
        #: How the N-Triples IRI of each of the question's parts begins.
        self.parts_start = f"<{question}/"
        self.lines: list[str] = []
        self.shared: list[SharedTriples] = []
        #: Keys kg has no mapping for, counted; None while there are none (most items).
        self.unknown: Counter[str] | None = None
        #: Whether a line was written twice (a value repeated in a list, a part seen before).
        self.repeats = False
        self.children: set[str] = set()
        self.tallied: list[Read] = []

    def resource(self, subject: str, subject_nt: str, obj: dict[str, Any], role: str) -> None:
        predicates = _ROLE_PREDICATES.get(role, _NO_PREDICATES)
        lines = self.lines
        for key, value in obj.items():
            known = predicates.get(key)
            if known is not None:
                predicate, tallied = known
            else:
                if key == "_about":
                    continue
                if role in KNOWN_KEYS:
                    self.count_unknown((f"{role}.{key}",))
                predicate = _predicate(key)
                tallied = predicate in TALLIED
            if isinstance(value, list):
                # A list of one is its one value (a list in it is refused below).
                if len(value) == 1 and not isinstance(value[0], list):
                    value = value[0]
                else:
                    start = len(lines)
                    for index, entry in enumerate(value, start=1):
                        found = self.term(subject, key, index, entry)
                        if found is not None:
                            lines.append(f"{subject_nt} {predicate} {found} .\n")
                            if tallied:
                                self.tallied.append((subject_nt, predicate, found))
                    # Only a list can repeat a line (one value given twice): the lines of
                    # other keys differ by their predicate, and a part given twice is a child.
                    if len(value) > 1 and not self.repeats:
                        added = lines[start:]
                        self.repeats = len(set(added)) < len(added)
                    continue
            if isinstance(value, dict):
                raw = value.get("_value", _MISSING)
                if isinstance(raw, str):
                    size = len(value)
                    if size == 1:
                        raw = ntriples.escape_string(raw)
                        lines.append(f'{subject_nt} {predicate} "{raw}" .\n')
                        if tallied:
                            self.tallied.append((subject_nt, predicate, f'"{raw}"'))
                        continue
                    text = self.typed(value, raw, size)
                elif raw is _MISSING:
                    found = self.child(subject, key, 1, value)
                    if found is None:
                        continue
                    text = found
                else:
                    text = value_literal(value)
            elif isinstance(value, str):
                if key == "type" and ABSOLUTE_IRI.match(value):
                    text = shared_iri(value)
                else:
                    text = ntriples.string_literal(value)
            else:
                found = self.term(subject, key, 1, value)
                if found is None:
                    continue
                text = found
            lines.append(f"{subject_nt} {predicate} {text} .\n")
            if tallied:
                self.tallied.append((subject_nt, predicate, text))

    @staticmethod
    def typed(value: dict[str, Any], raw: str, size: int) -> str:
        """The literal of ``value``, ``{"_value": raw, ...}`` with ``size`` keys (a datatype,
        a language): typed literals are remembered by datatype and lexical form."""
        datatype = value.get("_datatype") if size == 2 else None
        if type(datatype) is not str:
            return value_literal(value)
        cache = _TYPED_LITERALS.get(datatype)
        if cache is not None:
            cached = cache.get(raw)
            if cached is not None:
                return cached
        if datatype == "dateTime":
            literal = date_time_literal(raw)
            if literal is not None:
                return literal
        text = value_literal(value)
        # Times of day are all but unique: caching them would only churn the cache.
        if len(raw) <= 10:
            remember(_TYPED_LITERALS.setdefault(datatype, {}), raw, text)
        return text

    def term(self, subject: str, key: str, index: int, entry: Any) -> str | None:
        if isinstance(entry, dict):
            raw = entry.get("_value", _MISSING)
            if raw is _MISSING:
                return self.child(subject, key, index, entry)
            if isinstance(raw, str):
                size = len(entry)
                if size == 1:
                    return ntriples.string_literal(raw)
                return self.typed(entry, raw, size)
            return value_literal(entry)
        if isinstance(entry, str):
            if key == "type" and ABSOLUTE_IRI.match(entry):
                return shared_iri(entry)
            return ntriples.string_literal(entry)
        if entry is None:
            self.count_unknown((NULL_VALUE_OF + key,))
            return None
        if isinstance(entry, list):
            raise ValueProblem(f"{key}: a list inside a list")
        return scalar_literal(entry)

    def child(self, parent: str, key: str, index: int, obj: dict[str, Any]) -> str | None:
        role = CHILD_ROLES.get(key, "resource")
        about = obj.get("_about")
        named = about is not None
        if about is None:
            if not obj:
                return None
            about = f"{parent}/{key}/{index}"
        elif type(about) is not str or not is_absolute_iri(about):
            raise ValueProblem(f"{key}: _about is not an absolute IRI: {about!r}")
        if role in SHARED_ROLES:
            return self.shared_child(about, obj, role)
        child_nt = ntriples.iri(about)
        if named and not child_nt.startswith(self.parts_start):
            # A part is the record's own: loading the question again replaces it whole. One
            # named as another question (or anything else) would take that with it.
            raise ValueProblem(
                f"{key}: _about {about!r} is not under the question's IRI, where a question's"
                " answer and other parts are"
            )
        if about in self.children:
            self.repeats = True
        self.children.add(about)
        if role in ROLE_CLASSES:
            self.lines.append(f"{child_nt} {_TYPE} <{ROLE_CLASSES[role]}> .\n")
        self.lines.append(f"{child_nt} {_PART_OF} {self.question_nt} .\n")
        self.resource(about, child_nt, obj, role)
        return child_nt

    def shared_child(self, about: str, obj: dict[str, Any], role: str) -> str:
        """A member or house: converted once per distinct content, its triples kept apart."""
        known = _SHARED.get(about)
        if known is None or known[4] != role or known[0] != obj:
            own, self.lines = self.lines, []
            counted, self.unknown = self.unknown, None
            before = self.side_effects()
            try:
                child_nt = shared_iri(about)
                self.lines.append(f"{child_nt} {_TYPE} <{ROLE_CLASSES[role]}> .\n")
                self.resource(about, child_nt, obj, role)
                unknown = self.unknown_keys()
                known = (obj, child_nt, SharedTriples.of(child_nt, self.lines), unknown, role)
            finally:
                self.lines, self.unknown = own, counted
            # Cached only when converting it added nothing to the question's record but its
            # lines (odd data may nest a part, or another member, in a member).
            if only_text(obj) and self.side_effects() == before:
                remember(_SHARED, about, known)
        if known[3]:
            self.count_unknown(known[3])
        self.shared.append(known[2])
        return known[1]

    def unknown_keys(self) -> tuple[str, ...]:
        """The unknown keys counted so far, each as often as it was counted. A method: where
        ``self.unknown`` was just set to None, mypy (and so mypyc) takes it to stay None."""
        return tuple(self.unknown.elements()) if self.unknown else ()

    def side_effects(self) -> tuple[int, int, int, bool]:
        """What converting a resource may add to the question's record besides its lines."""
        return len(self.shared), len(self.children), len(self.tallied), self.repeats

    def count_unknown(self, keys: tuple[str, ...]) -> None:
        if self.unknown is None:
            self.unknown = Counter()
        self.unknown.update(keys)

    def derived(self, item: dict[str, Any]) -> tuple[tuple[str, str] | None, tuple[str, ...]]:
        """Adds kg's derived triples; returns the question's group key and grouped UINs."""
        q = self.question_nt
        lines = self.lines
        lines.append(f"{q} {_TYPE} <{vocab.QUESTION}> .\n")
        department = department_of(item)
        if department is not None:
            lines.append(f"{q} {_DEPARTMENT_LINK} {department.subject} .\n")
            self.tallied.append((q, _DEPARTMENT_LINK, department.subject))
            self.shared.append(department)
        found = house_of(item)
        house = None
        if found is not None:
            house, triples = found
            if triples is not None:
                self.shared.append(triples)
            lines.append(f"{q} {_HOUSE_LINK} {house} .\n")
        tabled = iso_day(item.get("date"))
        group_key = None
        if house is not None and tabled is not None:
            group_key = (house[1:-1], tabled)
        grouped: tuple[str, ...] = ()
        answer = item.get("answer")
        if type(answer) is list and answer:
            answer = answer[0]
        if type(answer) is dict:
            uins = answer.get("groupedQuestionUIN")
            if uins is not None:
                grouped = tuple(text for text in map(plain_text, as_list(uins)) if text)
            # A corrected answer may carry the correction's date as dateOfAnswer: the time to
            # answer runs to the first answer when the data says when that was.
            answered = iso_day(answer.get("questionFirstAnswered")) or iso_day(
                answer.get("dateOfAnswer")
            )
            if tabled and answered:
                text = days_between(tabled, answered)
                lines.append(f"{q} {_DAYS} {text} .\n")
                self.tallied.append((q, _DAYS, text))
        return group_key, grouped


#: The longest line kg writes: Oxigraph's N-Triples parser holds a term of at most 16 MiB.
MAX_LINE_BYTES = 16_000_000


def _refuse_long_lines(lines: list[str], *, where: str) -> None:
    for line in lines:
        size = len(line.encode("utf-8", "replace"))
        if size > MAX_LINE_BYTES:
            predicate = line.split(" ", 2)[1]
            raise InputError(
                where,
                f"{predicate} holds {size:,} bytes: Oxigraph reads {MAX_LINE_BYTES:,} at most",
                "shorten the value in the page, or drop the item",
            )


def convert_item(item: dict[str, Any], *, where: str) -> Record:
    """Convert one answered-question item; ``where`` names it in errors (``file item 3``)."""
    about = item.get("_about")
    if about is None:
        raise InputError(where, "the item has no _about (its IRI)", "fix the page or drop the item")
    if type(about) is not str or not is_absolute_iri(about):
        raise InputError(where, f"_about is not an absolute IRI: {about!r}", "fix the page")
    about = ntriples.iri_text(about)  # the record is known by its IRI as stored
    converter = _ItemConverter(about)
    try:
        converter.resource(about, converter.question_nt, item, "question")
        group_key, grouped = converter.derived(item)
    except ValueProblem as exc:
        raise InputError(
            f"{where} ({about})", str(exc), "fix the value in the page, or drop the item"
        ) from exc
    lines = converter.lines
    tallied: list[Read] | None = converter.tallied
    if converter.repeats:
        lines = list(dict.fromkeys(lines))
    try:
        # Line by line: most lines are ASCII, which encodes as a copy, and only the lines
        # with other characters take UTF-8's slower path.
        own = b"".join(map(str.encode, lines))
    except UnicodeEncodeError:  # a lone surrogate from a JSON \\u escape
        lines = [ntriples.without_surrogates(line) for line in lines]
        own = "".join(lines).encode("utf-8")
        tallied = None
    digest = xxhash.xxh3_128(_HASH_SEED)
    digest.update(own)
    shared = shared_lines(converter.shared, digest)
    if len(own) > MAX_LINE_BYTES or sum(map(len, shared)) > MAX_LINE_BYTES // 4:
        _refuse_long_lines(lines + shared, where=f"{where} ({about})")
    content_hash = digest.hexdigest()
    hash_line = f'{converter.question_nt} {_CONTENT_HASH} "{content_hash}" .\n'
    lines.append(hash_line)
    shared_from = len(lines)
    lines.extend(shared)
    uin = item.get("uin")
    return Record(  # positional: sooner, in the order of the fields
        about,
        uin if type(uin) is str else plain_text(uin),
        lines,
        content_hash,
        _NO_UNKNOWN_KEYS if converter.unknown is None else converter.unknown,
        group_key,
        grouped,
        shared_from,
        own + hash_line.encode("utf-8"),
        tallied,
        converter.question_nt,
    )
