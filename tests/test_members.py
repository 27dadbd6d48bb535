"""Members: converting member items, their SHACL profile, and members joining questions."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner
from pyshacl import validate

from kg import vocab
from kg.cli import cli
from kg.errors import InputError
from kg.load import LoadReport
from kg.members import CONSTITUENCY, convert_member
from kg.page_load import load_page
from kg.paths import shapes_dir
from kg.reader import Page
from tests.api_server import LOOPBACK_ONLY, MEMBER_IDS, ApiServer, make_member, make_questions

M = "http://data.parliament.uk/members/"
PARL = vocab.PARL
PROFILE = shapes_dir() / "member-profile.ttl"


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT query, each variable's value as text."""
    solutions = store.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def triples(record_lines: list[str]) -> set[tuple[str, str, str]]:
    store = pyoxigraph.Store()
    store.load("".join(record_lines), pyoxigraph.RdfFormat.N_TRIPLES)
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store}


def test_a_member_item_becomes_a_member_record() -> None:
    item = make_member(4765)
    record = convert_member(item, where="page item 1")
    assert record.iri == M + "4765" and record.uin is None
    found = triples(record.lines)
    me = f"<{M}4765>"
    constituency = "<http://data.parliament.uk/resources/150765>"
    assert (me, f"<{vocab.RDF_TYPE}>", f"<{vocab.MEMBER}>") in found
    assert (me, f"<{PARL}fullName>", '"Given4765 Family4765"') in found
    assert (me, f"<{PARL}givenName>", '"Given4765"') in found
    assert (me, f"<{PARL}familyName>", '"Family4765"') in found
    assert (me, f"<{PARL}party>", '"Liberal Democrat"') in found
    assert (me, f"<{PARL}gender>", '"Female"') in found
    assert (me, f"<{PARL}homePage>", '"https://example.org/members/4765"') in found
    assert (me, f"<{PARL}twitter>", '"https://twitter.com/member4765"') in found
    assert (me, f"<{vocab.RDFS}label>", '"Biography information for Member 4765"') in found
    assert (me, f"<{PARL}constituency>", constituency) in found
    assert (constituency, f"<{vocab.RDF_TYPE}>", f"<{CONSTITUENCY}>") in found
    assert (constituency, f"<{vocab.RDFS}label>", '"Constituency 4765"') in found
    assert (me, f"<{vocab.CONTENT_HASH}>", f'"{record.content_hash}"') in found
    assert not record.unknown_keys
    assert convert_member(copy.deepcopy(item), where="x").content_hash == record.content_hash
    item["party"] = {"_value": "Labour"}
    assert convert_member(item, where="x").content_hash != record.content_hash


def test_unknown_keys_are_kept_and_counted() -> None:
    item = make_member(172) | {"birthDate": {"_value": "1949-05-26", "_datatype": "date"}}
    item["favouriteColour"] = "green"
    record = convert_member(item, where="x")
    assert record.unknown_keys == {"member.favouriteColour": 1}
    found = triples(record.lines)
    assert (f"<{M}172>", f"<{PARL}favouriteColour>", '"green"') in found
    assert (
        f"<{M}172>",
        f"<{PARL}birthDate>",
        '"1949-05-26"^^<http://www.w3.org/2001/XMLSchema#date>',
    ) in found


@pytest.mark.parametrize(
    ("about", "what"),
    [
        (None, "the member has no _about"),
        ("http://data.parliament.uk/resources/1", "not a member IRI"),
        ("members/12", "not a member IRI"),
    ],
)
def test_an_item_that_is_not_a_member_is_an_input_error(about: str | None, what: str) -> None:
    item = make_member(1)
    if about is None:
        del item["_about"]
    else:
        item["_about"] = about
    with pytest.raises(InputError, match=what):
        convert_member(item, where="page item 2")


@pytest.mark.parametrize(
    ("about", "stored"),
    [
        # What N-Triples forbids in an IRI is percent-encoded, as in a question's parts.
        (
            "http://data.parliament.uk/resources/150 765",
            "http://data.parliament.uk/resources/150%20765",
        ),
        ("urn:x-constituency:{1}", "urn:x-constituency:%7B1%7D"),
    ],
)
def test_a_nested_resource_takes_the_iris_a_question_takes(about: str, stored: str) -> None:
    item = make_member(1)
    item["constituency"]["_about"] = about
    found = triples(convert_member(item, where="x").lines)
    assert (f"<{M}1>", f"<{PARL}constituency>", f"<{stored}>") in found


def test_a_nested_resource_without_an_absolute_iri_is_an_input_error() -> None:
    item = make_member(1)
    item["constituency"]["_about"] = "resources/150765"
    with pytest.raises(InputError) as caught:
        convert_member(item, where="page item 2")
    assert caught.value.what == "constituency: _about is not an absolute IRI: 'resources/150765'"


def test_a_bad_value_names_the_member() -> None:
    item = make_member(1) | {"birthDate": {"_value": "not a date", "_datatype": "date"}}
    with pytest.raises(InputError) as caught:
        convert_member(item, where="page item 2")
    assert caught.value.where == f"page item 2 ({M}1)"


def _graph(lines: list[str]) -> rdflib.Graph:
    return rdflib.Graph().parse(data="".join(lines), format="nt")


def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(PROFILE, format="turtle")


def test_member_profiles_conform_to_the_shapes() -> None:
    lines = [line for i in MEMBER_IDS for line in convert_member(make_member(i), where="x").lines]
    conforms, _, text = validate(_graph(lines), shacl_graph=_shapes())
    assert conforms, text


def test_a_bad_profile_breaks_named_constraints_with_messages() -> None:
    item = make_member(3926)
    item["fullName"] = [{"_value": "One"}, {"_value": "Two"}]
    item["party"] = {"_value": "7", "_datatype": "integer"}
    item["constituency"] = {"_about": "http://data.parliament.uk/resources/9"}  # no label
    lines = convert_member(item, where="x").lines
    conforms, report, _ = validate(_graph(lines), shacl_graph=_shapes())
    assert not conforms
    query = """SELECT ?shape ?message WHERE {
        ?r <http://www.w3.org/ns/shacl#sourceShape> ?shape ;
           <http://www.w3.org/ns/shacl#resultMessage> ?message }"""
    found = {(str(row[0]), str(row[1])) for row in report.query(query)}
    shapes = "https://w3id.org/parliament-kg/shapes#"
    assert found == {
        (shapes + "MemberProfile-fullName", "a member has at most one parl:fullName"),
        (shapes + "MemberProfile-party-datatype", "parl:party is an xsd:string (the party's name)"),
        (shapes + "Constituency-label", "a constituency has an rdfs:label (its name)"),
    }


def test_members_known_only_from_questions_are_not_asked_for_a_profile(
    sample_store: pyoxigraph.Store,
) -> None:
    lines = [f"{q.subject} {q.predicate} {q.object} .\n" for q in sample_store]
    conforms, _, text = validate(_graph(lines), shacl_graph=_shapes())
    assert conforms, text


def test_a_changed_member_replaces_its_record_and_keeps_joining_questions(
    sample_items: list[dict[str, Any]],
) -> None:
    store = pyoxigraph.Store()
    load_page(store, Page("questions.json", sample_items))
    members = Page("members.json", [make_member(4765), make_member(3926)])
    load_page(store, members, converter=convert_member)
    again = load_page(store, members, converter=convert_member)
    assert (again.new, again.unchanged) == (0, 2)
    changed = Page("members.json", [make_member(4765, party="Independent"), make_member(3926)])
    report = load_page(store, changed, converter=convert_member, report=LoadReport())
    assert (report.replaced, report.unchanged) == (1, 1)
    parties = {r["m"]: r["p"] for r in select(store, f"SELECT * {{ ?m <{PARL}party> ?p }}")}
    assert parties == {M + "4765": "Independent", M + "3926": "Liberal Democrat"}
    query = f"""SELECT ?name (COUNT(?q) AS ?n) WHERE {{
        ?q <{PARL}tablingMember> ?m . ?m a <{vocab.MEMBER}> ; <{PARL}fullName> ?name }}
        GROUP BY ?name"""
    rows = {r["name"]: int(r["n"]) for r in select(store, query)}
    assert rows == {"Given4765 Family4765": 9}


@pytest.fixture()
def api(sample_items: list[dict[str, Any]]) -> Iterator[ApiServer]:
    datasets = {
        "answeredquestions": sample_items + make_questions(sample_items[0], 12),
        "commonsmembers": [make_member(i) for i in MEMBER_IDS],
    }
    with ApiServer(datasets, max_page_size=4) as server:
        yield server


def test_fetch_members_and_questions_into_one_graph(api: ApiServer, tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    common = ["--base-url", api.url, "--store", str(store_path), "--silent", "--load"]
    for endpoint in ("answeredquestions", "commonsmembers"):
        result = CliRunner(env=LOOPBACK_ONLY).invoke(
            cli, ["fetch", endpoint, *common, "--no-validate"]
        )
        assert result.exit_code == 0, result.output
        del result
    gc.collect()
    store = pyoxigraph.Store.read_only(str(store_path))
    query = f"""SELECT ?m ?name (COUNT(?q) AS ?n) WHERE {{
        ?q <{PARL}tablingMember> ?m . ?m <{PARL}fullName> ?name }} GROUP BY ?m ?name"""
    rows = {r["m"]: int(r["n"]) for r in select(store, query)}
    assert rows == {M + "4765": 9 + 2, **{M + str(i): 2 for i in MEMBER_IDS[1:]}}
    members = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?m a <{vocab.MEMBER}> ; <{PARL}fullName> ?f }}"
    assert select(store, members) == [{"n": str(len(MEMBER_IDS))}]


def test_fetch_members_validated_by_kgs_shapes(api: ApiServer, tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    options = ["--base-url", api.url, "--store", str(store_path), "--silent", "--load"]
    result = CliRunner(env=LOOPBACK_ONLY).invoke(cli, ["fetch", "commonsmembers", *options])
    assert result.exit_code == 0, result.output
    assert "6 items (6 new, 0 replaced, 0 unchanged)" in result.output
