"""``kg push``: the local graph into a shared SPARQL server, idempotently, in bounded memory.

The local graph is cut into *units*: each question's record (the question and every part
linked to it by ``kg:partOfRecord``, as :mod:`kg.load` defines it) and each shared resource
(a member, a department, a house: any other subject). Units are sent in chunks of about
``chunk_size`` triples, so neither side ever holds more than a chunk.

``update`` (the default) speaks SPARQL 1.1 Query and Update. For each chunk kg first reads what
the server holds of those units (one CONSTRUCT) and compares it with the local triples; the
units that differ are replaced in one update request::

    DELETE { ?s ?p ?o } WHERE { VALUES ?q { records } ?s kg:partOfRecord ?q . ?s ?p ?o } ;
    DELETE { ?s ?p ?o } WHERE { VALUES ?s { records and shared resources } ?s ?p ?o } ;
    INSERT DATA { their local triples }

A request is one transaction on the server, so a reader never sees half a record; the server
ends up holding exactly the local triples of every unit (parts a record no longer has are
deleted with it), and none of the shared resources the local store no longer has
(:mod:`kg.push_sweep`); pushing again finds nothing to change and sends no update at all; a push
cut short is completed by the next one; and what others put in the server about other
subjects is left alone.

``gsp`` speaks only the SPARQL 1.1 Graph Store Protocol, for servers without SPARQL Update: the
default graph is replaced, the first chunk by ``PUT``, the others added by ``POST``. The server
then holds exactly the local graph, but readers see it partly loaded while the push runs and
after an interrupted push until the next one; everything in its default graph is replaced.

Both are idempotent because kg writes no blank nodes (a store that holds some is refused):
adding a triple twice is adding it once. Requests that fail in a way that may pass (refused
connection, timeout, HTTP 429 or 5xx) are sent again after 1, 2, 4... seconds.
"""

from __future__ import annotations

import itertools
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import pyoxigraph

from kg import ntriples, vocab
from kg.errors import KgError, RemoteError
from kg.push_sweep import stale_subjects
from kg.remote import Auth, RetryableError, check_endpoint, run_remote, run_update, send_graph
from kg.sparql import QueryOutcome

PROTOCOLS = ("update", "gsp")
DEFAULT_CHUNK = 5000
_PART_OF = pyoxigraph.NamedNode(vocab.PART_OF_RECORD)
_DEFAULT = pyoxigraph.DefaultGraph()
_ROOTS = "SELECT DISTINCT ?q WHERE { { ?q kg:contentHash ?h } UNION { ?s kg:partOfRecord ?q } }"
_SHARED = (
    "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s kg:contentHash ?h }\n"
    "  FILTER NOT EXISTS { ?s kg:partOfRecord ?r } FILTER NOT EXISTS { ?x kg:partOfRecord ?s } }"
)
_PREFIXES = {"kg": vocab.KG}
_PART_OF_TEXT = ntriples.iri(vocab.PART_OF_RECORD)
T = TypeVar("T")
_STATES = ("new", "replaced", "unchanged")
#: About how many triples the server holds of a shared resource the local store no longer
#: has (a tally, a member): what a chunk of them counts on, unread.
_STALE_TRIPLES = 8


class PushError(KgError):
    """The local graph cannot be pushed as it is."""


@dataclass(frozen=True)
class Target:
    """Where a push goes: the graph store URL, and the query and update URLs next to it."""

    store: str
    query: str
    update: str


def target_for(endpoint: str, *, query: str | None = None, update: str | None = None) -> Target:
    """The server's URLs from its graph store URL (``--endpoint``).

    Oxigraph (``/store``) and Fuseki (``/DATASET/data``) answer queries at ``query`` and updates
    at ``update`` next to it; any other URL is taken to answer both itself (``/sparql``).
    """
    store = check_endpoint(endpoint)
    parts = urllib.parse.urlsplit(store)
    head, _, last = parts.path.rstrip("/").rpartition("/")

    def sibling(name: str) -> str:
        if last not in ("store", "data"):
            return store
        return urllib.parse.urlunsplit(parts._replace(path=f"{head}/{name}", query=""))

    return Target(
        store=store,
        query=check_endpoint(query) if query else sibling("query"),
        update=check_endpoint(update) if update else sibling("update"),
    )


@dataclass
class Unit:
    """A question's record (``record`` True) or a shared resource, with its local triples."""

    key: pyoxigraph.NamedNode
    record: bool
    triples: set[pyoxigraph.Triple]


@dataclass
class PushReport:
    """What a push did (or, with ``dry_run``, would do), counted."""

    protocol: str
    url: str
    dry_run: bool = False
    records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_STATES, 0))
    #: Shared resources also count those the server held and the local store no longer has.
    shared: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*_STATES, "removed"), 0))
    triples_written: int = 0
    triples_removed: int = 0
    requests: int = 0
    writes: int = 0
    retries: int = 0

    def summary(self) -> str:
        requests = f"{self.requests} request{'s' if self.requests != 1 else ''}"
        if self.protocol == "gsp":
            verb = "Dry run, nothing sent: would replace" if self.dry_run else "Replaced"
            return (
                f"{verb} the default graph at {self.url} with {self.triples_written} triples "
                f"(Graph Store Protocol) in {requests}"
            )

        def counts(kind: str, tally: dict[str, int]) -> str:
            total = sum(tally.values())
            return f"{total} {kind} ({', '.join(f'{n} {s}' for s, n in tally.items())})"

        head = "Dry run, nothing changed: compared" if self.dry_run else "Pushed"
        would = " would be" if self.dry_run else ""
        return (
            f"{head} {counts('records', self.records)} and "
            f"{counts('shared resources', self.shared)} with {self.url}; "
            f"{self.triples_written} triples{would} added, {self.triples_removed}{would} "
            f"removed; {requests}"
        )


# --- Reading the local graph ----------------------------------------------------------------


def _term(term: object) -> str:
    if isinstance(term, pyoxigraph.NamedNode | pyoxigraph.Literal):
        return ntriples.term(term)
    raise PushError(
        "store",
        f"holds a blank node ({term}), which cannot be pushed idempotently",
        "kg load writes none: push a store that kg made",
    )


def triple_text(triple: pyoxigraph.Triple) -> str:
    """One triple as an N-Triples line, written by :mod:`kg.ntriples`."""
    return ntriples.triple(_term(triple.subject), _term(triple.predicate), _term(triple.object))


def _triples_of(
    store: pyoxigraph.Store, subject: pyoxigraph.NamedNode
) -> Iterator[pyoxigraph.Triple]:
    for quad in store.quads_for_pattern(subject, None, None, _DEFAULT):
        if isinstance(quad.object, pyoxigraph.BlankNode):
            _term(quad.object)
        yield quad.triple


def units(store: pyoxigraph.Store) -> Iterator[Unit]:
    """Every record, then every shared resource, of the store's default graph."""
    for query, record in ((_ROOTS, True), (_SHARED, False)):
        rows = store.query(query, prefixes=_PREFIXES, use_default_graph_as_union=False)
        assert isinstance(rows, pyoxigraph.QuerySolutions)
        for row in rows:
            key = row[0]
            if not isinstance(key, pyoxigraph.NamedNode):
                _term(key)
                continue
            triples = set(_triples_of(store, key))
            if record:
                for quad in store.quads_for_pattern(None, _PART_OF, key, _DEFAULT):
                    if isinstance(quad.subject, pyoxigraph.NamedNode):
                        triples.update(_triples_of(store, quad.subject))
                    else:
                        _term(quad.subject)
            yield Unit(key, record, triples)


def chunks(items: Iterator[Unit], size: int) -> Iterator[list[Unit]]:
    """Units in lists of about ``size`` triples (a bigger unit makes a list of its own)."""
    chunk: list[Unit] = []
    count = 0
    for unit in items:
        if chunk and count + len(unit.triples) > size:
            yield chunk
            chunk, count = [], 0
        chunk.append(unit)
        count += len(unit.triples)
    if chunk:
        yield chunk


# --- Talking to the server ------------------------------------------------------------------


@dataclass(frozen=True)
class Retry:
    """How often and how patiently a failing request is sent again."""

    retries: int = 3
    wait: float = 1.0
    max_wait: float = 30.0
    sleep: Callable[[float], None] = time.sleep


def with_retries(action: Callable[[], T], retry: Retry, report: PushReport) -> T:
    """``action()``, sent again after a growing wait while it fails with a RetryableError."""
    for attempt in range(retry.retries + 1):
        try:
            return action()
        except RetryableError as exc:
            if attempt == retry.retries:
                tries = f"{retry.retries + 1} tries" if retry.retries else "one try"
                raise RemoteError(exc.where, f"{exc.what} (after {tries})", exc.hint) from None
            report.retries += 1
            retry.sleep(min(retry.wait * 2**attempt, retry.max_wait))
    raise AssertionError("unreachable")


def _values(nodes: list[pyoxigraph.NamedNode]) -> str:
    return ntriples.iris(n.value for n in nodes)


def _remote_state(
    target: Target, chunk: list[Unit], *, timeout: float, auth: Auth | None
) -> dict[pyoxigraph.NamedNode, set[pyoxigraph.Triple]]:
    keys = [u.key for u in chunk]
    roots = [u.key for u in chunk if u.record]
    text = (
        "CONSTRUCT { ?s ?p ?o } WHERE {\n"
        f"  {{ VALUES ?s {{ {_values(keys)} }} ?s ?p ?o }}\n"
        f"  UNION {{ VALUES ?q {{ {_values(roots)} }} ?s {_PART_OF_TEXT} ?q . ?s ?p ?o }}\n}}"
    )
    outcome = run_remote(target.query, text, where="push", timeout=timeout, auth=auth)
    state: dict[pyoxigraph.NamedNode, set[pyoxigraph.Triple]] = {k: set() for k in keys}
    root_set = set(roots)
    owners: dict[object, list[pyoxigraph.NamedNode]] = {}
    for triple in outcome.triples:
        owner = triple.object
        if (
            triple.predicate == _PART_OF
            and isinstance(owner, pyoxigraph.NamedNode)
            and owner in root_set
        ):
            owners.setdefault(triple.subject, []).append(owner)
    for triple in outcome.triples:
        subject = triple.subject
        if isinstance(subject, pyoxigraph.NamedNode) and subject in state:
            state[subject].add(triple)
        for owner in owners.get(subject, []):
            state[owner].add(triple)
    return state


def replace_units(changed: list[Unit]) -> str:
    """The update request that makes the server hold exactly these units' triples."""
    roots = [u.key for u in changed if u.record]
    lines: dict[str, None] = {}
    for unit in changed:
        lines.update(dict.fromkeys(triple_text(t) for t in unit.triples))
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?q {{ {_values(roots)} }}\n"
        f"  ?s {_PART_OF_TEXT} ?q . ?s ?p ?o }} ;\n"
        f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {_values([u.key for u in changed])} }}"
        " ?s ?p ?o } ;\n"
        "INSERT DATA {\n" + "".join(lines) + "}\n"
    )


def _push_by_update(
    store: pyoxigraph.Store,
    target: Target,
    report: PushReport,
    *,
    chunk_size: int,
    retry: Retry,
    timeout: float,
    auth: Auth | None,
    on_request: Callable[[str], None] | None,
) -> None:
    def select(text: str) -> QueryOutcome:
        report.requests += 1
        ask = partial(run_remote, target.query, text, where="push", timeout=timeout, auth=auth)
        return with_retries(ask, retry, report)

    # After the local units, what the server holds that the local store no longer has
    # (kg.push_sweep), a class at a time.
    per_chunk = max(1, chunk_size // _STALE_TRIPLES)
    stale = (
        [Unit(subject, record=False, triples=set()) for subject in gone[i : i + per_chunk]]
        for gone in stale_subjects(store, select)
        for i in range(0, len(gone), per_chunk)
    )
    for chunk in itertools.chain(chunks(units(store), chunk_size), stale):
        read = partial(_remote_state, target, chunk, timeout=timeout, auth=auth)
        state = with_retries(read, retry, report)
        report.requests += 1
        changed: list[Unit] = []
        for unit in chunk:
            remote = state[unit.key]
            tally = report.records if unit.record else report.shared
            if remote == unit.triples:
                tally["unchanged"] += 1 if unit.triples else 0
                continue
            tally["removed" if not unit.triples else "replaced" if remote else "new"] += 1
            report.triples_written += len(unit.triples - remote)
            report.triples_removed += len(remote - unit.triples)
            changed.append(unit)
        if not changed:
            continue
        update = replace_units(changed)
        if not report.dry_run:
            write = partial(run_update, target.update, update, timeout=timeout, auth=auth)
            with_retries(write, retry, report)
        report.requests += 1
        report.writes += 1
        if on_request is not None:
            records = sum(u.record for u in changed)
            on_request(
                f"update {report.writes}: replace {records} record(s) and "
                f"{len(changed) - records} shared resource(s), "
                f"{sum(len(u.triples) for u in changed)} triples ({len(update) // 1024 + 1} KiB)"
            )


def _push_by_gsp(
    store: pyoxigraph.Store,
    target: Target,
    report: PushReport,
    *,
    chunk_size: int,
    retry: Retry,
    timeout: float,
    auth: Auth | None,
    on_request: Callable[[str], None] | None,
) -> None:
    def send(lines: list[str], method: str) -> None:
        body = "".join(lines).encode("utf-8")
        if not report.dry_run:
            write = partial(
                send_graph, target.store, body, method=method, timeout=timeout, auth=auth
            )
            with_retries(write, retry, report)
        report.requests += 1
        report.writes += 1
        report.triples_written += len(lines)
        if on_request is not None:
            size = len(body) // 1024 + 1
            on_request(f"{method} {len(lines)} triples ({size} KiB) to {target.store}?default")

    lines: list[str] = []
    method = "PUT"
    for quad in store.quads_for_pattern(None, None, None, _DEFAULT):
        lines.append(triple_text(quad.triple))
        if len(lines) >= chunk_size:
            send(lines, method)
            lines, method = [], "POST"
    if lines or method == "PUT":
        send(lines, method)


def push(
    store: pyoxigraph.Store,
    target: Target,
    *,
    protocol: str = "update",
    chunk_size: int = DEFAULT_CHUNK,
    dry_run: bool = False,
    retry: Retry | None = None,
    timeout: float = 60.0,
    auth: Auth | None = None,
    on_request: Callable[[str], None] | None = None,
) -> PushReport:
    """Push the store's default graph to the server (see the module's docstring)."""
    if protocol not in PROTOCOLS:
        raise PushError(protocol, "unknown protocol", f"use one of {', '.join(PROTOCOLS)}")
    if chunk_size < 1:
        raise PushError(str(chunk_size), "the chunk size must be at least 1", "give a larger one")
    url = target.store if protocol == "gsp" else target.update
    report = PushReport(protocol=protocol, url=url, dry_run=dry_run)
    run = _push_by_gsp if protocol == "gsp" else _push_by_update
    run(
        store,
        target,
        report,
        chunk_size=chunk_size,
        retry=retry or Retry(),
        timeout=timeout,
        auth=auth,
        on_request=on_request,
    )
    return report
