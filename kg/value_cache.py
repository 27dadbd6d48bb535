"""Values that repeat across items (dates, days to answer, typed literals), read once and
remembered: the converter's caches. Each is cleared when it reaches :data:`CACHE_MAX`
entries, so memory stays flat however long the input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kg import ntriples, vocab
from kg.canonical import UTC_OFFSETS, canonical_date_time
from kg.values import date_of

CACHE_MAX = 100_000
#: ISO dates by the first ten characters of date values; None for those that are no date.
_DAYS_READ: dict[str, str | None] = {}
#: The day number (proleptic Gregorian ordinal) of each ``YYYY-MM-DD`` seen; None for those
#: that are no date of the calendar.
_DAY_NUMBERS: dict[str, int | None] = {}
#: ``xsd:integer`` literals of day counts.
_DAY_COUNTS: dict[int, str] = {}
#: A dateTime as the API writes it (``2024-08-31T11:39:18.747Z``): its literal needs no
#: escaping, and only its date can be wrong.
_PLAIN_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_DATE_TIME_SUFFIX = "^^" + ntriples.iri(vocab.XSD + "dateTime")


def remember(cache: dict[Any, Any], key: Any, value: Any, *, limit: int = CACHE_MAX) -> None:
    """``cache[key] = value``, the cache emptied first when it holds ``limit`` entries."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value


def iso_day(value: Any) -> str | None:
    """The calendar date of a date or dateTime value in ISO form, or None when absent or
    unreadable (what :func:`kg.values.date_of` reads, sooner)."""
    if type(value) is list and value:
        value = value[0]
    text = value.get("_value") if type(value) is dict else value
    if type(text) is not str or not text[:1].isdigit():
        found = date_of(value)
        return found.isoformat() if found is not None else None
    day = text[:10]  # what date_of reads of a value that starts with its date
    if day in _DAYS_READ:
        return _DAYS_READ[day]
    found = date_of(day)
    known = found.isoformat() if found is not None else None
    remember(_DAYS_READ, day, known)
    return known


def days_between(tabled: str, answered: str) -> str:
    """The number of days from one ISO date to another, as an ``xsd:integer`` literal."""
    days = _day_number(answered) - _day_number(tabled)
    text = _DAY_COUNTS.get(days)
    if text is None:
        text = ntriples.literal(str(days), vocab.XSD + "integer")
        remember(_DAY_COUNTS, days, text)
    return text


def _day_number(day: str) -> int:
    found = _known_day_number(day)
    if found is None:
        raise ValueError(f"not a date of the calendar: {day!r}")
    return found


def _known_day_number(day: str) -> int | None:
    if day in _DAY_NUMBERS:
        return _DAY_NUMBERS[day]
    try:
        found: int | None = dt.date.fromisoformat(day).toordinal()
    except ValueError:
        found = None
    remember(_DAY_NUMBERS, day, found)
    return found


def is_calendar_day(day: str) -> bool:
    """Whether ``day`` (``YYYY-MM-DD``) is a date of the calendar."""
    return _known_day_number(day) is not None


def date_time_literal(text: str) -> str | None:
    """The ``xsd:dateTime`` literal of a dateTime as the API writes it, sooner than
    :func:`kg.values.typed_literal` gives the same; None for any other text (left to it)."""
    found = _PLAIN_DATE_TIME.fullmatch(text)
    if found is None or not is_calendar_day(text[:10]):
        return None
    fraction, zone = found.group(1, 2)
    if (fraction and fraction[-1] == "0") or zone in UTC_OFFSETS or text[11:13] == "24":
        text = canonical_date_time(text)  # as Oxigraph gives it back (kg.canonical)
    return f'"{text}"{_DATE_TIME_SUFFIX}'
