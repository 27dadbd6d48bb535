"""One output path for tabular results: table (default), CSV, TSV, JSON, newline-delimited JSON.

Values arrive as pyoxigraph terms or plain Python values; machine formats get plain values
(an IRI as its string, a literal as its value: numbers as numbers, booleans as booleans,
dates as ISO text); the table is made to fit an 80-column terminal.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
import shutil
import textwrap
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import pyoxigraph

from kg.vocab import XSD

FORMATS = ("table", "csv", "tsv", "json", "nl")
_INTEGERS = {XSD + n for n in ("integer", "int", "long", "short", "nonNegativeInteger")}
_DECIMALS = {XSD + "decimal"}
_FLOATS = {XSD + "double", XSD + "float"}
_MAX_CELL = 60
#: Rows a table is laid out to fit; the rows after them follow in that layout (a number
#: wider than the first ones pushes its line out, a longer text is cut).
TABLE_LAYOUT_ROWS = 10_000
_DATE_LIKE = re.compile(r"-?\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?")


class DecimalValue(float):
    """An ``xsd:decimal`` with a fraction: a float to compute with, lay out in a table and
    write in JSON (whose readers take numbers as doubles), which keeps the decimal's exact
    digits for CSV and TSV (``text``)."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, number: Decimal) -> DecimalValue:
        value = super().__new__(cls, number)
        value.text = str(number)
        return value


def plain_value(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value (None stays None)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        text = term.value
        try:
            if datatype in _INTEGERS:
                return int(text)
            if datatype in _DECIMALS:
                number = Decimal(text)
                if not number.is_finite():  # "NaN" and "INF" are no xsd:decimal
                    return text
                if number == number.to_integral_value():
                    return int(number)
                value = DecimalValue(number)
                return value if math.isfinite(value) else text  # past a float's range
            if datatype in _FLOATS:
                floating = float(text)
                # NaN and INF as their xsd lexical forms: JSON has no numbers for them.
                return floating if math.isfinite(floating) else text
        except (ValueError, InvalidOperation):  # ill-typed: "abc"^^xsd:decimal
            return text
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        return text
    return term


#: Control characters (C0 but tab and newline, DEL, C1) shown as their "control pictures" (ESC
#: as ␛): text for a terminal never passes on an escape sequence the data holds.
_CONTROL_PICTURES = (
    {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
    | {0x7F: 0x2421}
    | dict.fromkeys(range(0x80, 0xA0), 0xFFFD)
)


_ONE_LINE_PICTURES = _CONTROL_PICTURES | {0x09: 0x2409, 0x0A: 0x2424}


def terminal_text(text: str) -> str:
    """``text`` with its control characters made visible and harmless (see above)."""
    return text.translate(_CONTROL_PICTURES)


def terminal_line(text: str) -> str:
    """``text`` as one line for a terminal: its tabs and newlines shown as symbols too."""
    return text.translate(_ONE_LINE_PICTURES)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return terminal_text(" ".join(str(value).split()))


def _shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(width - 1, 1)] + "…"


def _is_compact(value: Any) -> bool:
    """Numbers, booleans and dates: cells that are never cut (a cut date or number misleads)."""
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and _DATE_LIKE.fullmatch(value) is not None


def render_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    headers: bool,
    width: int,
    more: Iterable[Sequence[Any]] = (),
) -> Iterator[str]:
    """The lines of a plain text table that fits ``width`` columns, laid out to fit ``rows``;
    the rows of ``more`` follow in the same layout, as they come.

    Text columns give way first (cut with an ellipsis); numbers and dates keep their width;
    a header longer than its column's values may be cut.
    """
    cells = [[_cell_text(v) for v in row] for row in rows]
    values = [0] * len(columns)
    for row in cells:
        for i, text in enumerate(row):
            values[i] = max(values[i], min(len(text), _MAX_CELL))
    widths = [max(values[i], len(c) if headers else 0, 1) for i, c in enumerate(columns)]
    compact = [bool(rows) and all(_is_compact(row[i]) for row in rows) for i in range(len(columns))]
    gap = 2
    budget = width - gap * (len(columns) - 1)

    def shrink(allowed: Callable[[int], bool]) -> None:
        while sum(widths) > budget:
            candidates = [i for i in range(len(widths)) if allowed(i)]
            if not candidates:
                return
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1

    shrink(lambda i: not compact[i] and widths[i] > 8)  # text columns first
    shrink(lambda i: compact[i] and widths[i] > max(values[i], 1))  # then long headers
    shrink(lambda i: widths[i] > 4)  # then whatever it takes
    numeric = [
        bool(rows)
        and all(isinstance(row[i], int | float) and not isinstance(row[i], bool) for row in rows)
        for i in range(len(columns))
    ]

    def line(texts: Sequence[str], whole: Collection[int] = ()) -> str:
        out = []
        for i, text in enumerate(texts):
            text = text if i in whole else _shorten(text, widths[i])
            out.append(text.rjust(widths[i]) if numeric[i] else text.ljust(widths[i]))
        return (" " * gap).join(out).rstrip() + "\n"

    if headers:
        yield line(list(columns))
        yield (" " * gap).join("-" * w for w in widths) + "\n"
    yield from map(line, cells)
    for later in more:  # a number or date wider than the layout's is written whole
        whole = [i for i, v in enumerate(later) if _is_compact(v)]
        yield line([_cell_text(v) for v in later], whole)


def _table_width(columns: Sequence[str], row: Sequence[Any]) -> int:
    texts = [_cell_text(v) for v in row]
    return sum(max(len(c), len(t)) for c, t in zip(columns, texts, strict=True)) + 2 * (
        len(columns) - 1
    )


def render_record(columns: Sequence[str], row: Sequence[Any], *, width: int) -> str:
    """One result too wide for a table, as ``name  value`` lines (long values wrapped)."""
    label = max(len(c) for c in columns)
    lines = []
    for name, value in zip(columns, row, strict=True):
        text = _cell_text(value) or "-"
        wrapped = textwrap.wrap(text, max(width - label - 2, 20)) or [""]
        lines.append(f"{name.ljust(label)}  {wrapped[0]}")
        lines.extend(" " * (label + 2) + more for more in wrapped[1:])
    return "\n".join(lines) + "\n"


def wrap(text: str, width: int = 80) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def write_rows(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fmt: str,
    out: IO[str],
    headers: bool = True,
    width: int | None = None,
) -> int:
    """Write rows (terms or plain values) in ``fmt``; returns the number of rows written.

    Rows are written as they come (an iterator is read once, and memory does not grow with
    it). The table is laid out to fit its first :data:`TABLE_LAYOUT_ROWS` rows.
    """
    taken = 0

    def plain_rows() -> Iterator[list[Any]]:
        nonlocal taken
        for row in rows:
            taken += 1
            yield [plain_value(v) for v in row]

    plain = plain_rows()
    if fmt == "json":
        # What json.dumps(list_of_objects, indent=2) writes, an object at a time.
        for r in plain:
            item = json.dumps(dict(zip(columns, r, strict=True)), indent=2)
            out.write(("[\n  " if taken == 1 else ",\n  ") + item.replace("\n", "\n  "))
        out.write("\n]\n" if taken else "[]\n")
    elif fmt == "nl":
        for r in plain:
            out.write(json.dumps(dict(zip(columns, r, strict=True)), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, dialect="excel")
        if headers:
            writer.writerow(columns)
        for r in plain:
            writer.writerow(["" if v is None else _csv_text(v) for v in r])
    elif fmt == "tsv":
        # A row a line, whatever the values hold: tabs, newlines and backslashes escaped as
        # SPARQL's TSV results and PostgreSQL's text format escape them, not quoted.
        if headers:
            out.write("\t".join(map(_tsv_text, columns)) + "\n")
        for r in plain:
            out.write("\t".join("" if v is None else _tsv_text(_csv_text(v)) for v in r) + "\n")
    else:
        # Laid out to fit the first rows; any after them are written as they come.
        table = list(itertools.islice(plain, TABLE_LAYOUT_ROWS))
        terminal = width or min(shutil.get_terminal_size((80, 24)).columns, 160)
        if not table:
            out.write("No results.\n")
        elif len(table) == 1 and headers and _table_width(columns, table[0]) > terminal:
            out.write(render_record(columns, table[0], width=terminal))
        else:
            lines = render_table(columns, table, headers=headers, width=terminal, more=plain)
            out.writelines(lines)
    return taken


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tsv_text(text: str) -> str:
    return text.translate(_TSV_ESCAPES)


def _csv_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, DecimalValue):
        return value.text
    return str(value)
