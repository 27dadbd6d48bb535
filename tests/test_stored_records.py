"""Reading records back from the store: the same triples as one query over them gives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from bench import generate
from kg import ntriples, vocab
from kg.load import load_paths
from kg.sparql import select_lines
from kg.stored_records import KG_PREDICATES, stored_lines, stored_record_lines, stored_records
from kg.tally_changes import TALLIED, contributions
from tests.conftest import write_page

HANDMADE = Path(__file__).parent / "fixtures" / "handmade"
Q = "http://data.parliament.uk/resources/"
ODD = 'tab\there, "quoted", back\\slash,\nnew line\r and Tŷ Hywel ✓'
#: What kg read records back with before: every term of every row looked up.
ONE_QUERY = """SELECT ?s ?p ?o WHERE {{ VALUES ?q {{ {values} }}
  {{ ?q ?p ?o BIND(?q AS ?s) }} UNION {{ ?s kg:partOfRecord ?q . ?s ?p ?o }}
  UNION {{ ?s kg:groupedWith ?q BIND(kg:groupedWith AS ?p) BIND(?q AS ?o) }} }}"""


def one_query(store: pyoxigraph.Store, iris: list[str]) -> set[str]:
    values = " ".join(ntriples.iri(iri) for iri in iris)
    return select_lines(store, ONE_QUERY.format(values=values), prefixes={"kg": vocab.KG})


def odd_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two sample questions with odd text, a key kg does not know and an attachment."""
    odd = copy.deepcopy(items[:2])
    for number, item in enumerate(odd):
        item["_about"] = f"{Q}odd{number}"
        item["uin"] = {"_value": f"ODD{number}"}
        item["date"] = items[0]["date"]  # a group: same house, same day
        item["questionText"] = {"_value": ODD}
        item["mysteryKey"] = {"_value": "7", "_datatype": "integer"}
        answer = item["answer"]
        answer["_about"] = f"{Q}odd{number}/answer"
        answer["answerText"] = {"_value": f"<p>{ODD}</p>"}
        answer["groupedQuestionUIN"] = [{"_value": f"ODD{1 - number}"}]
        answer["attachment"] = [
            {
                "_about": f"{Q}odd{number}/answer/attachment/1",
                "fileName": {"_value": "table «1».xlsx"},
                "title": {"_value": 'The "table"'},
                "sizeInBytes": {"_value": "9000", "_datatype": "integer"},
            }
        ]
    return odd


@pytest.fixture(scope="module")
def store(
    tmp_path_factory: pytest.TempPathFactory, sample_items: list[dict[str, Any]]
) -> pyoxigraph.Store:
    """Generated pages (groups, attachments, answer versions), the hand-made pages and the
    sample page, and two questions with odd text."""
    pages = tmp_path_factory.mktemp("pages")
    manifest = generate.generate(pages, questions=300, seed=11, page_size=150)
    assert manifest["counts"]["attachments"] and manifest["counts"]["previous_versions"]
    odd = write_page(tmp_path_factory.mktemp("odd") / "odd.json", odd_items(sample_items))
    store = pyoxigraph.Store()
    inputs = [str(pages), str(HANDMADE), str(odd)]
    load_paths(store, inputs, validate=False, bulk=False)
    return store


def questions(store: pyoxigraph.Store) -> list[str]:
    question = pyoxigraph.NamedNode(vocab.QUESTION)
    kind = pyoxigraph.NamedNode(vocab.RDF_TYPE)
    found = store.quads_for_pattern(None, kind, question)
    return sorted(q.subject.value for q in found if isinstance(q.subject, pyoxigraph.NamedNode))


def test_records_read_back_are_what_one_query_gives(store: pyoxigraph.Store) -> None:
    iris = questions(store)
    assert len(iris) == 300 + 10 + 2
    lines = stored_record_lines(store, iris)
    assert lines == one_query(store, iris)
    predicates = {line.split(" ")[1] for line in lines}
    for kind in ("attachment", "previousAnswerVersion", "mysteryKey"):
        assert f"<{vocab.PARL}{kind}>" in predicates
    assert f"<{vocab.GROUPED_WITH}>" in predicates
    odd_text = '"tab\\there, \\"quoted\\", back\\\\slash,\\nnew line\\r and Tŷ Hywel ✓"'
    assert f"<{Q}odd0> <{vocab.PARL}questionText> {odd_text} .\n" in lines
    assert f'<{Q}odd1> <{vocab.PARL}mysteryKey> "7"^^<{vocab.XSD}integer> .\n' in lines
    assert f"<{Q}odd1> <{vocab.GROUPED_WITH}> <{Q}odd0> .\n" in lines
    attachment = f"<{Q}odd0/answer/attachment/1>"
    assert f'{attachment} <{vocab.PARL}fileName> "table «1».xlsx" .\n' in lines


def test_records_read_one_by_one_or_in_part_give_the_same(store: pyoxigraph.Store) -> None:
    iris = questions(store)
    for chunk in (iris[:1], iris[100:103], [f"{Q}odd0", f"{Q}odd1", f"{Q}odd0"]):
        assert stored_record_lines(store, chunk) == one_query(store, chunk)
    # the link from the other question of the group comes with the record it links to
    lines = stored_record_lines(store, [f"{Q}odd0"])
    assert lines == one_query(store, [f"{Q}odd0"])
    assert f"<{Q}odd1> <{vocab.GROUPED_WITH}> <{Q}odd0> .\n" in lines


def test_every_predicate_kg_writes_in_a_record_is_read_as_a_number(
    store: pyoxigraph.Store,
) -> None:
    predicates = {line.split(" ")[1] for line in stored_record_lines(store, questions(store))}
    assert predicates - set(KG_PREDICATES) == {f"<{vocab.PARL}mysteryKey>"}


def test_no_questions_or_unknown_ones_hold_nothing(store: pyoxigraph.Store) -> None:
    assert stored_record_lines(store, []) == set()
    assert stored_records(store, [f"{Q}nowhere"]).lines == set()


def test_tallied_lines_are_those_whose_predicate_the_tallies_read(
    store: pyoxigraph.Store,
) -> None:
    iris = questions(store)
    found = stored_records(store, iris)
    expected = {line for line in found.lines if line.split(" ")[1] in TALLIED}
    assert len(found.tallied) == len(expected) > 0
    assert set(found.tallied) == expected
    assert contributions(iris, found.tallied) == contributions(iris, found.lines)


def test_parts_that_are_blank_nodes_are_read_too() -> None:
    store = pyoxigraph.Store()
    q, part_of = f"<{Q}1>", f"<{vocab.PART_OF_RECORD}>"
    text = (
        f'{q} <{vocab.PARL}uin> "1" .\n'
        f"_:part {part_of} {q} .\n"
        f'_:part <{vocab.PARL}answerText> "text" .\n'
        f"<{Q}2> <{vocab.GROUPED_WITH}> {q} .\n"
        f'<{Q}2> <{vocab.PARL}uin> "2" .\n'
    )
    store.load(text.encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    lines = stored_record_lines(store, [f"{Q}1"])
    assert lines == one_query(store, [f"{Q}1"])
    assert len(lines) == 4
    assert stored_records(store, [f"{Q}1"]).tallied == []


def test_stored_lines_are_those_the_store_holds(store: pyoxigraph.Store) -> None:
    held = sorted(one_query(store, [f"{Q}odd0"]))
    written = ntriples.rewrite(held)  # as kg writes them (a tab as it is, not as \t)
    missing = [
        f"<{Q}odd0> <{vocab.PARL}questionText> {ntriples.literal(ODD + '!')} .\n",
        f'<{Q}odd0> <{vocab.PARL}mysteryKey> "8"^^<{vocab.XSD}integer> .\n',
    ]
    assert stored_lines(store, written + missing) == set(written)
    assert any("\t" in line for line in written)
    assert stored_lines(store, []) == set()
