"""The converter's caches of repeated values: each shortcut gives what the general rule
(kg.values) gives."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kg.value_cache import date_time_literal, days_between, iso_day
from kg.values import ValueProblem, date_of, value_literal
from kg.vocab import XSD

_date_times = st.from_regex(
    r"\A[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]{1,4})?"
    r"(Z|[+-][01][0-9]:[0-5][0-9])?\Z"
)


@given(st.one_of(_date_times, st.text(max_size=30), st.from_regex(r"\A ?[0-9-]{10}T.{0,12}\Z")))
def test_the_date_time_shortcut_gives_the_literal_of_the_general_rule(text: str) -> None:
    found = date_time_literal(text)
    try:
        expected: str | None = value_literal({"_value": text, "_datatype": "dateTime"})
    except ValueProblem:
        expected = None
    if found is not None:  # else the converter asks the general rule
        assert found == expected
    elif expected is not None and "T" in text:
        # only what the API does not write goes the long way: spaces, other years, etc.
        assert not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)?", text)


@given(st.dates(), st.dates())
def test_days_between_counts_calendar_days(tabled: dt.date, answered: dt.date) -> None:
    literal = days_between(tabled.isoformat(), answered.isoformat())
    assert literal == f'"{(answered - tabled).days}"^^<{XSD}integer>'
    assert days_between(tabled.isoformat(), answered.isoformat()) is literal  # remembered


@given(
    st.one_of(
        _date_times,
        st.text(max_size=14),
        st.from_regex(r"\A[0-9]{4}-?[0-9]{2}-?[0-9]{2}.{0,4}\Z"),
        st.integers(),
        st.none(),
    ),
    st.sampled_from(["plain", "value", "list"]),
)
def test_days_are_read_as_date_of_reads_them(text: Any, shape: str) -> None:
    value: Any = {"plain": text, "value": {"_value": text}, "list": [{"_value": text}]}[shape]
    expected = date_of(value)
    assert iso_day(value) == (expected.isoformat() if expected is not None else None)
