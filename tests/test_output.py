from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pyoxigraph
import pytest

from kg.output import plain_value, terminal_line, terminal_text, write_rows
from kg.vocab import XSD


def written(columns: list[str], rows: list[list[object]], fmt: str, **options: object) -> str:
    out = io.StringIO()
    write_rows(columns, rows, fmt=fmt, out=out, width=80, **options)  # type: ignore[arg-type]
    return out.getvalue()


def test_plain_values_of_terms() -> None:
    assert plain_value(pyoxigraph.NamedNode("http://x/1")) == "http://x/1"
    assert plain_value(pyoxigraph.Literal("7", datatype=pyoxigraph.NamedNode(XSD + "integer"))) == 7
    assert (
        plain_value(pyoxigraph.Literal("8.50", datatype=pyoxigraph.NamedNode(XSD + "decimal")))
        == 8.5
    )
    assert (
        plain_value(pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode(XSD + "boolean")))
        is True
    )
    assert (
        plain_value(pyoxigraph.Literal("2024-03-18", datatype=pyoxigraph.NamedNode(XSD + "date")))
        == "2024-03-18"
    )
    assert plain_value(None) is None


def test_a_wide_table_fits_80_columns_and_never_cuts_dates_or_numbers() -> None:
    long = "Department for Environment, Food and Rural Affairs and a long heading too"
    rows = [[long, "2024-03-18", 12345, long], ["short", "2023-01-02", 7, "x"]]
    text = written(["department", "tabled", "questions", "heading"], rows, "table")
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "2024-03-18" in lines[2] and "12345" in lines[2] and "…" in lines[2]
    assert lines[3].split()[:1] == ["short"]


def test_one_wide_row_is_shown_as_a_record() -> None:
    columns = ["name", "constituency", "house", "questionsAsked", "firstSeen", "lastSeen"]
    row: list[object] = ["Wendy Chamberlain", "North East Fife", "House of Commons", 9,
                         "2021-02-01", "2024-03-25"]  # fmt: skip
    assert written(columns, [row], "table") == (
        "name            Wendy Chamberlain\n"
        "constituency    North East Fife\n"
        "house           House of Commons\n"
        "questionsAsked  9\n"
        "firstSeen       2021-02-01\n"
        "lastSeen        2024-03-25\n"
    )


def test_machine_formats_and_empty_results() -> None:
    rows: list[list[object]] = [["a,b", 3, None], ['say "x"', 4.5, True]]
    assert written(["t", "n", "v"], rows, "csv") == 't,n,v\r\n"a,b",3,\r\n"say ""x""",4.5,true\r\n'
    assert written(["t", "n", "v"], rows, "tsv", headers=False) == 'a,b\t3\t\nsay "x"\t4.5\ttrue\n'
    assert json.loads(written(["t", "n", "v"], rows, "json")) == [
        {"t": "a,b", "n": 3, "v": None},
        {"t": 'say "x"', "n": 4.5, "v": True},
    ]
    assert written(["t"], [["x"], ["y"]], "nl") == '{"t": "x"}\n{"t": "y"}\n'
    assert written(["t"], [], "table") == "No results.\n"


def test_tsv_writes_a_row_a_line_whatever_its_values_hold() -> None:
    rows: list[list[object]] = [["tab\there", "two\r\nlines", "back\\slash"], ["", None, 1]]
    text = written(["a\tb", "c", "d"], rows, "tsv")
    assert text == "a\\tb\tc\td\ntab\\there\ttwo\\r\\nlines\tback\\\\slash\n\t\t1\n"
    assert [line.count("\t") for line in text.splitlines()] == [2, 2, 2]


def test_nan_and_infinity_are_written_as_their_xsd_names_which_json_can_hold() -> None:
    double = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#double")
    values = [pyoxigraph.Literal(text, datatype=double) for text in ("NaN", "INF", "-INF", "1.5")]
    text = written(["x"], [[value] for value in values], "nl")

    def strict(name: str) -> None:  # json.loads takes NaN and Infinity unless told not to
        raise ValueError(f"not JSON: {name}")

    assert [json.loads(line, parse_constant=strict) for line in text.splitlines()] == [
        {"x": "NaN"},
        {"x": "INF"},
        {"x": "-INF"},
        {"x": 1.5},
    ]


def test_json_is_written_an_object_at_a_time_as_json_dumps_writes_the_list() -> None:
    columns = ["text", "n", "flag", "none"]
    values: list[list[object]] = [
        ["line\nbreak and “quotes”", 1, True, None],
        ["{[,]}", -2.5, False, None],
        ["", 0, True, "x"],
    ]
    for count in range(4):
        rows = values[:count]
        expected = json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=2)
        assert written(columns, rows, "json") == expected + "\n"


def _rows_then_failure(count: int) -> Iterator[list[object]]:
    for number in range(count):
        yield [f"row {number}", number]
    raise RuntimeError("the query failed after the rows above")


@pytest.mark.parametrize(
    ("fmt", "first_two"),
    [
        ("csv", "t,n\r\nrow 0,0\r\nrow 1,1\r\n"),
        ("tsv", "t\tn\nrow 0\t0\nrow 1\t1\n"),
        ("nl", '{"t": "row 0", "n": 0}\n{"t": "row 1", "n": 1}\n'),
        (
            "json",
            '[\n  {\n    "t": "row 0",\n    "n": 0\n  },\n  {\n    "t": "row 1",\n    "n": 1\n  }',
        ),
    ],
)
def test_machine_formats_write_each_row_as_it_comes(fmt: str, first_two: str) -> None:
    # The rows are written before the stream's third row is asked for (and fails).
    out = io.StringIO()
    with pytest.raises(RuntimeError):
        write_rows(["t", "n"], _rows_then_failure(2), fmt=fmt, out=out)
    assert out.getvalue() == first_two
    assert write_rows(["t", "n"], iter([["a", 1], ["b", 2]]), fmt=fmt, out=io.StringIO()) == 2


def test_a_long_table_is_laid_out_to_fit_its_first_rows_and_the_rest_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("kg.output.TABLE_LAYOUT_ROWS", 2)
    rows: list[list[object]] = [["ab", 1], ["abc", 22], ["a much longer text", 333], ["x", 4]]
    out = io.StringIO()
    assert write_rows(["name", "n"], iter(rows), fmt="table", out=out, width=80) == 4
    assert out.getvalue() == (
        "name   n\n"
        "----  --\n"
        "ab     1\n"
        "abc   22\n"
        "a m…  333\n"  # laid out for the first two rows: the text is cut, the number is not
        "x      4\n"
    )
    # Past the first rows, each row is written before the next is asked for.
    out = io.StringIO()
    with pytest.raises(RuntimeError):
        write_rows(["t", "n"], _rows_then_failure(3), fmt="table", out=out, width=80)
    assert out.getvalue().splitlines()[-1] == "row 2  2"


def test_a_table_passes_no_escape_sequence_from_the_data_to_the_terminal() -> None:
    rows: list[list[object]] = [["Esc \x1b[31mRED\x1b[0m \x1b]0;pwned\x07 title\x7f\x9b"]]
    table = written(["heading"], rows, "table")
    assert table == "heading\n" + "-" * 35 + "\nEsc ␛[31mRED␛[0m ␛]0;pwned␇ title␡\ufffd\n"
    assert written(["heading"], rows, "csv") == "heading\r\n" + rows[0][0] + "\r\n"  # as it is


def test_a_decimal_keeps_its_digits_in_csv_and_tsv_and_an_ill_typed_one_is_its_text() -> None:
    def decimal(text: str) -> object:
        return plain_value(pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(XSD + "decimal")))

    exact = [decimal("12345678901234567.5"), decimal("0.12345678901234567890123")]
    assert (
        written(["a", "b"], [exact], "csv")
        == "a,b\r\n12345678901234567.5,0.12345678901234567890123\r\n"
    )
    assert written(["a", "b"], [exact], "tsv", headers=False) == (
        "12345678901234567.5\t0.12345678901234567890123\n"
    )
    assert json.loads(written(["a"], [exact[:1]], "json")) == [{"a": 12345678901234567.5}]
    huge = "1" * 400 + ".5"  # past a float's range: its text, whatever the format
    assert written(["a"], [[decimal(huge)]], "json") == f'[\n  {{\n    "a": "{huge}"\n  }}\n]\n'
    assert decimal(huge) == huge
    assert (decimal("abc"), decimal("INF"), decimal("NaN"), decimal("-3.0")) == (
        "abc",
        "INF",
        "NaN",
        -3,
    )


def test_a_line_for_the_terminal_shows_its_tabs_and_newlines_too() -> None:
    assert terminal_line("a\tb\nc\x1b[0m") == "a␉b␤c␛[0m"
    assert terminal_text("a\tb\nc\x1b[0m") == "a\tb\nc␛[0m"
