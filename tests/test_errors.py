from __future__ import annotations

import pytest

from kg.errors import ExportError, InputError, KgError, QueryError, StoreError, ValidationFailed


def test_an_error_reads_where_what_and_what_to_do() -> None:
    error = InputError("page.json item 3", "no _about", "fix the page")
    assert error.line() == "page.json item 3: no _about — fix the page"
    assert str(error) == error.line()
    assert KgError("", "nothing to load").line() == "nothing to load"
    assert KgError("store", "locked").line() == "store: locked"


def test_an_error_is_one_line_whatever_it_quotes() -> None:
    reply = "Parser error:\r\n  unexpected '}'\n\n  at line 3"
    error = QueryError("http://localhost:7878/query", reply, "fix the query")
    assert error.line() == (
        "http://localhost:7878/query: Parser error: unexpected '}' at line 3 — fix the query"
    )
    # Spaces that are not around a line break are kept (a path may hold two).
    assert StoreError("my  store", "locked").line() == "my  store: locked"


@pytest.mark.parametrize(
    "kind", [InputError, StoreError, ValidationFailed, ExportError, QueryError]
)
def test_every_error_kg_raises_is_a_kg_error(kind: type[KgError]) -> None:
    assert issubclass(kind, KgError)
    with pytest.raises(KgError) as caught:
        raise kind("where", "what", "hint")
    assert (caught.value.where, caught.value.what, caught.value.hint) == ("where", "what", "hint")
