"""``kg load``: load linked-data-api pages into the store (validated, unless told not to)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click
import pyoxigraph

from kg.cli_options import silent_option, store_option
from kg.load import ON_INVALID_CHOICES, LoadReport, OnInvalid, load_paths
from kg.output import terminal_line
from kg.reader import Page, expand_inputs
from kg.store import marking_first_load, open_store
from kg.text_index import kept_current


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@store_option
@click.option("--memory", is_flag=True, help="Load into a throw-away in-memory store (a check).")
@click.option("--no-validate", is_flag=True, help="Do not check items against the SHACL shapes.")
@click.option(
    "--on-invalid",
    type=click.Choice(ON_INVALID_CHOICES),
    default="abort",
    show_default=True,
    help="What to do with items that violate the shapes.",
)
@silent_option
def load(
    inputs: Sequence[str],
    store_path: Path,
    memory: bool,
    no_validate: bool,
    on_invalid: OnInvalid,
    silent: bool,
) -> None:
    """Load linked-data-api pages (files, folders, .json.gz, or - for stdin) into the store."""
    sources = expand_inputs(inputs)
    store = open_store(None if memory else store_path)
    on_disk = None if memory else store_path
    with marking_first_load(store, on_disk) as emptied, kept_current(store, on_disk):
        if emptied:
            click.echo(
                "Warning: the store held part of a first load that was killed: emptied first",
                err=True,
            )
        report = _load_with_progress(store, sources, not no_validate, on_invalid, silent)
    for warning in report.warning_lines():
        click.echo(f"Warning: {terminal_line(warning)}", err=True)
    click.echo(report.summary())


def _load_with_progress(
    store: pyoxigraph.Store,
    sources: list[str],
    validate: bool,
    on_invalid: OnInvalid,
    silent: bool,
) -> LoadReport:
    if silent or len(sources) < 2 or not sys.stderr.isatty():
        return load_paths(store, sources, validate=validate, on_invalid=on_invalid)
    with click.progressbar(length=len(sources), label="Loading", file=sys.stderr) as bar:

        def advance(page: Page, report: LoadReport) -> None:
            bar.label = f"Loading ({report.items} items, {report.triples_written} triples)"
            bar.update(1)

        return load_paths(store, sources, validate=validate, on_invalid=on_invalid, on_page=advance)
