"""Post-steps of canned queries: what turns raw rows into what the user sees (the exact
median of answer times from a histogram, HTML as plain text, sorted lists)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pyoxigraph

from kg import vocab
from kg.errors import QueryError
from kg.html_text import html_to_text
from kg.output import plain_value
from kg.sparql import QueryOutcome, Row, Term, map_rows
from kg.value_cache import remember

_XSD_DECIMAL = pyoxigraph.NamedNode(vocab.XSD + "decimal")

#: Changed values a post-step remembers; past it, it forgets them all (rows stream).
_CHANGED_MAX = 10_000

PostStep = Callable[[QueryOutcome, tuple[str, ...]], QueryOutcome]


def _column(outcome: QueryOutcome, name: str) -> int:
    if name not in outcome.columns:
        raise QueryError("post-step", f"the result has no column {name!r}", "fix the query header")
    return outcome.columns.index(name)


def _decimal(value: Fraction, places: int | None = None) -> pyoxigraph.Literal:
    number = Decimal(value.numerator) / Decimal(value.denominator)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = format(number.normalize(), "f") if number != 0 else "0"
    return pyoxigraph.Literal(text, datatype=_XSD_DECIMAL)


def histogram_summary(histogram: Mapping[int, int]) -> dict[str, Fraction]:
    """Count, median, mean and shares within 5 and 10 days of a {days: questions} histogram.

    The median is exact: the middle value of the sorted days, or the mean of the two middle
    values when the count is even.
    """
    total = sum(histogram.values())
    if total == 0:
        raise ValueError("an empty histogram has no median")
    middle, found, seen = {(total - 1) // 2, total // 2}, [], 0
    for days in sorted(histogram):
        found += [days for index in middle if seen <= index < seen + histogram[days]]
        seen += histogram[days]
    return {
        "questions": Fraction(total),
        "medianDays": Fraction(sum(found), len(found)),
        "meanDays": Fraction(sum(d * n for d, n in histogram.items()), total),
        "within5Days": Fraction(sum(n for d, n in histogram.items() if d <= 5), total),
        "within10Days": Fraction(sum(n for d, n in histogram.items() if d <= 10), total),
    }


#: Decimal places of the answer-times columns (None: exact).
_ANSWER_TIME_PLACES = {"questions": 0, "medianDays": None, "meanDays": 2, "within5Days": 4,
                       "within10Days": 4}  # fmt: skip


def answer_times(outcome: QueryOutcome, args: tuple[str, ...]) -> QueryOutcome:
    """Rows (key..., days, questions) → per key: questions, median, mean, shares ≤5 and ≤10 days.

    The median is exact; the mean is rounded to 2 decimal places and the shares (fractions of
    the questions answered within 5 and within 10 calendar days) to 4.
    """
    days_at, count_at = _column(outcome, "days"), _column(outcome, "questions")
    keys = [i for i in range(len(outcome.columns)) if i not in (days_at, count_at)]
    groups: dict[tuple[str, ...], tuple[list[Term | None], dict[int, int]]] = {}
    for row in outcome.rows:
        first, histogram = groups.setdefault(
            tuple(str(row[i]) for i in keys), ([row[i] for i in keys], {})
        )
        days, count = int(plain_value(row[days_at])), int(plain_value(row[count_at]))
        histogram[days] = histogram.get(days, 0) + count
    rows: list[list[Term | None]] = []
    for first, histogram in groups.values():
        summary = histogram_summary(histogram)
        rows.append(first + [_decimal(summary[c], p) for c, p in _ANSWER_TIME_PLACES.items()])
    columns = [outcome.columns[i] for i in keys] + list(_ANSWER_TIME_PLACES)
    return QueryOutcome(kind="select", columns=columns, rows=rows)


def _map_column(outcome: QueryOutcome, name: str, change: Callable[[str], str]) -> QueryOutcome:
    """The column's literals changed; a value is changed once while it repeats (answers
    repeat: a group's questions share one, and so do the rows of a correction's versions)."""
    index = _column(outcome, name)
    changed: dict[pyoxigraph.Literal, pyoxigraph.Literal] = {}

    def change_row(row: Row) -> Row:
        value = row[index]
        if not isinstance(value, pyoxigraph.Literal):
            return row
        new = changed.get(value)
        if new is None:
            new = pyoxigraph.Literal(change(str(plain_value(value))))
            remember(changed, value, new, limit=_CHANGED_MAX)
        return [*row[:index], new, *row[index + 1 :]]

    return replace(outcome, rows=map_rows(outcome.rows, change_row))


def plain_text(outcome: QueryOutcome, args: tuple[str, ...]) -> QueryOutcome:
    """``plain-text COLUMN...``: the columns' HTML as plain text, a blank line between paragraphs."""
    for name in args:
        outcome = _map_column(outcome, name, html_to_text)
    return outcome


def natural_key(text: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def sort_list(outcome: QueryOutcome, args: tuple[str, ...]) -> QueryOutcome:
    """``sort-list COLUMN SEP``: the column's SEP-separated items, unique, sorted (numbers by value)."""
    if len(args) != 2:
        raise QueryError("post-step sort-list", "expected a column and a separator", "fix it")
    separator = args[1]

    def change(text: str) -> str:
        items = {item.strip() for item in text.split(separator)} - {""}
        return (separator + " ").join(sorted(items, key=natural_key))

    return _map_column(outcome, args[0], change)


POST_STEPS: dict[str, PostStep] = {
    "answer-times": answer_times,
    "plain-text": plain_text,
    "sort-list": sort_list,
}
