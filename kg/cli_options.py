"""Options and output shared by kg's commands (stacked decorators, one output path)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pyoxigraph

from kg import output
from kg.paths import DEFAULT_STORE
from kg.sparql import QueryOutcome

F = TypeVar("F", bound=Callable[..., Any])
ENDPOINT_ENV = "KG_ENDPOINT"


def store_option(fn: F) -> F:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_STORE,
        envvar="KG_STORE",
        show_default=True,
        help="Folder of the on-disk Oxigraph store (or set KG_STORE).",
    )(fn)


def endpoint_option(fn: F) -> F:
    """``--endpoint URL``: run on this SPARQL endpoint instead of the local store."""
    return click.option(
        "--endpoint",
        "endpoint",
        metavar="URL",
        default=None,
        envvar=ENDPOINT_ENV,
        help=(
            "Run on this SPARQL endpoint instead of the local store (or set KG_ENDPOINT); "
            "credentials from KG_SPARQL_USER and KG_SPARQL_PASSWORD, or KG_SPARQL_TOKEN."
        ),
    )(fn)


def output_options(fn: F) -> F:
    decorators = [
        click.option("--table", "fmt", flag_value="table", default=True, help="Plain table."),
        click.option("--csv", "fmt", flag_value="csv", help="Output CSV."),
        click.option("--tsv", "fmt", flag_value="tsv", help="Output TSV."),
        click.option("--json", "fmt", flag_value="json", help="Output a JSON list of objects."),
        click.option("--nl", "fmt", flag_value="nl", help="Output one JSON object per line."),
        click.option("--no-headers", is_flag=True, help="Leave out the header row."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def limit_option(fn: F) -> F:
    """``--limit N``: write the first N rows only (and read no more of them)."""
    return click.option(
        "--limit",
        type=click.IntRange(min=1, max=sys.maxsize),
        default=None,
        metavar="N",
        help="At most N rows.",
    )(fn)


#: The longest wait an option may ask for: a year (the clocks' limits are far beyond).
MAX_SECONDS = 365 * 24 * 3600.0


class FiniteRange(click.FloatRange):
    """A number in a range, which nan and infinity are not (click's range lets nan by)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


def seconds(*, min_open: bool = True) -> FiniteRange:
    """Seconds: more than 0 (or at least 0), at most :data:`MAX_SECONDS`."""
    return FiniteRange(min=0, min_open=min_open, max=MAX_SECONDS)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Day(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.2+ only
    """A day as YYYY-MM-DD, which exists (2024-02-30 does not)."""

    name = "day"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value).strip()
        if not _DAY.fullmatch(text):
            self.fail(f"{text!r} is not a day as YYYY-MM-DD", param, ctx)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a day of the calendar", param, ctx)


def timeout_option(fn: F) -> F:
    """``--timeout S``: stop the query after S seconds."""
    return click.option(
        "--timeout", type=seconds(), default=None, metavar="S", help="Stop after S seconds."
    )(fn)


def silent_option(fn: F) -> F:
    return click.option("--silent", is_flag=True, help="No progress bar.")(fn)


def write_outcome(
    outcome: QueryOutcome, *, fmt: str, no_headers: bool, limit: int | None = None
) -> None:
    if outcome.kind == "ask":
        output.write_rows(
            ["result"], [[outcome.boolean]], fmt=fmt, out=sys.stdout, headers=not no_headers
        )
        return
    if outcome.kind == "graph":
        store = pyoxigraph.Store()
        store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in outcome.triples)
        from kg.export import export

        export(store, fmt="ttl", out=sys.stdout.buffer)
        return
    rows = outcome.rows if limit is None else itertools.islice(outcome.rows, limit)
    output.write_rows(outcome.columns, rows, fmt=fmt, out=sys.stdout, headers=not no_headers)
