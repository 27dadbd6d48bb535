"""kg's queries on any SPARQL 1.1 endpoint, and the HTTP that ``kg push`` speaks.

Queries go through SPARQLWrapper: GET for short queries, POST (form-encoded) for long ones, a
``kg/<version>`` User-Agent, a timeout, credentials from the environment (never from the command
line, so never in the shell history). A query is first parsed here by Oxigraph, with kg's
prefixes predeclared as for local queries: a syntax error is reported with the line and column
of the text the user wrote, before anything is sent; the prefixes the query does not declare
are then written into the text sent. Parameters are bound with a ``VALUES`` block of RDF terms
(:func:`kg.query_values.with_values`), never by pasting text into the query. The answer is parsed by
Oxigraph into pyoxigraph terms, so a remote :class:`~kg.sparql.QueryOutcome` is made of the same
values as a local one and goes through the same output path.

Every failure is one :class:`RemoteError` whose ``where`` is the endpoint URL; those worth
trying again (connection refused or reset, timeouts, HTTP 429 and 5xx) are
:class:`RetryableError`.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, SPARQLWrapper

from kg import __version__
from kg.errors import QueryError, RemoteError
from kg.remote_answer import Answer, parse_answer
from kg.sparql import QueryOutcome, Runner, Term, in_written_order
from kg.syntax_errors import describe_syntax_error
from kg.vocab import PREFIXES

USER_AGENT = f"kg/{__version__}"
DEFAULT_TIMEOUT = 60.0
#: Environment variables holding the credentials (basic authentication, or a bearer token).
USER_ENV, PASSWORD_ENV, TOKEN_ENV = "KG_SPARQL_USER", "KG_SPARQL_PASSWORD", "KG_SPARQL_TOKEN"
#: Queries whose URL-encoded text is longer than this are POSTed rather than sent by GET.
GET_LIMIT = 2000
_READ_SIZE = 1 << 16
_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.8"
)
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_PREFIX_DECLARATION = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)
_NOT_CODE = re.compile(
    r"""<[^<>"{}|^`\\\s]*>|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}"""
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\#[^\n]*""",
    re.DOTALL,
)
_WORDS = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT"}


class RetryableError(RemoteError):
    """A failure that may pass if the request is sent again (down, overloaded, timed out)."""


@dataclass(frozen=True)
class Auth:
    """How kg authenticates: the ``Authorization`` header, built from the environment."""

    kind: str  # "basic" or "bearer"
    header: str

    def __repr__(self) -> str:  # never show the secret
        return f"Auth(kind={self.kind!r})"


def auth_from_env(environ: Mapping[str, str] | None = None) -> Auth | None:
    """Credentials from ``KG_SPARQL_USER``/``KG_SPARQL_PASSWORD`` or ``KG_SPARQL_TOKEN``."""
    env = os.environ if environ is None else environ
    user, password, token = env.get(USER_ENV), env.get(PASSWORD_ENV), env.get(TOKEN_ENV)
    if token and (user or password):
        raise RemoteError(
            "credentials",
            f"both {TOKEN_ENV} and {USER_ENV}/{PASSWORD_ENV} are set",
            "set only one of the two",
        )
    if token:
        return Auth("bearer", f"Bearer {token}")
    if user or password:
        if not (user and password):
            missing = PASSWORD_ENV if user else USER_ENV
            raise RemoteError("credentials", f"{missing} is not set", "set both, or neither")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return Auth("basic", f"Basic {pair}")
    return None


def check_endpoint(url: str) -> str:
    """The URL if it can name a SPARQL service: http(s), a host, no credentials in it."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.username is not None or parts.password is not None:
        shown = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        raise RemoteError(
            shown,
            "the URL holds credentials, which would stay in the shell history",
            f"set {USER_ENV} and {PASSWORD_ENV} (or {TOKEN_ENV}) instead",
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(
            url,
            "not an http(s) URL",
            "give the endpoint's full URL, e.g. http://localhost:7878/query",
        )
    return url.strip()


# --- Failures -------------------------------------------------------------------------------


def _detail(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    text = re.sub(r"<[^>]{0,200}>", " ", text) if "<html" in text[:200].lower() else text
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")


def http_failure(where: str, status: int, body: bytes) -> RemoteError:
    """The error for an HTTP status that is not a success."""
    detail = _detail(body)
    said = f"HTTP {status}" + (f": {detail}" if detail else "")
    what, hint = "unexpected answer", "check the URL"
    if status in (401, 403):
        what = "the endpoint refused access"
        hint = f"set {USER_ENV} and {PASSWORD_ENV}, or {TOKEN_ENV}, to credentials it accepts"
    elif status == 404:
        what, hint = "there is no such endpoint", "check the URL and its path"
    elif status in (405, 406, 415):
        what = "the endpoint does not take this request"
        hint = "check that the URL is the right one (query, update or graph store)"
    elif status == 429 or status >= 500:
        what, hint = "the endpoint failed", "try again later, or ask its administrator"
    elif status == 400:
        what, hint = "the endpoint rejected the request", "check it"
    error = RetryableError if status == 429 or status >= 500 else RemoteError
    return error(where, f"{what} ({said})", hint)


def network_failure(where: str, exc: BaseException, timeout: float) -> RemoteError:
    """The error for a request that got no HTTP answer at all."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return RemoteError(where, "unknown host name", "check the URL")
    what, hint = f"cannot connect ({reason})", "check the URL and the network"
    if isinstance(reason, TimeoutError):
        what = f"no answer within {timeout:g} s"
        hint = "the endpoint is slow or down; try again, or give a larger --timeout"
    elif isinstance(reason, ConnectionRefusedError):
        what, hint = "cannot connect (connection refused)", "is the server running on that port?"
    elif isinstance(reason, ConnectionError | http.client.HTTPException):
        what, hint = f"the connection broke ({type(reason).__name__})", "try again"
    return RetryableError(where, what, hint)


# --- Sending ---------------------------------------------------------------------------------


def open_request(
    request: urllib.request.Request, *, where: str, timeout: float, auth: Auth | None
) -> Answer:
    """Send a request and read the whole answer before the timeout; failures as RemoteError.

    Credentials are sent to this URL only: a redirect elsewhere does not carry them.
    """
    request.remove_header("Authorization")
    if auth is not None:
        request.add_unredirected_header("Authorization", auth.header)
    request.add_header("User-Agent", USER_AGENT)
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            chunks = []
            while chunk := response.read(_READ_SIZE):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError("the answer took too long")
            declared = response.headers["Content-Type"]
            media = response.headers.get_content_type() if declared else ""
            return Answer(media, b"".join(chunks))
    except urllib.error.HTTPError as exc:
        body = _read_error_body(exc)
        raise http_failure(where, exc.code, body) from None
    except (OSError, http.client.HTTPException) as exc:
        raise network_failure(where, exc, timeout) from None


def _read_error_body(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(4096)
    except (OSError, http.client.HTTPException):
        return b""


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper building the request; kg sending it (to keep the HTTP status and body)."""

    def send(self, *, where: str, timeout: float, auth: Auth | None) -> Answer:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            request = self._createRequest()
        return open_request(request, where=where, timeout=timeout, auth=auth)


def _wrapper(endpoint: str, *, text: str, query_type: str) -> _Wrapper:
    parts = urllib.parse.urlsplit(endpoint)  # parameters in the URL (e.g. default-graph-uri)
    base = urllib.parse.urlunsplit(parts._replace(query=""))
    wrapper = _Wrapper(base, updateEndpoint=base, agent=USER_AGENT)
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        wrapper.addParameter(name, value)
    wrapper.setOnlyConneg(True)
    wrapper.setReturnFormat(JSON)
    # The query's kind is known (Oxigraph parsed it): setQuery() would guess it again with
    # regular expressions that take seconds on a long update.
    wrapper.queryString = text
    wrapper.queryType = query_type
    return wrapper


# --- Queries -------------------------------------------------------------------------------


def query_kind(text: str, *, where: str, substitutions: Mapping[str, Term] | None) -> str:
    """Parse the query as a local one would be (kg's prefixes predeclared): its kind, or QueryError."""
    bound: dict[pyoxigraph.Variable, Term | pyoxigraph.Triple] = {
        pyoxigraph.Variable(n): t for n, t in (substitutions or {}).items()
    }
    try:
        result = pyoxigraph.Store().query(text, prefixes=PREFIXES, substitutions=bound or None)
    except SyntaxError as exc:
        raise describe_syntax_error(where, exc, text) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise QueryError(where, f"the query cannot run: {exc}", "check the query") from exc
    if isinstance(result, pyoxigraph.QueryBoolean):
        return "ask"
    if isinstance(result, pyoxigraph.QuerySolutions):
        return "select"
    return "graph"


def with_prefixes(text: str) -> str:
    """The query with PREFIX lines for kg's prefixes that it uses without declaring them."""
    code = _NOT_CODE.sub(" ", text)
    declared = {m.group(1) or "" for m in _PREFIX_DECLARATION.finditer(code)}
    missing = [p for p in PREFIXES if p not in declared and re.search(rf"\b{p}:", code)]
    if not missing:
        return text
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


def check_bindings(substitutions: Mapping[str, Term]) -> None:
    """Refuse what a VALUES block cannot carry: odd variable names, blank nodes."""
    for name, term in substitutions.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(name, "not a variable name kg can bind", "use letters, digits and _")
        if isinstance(term, pyoxigraph.BlankNode):
            raise QueryError(name, "a blank node cannot be bound remotely", "give an IRI")


def bind_values(text: str, substitutions: Mapping[str, Term]) -> str:
    """The query with its parameters bound by a VALUES block (see :mod:`kg.queries`)."""
    check_bindings(substitutions)
    from kg.query_values import with_values

    return with_values(text, substitutions)


def run_remote(
    endpoint: str,
    text: str,
    *,
    where: str = "query",
    substitutions: Mapping[str, Term] | None = None,
    timeout: float | None = None,
    auth: Auth | None = None,
    stream: bool = False,
) -> QueryOutcome:
    """Run a query on a SPARQL endpoint: the same answer as :func:`kg.sparql.run_query`
    (with ``stream``, rows are made as they are taken, from the answer received whole)."""
    endpoint = check_endpoint(endpoint)
    auth = auth if auth is not None else auth_from_env()
    check_bindings(substitutions or {})
    kind = query_kind(text, where=where, substitutions=substitutions)
    sent = with_prefixes(bind_values(text, substitutions) if substitutions else text)
    wrapper = _wrapper(endpoint, text=sent, query_type=_WORDS[kind])
    wrapper.setReturnFormat(TURTLE if kind == "graph" else JSON)
    wrapper.addCustomHttpHeader("Accept", _GRAPH_ACCEPT if kind == "graph" else _RESULTS_ACCEPT)
    if len(urllib.parse.quote_plus(sent)) > GET_LIMIT:
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
    else:
        wrapper.setMethod(GET)
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    answer = wrapper.send(where=endpoint, timeout=limit, auth=auth)
    outcome = in_written_order(parse_answer(answer, kind=kind, where=endpoint), text)
    if not stream:
        outcome.row_list()
    return outcome


def remote_runner(endpoint: str, *, timeout: float | None = None, where: str = "query") -> Runner:
    """A :data:`kg.queries.Runner` on a SPARQL endpoint (parameters bound by VALUES)."""
    endpoint = check_endpoint(endpoint)
    auth = auth_from_env()

    def run(text: str, bindings: Mapping[str, Term], /, *, stream: bool = False) -> QueryOutcome:
        return run_remote(
            endpoint,
            text,
            where=where,
            substitutions=bindings,
            timeout=timeout,
            auth=auth,
            stream=stream,
        )

    return run


# --- Updates and the Graph Store Protocol (kg push) ----------------------------------------


def run_update(
    endpoint: str, text: str, *, timeout: float | None = None, auth: Auth | None = None
) -> None:
    """Send a SPARQL 1.1 Update request (POSTed as ``application/sparql-update``)."""
    wrapper = _wrapper(endpoint, text=text, query_type="DELETE")
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(POSTDIRECTLY)
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    wrapper.send(where=endpoint, timeout=limit, auth=auth)


def send_graph(
    url: str,
    body: bytes,
    *,
    method: str,
    timeout: float | None = None,
    auth: Auth | None = None,
    media_type: str = "application/n-triples",
) -> None:
    """PUT (replace) or POST (add to) the default graph by the SPARQL 1.1 Graph Store Protocol."""
    target = url + ("&" if "?" in url else "?") + "default"
    request = urllib.request.Request(target, data=body, method=method)
    request.add_header("Content-Type", media_type)
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    open_request(request, where=url, timeout=limit, auth=auth)
