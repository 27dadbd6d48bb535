"""What records add to the tallies (:mod:`kg.tallies`), read from their N-Triples lines, and
the tallies' own lines.

What a question adds to the tallies is read from its record's lines, the same way whether kg
has just written them or Oxigraph hands them back (:func:`kg.stored_records.stored_records`).
A load that replaces records takes away what the old records added and adds what the new ones
add (:mod:`kg.stored_tallies` applies that to what the store holds); a bulk load sums what its
records add as they go by (:class:`Totals`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg import ntriples, vocab
from kg.tallies import MARKER_LINE

Key = tuple[str, str, str]
"""A tally's key: its kind and two terms in N-Triples (the department, then the member, the
number of days or the day)."""

_DEPARTMENT = f"<{vocab.ANSWERING_DEPARTMENT}>"
_ASKER = f"<{vocab.PARL}tablingMember>"
_TABLED = f"<{vocab.DCTERMS}date>"
_ANSWER = f"<{vocab.PARL}answer>"
_ANSWERER = f"<{vocab.PARL}answeringMember>"
_ANSWERED = f"<{vocab.PARL}dateOfAnswer>"
_DAYS = f"<{vocab.DAYS_TO_ANSWER}>"
#: The datatypes of the days a day tally counts, and (members) the terms of the others, are
#: those the shapes allow: a tally's IRI is made of lexical forms, which terms of other kinds
#: could share ("2024-03-18" and "2024-03-18"^^xsd:date).
_DAY_TYPES = (f"^^<{vocab.XSD}date>", f"^^<{vocab.XSD}dateTime>")


def _is_iri(term: str) -> bool:
    """Whether an N-Triples term is an IRI (members are counted only when they are)."""
    return term.startswith("<")


def _is_day(term: str) -> bool:
    """Whether an N-Triples term is a day the day tallies count."""
    return term.endswith(_DAY_TYPES)


_OF_QUESTION = (_DEPARTMENT, _ASKER, _TABLED, _ANSWER, _DAYS)
_OF_ANSWER = (_ANSWERER, _ANSWERED)
_READ = frozenset(_OF_QUESTION + _OF_ANSWER)
#: The predicates of the triples the tallies read (those of a question and of its answer).
TALLIED = _READ
Read = tuple[str, str, str]
"""A triple the tallies read: subject, predicate and object in N-Triples."""

ASKING, ANSWERING, ANSWER_TIME, DAY = "asking", "answering", "answer-time", "day"
#: Month tallies are the sums of a month's day tallies: kept from the day tallies' changes, not
#: counted from records (see :func:`with_months`).
MONTH = "month"
_CLASS = {
    ASKING: vocab.ASKING_TALLY,
    ANSWERING: vocab.ANSWERING_TALLY,
    ANSWER_TIME: vocab.ANSWER_TIME_TALLY,
    DAY: vocab.DAY_TALLY,
    MONTH: vocab.MONTH_TALLY,
}
_SECOND = {
    ASKING: vocab.KG + "member",
    ANSWERING: vocab.KG + "member",
    ANSWER_TIME: vocab.KG + "days",
    DAY: vocab.KG + "day",
    MONTH: vocab.KG + "month",
}
_COUNTED = {
    ASKING: "questions",
    ANSWERING: "answers",
    ANSWER_TIME: "questions",
    DAY: "questions",
    MONTH: "questions",
}
_YEAR_MONTH = f"^^<{vocab.XSD}gYearMonth>"
_MONTH_OF_DAY = re.compile(r'^"([0-9]{4}-[0-9]{2})-')
_TYPE = f"<{vocab.RDF_TYPE}>"
_DEPARTMENT_OF_TALLY = f"<{vocab.KG}department>"
FIRST_DATE = f"<{vocab.KG}firstDate>"
LAST_DATE = f"<{vocab.KG}lastDate>"
_INTEGER = f"^^<{vocab.XSD}integer>"


def month_of(day: str) -> str | None:
    """The month (an ``xsd:gYearMonth`` literal) of a day tabled (a date or date-time
    literal, in N-Triples); None when the day does not start with a year and a month."""
    found = _MONTH_OF_DAY.match(day)
    return None if found is None else f'"{found.group(1)}"{_YEAR_MONTH}'


def month_counts(counts: Iterable[tuple[Key, int]]) -> dict[Key, int]:
    """The month tallies' counts, each the sum of its days' counts (other kinds pass by)."""
    months: dict[Key, int] = {}
    for (kind, department, day), count in counts:
        month = month_of(day) if kind == DAY else None
        if month is not None:
            key = (MONTH, department, month)
            months[key] = months.get(key, 0) + count
    return months


def with_months(shares: dict[Key, Share]) -> dict[Key, Share]:
    """``shares`` and, summed from their day tallies' shares, their month tallies' shares."""
    months = month_counts((key, share.count) for key, share in shares.items())
    return {**shares, **{key: Share(count) for key, count in months.items()}}


def lexical(term: str) -> str:
    """The lexical form of an N-Triples literal (an IRI's text for an IRI)."""
    if _is_iri(term):
        return term[1:-1]
    return term[1 : term.rindex('"')]


def tally_iri(key: Key) -> str:
    kind, department, second = key
    digest = hashlib.sha1(f"{lexical(department)} {lexical(second)}".encode()).hexdigest()
    return f"{vocab.KG_ID}tally/{kind}/{digest}"


class Share:
    """What some questions add to one tally: how many, and their dates (for first and last)."""

    __slots__ = ("count", "dates")

    def __init__(self, count: int = 0, dates: list[str] | None = None) -> None:
        self.count = count
        self.dates = dates if dates is not None else []

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Share):
            return NotImplemented
        return self.count == other.count and sorted(self.dates) == sorted(other.dates)

    def __repr__(self) -> str:
        return f"Share({self.count}, {self.dates})"


def contributions(questions: Iterable[str], lines: Iterable[str]) -> dict[Key, Share]:
    """What these questions add to the tallies, read from lines that hold their records."""
    values = _values(lines)
    shares: dict[Key, Share] = {}
    for iri in questions:
        q = ntriples.iri(iri)
        departments = values.get((q, _DEPARTMENT))
        if not departments:
            continue
        tabled = sorted(set(values.get((q, _TABLED), ())))
        askers = set(values.get((q, _ASKER), ()))
        answers = set(values.get((q, _ANSWER), ()))
        days = set(values.get((q, _DAYS), ()))
        for department in set(departments):
            for member in askers:
                if _is_iri(member):
                    _add(shares, (ASKING, department, member), tabled)
            for answer in answers:
                answered = sorted(set(values.get((answer, _ANSWERED), ())))
                for member in set(values.get((answer, _ANSWERER), ())):
                    if _is_iri(member):
                        _add(shares, (ANSWERING, department, member), answered)
            for number in days:
                _add(shares, (ANSWER_TIME, department, number), [])
            for day in tabled:
                if _is_day(day):
                    _add(shares, (DAY, department, day), [])
    return shares


def _values(lines: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """The objects of the lines whose predicate the tallies read, by subject and predicate."""
    values: dict[tuple[str, str], list[str]] = {}
    for line in lines:
        # Only the predicate is cut out of every line: an answer's line is kilobytes long.
        end_subject = line.find(" ")
        end_predicate = line.find(" ", end_subject + 1)
        predicate = line[end_subject + 1 : end_predicate]
        if predicate in _READ:
            found = values.setdefault((line[:end_subject], predicate), [])
            found.append(line[end_predicate + 1 : -3])
    return values


def record_contributions(iri: str, lines: Sequence[str]) -> dict[Key, Share]:
    """``contributions((iri,), lines)`` for one record, sooner: the lines are first picked by
    their start, as the question's or its answer's (``<iri/answer>``, the API's name for it)."""
    q = ntriples.iri(iri)
    answer = ntriples.iri(iri + "/answer")
    starts = _starts(q, answer)
    picked = [line for line in lines if line.startswith(starts)]
    named_answer = f"{q} {_ANSWER} "
    if any(
        line.startswith(named_answer) and line[len(named_answer) : -3] != answer for line in picked
    ):
        picked = list(lines)  # an answer named otherwise
    return contributions((iri,), picked)


def one_of_each(
    iri: str, read: Sequence[Read] | None, *, subject: str | None = None
) -> list[tuple[Key, str | None]] | None:
    """The tallies one question adds to, each with the date it brings (or None), read from
    ``read``: the triples of its record whose predicate the tallies read (:data:`TALLIED`),
    as its converter wrote them (``subject``: the question's IRI in N-Triples, when known).
    None when ``read`` is None or holds more than one value of a kind, or names the answer
    otherwise than the API does: such records go the long way (:func:`record_contributions`),
    which this agrees with wherever it answers."""
    if read is None:
        return None
    q = subject if subject is not None else ntriples.iri(iri)
    answer = q[:-1] + "/answer>"  # ntriples.iri(iri + "/answer"): escaping is per character
    of_question: dict[str, str] = {}
    of_answer: dict[str, str] = {}
    for subject_term, predicate, value in read:
        if subject_term == q:
            found = of_question
        elif subject_term == answer:
            found = of_answer
        else:
            continue
        if found.setdefault(predicate, value) != value:
            return None
    counted: list[tuple[Key, str | None]] = []
    department = of_question.get(_DEPARTMENT)
    if department is None:
        return counted
    named_answer = of_question.get(_ANSWER)
    if named_answer is not None and named_answer != answer:
        return None
    tabled = of_question.get(_TABLED)
    asker = of_question.get(_ASKER)
    if asker is not None and _is_iri(asker):
        counted.append(((ASKING, department, asker), tabled))
    answerer = of_answer.get(_ANSWERER)
    if named_answer is not None and answerer is not None and _is_iri(answerer):
        counted.append(((ANSWERING, department, answerer), of_answer.get(_ANSWERED)))
    days = of_question.get(_DAYS)
    if days is not None:
        counted.append(((ANSWER_TIME, department, days), None))
    if tabled is not None and _is_day(tabled):
        counted.append(((DAY, department, tabled), None))
    return counted


def records_contributions(
    records: Iterable[tuple[str, Sequence[str], Sequence[Read] | None]],
) -> dict[Key, Share]:
    """What these records add to the tallies, each given as (IRI, its own lines, what the
    tallies read of them or None): ``contributions`` of them all, sooner."""
    shares: dict[Key, Share] = {}
    for iri, lines, read in records:
        counted = one_of_each(iri, read)
        if counted is None:
            for key, share in record_contributions(iri, lines).items():
                known = shares.get(key)
                if known is None:
                    shares[key] = Share(share.count, list(share.dates))
                else:
                    known.count += share.count
                    known.dates += share.dates
            continue
        for key, date in counted:
            _add(shares, key, [] if date is None else [date])
    return shares


def _starts(question: str, answer: str) -> tuple[str, ...]:
    return tuple(f"{question} {p} " for p in _OF_QUESTION) + tuple(
        f"{answer} {p} " for p in _OF_ANSWER
    )


def _add(shares: dict[Key, Share], key: Key, dates: list[str]) -> None:
    share = shares.get(key)
    if share is None:
        shares[key] = Share(1, list(dates))
    else:
        share.count += 1
        share.dates += dates


@dataclass
class Tally:
    """One tally's values; ``first`` and ``last`` in N-Triples (asking and answering only)."""

    count: int
    first: str | None = None
    last: str | None = None

    def widen(self, dates: list[str]) -> None:
        """Take in dates: first and last move out to them. Dates are compared as N-Triples
        text: '"' sorts before every character of a date, so the text sorts as the lexical
        forms do (and ISO dates sort by time)."""
        if not dates:
            return
        low, high = min(dates), max(dates)
        if self.first is None or low < self.first:
            self.first = low
        if self.last is None or high > self.last:
            self.last = high


#: Per kind of tally: its class's line ending, and the predicates of its second term and
#: of its count.
_KIND_TERMS = {
    kind: (f" {_TYPE} <{_CLASS[kind]}> .\n", f"<{_SECOND[kind]}>", f"<{vocab.KG}{_COUNTED[kind]}>")
    for kind in _CLASS
}


def tally_lines(key: Key, tally: Tally) -> list[str]:
    """The triples of one tally."""
    kind, department, second = key
    node = "<" + tally_iri(key) + ">"  # hexadecimal in kg's namespace: nothing to escape
    class_end, second_predicate, counted = _KIND_TERMS[kind]
    lines = [
        node + class_end,
        f"{node} {_DEPARTMENT_OF_TALLY} {department} .\n",
        f"{node} {second_predicate} {second} .\n",
        f'{node} {counted} "{tally.count}"{_INTEGER} .\n',
    ]
    if tally.first is not None:
        lines.append(f"{node} {FIRST_DATE} {tally.first} .\n")
    if tally.last is not None:
        lines.append(f"{node} {LAST_DATE} {tally.last} .\n")
    return lines


class Totals:
    """Tallies summed up in memory, as a bulk load's converter sees its records go by."""

    def __init__(self) -> None:
        self.tallies: dict[Key, Tally] = {}

    def add(self, shares: dict[Key, Share]) -> None:
        tallies = self.tallies
        for key, share in shares.items():
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = Tally(0)
            tally.count += share.count
            tally.widen(share.dates)

    def add_record(
        self,
        iri: str,
        lines: Sequence[str],
        read: Sequence[Read] | None,
        *,
        subject: str | None = None,
    ) -> None:
        """``add(record_contributions(iri, lines))``, sooner when the converter says what
        the tallies read (``read`` and ``subject``, see :func:`one_of_each`)."""
        counted = one_of_each(iri, read, subject=subject)
        if counted is None:
            self.add(record_contributions(iri, lines))
            return
        for key, date in counted:
            self._count(key, date)

    def _count(self, key: Key, date: str | None) -> None:
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally(0)
        tally.count += 1
        if date is not None:
            if tally.first is None or date < tally.first:
                tally.first = date
            if tally.last is None or date > tally.last:
                tally.last = date

    def lines(self) -> list[str]:
        """Every tally's triples, and the marker that says the store keeps tallies."""
        out = [MARKER_LINE]
        for key, tally in self.tallies.items():
            out += tally_lines(key, tally)
        counts = ((key, tally.count) for key, tally in self.tallies.items())
        for key, count in month_counts(counts).items():
            out += tally_lines(key, Tally(count))
        return out
