"""Bringing a store's tallies up to date as records leave and come (kg.stored_tallies)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pyoxigraph

from kg import tallies, vocab
from kg.convert import convert_item
from kg.load import PREFIXES, data_changes, delete_records, load_paths
from kg.stored_records import stored_record_lines
from kg.stored_tallies import changes
from kg.tally_changes import contributions, records_contributions
from tests.conftest import stored_tally_lines, write_page


def _recounted(store: pyoxigraph.Store) -> set[str]:
    copied = pyoxigraph.Store()
    copied.extend(store.quads_for_pattern(None, None, None))
    tallies.recount(copied)
    return stored_tally_lines(copied)


def test_a_question_replaced_and_one_removed_leave_the_tallies_a_recount_gives(
    tmp_path: Path, sample_items: list[dict[str, Any]]
) -> None:
    store = pyoxigraph.Store()
    load_paths(store, [str(write_page(tmp_path / "a.json", sample_items))], validate=False)
    before = stored_tally_lines(store)
    changed = copy.deepcopy(sample_items[0])
    changed["date"] = {"_value": "2019-07-04", "_datatype": "dateTime"}  # another day and month
    record = convert_item(changed, where="changed")
    gone = sample_items[1]["_about"]
    leaving = [record.iri, gone]

    old_lines = stored_record_lines(store, leaving)
    new = records_contributions([(record.iri, record.lines[: record.shared_from], None)])
    removed, added = changes(store, contributions(leaving, old_lines), new, leaving=set(leaving))
    store.update(delete_records(leaving), prefixes=PREFIXES)
    store.update(data_changes(removed, ["".join(record.lines)]), prefixes=PREFIXES)
    store.update(data_changes([], added), prefixes=PREFIXES)

    after = stored_tally_lines(store)
    assert after == _recounted(store) and after != before
    month = f'"2019-07"^^<{vocab.XSD}gYearMonth>'
    assert any(line.endswith(f" <{vocab.KG}month> {month} .\n") for line in added)
