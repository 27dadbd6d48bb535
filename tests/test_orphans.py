"""Members, departments and houses no triple names any more go with the questions that named
them (kg/orphans.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph

from kg import vocab
from kg.load import load_paths, write_changes
from kg.orphans import OrphanRemoval, objects_named, orphan_lines
from tests.conftest import write_page

MEMBERS = vocab.PARLIAMENT_MEMBERS
PROVENANCE = {vocab.LOADED_AT, vocab.KG + "source"}


def _content(store: pyoxigraph.Store) -> set[str]:
    return {str(q) for q in store if q.predicate.value not in PROVENANCE}


def _named(store: pyoxigraph.Store, iri: str) -> int:
    return len(list(store.quads_for_pattern(pyoxigraph.NamedNode(iri), None, None)))


def test_a_member_only_a_replaced_question_named_goes_as_a_fresh_load_would_have_it(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    # Guy Opperman (4142) answered 147074 only; its new version is answered by Mims Davies.
    changed = copy.deepcopy(next(item for item in sample_items if item["uin"] == "147074"))
    davies = next(i for i in sample_items if i["uin"] == "185646")["answer"]["answeringMember"]
    changed["answer"]["answeringMember"] = copy.deepcopy(davies)
    first = write_page(tmp_path / "1.json", sample_items)
    again = write_page(tmp_path / "2.json", [changed])
    store = pyoxigraph.Store()
    load_paths(store, [str(first)])
    assert _named(store, MEMBERS + "4142") > 0
    report = load_paths(store, [str(again)])
    assert _named(store, MEMBERS + "4142") == 0
    assert report.replaced == 1
    final = [changed if item["uin"] == "147074" else item for item in sample_items]
    fresh = pyoxigraph.Store()
    load_paths(fresh, [str(write_page(tmp_path / "final.json", final))])
    assert _content(store) == _content(fresh)


def test_a_member_loaded_as_a_record_of_its_own_is_no_orphan() -> None:
    store = pyoxigraph.Store()
    lines = [
        f"<{MEMBERS}1> <{vocab.RDF_TYPE}> <{vocab.MEMBER}> .",
        f'<{MEMBERS}1> <{vocab.RDFS}label> "Alone" .',
        f"<{MEMBERS}2> <{vocab.RDF_TYPE}> <{vocab.MEMBER}> .",
        f'<{MEMBERS}2> <{vocab.CONTENT_HASH}> "abc" .',
        f"<{MEMBERS}3> <{vocab.RDF_TYPE}> <{vocab.MEMBER}> .",
        f"<http://example.org/q> <{vocab.PARL}tablingMember> <{MEMBERS}3> .",
    ]
    store.load("\n".join(lines).encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    orphaned = {line.split(" ", 1)[0] for line in orphan_lines(store)}
    assert orphaned == {f"<{MEMBERS}1>"}
    assert len(orphan_lines(store, [MEMBERS + "1"])) == 2
    assert orphan_lines(store, [MEMBERS + "2", MEMBERS + "3"]) == set()
    assert orphan_lines(store, []) == set()


def test_the_objects_lines_name() -> None:
    lines = [
        "<x:a> <x:b> <x:c> .\n",
        '<x:a> <x:b> "not an IRI" .\n',
        '<x:a> <x:b> "a <x:d> .\\n" .\n',
        '<x:a> <x:b> "1"^^<x:e> .\n',
        "<x:a> <x:b> <http://e/f%20g> .\n",
    ]
    assert objects_named(lines) == {"x:c", "http://e/f%20g"}


def test_orphans_go_in_the_update_that_deletes_their_last_names() -> None:
    q1, q2 = "<http://example.org/q1>", "<http://example.org/q2>"
    asker = f"<{vocab.PARL}tablingMember>"
    member = [f"<{MEMBERS}{n}> <{vocab.RDF_TYPE}> <{vocab.MEMBER}> .\n" for n in (1, 2, 3)]
    names = [f"{q1} {asker} <{MEMBERS}1> .\n", f"{q1} {asker} <{MEMBERS}2> .\n",
             f"{q2} {asker} <{MEMBERS}2> .\n", f"{q1} {asker} <{MEMBERS}3> .\n"]  # fmt: skip
    store = pyoxigraph.Store()
    store.load("".join(member + names).encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    # q1 no longer names 1, 2 (which q2 still names) and 3 (which it names again).
    removed, added = names[:2] + names[3:], [names[3]]
    orphans = OrphanRemoval(store, removed, added)
    write_changes(store, removed[:2], [], then=orphans.update)
    assert orphans.removed() == {member[0]}
    assert _named(store, MEMBERS + "1") == 0
    assert _named(store, MEMBERS + "2") == _named(store, MEMBERS + "3") == 1
    nothing = OrphanRemoval(store, [], [])
    assert (nothing.update, nothing.removed()) == ("", set())
