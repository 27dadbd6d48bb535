"""Running SPARQL on the local store: parameters as RDF terms, a timeout, clear errors."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph

from kg.errors import QueryError
from kg.vocab import PREFIXES, XSD

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass
class QueryOutcome:
    """A query's answer: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    columns: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)
    boolean: bool = False
    triples: list[pyoxigraph.Triple] = field(default_factory=list)


def describe_syntax_error(where: str, exc: SyntaxError) -> QueryError:
    message = str(exc)
    match = _POSITION.search(message)
    if match:
        line, column = match.groups()
        detail = message[match.end() :].lstrip(": ")
        what = f"invalid SPARQL at line {line}, column {column}: {detail}"
    else:
        what = f"invalid SPARQL: {message}"
    return QueryError(where, what, "fix the query")


def _collect(result: Any) -> QueryOutcome:
    if isinstance(result, pyoxigraph.QueryBoolean):
        return QueryOutcome(kind="ask", boolean=bool(result))
    if isinstance(result, pyoxigraph.QuerySolutions):
        columns = [v.value for v in result.variables]
        rows = [list(solution) for solution in result]  # values in the order of the columns
        return QueryOutcome(kind="select", columns=columns, rows=rows)
    return QueryOutcome(kind="graph", triples=list(result))


def run_query(
    store: pyoxigraph.Store,
    text: str,
    *,
    where: str = "query",
    substitutions: Mapping[str, Term] | None = None,
    timeout: float | None = None,
) -> QueryOutcome:
    """Run a query; ``substitutions`` bind variables (by name) to RDF terms, never as text.

    kg's prefixes (``parl:``, ``kg:``, ``dcterms:``...) are predeclared. With ``timeout``
    (seconds) a query that runs longer raises :class:`QueryError`.
    """
    bound: dict[pyoxigraph.Variable, Term | pyoxigraph.Triple] = {
        pyoxigraph.Variable(name): term for name, term in (substitutions or {}).items()
    }

    def evaluate() -> QueryOutcome:
        try:
            result = store.query(text, prefixes=PREFIXES, substitutions=bound or None)
            return _collect(result)
        except SyntaxError as exc:
            raise describe_syntax_error(where, exc) from exc
        except OSError as exc:
            raise QueryError(where, f"the query failed: {exc}", "check the store") from exc

    if timeout is None:
        return evaluate()
    # pyoxigraph's results cannot cross threads: the query is started and read in the worker,
    # which is abandoned past the timeout (it ends with the query or with the process).
    outcome: list[QueryOutcome] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(evaluate())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryError(
            where,
            f"the query ran longer than {timeout:g} s and was stopped",
            "narrow the query, or give a larger --timeout",
        )
    if failure:
        raise failure[0]
    return outcome[0]


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
