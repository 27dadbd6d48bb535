"""``kg push``, ``kg serve``, and running the commands that query on ``--endpoint``.

Other commands run on a SPARQL endpoint instead of the local store with two pieces:
:func:`kg.cli_options.endpoint_option` (the ``--endpoint URL`` option, or ``KG_ENDPOINT``)
and :func:`runner_for` / :func:`run_text`, which pick the local store or the endpoint.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli_options import MAX_SECONDS, seconds, store_option
from kg.sparql import QueryOutcome

if TYPE_CHECKING:
    from kg.sparql import Runner


def runner_for(
    store_path: Path, endpoint: str | None, *, timeout: float | None, where: str
) -> Runner:
    """A :data:`kg.queries.Runner` on the endpoint if one is given, else on the local store."""
    if endpoint:
        from kg.remote import remote_runner

        return remote_runner(endpoint, timeout=timeout, where=where)
    from kg.queries import local_runner
    from kg.store import open_for_reading

    return local_runner(open_for_reading(store_path), timeout=timeout, where=where)


def run_text(
    store_path: Path, endpoint: str | None, text: str, *, where: str, timeout: float | None
) -> QueryOutcome:
    """An ad hoc query (``kg sparql``) on the endpoint if one is given, else on the store; its
    rows stream."""
    return runner_for(store_path, endpoint, timeout=timeout, where=where)(text, {}, stream=True)


@click.command()
@store_option
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The server's graph store URL (Oxigraph: http://HOST:7878/store, Fuseki: .../DATASET/data).",
)
@click.option(
    "--protocol",
    type=click.Choice(["update", "gsp"]),
    default="update",
    show_default=True,
    help="update: replace the records that differ, one transaction per chunk; "
    "gsp: replace the whole default graph (for servers without SPARQL Update).",
)
@click.option("--query-endpoint", metavar="URL", help="Its SPARQL query URL (if not derived).")
@click.option("--update-endpoint", metavar="URL", help="Its SPARQL update URL (if not derived).")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="About this many triples per request.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0, max=100),
    default=3,
    show_default=True,
    help="Send a request again this many times when it fails in a way that may pass.",
)
@click.option(
    "--retry-wait",
    type=seconds(min_open=False),
    default=1.0,
    show_default=True,
    help="Seconds to wait before the first retry (doubled for each next one).",
)
@click.option(
    "--timeout",
    type=seconds(),
    default=60.0,
    show_default=True,
    help="Give up on a request after this many seconds.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent; change nothing.")
def push(
    store_path: Path,
    endpoint: str,
    protocol: str,
    query_endpoint: str | None,
    update_endpoint: str | None,
    chunk_size: int,
    retries: int,
    retry_wait: float,
    timeout: float,
    dry_run: bool,
) -> None:
    """Put the local graph into a shared SPARQL server; pushing again changes only what changed."""
    from kg import push as pushing
    from kg.remote import auth_from_env
    from kg.store import open_for_reading

    target = pushing.target_for(endpoint, query=query_endpoint, update=update_endpoint)
    auth = auth_from_env()
    store = open_for_reading(store_path)

    def said(line: str) -> None:
        if dry_run:
            click.echo(f"Would send {line}")

    report = pushing.push(
        store,
        target,
        protocol=protocol,
        chunk_size=chunk_size,
        dry_run=dry_run,
        retry=pushing.Retry(retries=retries, wait=retry_wait),
        timeout=timeout,
        auth=auth,
        on_request=said,
    )
    if report.retries:
        sent = "request was" if report.retries == 1 else "requests were"
        click.echo(f"Warning: {report.retries} {sent} sent again", err=True)
    click.echo(report.summary())


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port."
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1, max=int(MAX_SECONDS)),
    default=None,
    help="Stop queries that run longer than this many seconds.",
)
def serve(store_path: Path, host: str, port: int, timeout: int | None) -> None:
    """Serve the store read-only with the Oxigraph server and its query page (Ctrl-C stops it)."""
    from kg import serve as serving

    server = serving.plan(store_path, host=host, port=port, timeout=timeout)
    lock = serving.hold_write_lock(store_path)
    warning = serving.version_warning(server.argv[0])
    if warning:
        click.echo(f"Warning: {warning}", err=True)
    if host in ("0.0.0.0", "::", ""):
        click.echo(
            "Warning: listening on every network interface, without authentication", err=True
        )
    click.echo(f"Query page: {server.url}")
    click.echo(f"SPARQL endpoint: {server.query_url}  (kg query ... --endpoint {server.query_url})")
    click.echo(f"Serving {store_path} read-only; press Ctrl-C to stop.", err=True)
    sys.stdout.flush()
    serving.run(server, lock=lock)
