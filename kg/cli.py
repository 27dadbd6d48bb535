"""The ``kg`` command: thin glue over the library. Library errors become one ``Error:`` line."""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from kg import __version__, output
from kg.cli_options import (
    endpoint_option,
    limit_option,
    output_options,
    store_option,
    timeout_option,
    write_outcome,
)
from kg.errors import KgError
from kg.store import open_for_reading, optimize_store, recount_store

#: Commands defined in other modules, imported only when run (or listed): ``kg load`` need
#: not import the HTTP, SPARQL-endpoint and canned-query machinery, nor ``kg query`` the
#: converter.
LAZY_COMMANDS = {
    "fetch": "kg.cli_fetch:fetch",
    "load": "kg.cli_load:load",
    "queries": "kg.cli_query:queries_command",
    "query": "kg.cli_query:query_command",
    "show": "kg.cli_query:show_command",
    "push": "kg.cli_remote:push",
    "serve": "kg.cli_remote:serve",
    "text-index": "kg.cli_text:text_index_command",
}


class KgGroup(click.Group):
    """Turns every :class:`KgError` raised by a command into ``Error: <line>`` and exit 1, and
    every command line click cannot parse into one such line and exit 2; imports the commands
    of :data:`LAZY_COMMANDS` when they are first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, name = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module), name)
            if not isinstance(command, click.Command):
                raise TypeError(f"{LAZY_COMMANDS[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line_usage_error(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _sigterm_as_ctrl_c():
                return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line_usage_error(exc) from None
        except KgError as exc:
            # Release what the failed command held (an open store, above all) right away.
            traceback.clear_frames(exc.__traceback__)
            if isinstance(exc.__cause__, BrokenPipeError):
                # The reader went away (kg export | head): not an error worth a line.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                sys.exit(1)
            raise click.ClickException(output.terminal_line(exc.line())) from None


def _one_line_usage_error(exc: click.UsageError) -> click.ClickException:
    """A command line click cannot parse, as one ``Error:`` line (exit 2) that says which
    command and where its help is, instead of click's usage, hint and message."""
    if isinstance(exc, NO_ARGS_IS_HELP):
        return exc  # not an error: the command's help, asked for by giving no arguments
    where = exc.ctx.command_path if exc.ctx is not None else "kg"
    message = " ".join(exc.format_message().split()).removesuffix(".")
    if " — " not in message:
        message = f"{message} — see {where} --help"
    return UsageLine(f"{where}: {message[:1].lower()}{message[1:]}")


class UsageLine(click.ClickException):
    """A usage error as one line; exits 2, as click's usage errors do."""

    exit_code = 2


#: Click 8.2 and later raise this to show a command's help when it is given no arguments.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", None)
NO_ARGS_IS_HELP: tuple[type[click.UsageError], ...] = (
    (_NO_ARGS_IS_HELP,) if _NO_ARGS_IS_HELP is not None else ()
)


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (what timeout, systemd and docker stop send) stops a command as Ctrl-C does,
    so that it cleans up (a first load leaves an empty store) instead of dying half way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    earlier = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, earlier)


def _build() -> str:
    """Which build runs: ``pip install .`` compiles the converter where it can (hatch_build.py).
    Told from where the converter's module is, without importing it."""
    spec = importlib.util.find_spec("kg.convert")
    origin = "" if spec is None or spec.origin is None else spec.origin
    compiled = origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    return "converter compiled with mypyc" if compiled else "pure Python"


BUILD = _build()


@click.group(cls=KgGroup, name="kg")
@click.version_option(
    __version__, prog_name="kg", message=f"%(prog)s, version %(version)s ({BUILD})"
)
def cli() -> None:
    """kg: UK Parliament written questions as a validated RDF knowledge graph."""


@cli.command()
@store_option
@click.option(
    "--format",
    "report_format",
    type=click.Choice(["summary", "turtle", "json-ld"]),
    default="summary",
    show_default=True,
    help="A readable summary, or the full sh:ValidationReport.",
)
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql")
def validate(store_path: Path, report_format: str, engine: str) -> None:
    """Check the store against the SHACL shapes: exit 0 if it conforms, 1 if not."""
    from kg import validate as validation

    store = open_for_reading(store_path)
    if engine == "pyshacl":
        results = validation.validate_with_pyshacl(store)
    else:
        results = validation.validate_store(store)
    if report_format == "summary":
        click.echo(validation.summarize(results), nl=False)
    else:
        click.echo(validation.report(results, fmt=report_format), nl=False)
    sys.exit(0 if validation.conforms(results) else 1)


@cli.command(name="export")
@store_option
@click.option(
    "-f",
    "--format",
    "fmt",
    default=None,
    help="ttl, nt, nq, trig, xml or jsonld (or turtle, json-ld, ...); "
    "default: the output file's extension, else ttl",
)
@click.option("-o", "--output", "output_path", type=click.Path(path_type=Path), default=None)
def export_command(store_path: Path, fmt: str | None, output_path: Path | None) -> None:
    """Export the store as Turtle, N-Triples, N-Quads, TriG, RDF/XML or compact JSON-LD."""
    from kg.export import export, export_to_file, format_of_file

    if fmt is None:
        fmt = (format_of_file(output_path) if output_path else None) or "ttl"
    store = open_for_reading(store_path)
    if output_path is None:
        export(store, fmt=fmt, out=sys.stdout.buffer, on_disk=True)
    else:
        count = export_to_file(store, fmt=fmt, path=output_path, on_disk=True)
        click.echo(f"Wrote {count} triples to {output_path}", err=True)


@cli.command()
@store_option
def optimize(store_path: Path) -> None:
    """Compact the store on disk: queries then read fewer files (worth it after a large load)."""
    before, after = optimize_store(store_path)
    click.echo(
        f"Compacted {store_path}: {before.tables} tables, {_mib(before.size)} MiB"
        f" -> {after.tables} tables, {_mib(after.size)} MiB"
    )


@cli.command()
@store_option
def recount(store_path: Path) -> None:
    """Count the tallies again from the questions (a store an older kg loaded needs it)."""
    click.echo(f"Recounted {store_path}: {recount_store(store_path)} tallies")


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f}"


@cli.command()
@store_option
@output_options
def stats(store_path: Path, fmt: str, no_headers: bool) -> None:
    """What is in the store."""
    from kg.stats import store_stats

    store = open_for_reading(store_path)
    pairs = store_stats(store)
    output.write_rows(
        ["name", "value"], [list(p) for p in pairs], fmt=fmt, out=sys.stdout, headers=not no_headers
    )


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path, dir_okay=False))
@store_option
@output_options
@limit_option
@timeout_option
@endpoint_option
def sparql(
    query: str | None,
    query_file: Path | None,
    store_path: Path,
    fmt: str,
    no_headers: bool,
    limit: int | None,
    timeout: float | None,
    endpoint: str | None,
) -> None:
    """Run an ad hoc SPARQL query (kg's prefixes are predeclared), locally or on --endpoint."""
    if (query is None) == (query_file is None):
        raise click.UsageError("give a query, or -f FILE.rq (one of the two)")
    where = "query"
    if query_file is not None:
        try:
            query = query_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise KgError(
                str(query_file), f"cannot read: {exc.strerror}", "check the path"
            ) from exc
        where = str(query_file)
    assert query is not None
    from kg.cli_remote import run_text

    outcome = run_text(store_path, endpoint, query, where=where, timeout=timeout)
    write_outcome(outcome, fmt=fmt, no_headers=no_headers, limit=limit)
