"""kg: UK Parliament written questions (linked-data-api JSON) as a validated RDF knowledge graph.

The public API::

    import kg
    store = kg.open_store(Path("kg-store"))
    report = kg.load_paths(store, ["pages/"])

The errors are imported with the package; everything else when first used, so that a command
imports only what it runs (``kg query`` need not import the converter).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kg.errors import (
    FetchError,
    InputError,
    KgError,
    QueryError,
    RemoteError,
    StoreError,
    ValidationFailed,
)

if TYPE_CHECKING:
    from kg.convert import convert_item
    from kg.load import LoadReport, load_paths
    from kg.page_load import load_page, load_pages
    from kg.reader import Page, iter_pages, read_page
    from kg.record import Record
    from kg.sparql import QueryOutcome, run_query
    from kg.store import open_store, optimize_store, recount_store

__version__ = "0.1.0"

#: The public names imported when first used, by the module that defines them.
_LAZY = {
    "convert_item": "kg.convert",
    "LoadReport": "kg.load",
    "load_paths": "kg.load",
    "load_page": "kg.page_load",
    "load_pages": "kg.page_load",
    "Page": "kg.reader",
    "iter_pages": "kg.reader",
    "read_page": "kg.reader",
    "Record": "kg.record",
    "QueryOutcome": "kg.sparql",
    "run_query": "kg.sparql",
    "open_store": "kg.store",
    "optimize_store": "kg.store",
    "recount_store": "kg.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "FetchError",
    "InputError",
    "KgError",
    "LoadReport",
    "Page",
    "QueryError",
    "QueryOutcome",
    "Record",
    "RemoteError",
    "StoreError",
    "ValidationFailed",
    "__version__",
    "convert_item",
    "iter_pages",
    "load_page",
    "load_pages",
    "load_paths",
    "open_store",
    "optimize_store",
    "read_page",
    "recount_store",
    "run_query",
]
