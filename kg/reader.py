"""Reading linked-data-api pages: files, folders, ``.json.gz``, standard input.

Real pages carry raw control characters inside JSON strings, so they are parsed with
``strict=False``; everything else about them is checked and reported as :class:`InputError`.
Pages are first tried with msgspec, their raw newlines, carriage returns and tabs escaped (the
API writes no whitespace outside strings but spaces, and outside a string an escape is never
valid JSON, so that parse either gives exactly what ``strict=False`` gives or fails; msgspec
reads numbers as the standard library does, integers of any size included); whatever msgspec
refuses goes to the standard library, which also words the errors.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from kg.errors import InputError

STDIN = "-"
_SUFFIXES = (".json", ".json.gz")
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
#: Raw characters of a string that strict JSON forbids and real pages hold, with their escapes.
_RAW_ESCAPES = ((b"\n", b"\\n"), (b"\r", b"\\r"), (b"\t", b"\\t"))
_BACKSLASH = ord("\\")


@dataclass(frozen=True)
class Page:
    """One page of the API: where it came from, its items, and its paging metadata."""

    source: str
    items: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    #: The items' numbers on the page they come from, when they are only some of its items
    #: (errors name them so); empty: the items are numbered from 1.
    numbers: tuple[int, ...] = ()

    @property
    def next_url(self) -> str | None:
        value = self.meta.get("next")
        return value if isinstance(value, str) else None


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Files, folders (recursively, sorted) and ``-``, as the list of sources to read."""
    sources: list[str] = []
    for name in inputs:
        if name == STDIN:
            if STDIN in sources:
                raise InputError(STDIN, "given twice: standard input is read once", "give - once")
            sources.append(STDIN)
            continue
        path = Path(name)
        if path.is_dir():
            pages = _pages_under(path)
            for page in pages:
                if page.is_symlink() and not page.exists():
                    raise InputError(
                        str(page), "a broken symbolic link", "mend it or remove it from the folder"
                    )
            found = [str(p) for p in pages if p.is_file()]
            if not found:
                raise InputError(
                    name, "the folder holds no .json or .json.gz files", "point kg at API pages"
                )
            sources.extend(found)
        elif path.is_file():
            sources.append(str(path))
        elif path.exists():
            raise InputError(name, "not a regular file", "give a file, a folder or -")
        else:
            raise InputError(name, "no such file or folder", "check the path")
    return sources


def _pages_under(folder: Path) -> list[Path]:
    """The ``.json`` and ``.json.gz`` files under ``folder``, sorted: in its sub-folders too,
    through symbolic links to folders (each folder once); one that cannot be read is an error,
    not pages left out."""

    def refuse(exc: OSError) -> None:
        raise InputError(
            str(exc.filename or folder),
            f"cannot read the folder: {exc.strerror}",
            "check its permissions, or give the pages another way",
        )

    # The folders under ``folder`` itself first: one that a link inside it also leads to is
    # read under its own name (which orders its pages, and names their source), not the link's.
    own = {root for root, _, _ in os.walk(folder, onerror=refuse)}
    own_real = {os.path.realpath(root) for root in own}
    found: list[Path] = []
    seen: set[str] = set()
    for root, folders, files in os.walk(folder, onerror=refuse, followlinks=True):
        real = os.path.realpath(root)
        if real in seen or (root not in own and real in own_real):  # read, or to be, as such
            folders.clear()
            continue
        seen.add(real)
        folders.sort()
        found.extend(Path(root, name) for name in files if name.endswith(_SUFFIXES))
    return sorted(found)


def read_bytes(source: str) -> bytes:
    """The raw bytes of a source, un-gzipped when they are gzip."""
    try:
        data = sys.stdin.buffer.read() if source == STDIN else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror}", "check the file") from exc
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(
                source, f"broken gzip data ({exc})", "download the page again"
            ) from exc
    elif source.endswith(".gz") and _first_byte(data) not in (b"{", b"["):
        # A .gz saved already un-gzipped (curl --compressed) is read as it is; anything
        # else named .gz would only be reported as "not JSON".
        raise InputError(
            source, "neither gzip nor JSON", "download the page again, as JSON or gzipped JSON"
        )
    return data


def _first_byte(data: bytes) -> bytes:
    """The first byte of the text after a byte order mark and white space, if any."""
    return data[:1024].removeprefix(_BOM).lstrip()[:1]


def parse_page(source: str, data: bytes) -> Page:
    """Parse the bytes of one linked-data-api page."""
    doc = _fast_parse(data)
    if doc is not _UNPARSED:
        return page_from_document(source, doc)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            source, f"not UTF-8 text (byte {exc.start})", "give a linked-data-api JSON page"
        ) from exc
    if not text.strip():
        raise InputError(source, "the file is empty", "give a linked-data-api JSON page")
    try:
        doc = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        # With strict=False a string may hold raw newlines: unterminated means cut off.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            end = text.rstrip()
            line = end.count("\n") + 1
            column = len(end) - (end.rfind("\n") + 1)
            raise InputError(
                source,
                f"truncated JSON (it ends at line {line} column {column})",
                "the download was cut short: fetch the page again",
            ) from exc
        raise InputError(
            source,
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            "give a linked-data-api JSON page",
        ) from exc
    except RecursionError as exc:
        raise InputError(
            source, "JSON nested too deeply to read", "give a linked-data-api JSON page"
        ) from exc
    except ValueError as exc:  # the only other: a number of more digits than Python reads
        limit = f"{sys.get_int_max_str_digits():,}"
        raise InputError(
            source, f"a number of more than {limit} digits", "fix the number in the page"
        ) from exc
    return page_from_document(source, doc)


_UNPARSED = object()
_decode_json = msgspec.json.Decoder().decode


def _fast_parse(data: bytes) -> Any:
    """The page parsed by msgspec with its raw newlines, returns and tabs escaped; or
    ``_UNPARSED`` when msgspec refuses it, or could read it otherwise than the standard
    library (escaping a raw character after a backslash)."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    for raw, escaped in _RAW_ESCAPES:
        if raw in data:
            if _after_backslash(data, raw):  # not a valid escape
                return _UNPARSED
            data = data.replace(raw, escaped)
    try:
        return _decode_json(data)
    except (msgspec.DecodeError, RecursionError):  # DecodeError: also a number out of range
        return _UNPARSED


def _after_backslash(data: bytes, raw: bytes) -> bool:
    """Whether a backslash comes right before a ``raw`` character. Looked for from each raw
    character: searching for the pair is slower, in pages full of backslash escapes."""
    find = data.find
    at = find(raw)
    while at >= 0:
        if at and data[at - 1] == _BACKSLASH:
            return True
        at = find(raw, at + 1)
    return False


def page_from_document(source: str, doc: Any) -> Page:
    """Check the envelope of a parsed page and take out its items."""
    if not isinstance(doc, dict) or doc.get("format") != "linked-data-api":
        raise InputError(
            source,
            'not a linked-data-api page (no "format": "linked-data-api")',
            "give a page of the data.parliament.uk linked-data-api (a .json URL of the API)",
        )
    result = doc.get("result")
    if not isinstance(result, dict):
        raise InputError(source, 'the page has no "result" object', "give a complete API page")
    meta = {k: v for k, v in result.items() if k not in ("items", "primaryTopic")}
    if "items" in result:
        items = result["items"]
        if not isinstance(items, list):
            raise InputError(source, '"result.items" is not a list', "give a complete API page")
    elif "primaryTopic" in result:
        items = [result["primaryTopic"]]
    else:
        raise InputError(
            source,
            'the page has neither "result.items" nor "result.primaryTopic"',
            "give a list page or an item page of the API",
        )
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(
                f"{source} item {number}", "the item is not a JSON object", "fix the page"
            )
    return Page(source=source, items=items, meta=meta)


def read_page(source: str) -> Page:
    return parse_page(source, read_bytes(source))


def iter_pages(inputs: Iterable[str]) -> Iterator[Page]:
    """Every page of every input, one at a time (a page is read only when asked for)."""
    for source in expand_inputs(inputs):
        yield read_page(source)
