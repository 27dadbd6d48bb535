"""The shape of an answered-question item: the role of each nested object, its class and the
keys kg knows for it (kg.item_roles)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg import vocab
from kg.convert import convert_item
from kg.item_roles import CHILD_ROLES, KNOWN_KEYS, ROLE_CLASSES, SHARED_ROLES
from kg.reader import read_page
from tests.test_convert import M, Q, lords_item

KG = "https://w3id.org/parliament-kg/def#"
HANDMADE = Path(__file__).parent / "fixtures" / "handmade"


def test_the_class_of_each_role() -> None:
    assert ROLE_CLASSES == {
        "question": KG + "WrittenQuestion",
        "answer": KG + "WrittenAnswer",
        "version": KG + "AnswerVersion",
        "attachment": KG + "Attachment",
        "member": KG + "Member",
        "house": KG + "House",
    }


def test_every_role_has_a_class_and_known_keys_and_only_members_and_houses_are_shared() -> None:
    assert set(CHILD_ROLES.values()) | {"question"} == set(ROLE_CLASSES) == set(KNOWN_KEYS)
    assert {"member", "house"} == SHARED_ROLES
    assert all("_about" in keys for keys in KNOWN_KEYS.values())


def test_each_key_that_holds_an_object_is_known_to_the_role_that_holds_it() -> None:
    holds = {role: {key for key in keys if key in CHILD_ROLES} for role, keys in KNOWN_KEYS.items()}
    answer_parts = {"answeringMember", "previousAnswerVersion", "attachment", "correctingMember"}
    assert holds == {
        "question": {"answer", "tablingMember", "legislature"},
        "answer": answer_parts,
        "version": answer_parts,
        "attachment": set(),
        "member": set(),
        "house": set(),
    }


def test_a_version_knows_the_keys_of_an_answer_and_its_number_and_date() -> None:
    assert KNOWN_KEYS["version"] == KNOWN_KEYS["answer"] | {"versionNumber", "date"}
    assert KNOWN_KEYS["member"] == {"_about", "label"}
    assert KNOWN_KEYS["house"] == {"_about", "prefLabel", "label"}


def _objects(obj: dict[str, Any], role: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each object of an item with its role (by the key that holds it), the item first."""
    yield role, obj
    for key, value in obj.items():
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict) and "_value" not in entry:
                yield from _objects(entry, CHILD_ROLES.get(key, "resource"))


def test_every_key_of_the_real_and_hand_made_pages_is_known_to_its_role(
    sample_path: Path,
) -> None:
    roles: set[str] = set()
    for path in [sample_path, *sorted(HANDMADE.glob("*.json"))]:
        for item in read_page(str(path)).items:
            for role, obj in _objects(item, "question"):
                roles.add(role)
                assert set(obj) <= KNOWN_KEYS[role], (path.name, role, set(obj) - KNOWN_KEYS[role])
                assert not convert_item(item, where=path.name).unknown_keys
    assert roles == {"question", "answer", "version", "member", "house"}


def _with_every_role() -> dict[str, Any]:
    """A question whose objects take every role: an answer, a version, an attachment, members
    and a house term."""
    item = lords_item()
    del item["someNewField"]
    item["legislature"] = [{"_about": "http://data.parliament.uk/terms/25259"}]
    return item


def _object_of(item: dict[str, Any], role: str) -> dict[str, Any]:
    answer = item["answer"]
    found: dict[str, Any] = {
        "question": item,
        "answer": answer,
        "version": answer["previousAnswerVersion"][0],
        "attachment": answer["attachment"][0],
        "member": item["tablingMember"],
        "house": item["legislature"][0],
    }[role]
    return found


def test_a_key_is_unknown_where_its_role_does_not_know_it() -> None:
    assert not convert_item(_with_every_role(), where="t").unknown_keys
    every_key = sorted({key for keys in KNOWN_KEYS.values() for key in keys} - {"_about"})
    for role in ROLE_CLASSES:
        for key in [*every_key, "someNewField"]:
            item = _with_every_role()
            _object_of(item, role)[key] = {"_value": "2024-01-01"}
            unknown = dict(convert_item(item, where="t").unknown_keys)
            expected = {} if key in KNOWN_KEYS[role] else {f"{role}.{key}": 1}
            assert unknown == expected, (role, key)


def test_each_object_is_typed_with_the_class_of_its_role() -> None:
    item = _with_every_role()
    record = convert_item(item, where="t")
    q, answer = Q + "900001", Q + "900001/answer"
    expected = {
        (q, vocab.QUESTION),
        (answer, vocab.ANSWER),
        (answer + "/previousversion/1", vocab.ANSWER_VERSION),
        (answer + "/attachment/1", vocab.ATTACHMENT),  # named by its place: it has no _about
        (M + "3000", vocab.MEMBER),
        (M + "0", vocab.MEMBER),
        ("http://data.parliament.uk/terms/25259", vocab.HOUSE),
        (vocab.department_iri("1"), vocab.DEPARTMENT),  # not a role: kg adds it
    }
    typed = {
        (s[1:-1], o[1:-1])
        for s, p, o in (line[:-3].split(" ", 2) for line in record.lines)
        if p == f"<{vocab.RDF_TYPE}>"
    }
    assert typed == expected


def test_members_and_houses_are_shared_and_the_other_parts_are_part_of_the_record() -> None:
    item = _with_every_role()
    record = convert_item(item, where="t")
    assert record.shared_from is not None
    own, rest = record.lines[: record.shared_from], record.lines[record.shared_from :]
    part_of = f"<{vocab.PART_OF_RECORD}>"
    linked = {line.split(" ")[0][1:-1] for line in own if line.split(" ")[1] == part_of}
    roles = set()
    for role, obj in _objects(copy.deepcopy(item), "question"):
        if role == "question":
            continue
        roles.add(role)
        about = obj.get("_about", Q + "900001/answer/attachment/1")
        subject = f"<{about}> "
        if role in SHARED_ROLES:
            # Its triples come after the question's own, and it is part of no record.
            assert about not in linked, role
            assert not [line for line in own if line.startswith(subject)], role
            assert [line for line in rest if line.startswith(subject)], role
        else:
            assert f"{subject}{part_of} <{Q}900001> .\n" in own, role
            assert not [line for line in rest if line.startswith(subject)], role
    assert roles == set(ROLE_CLASSES) - {"question"}
    assert linked == {Q + "900001/answer", Q + "900001/answer/previousversion/1"} | {
        Q + "900001/answer/attachment/1"
    }
