from __future__ import annotations

from kg.groups import GroupIndex, link_lines

COMMONS = "http://data.parliament.uk/terms/25259"
LORDS = "http://data.parliament.uk/terms/25277"


def test_pairs_need_the_same_house_and_date() -> None:
    index = GroupIndex()
    index.add("q:a", "100", (COMMONS, "2024-03-18"), ["101", "102"])
    index.add("q:b", "101", (COMMONS, "2024-03-18"), [])
    index.add("q:c", "102", (COMMONS, "2025-01-06"), [])  # UIN reused in a later session
    index.add("q:d", "102", (LORDS, "2024-03-18"), [])  # same UIN, other house
    index.add("q:e", "103", None, ["100"])  # no house or date: cannot be placed
    assert index.pairs() == {("q:a", "q:b"), ("q:b", "q:a")}


def test_one_side_naming_the_other_is_enough_and_self_links_are_dropped() -> None:
    index = GroupIndex()
    index.add("q:a", "100", (COMMONS, "2024-03-18"), ["100"])
    index.add("q:b", "101", (COMMONS, "2024-03-18"), ["100"])
    assert index.pairs() == {("q:a", "q:b"), ("q:b", "q:a")}
    assert link_lines(index.pairs()) == [
        "<q:a> <https://w3id.org/parliament-kg/def#groupedWith> <q:b> .\n",
        "<q:b> <https://w3id.org/parliament-kg/def#groupedWith> <q:a> .\n",
    ]
