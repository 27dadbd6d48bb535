"""Reading SPARQL text as tokens (kg/sparql_tokens.py): nothing inside a string, an IRI or a
comment is a keyword, a variable or a brace."""

from __future__ import annotations

from kg.sparql_tokens import is_keyword, selects_of, tokens_of, where_group


def kinds(query: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokens_of(query)]


def test_each_kind_of_token() -> None:
    query = 'SELECT ?été $x WHERE { <http://x/a#b> ex:SELECT "S { }" ; a :c . } # SELECT {'
    assert kinds(query) == [
        ("name", "SELECT"),
        ("var", "?été"),
        ("var", "$x"),
        ("name", "WHERE"),
        ("other", "{"),
        ("iri", "<http://x/a#b>"),
        ("name", "ex:SELECT"),
        ("string", '"S { }"'),
        ("other", ";"),
        ("name", "a"),
        ("name", ":c"),
        ("other", "."),
        ("other", "}"),
    ]


def test_long_strings_hold_quotes_newlines_and_braces() -> None:
    query = 'FILTER(?t = """say \\"""{\n}""" || ?u = \'\'\'it\'s { \'\'\')'
    assert [t for t in kinds(query) if t[0] == "string"] == [
        ("string", '"""say \\"""{\n}"""'),
        ("string", "'''it's { '''"),
    ]


def test_token_positions_are_those_of_the_text() -> None:
    query = "  select  * {}"
    assert [(t.start, t.end) for t in tokens_of(query)] == [(2, 8), (10, 11), (12, 13), (13, 14)]
    assert all(query[t.start : t.end] == t.text for t in tokens_of(query))


def test_the_selects_and_their_where_groups() -> None:
    query = 'SELECT ?a { { select ?b WHERE { ?b ex:p "SELECT {" } } ?c ex:select ?d }'
    tokens = tokens_of(query)
    selects = selects_of(tokens)
    assert [tokens[i].text for i in selects] == ["SELECT", "select"]
    groups = [where_group(tokens, s) for s in selects]
    assert [tokens[g].start for g in groups if g is not None] == [10, 30]
    assert where_group(tokens_of("SELECT ?a"), 0) is None


def test_keywords_in_any_case_but_not_in_names_or_variables() -> None:
    filter_, variable, name = tokens_of("fIlTeR ?filter ex:FILTER")
    assert is_keyword(filter_, "FILTER", "BIND")
    assert not is_keyword(variable, "FILTER")
    assert not is_keyword(name, "FILTER")
