"""Typed values in the lexical form Oxigraph stores them in (their canonical form).

Oxigraph keeps numbers, booleans, dates and date-times by value and writes them back in one
form: ``"007"^^xsd:integer`` comes back as ``"7"``, ``"…15.000Z"^^xsd:dateTime`` as
``"…15Z"``. kg writes the same form from the start, so that what it converts is what the
store gives back: a record compared with its stored version differs only where the data did,
and the tallies, keyed by terms, are found again when a question is replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math
import struct

#: The offsets of UTC that Oxigraph writes ``Z``.
UTC_OFFSETS = ("+00:00", "-00:00")


def canonical_integer(text: str) -> str:
    """``+007`` → ``7``, ``-0`` → ``0``; ``text`` must be an integer's lexical form."""
    return str(int(text))


def canonical_decimal(text: str) -> str:
    """``1.50`` → ``1.5``, ``1.0`` → ``1``, ``.5`` → ``0.5``, ``-0.0`` → ``0``."""
    value = decimal.Decimal(text)
    return "0" if value.is_zero() else _plain(value)


def canonical_double(value: float) -> str:
    """A double as Oxigraph writes it: the shortest digits that read back as the same
    number, never with an exponent (``1e10`` → ``10000000000``), ``-0``, ``INF``, ``NaN``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    shortest = decimal.Decimal(repr(value))  # Python's shortest digits: ties go to even
    digits = len(shortest.as_tuple().digits)
    nearest = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_UP).plus(
        decimal.Decimal(value)
    )
    # Of two shortest forms equally near the number, Oxigraph writes the greater in magnitude.
    return _plain(nearest if float(nearest) == value else shortest)


def _plain(value: decimal.Decimal) -> str:
    """A number's digits without an exponent, and without zeros after its point."""
    written = format(value, "f")
    if "." in written:
        written = written.rstrip("0").rstrip(".")
    return written


def canonical_float(value: float) -> str:
    """A float (32 bits) as Oxigraph writes it: as :func:`canonical_double` does, with the
    fewest digits that read back as the same 32-bit number."""
    if math.isnan(value) or math.isinf(value):
        return canonical_double(value)
    try:
        single = struct.pack("<f", value)
    except OverflowError:  # beyond a float's range: infinite
        return "INF" if value > 0 else "-INF"
    (rounded,) = struct.unpack("<f", single)
    exact = decimal.Decimal(rounded)
    for digits in range(1, 10):
        # Of two shortest forms equally near, the greater in magnitude, as Oxigraph writes.
        shortest = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_UP).plus(exact)
        with contextlib.suppress(OverflowError):
            if struct.pack("<f", float(shortest)) == single:
                return _plain(shortest)
    return canonical_double(rounded)


def _time_zone(text: str) -> tuple[str, str]:
    """A date's or date-time's text split into the value and its time zone, ``+00:00`` and
    ``-00:00`` written ``Z``."""
    if text.endswith("Z"):
        return text[:-1], "Z"
    if len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        zone = text[-6:]
        return text[:-6], "Z" if zone in UTC_OFFSETS else zone
    return text, ""


def canonical_date_time(text: str) -> str:
    """``…T15:28:15.100Z`` → ``…T15:28:15.1Z``, ``….000+00:00`` → ``…Z``, ``…T24:00:00`` →
    the next day's ``T00:00:00``; ``text`` must be a date-time's lexical form."""
    value, zone = _time_zone(text)
    if "." in value:
        whole, fraction = value.split(".", 1)
        fraction = fraction.rstrip("0")
        value = f"{whole}.{fraction}" if fraction else whole
    day, _, time = value.partition("T")
    if time == "24:00:00" and len(day) == 10 and not day.startswith("-"):
        next_day = dt.date.fromisoformat(day) + dt.timedelta(days=1)
        value = f"{next_day.isoformat()}T00:00:00"
    return value + zone
