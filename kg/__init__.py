"""kg: UK Parliament written questions (linked-data-api JSON) as a validated RDF knowledge graph.

The public API::

    import kg
    store = kg.open_store(Path("kg-store"))
    report = kg.load_paths(store, ["pages/"])
"""

from kg.convert import convert_item
from kg.errors import (
    FetchError,
    InputError,
    KgError,
    QueryError,
    RemoteError,
    StoreError,
    ValidationFailed,
)
from kg.load import LoadReport, load_paths
from kg.page_load import load_page, load_pages
from kg.reader import Page, iter_pages, read_page
from kg.record import Record
from kg.sparql import QueryOutcome, run_query
from kg.store import open_store, optimize_store, recount_store

__version__ = "0.1.0"

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
