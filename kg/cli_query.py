"""``kg queries``, ``kg query`` and ``kg show``: the canned queries and one question for a person."""

from __future__ import annotations

import datetime as dt
import json
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg import output
from kg.cli_options import (
    Day,
    endpoint_option,
    limit_option,
    output_options,
    store_option,
    timeout_option,
    write_outcome,
)
from kg.cli_remote import runner_for
from kg.queries import CannedQuery, execute, find_query, load_catalog
from kg.queries import parse_assignments as parse_params
from kg.query_values import markers
from kg.show import find_question, question_view, render

if TYPE_CHECKING:
    from kg.text_search import TextIndex


def _parameters_text(query: CannedQuery) -> str:
    return "; ".join(p.describe() for p in query.parameters) or "-"


def _describe(query: CannedQuery) -> str:
    lines = [f"{query.name}: {query.title}", "", *textwrap.wrap(query.summary, 78), ""]
    if query.parameters:
        lines.append("Parameters (--param NAME=VALUE):")
        for p in query.parameters:
            lines.append(f"  {p.describe()}")
            lines.extend(
                textwrap.wrap(
                    p.description, 74, initial_indent="      ", subsequent_indent="      "
                )
            )
    else:
        lines.append("No parameters.")
    if query.post:
        steps = ", ".join(" ".join((name, *args)) for name, args in query.post)
        lines.append(f"Post-steps: {steps}")
    if query.notes:
        lines.append("")
        lines.extend(textwrap.wrap(" ".join(query.notes), 78))
    lines.append("")
    lines.append(f"File: {query.path}")
    return "\n".join(lines) + "\n"


@click.command(name="queries")
@click.argument("name", required=False)
@output_options
def queries_command(name: str | None, fmt: str, no_headers: bool) -> None:
    """List the canned queries, or describe the one called NAME."""
    catalog = load_catalog()
    if name is not None:
        click.echo(_describe(find_query(catalog, name)), nl=False)
        return
    if fmt != "table":
        rows = [[q.name, q.summary, _parameters_text(q)] for q in catalog.values()]
        output.write_rows(
            ["name", "summary", "parameters"], rows, fmt=fmt, out=sys.stdout, headers=not no_headers
        )
        return
    for query in catalog.values():
        click.echo(query.name)
        for line in textwrap.wrap(query.summary, 76):
            click.echo(f"    {line}")
        if query.parameters:
            text = f"parameters: {_parameters_text(query)}"
            for line in textwrap.wrap(text, 76, subsequent_indent="    "):
                click.echo(f"    {line}")
    click.echo("\nRun one with: kg query NAME --param NAME=VALUE  (kg queries NAME describes it)")


@click.command(name="query")
@click.argument("name")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter (repeat)."
)
@store_option
@endpoint_option
@output_options
@limit_option
@timeout_option
@click.option("--print-query", is_flag=True, help="Print the query's SPARQL instead of running it.")
def query_command(
    name: str,
    params: Sequence[str],
    store_path: Path,
    endpoint: str | None,
    fmt: str,
    no_headers: bool,
    limit: int | None,
    timeout: float | None,
    print_query: bool,
) -> None:
    """Run the canned query NAME (see kg queries), e.g. kg query member-questions -p member=4765."""
    query = find_query(load_catalog(), name)
    given = parse_params(params)
    if print_query:
        click.echo(query.text, nl=False)
        return
    runner = runner_for(store_path, endpoint, timeout=timeout, where=query.name)
    index = None if endpoint else _text_index(query, store_path)
    outcome = execute(query, given, runner, stream=True, text_index=index)
    write_outcome(outcome, fmt=fmt, no_headers=no_headers, limit=limit)


def _text_index(query: CannedQuery, store_path: Path) -> TextIndex | None:
    """The store's text index, for a query that takes one; a pending one is not used."""
    if not markers(query.text):
        return None
    from kg.text_index import is_of_another_format, is_pending  # only for those queries
    from kg.text_search import TextIndex

    index = TextIndex.open(store_path)
    if index is None and is_pending(store_path):
        click.echo(
            "Warning: the text index was left pending by a load that stopped: searching every"
            " text instead (slower) — load again, or run kg text-index",
            err=True,
        )
    elif index is None and is_of_another_format(store_path):
        click.echo(
            "Warning: the text index was built by an older kg: searching every text instead"
            " (slower) — run kg text-index",
            err=True,
        )
    return index


@click.command(name="show")
@click.argument("question")
@store_option
@endpoint_option
@click.option(
    "--house",
    type=click.Choice(["commons", "lords", "1", "2"], case_sensitive=False),
    default=None,
    help="commons or lords, when a UIN is ambiguous.",
)
@click.option(
    "--date",
    "date",
    type=Day(),
    default=None,
    help="Date tabled (YYYY-MM-DD), when a UIN is ambiguous.",
)
@click.option(
    "--width",
    type=click.IntRange(min=0),
    default=80,
    show_default=True,
    help="Wrap at this width (0: no wrap).",
)
@click.option("--json", "as_json", is_flag=True, help="Output the fields as a JSON object.")
@timeout_option
def show_command(
    question: str,
    store_path: Path,
    endpoint: str | None,
    house: str | None,
    date: dt.date | None,
    width: int,
    as_json: bool,
    timeout: float | None,
) -> None:
    """Show one question (by UIN or IRI) the way a person reads it."""
    runner = runner_for(store_path, endpoint, timeout=timeout, where="show")
    day = None if date is None else date.isoformat()
    iri = find_question(runner, question, house=house, date=day)
    view = question_view(runner, iri)
    if as_json:
        click.echo(json.dumps(asdict(view), indent=2, ensure_ascii=False))
    else:
        click.echo(render(view, width=width or None), nl=False)
