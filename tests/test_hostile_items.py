"""Any JSON in place of any value of a real page: kg loads it, or refuses it with a KgError
(one line at the command line), and never fails otherwise or stores part of a page."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import vocab
from kg.errors import KgError
from kg.load import convert_page, load_paths
from kg.members import convert_member
from kg.page_load import load_page, load_pages
from kg.paths import sample_page
from kg.reader import Page, read_page
from kg.record_validation import record_validator
from tests.api_server import make_member
from tests.conftest import write_page

_ITEMS: list[dict[str, Any]] = read_page(str(sample_page())).items
_VALIDATOR = record_validator()
_KEYS = sorted({key for item in _ITEMS for key in item} | {"_value", "_datatype", "_lang"})

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(['"', "\\", "\n", "\r", "<", ">", " ", "#", "%", "\ud800"]),
    max_size=12,
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | _TEXT
    | st.sampled_from(["2024-02-30", "2024-03-18T10:00:00Z", "1", "http://x/ y", "dateTime"])
    # Language tags and IRI authorities a lax check passes and Oxigraph refuses.
    | st.sampled_from(["en", "x", "en-a", "englishlanguage", "http://a:xyz/p", "http://u@h@x/"])
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(_KEYS) | _TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def _changed_items(
    draw: st.DrawFn, originals: list[dict[str, Any]] = _ITEMS
) -> list[dict[str, Any]]:
    """Copies of real items with a few values, here or in a nested object, replaced by any
    JSON, or taken out."""
    items = copy.deepcopy(originals[: draw(st.integers(min_value=1, max_value=3))])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        target: dict[str, Any] = draw(st.sampled_from(items))
        nested = [v for v in target.values() if isinstance(v, dict)]
        if nested and draw(st.booleans()):
            target = draw(st.sampled_from(nested))
        key = draw(st.sampled_from(sorted(target) or _KEYS) | st.sampled_from(_KEYS))
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            target.pop(key, None)
        else:
            target[key] = draw(_JSON)
    return items


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=_changed_items(), validate=st.booleans())
def test_any_value_is_loaded_or_refused_in_one_error(
    items: list[dict[str, Any]], validate: bool
) -> None:
    store = pyoxigraph.Store()
    page = Page(source="page.json", items=items)
    try:
        report = load_pages(store, [page], validator=_VALIDATOR if validate else None)
    except KgError as exc:
        assert "\n" not in exc.line()
        assert len(store) == 0  # nothing of the refused page is kept
        return
    assert report.items == len(items)
    # What was stored reads back as RDF, and loading it again changes nothing.
    data = store.dump(format=pyoxigraph.RdfFormat.N_QUADS)
    assert len(list(pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_QUADS))) == len(store)
    again = load_pages(store, [page], validator=_VALIDATOR if validate else None)
    assert (again.new, again.replaced, again.triples_written, again.triples_removed) == (0, 0, 0, 0)


@settings(max_examples=300, deadline=None)
@given(items=_changed_items())
def test_any_value_converts_to_ntriples_oxigraph_reads_or_is_refused(
    items: list[dict[str, Any]],
) -> None:
    try:
        converted = convert_page("page.json", items)
    except KgError:
        return
    for record in converted.records.values():
        text = "".join(record.lines)
        parsed = list(pyoxigraph.parse(text.encode("utf-8"), pyoxigraph.RdfFormat.N_TRIPLES))
        assert len(parsed) == len(record.lines)


def _load(path: Path, *, bulk: bool, validate: bool) -> tuple[str, set[pyoxigraph.Quad], int]:
    """The error line, or the triples (but when each was loaded) and how many were written."""
    store = pyoxigraph.Store()
    try:
        report = load_paths(store, [str(path)], bulk=bulk, validate=validate)
    except KgError as exc:
        return exc.line(), set(store), 0
    loaded_at = pyoxigraph.NamedNode(vocab.LOADED_AT)
    return "", {q for q in store if q.predicate != loaded_at}, report.triples_written


@settings(max_examples=25, deadline=None)
@given(items=_changed_items(), validate=st.booleans())
def test_a_bulk_load_of_any_values_does_what_a_load_page_by_page_does(
    items: list[dict[str, Any]], validate: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_page(Path(folder) / "page.json", items)
        bulk = _load(path, bulk=True, validate=validate)
        page_by_page = _load(path, bulk=False, validate=validate)
    assert bulk == page_by_page


_MEMBERS = [make_member(number) for number in (4765, 3926, 4142)]


@settings(max_examples=300, deadline=None)
@given(items=_changed_items(_MEMBERS), validate=st.booleans())
def test_any_value_of_a_member_page_is_loaded_or_refused_in_one_error(
    items: list[dict[str, Any]], validate: bool
) -> None:
    store = pyoxigraph.Store()
    page = Page(source="members.json", items=items)
    validator = _VALIDATOR if validate else None
    try:
        report = load_page(store, page, validator=validator, converter=convert_member)
    except KgError as exc:
        assert "\n" not in exc.line()
        assert len(store) == 0
        return
    assert report.items == len(items)
    data = store.dump(format=pyoxigraph.RdfFormat.N_QUADS)
    assert len(list(pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_QUADS))) == len(store)
    again = load_page(store, page, validator=validator, converter=convert_member)
    assert (again.new, again.replaced, again.triples_written, again.triples_removed) == (0, 0, 0, 0)
