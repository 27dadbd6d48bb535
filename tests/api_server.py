"""A real linked-data-api look-alike on 127.0.0.1, with faults injected on demand.

It serves ``/<endpoint>.json`` pages in the API's format from lists of items (the real sample's
items and synthetic ones made from them), filters with the API's own parameters (``KEY=VALUE``,
``min-KEY``, ``max-KEY``, dotted paths), clamps ``_pageSize`` like the real service, and
writes ``next``/``first`` URLs on a dead loopback port, so a client that followed them would
fail. Faults (:meth:`ApiServer.fault`) answer one or more matching requests badly.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

FAULTS = (
    "500",
    "503",
    "429",
    "slow",
    "reset",
    "cut",
    "truncated-json",
    "html",
    "hold",
    "404",
    "bad-gzip",
    "repeat",
    "endless",
    "no-next",
)
#: For ``CliRunner(env=...)``: no fallback to the public mirror, whatever the environment says.
LOOPBACK_ONLY: dict[str, str | None] = {"KG_API_MIRROR_URL": "none", "KG_API_BASE_URL": None}
DEAD_BASE = "http://127.0.0.1:9"  # discard port, nothing listens: following it would fail


@dataclass
class Fault:
    kind: str
    endpoint: str | None = None
    page: int | None = None
    times: int = 1
    retry_after: str | None = None
    delay: float = 1.0


@dataclass
class Seen:
    """One request the server received, and the fault it answered with (if any)."""

    path: str
    params: dict[str, str]
    fault: str | None = None
    user_agent: str = ""

    @property
    def page(self) -> int:
        return int(self.params.get("_page", "0"))


@dataclass
class ApiServer:
    """``with ApiServer({"answeredquestions": items}) as api: ... api.url ...``"""

    datasets: dict[str, list[dict[str, Any]]]
    max_page_size: int = 500
    faults: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    max_in_flight: int = 0
    handle_delay: float = 0.0
    released: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._stopping = threading.Event()
        server = self

        class Handler(_Handler):
            api = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def fault(
        self,
        kind: str,
        *,
        endpoint: str | None = None,
        page: int | None = None,
        times: int = 1,
        retry_after: str | None = None,
        delay: float = 1.0,
    ) -> None:
        assert kind in FAULTS, kind
        self.faults.append(Fault(kind, endpoint, page, times, retry_after, delay))

    def pages_served(self, endpoint: str = "answeredquestions") -> list[int]:
        """The page numbers answered well, in order."""
        return [s.page for s in self.seen if s.path == f"/{endpoint}.json" and s.fault is None]

    # --- used by the handler -----------------------------------------------------------
    def _take_fault(self, endpoint: str, page: int) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                matching = fault.endpoint in (None, endpoint) and fault.page in (None, page)
                if fault.times > 0 and matching:
                    fault.times -= 1
                    return fault
        return None

    @contextmanager
    def _counting(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def document(self, endpoint: str, params: dict[str, str]) -> dict[str, Any]:
        """The page the API would answer for these parameters."""
        items = [i for i in self.datasets[endpoint] if _matches(i, params)]
        size = min(int(params.get("_pageSize", "10")), self.max_page_size)
        page = int(params.get("_page", "0"))
        chunk = items[page * size : (page + 1) * size]
        filters = {k: v for k, v in params.items() if not k.startswith("_")}

        def link(**extra: Any) -> str:
            return f"{DEAD_BASE}/{endpoint}.json?{urlencode({**filters, **extra})}"

        result: dict[str, Any] = {
            "_about": link(_page=page, _pageSize=size),
            "definition": f"{DEAD_BASE}/meta/{endpoint}.json",
            "first": link(_page=0, _pageSize=size),
            "hasPart": link(),
            "isPartOf": link(),
            "items": chunk,
            "itemsPerPage": size,
            "page": page,
            "startIndex": page * size + 1,
            "totalResults": len(items),
            "type": [
                "http://purl.org/linked-data/api/vocab#ListEndpoint",
                "http://purl.org/linked-data/api/vocab#Page",
            ],
        }
        if (page + 1) * size < len(items):
            result["next"] = link(_page=page + 1, _pageSize=size)
        return {"format": "linked-data-api", "version": "0.2", "result": result}


def _leaves(obj: Any, path: list[str]) -> Iterator[str]:
    for entry in obj if isinstance(obj, list) else [obj]:
        if path:
            if isinstance(entry, dict) and path[0] in entry:
                yield from _leaves(entry[path[0]], path[1:])
        elif isinstance(entry, dict):
            value = entry.get("_about", entry.get("_value"))
            if value is not None:
                yield str(value)
        elif entry is not None:
            yield str(entry)


def _matches(item: dict[str, Any], params: dict[str, str]) -> bool:
    for key, wanted in params.items():
        if key.startswith("_"):
            continue
        op, name = "eq", key
        if key.startswith(("min-", "max-")):
            op, name = key[:3], key[4:]
        values = [
            v[: len(wanted)] if op != "eq" else v
            for v in _leaves(item, name.rstrip(".").split("."))
        ]
        if op == "eq" and wanted not in values:
            return False
        if op == "min" and not any(v >= wanted for v in values):
            return False
        if op == "max" and not any(v <= wanted for v in values):
            return False
    return True


class _Handler(BaseHTTPRequestHandler):
    api: ApiServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def finish(self) -> None:
        with suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        api = self.api
        with api._counting():
            if api.handle_delay:
                api._stopping.wait(api.handle_delay)
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            endpoint = parts.path.strip("/").removesuffix(".json")
            seen = Seen(parts.path, params, user_agent=self.headers.get("User-Agent", ""))
            api.seen.append(seen)
            if endpoint not in api.datasets:
                self._send(404, b"not found", "text/plain")
                return
            fault = api._take_fault(endpoint, int(params.get("_page", "0")))
            document = api.document(endpoint, params)
            if fault is not None and fault.kind in ("repeat", "endless"):
                # page 0's items (or 0's and 1's in turn, for ever), and always a next page
                again = int(params.get("_page", "0")) % 2 if fault.kind == "endless" else 0
                first = api.document(endpoint, {**params, "_page": str(again)})["result"]
                document["result"].update(items=first["items"], next=first["_about"] + "&more")
            if fault is not None and fault.kind == "no-next":
                document["result"].pop("next", None)  # the paging ends here, too soon
            body = json.dumps(document).encode("utf-8")
            if fault is None or fault.kind == "no-next":
                self._send(200, body, "application/json")
                return
            seen.fault = fault.kind
            self._fail(fault, body)

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass

    def _fail(self, fault: Fault, body: bytes) -> None:
        kind = fault.kind
        if kind in ("500", "503", "404"):
            self._send(int(kind), b"Service Unavailable", "text/plain")
        elif kind == "429":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(429, b"Too Many Requests", "text/plain", headers)
        elif kind == "html":
            page = b"<!DOCTYPE html><html><body><h1>Runtime Error</h1></body></html>"
            self._send(200, page, "text/html; charset=utf-8")
        elif kind == "slow":
            self.api._stopping.wait(fault.delay)
            self._send(200, body, "application/json")
        elif kind == "hold":
            self.api.held.set()
            self.api.released.wait(30)
            self._send(503, b"stopped", "text/plain")
        elif kind == "truncated-json":
            half = body[: len(body) // 2]
            self._send(200, half, "application/json")
        elif kind == "cut":
            self._send(200, body[: len(body) // 2], "application/json", length=len(body))
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)  # a clean close, half way
        elif kind == "reset":
            self._reset()
        elif kind == "bad-gzip":  # says gzip, is not
            self._send(200, body, "application/json", {"Content-Encoding": "gzip"})
        elif kind in ("repeat", "endless"):
            self._send(200, body, "application/json")

    def _reset(self) -> None:
        """Close the connection with a TCP reset (SO_LINGER 0)."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True


# --- items ---------------------------------------------------------------------------------

MEMBER_IDS = (4765, 3926, 4513, 4142, 172, 4000)
#: Their names: the real sample's for its members (a member has one name at a time, which
#: the latest load gives them: kg/member_labels.py), made up for the others.
MEMBER_NAMES = {
    4765: "Wendy Chamberlain",
    3926: "Paul Maynard",
    4513: "Mims Davies",
    4142: "Guy Opperman",
    172: "Member 172",
    4000: "Member 4000",
}


def make_questions(
    template: dict[str, Any], count: int, *, first_id: int = 2_000_000, start: str = "2024-01-01"
) -> list[dict[str, Any]]:
    """``count`` distinct answered questions made from a real item, one day apart."""
    day0 = dt.date.fromisoformat(start)
    items = []
    for n in range(count):
        item = copy.deepcopy(template)
        ident = first_id + n
        about = f"http://data.parliament.uk/resources/{ident}"
        tabled = day0 + dt.timedelta(days=n)
        answered = tabled + dt.timedelta(days=3)
        member = MEMBER_IDS[n % len(MEMBER_IDS)]
        item["_about"] = about
        item["uin"] = str(900_000 + n)
        item["date"] = {"_value": tabled.isoformat(), "_datatype": "dateTime"}
        item["tablingMember"] = {
            "_about": f"http://data.parliament.uk/members/{member}",
            "label": {"_value": f"Biography information for {MEMBER_NAMES[member]}"},
        }
        answer = item["answer"]
        answer["_about"] = about + "/answer"
        answer["dateOfAnswer"] = {"_value": answered.isoformat(), "_datatype": "dateTime"}
        answer["questionFirstAnswered"] = [
            {"_value": f"{answered.isoformat()}T10:00:00.000Z", "_datatype": "dateTime"}
        ]
        answer.pop("groupedQuestionUIN", None)
        items.append(item)
    return items


def make_member(ident: int, *, party: str = "Liberal Democrat") -> dict[str, Any]:
    """A member item as ``commonsmembers.json`` gives it."""
    return {
        "_about": f"http://data.parliament.uk/members/{ident}",
        "additionalName": {"_value": ""},
        "constituency": {
            "_about": f"http://data.parliament.uk/resources/{146_000 + ident}",
            "label": {"_value": f"Constituency {ident}"},
        },
        "familyName": {"_value": f"Family{ident}"},
        "fullName": {"_value": f"Given{ident} Family{ident}"},
        "gender": {"_value": "Female" if ident % 2 else "Male"},
        "givenName": {"_value": f"Given{ident}"},
        "homePage": f"https://example.org/members/{ident}",
        "label": {"_value": f"Biography information for Member {ident}"},
        "party": {"_value": party},
        "twitter": {"_value": f"https://twitter.com/member{ident}"},
    }
