"""Running SPARQL on the local store: parameters as RDF terms, a timeout, clear errors, and
rows streamed as Oxigraph gives them when asked."""

from __future__ import annotations

import functools
import queue
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

import pyoxigraph

from kg.errors import QueryError
from kg.sparql_tokens import is_keyword, iter_tokens
from kg.star_columns import star_order
from kg.syntax_errors import describe_syntax_error
from kg.vocab import PREFIXES, XSD

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
Row = list[Term | None]
#: Rows handed at once from a query's thread to the reader, and batches that may wait.
_BATCH_ROWS = 512
_BATCHES_AHEAD = 8
_P = ParamSpec("_P")
_R = TypeVar("_R")


@dataclass
class QueryOutcome:
    """A query's answer: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE.

    ``rows`` is a list, or, from a query run with ``stream=True``, an iterator that reads the
    rows as Oxigraph gives them (once): then memory does not grow with the rows.
    """

    kind: str  # "select", "ask" or "graph"
    columns: list[str] = field(default_factory=list)
    rows: Iterable[Row] = field(default_factory=list)
    boolean: bool = False
    triples: list[pyoxigraph.Triple] = field(default_factory=list)

    def row_list(self) -> list[Row]:
        """The rows as a list (a stream is read to its end, and kept)."""
        if not isinstance(self.rows, list):
            self.rows = list(self.rows)
        return self.rows


class Runner(Protocol):
    """Runs a query text with parameters bound to terms: local (substitutions) or remote
    (VALUES); rows come as an iterator with ``stream=True``, else as a list."""

    def __call__(
        self, text: str, bindings: Mapping[str, Term], /, *, stream: bool = False
    ) -> QueryOutcome: ...


def map_rows(rows: Iterable[Row], change: Callable[[Row], Row]) -> Iterable[Row]:
    """``change`` applied to every row: a list of a list, a stream of a stream."""
    if isinstance(rows, list):
        return [change(row) for row in rows]
    return map(change, rows)


def in_written_order(outcome: QueryOutcome, text: str) -> QueryOutcome:
    """A ``SELECT *`` answer with its columns in the order the query names its variables
    (see :mod:`kg.star_columns`); any other answer as it is."""
    order = star_order(text, outcome.columns) if outcome.kind == "select" else None
    if order is None:
        return outcome
    outcome.columns = [outcome.columns[index] for index in order]
    outcome.rows = map_rows(outcome.rows, lambda row: [row[index] for index in order])
    return outcome


def _failed(where: str, exc: OSError, text: str) -> QueryError:
    return QueryError(where, f"the query failed: {exc}", failure_hint(text))


def failure_hint(text: str) -> str:
    """What to check when a query fails as it runs: the store, or what its SERVICE calls."""
    if any(is_keyword(token, "SERVICE") for token in iter_tokens(text)):
        return "check the store, and that the SERVICE endpoints it calls answer"
    return "check the store"


def _outcome(result: Any, where: str, text: str) -> QueryOutcome:
    """The outcome of a query Oxigraph started; a SELECT's rows are read as they are taken."""
    if isinstance(result, pyoxigraph.QueryBoolean):
        return QueryOutcome(kind="ask", boolean=bool(result))
    if isinstance(result, pyoxigraph.QuerySolutions):
        columns = [v.value for v in result.variables]
        return QueryOutcome(kind="select", columns=columns, rows=_solutions(result, where, text))
    try:
        return QueryOutcome(kind="graph", triples=list(result))
    except OSError as exc:
        del result  # see _solutions
        raise _failed(where, exc, text) from exc


def _solutions(result: pyoxigraph.QuerySolutions, where: str, text: str) -> Iterator[Row]:
    try:
        for solution in result:
            yield list(solution)  # values in the order of the columns
    except OSError as exc:
        # The error's traceback holds this frame, in a cycle with ``exc``, which the garbage
        # collector frees in whichever thread it runs: pyoxigraph's results may only be freed
        # by the thread that made them (else they are kept, and a warning printed).
        del result
        raise _failed(where, exc, text) from exc


def run_query(
    store: pyoxigraph.Store,
    text: str,
    *,
    where: str = "query",
    substitutions: Mapping[str, Term] | None = None,
    timeout: float | None = None,
    stream: bool = False,
) -> QueryOutcome:
    """Run a query; ``substitutions`` bind variables (by name) to RDF terms, never as text.

    kg's prefixes (``parl:``, ``kg:``, ``dcterms:``...) are predeclared. With ``timeout``
    (seconds) a query that runs longer, its rows read included, raises :class:`QueryError`.
    With ``stream`` a SELECT's rows come as an iterator (see :class:`QueryOutcome`).
    """
    bound: dict[pyoxigraph.Variable, Term | pyoxigraph.Triple] = {
        pyoxigraph.Variable(name): term for name, term in (substitutions or {}).items()
    }

    def start() -> QueryOutcome:
        try:
            result = store.query(text, prefixes=PREFIXES, substitutions=bound or None)
            return in_written_order(_outcome(result, where, text), text)
        except SyntaxError as exc:
            raise describe_syntax_error(where, exc, text) from exc
        except OSError as exc:
            raise _failed(where, exc, text) from exc

    outcome = start() if timeout is None else _in_thread(start, where, timeout)
    if not stream:
        outcome.row_list()
    return outcome


def released_here(exc: BaseException) -> BaseException:
    """``exc``, the locals of its finished frames (and of the exceptions it chains) let go of
    in this thread. pyoxigraph's results may only be freed by the thread that made them: one
    held by a frame of a traceback raised in another thread would be freed there (or kept)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if current.__traceback__ is not None:
            traceback.clear_frames(current.__traceback__)
        todo += [current.__cause__, current.__context__]
    return exc


def releasing(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` for work handed to another thread: its errors let go of their frames'
    locals in the thread that raised them (see :func:`released_here`)."""

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except BaseException as exc:
            released_here(exc)
            raise

    return run


def _in_thread(start: Callable[[], QueryOutcome], where: str, timeout: float) -> QueryOutcome:
    """The query run and read in a thread of its own, which is abandoned past the timeout (it
    ends with the query, or with the process). pyoxigraph's results cannot cross threads:
    its rows are handed over in batches of terms."""
    deadline = time.monotonic() + timeout
    handed: queue.Queue[Any] = queue.Queue(maxsize=_BATCHES_AHEAD)
    abandoned = threading.Event()

    def hand(item: Any) -> bool:
        while not abandoned.is_set():
            try:
                handed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            outcome = start()
            rows, outcome.rows = outcome.rows, []
            if not hand(outcome):
                return
            batch: list[Row] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _BATCH_ROWS:
                    if not hand(batch):
                        return
                    batch = []
            hand(batch)
            hand(None)
        except BaseException as exc:  # handed to the reading thread
            hand(released_here(exc))

    def take() -> Any:
        try:
            left = deadline - time.monotonic()
            if left <= 0:
                raise queue.Empty
            item = handed.get(timeout=left)
        except queue.Empty:
            abandoned.set()
            raise QueryError(
                where,
                f"the query ran longer than {timeout:g} s and was stopped",
                "narrow the query, or give a larger --timeout",
            ) from None
        if isinstance(item, BaseException):
            raise item
        return item

    def read_rows() -> Iterator[Row]:
        try:
            while (batch := take()) is not None:
                yield from batch
        finally:
            abandoned.set()

    threading.Thread(target=work, daemon=True).start()
    outcome: QueryOutcome = take()
    if outcome.kind == "select":
        outcome.rows = read_rows()
    else:
        abandoned.set()
    return outcome


def select(
    store: pyoxigraph.Store,
    text: str,
    *,
    prefixes: dict[str, str] | None = None,
    substitutions: Mapping[str, Term] | None = None,
) -> pyoxigraph.QuerySolutions:
    """The solutions of one of kg's own SELECT queries (no timeout, no error translation)."""
    bound: dict[pyoxigraph.Variable, Term | pyoxigraph.Triple] = {
        pyoxigraph.Variable(name): term for name, term in (substitutions or {}).items()
    }
    result = store.query(text, prefixes=prefixes or PREFIXES, substitutions=bound or None)
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise TypeError("not a SELECT query")
    return result


_INTEGER = re.compile(r"[+-]?\d+")
_BOOLEANS = {
    "true": f'"true"^^<{XSD}boolean>',
    "false": f'"false"^^<{XSD}boolean>',
}


def select_tsv(store: pyoxigraph.Store, text: str, *, prefixes: dict[str, str]) -> list[list[str]]:
    """The rows of one of kg's own SELECT queries as Oxigraph writes them in TSV results,
    one cell a term (in N-Triples syntax, but numbers and booleans in their short Turtle form:
    see :func:`tsv_term`), an empty cell when unbound. Oxigraph writes every row without a
    Python object per term."""
    solutions = select(store, text, prefixes=prefixes)
    data = solutions.serialize(format=pyoxigraph.QueryResultsFormat.TSV)
    # TSV escapes tabs (and line breaks) inside terms
    return [row.split("\t") for row in (data or b"").decode("utf-8").split("\n")[1:] if row]


def tsv_term(cell: str) -> str:
    """A term of :func:`select_tsv` in N-Triples: numbers and booleans, which TSV gives in
    their short Turtle form, are given back their datatype."""
    if cell[0] in '<"_':
        return cell
    return _BOOLEANS.get(cell) or _short_number(cell)


def select_lines(store: pyoxigraph.Store, text: str, *, prefixes: dict[str, str]) -> set[str]:
    """The rows of a ``SELECT ?s ?p ?o`` query as N-Triples lines, for comparing with lines
    kg wrote. Oxigraph writes them (see :func:`select_tsv`), so they may differ from kg's
    text for the same triple."""
    return {f"{s} {p} {tsv_term(o)} .\n" for s, p, o in select_tsv(store, text, prefixes=prefixes)}


def _short_number(text: str) -> str:
    if _INTEGER.fullmatch(text):
        return f'"{text}"^^<{XSD}integer>'
    return f'"{text}"^^<{XSD}{"double" if "e" in text.lower() else "decimal"}>'
