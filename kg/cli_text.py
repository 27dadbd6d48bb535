"""``kg text-index``: build the full-text index that makes text searches fast."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli_options import silent_option, store_option
from kg.paths import text_index_file
from kg.store import open_store, require_data_in
from kg.text_index import build, count_texts


@click.command(name="text-index")
@store_option
@silent_option
def text_index_command(store_path: Path, silent: bool) -> None:
    """Build the store's text index (again): find-questions then looks up the questions that
    may hold its text instead of reading every text. kg load keeps it current."""
    store = open_store(store_path, create=False)
    require_data_in(store, store_path)
    if silent or not sys.stderr.isatty():
        summary = build(store, store_path)
    else:
        with click.progressbar(length=count_texts(store), label="Indexing", file=sys.stderr) as bar:
            summary = build(store, store_path, on_texts=bar.update)
    size = text_index_file(store_path).stat().st_size / 1048576
    click.echo(
        f"Indexed {summary.texts} texts of {summary.questions} questions"
        f" in {text_index_file(store_path)} ({size:,.1f} MiB)"
    )
