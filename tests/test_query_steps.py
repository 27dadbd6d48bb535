"""The canned queries' post-steps, on rows made here (the queries' own tests run them on stores)."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.errors import QueryError
from kg.query_steps import answer_times, histogram_summary, natural_key, plain_text, sort_list
from kg.sparql import QueryOutcome, Row

XSD = "http://www.w3.org/2001/XMLSchema#"


def _int(value: int) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(XSD + "integer"))


def _values(outcome: QueryOutcome) -> list[list[str | None]]:
    return [[None if t is None else t.value for t in row] for row in outcome.row_list()]


@pytest.mark.parametrize(
    ("histogram", "median", "mean"),
    [
        ({8: 1}, 8, 8),
        ({1: 1, 2: 1}, 1.5, 1.5),
        ({1: 1, 2: 1, 10: 1}, 2, 13 / 3),
        ({3: 1, 4: 2, 7: 1, 14: 1, 20: 1}, 5.5, 52 / 6),
        ({0: 500_000, 9: 500_000}, 4.5, 4.5),
        ({0: 500_001, 9: 499_999}, 0, 4.499991),
        ({-2: 1, 5: 3}, 5, 13 / 4),
    ],
)
def test_median_from_a_histogram(histogram: dict[int, int], median: float, mean: float) -> None:
    summary = histogram_summary(histogram)
    assert summary["questions"] == sum(histogram.values())
    assert float(summary["medianDays"]) == median
    assert float(summary["meanDays"]) == pytest.approx(mean)


def test_median_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        histogram_summary({})


def test_answer_times_summarise_each_key_exactly() -> None:
    rows: list[Row] = [
        [pyoxigraph.Literal("Treasury"), _int(3), _int(2)],
        [pyoxigraph.Literal("Defence"), _int(1), _int(1)],
        [pyoxigraph.Literal("Treasury"), _int(12), _int(1)],
        [pyoxigraph.Literal("Defence"), _int(6), _int(2)],
    ]
    outcome = QueryOutcome("select", ["department", "days", "questions"], rows)
    summed = answer_times(outcome, ())
    assert summed.columns == [
        "department", "questions", "medianDays", "meanDays", "within5Days", "within10Days"
    ]  # fmt: skip
    assert _values(summed) == [
        # Treasury: 3, 3, 12. Defence: 1, 6, 6 (the mean 13/3 rounds to 4.33).
        ["Treasury", "3", "3", "6", "0.6667", "0.6667"],
        ["Defence", "3", "6", "4.33", "0.3333", "1"],
    ]
    assert all(
        t.datatype.value == XSD + "decimal"
        for row in summed.row_list()
        for t in row[1:]
        if isinstance(t, pyoxigraph.Literal)
    )


def test_answer_times_need_their_columns() -> None:
    outcome = QueryOutcome("select", ["department", "questions"], [])
    with pytest.raises(QueryError) as caught:
        answer_times(outcome, ())
    assert (
        caught.value.line() == "post-step: the result has no column 'days' — fix the query header"
    )


def test_sort_list_sorts_unique_items_numbers_by_value() -> None:
    rows: list[Row] = [
        [pyoxigraph.Literal("HL10,HL9, 19186,19185,,19185"), pyoxigraph.Literal("x")],
        [None, pyoxigraph.Literal("y")],
    ]
    outcome = sort_list(QueryOutcome("select", ["uins", "other"], rows), ("uins", ","))
    assert _values(outcome) == [["19185, 19186, HL9, HL10", "x"], [None, "y"]]
    assert natural_key("HL10") == ["hl", 10, ""]


def test_sort_list_needs_a_column_and_a_separator() -> None:
    with pytest.raises(QueryError, match="expected a column and a separator"):
        sort_list(QueryOutcome("select", ["uins"], []), ("uins",))


def test_plain_text_turns_a_streamed_column_of_html_into_text() -> None:
    answer = pyoxigraph.Literal("<p>First.</p>\n<p>Second &amp; last.</p>")
    rows = iter([[answer, _int(1)], [answer, _int(2)]])
    outcome = plain_text(QueryOutcome("select", ["answer", "n"], rows), ("answer",))
    assert not isinstance(outcome.rows, list)  # still a stream
    assert _values(outcome) == [
        ["First.\n\nSecond & last.", "1"],
        ["First.\n\nSecond & last.", "2"],
    ]
