"""The conversion floor (bench/convert_floor.py): one line per value the items hold."""

from __future__ import annotations

import json
from pathlib import Path

from bench.convert_floor import convert_floor

ITEM = {
    "_about": "http://data.parliament.uk/resources/1",
    "uin": "101",  # 1 line
    "date": {"_value": "2024-01-08", "_datatype": "dateTime"},  # 1
    "tablingMemberPrinted": [{"_value": "Alice"}, {"_value": "Bob"}],  # 2
    "answer": {  # 1, then its own:
        "_about": "http://data.parliament.uk/resources/1/answer",
        "answerText": {"_value": "<p>Yes.</p>\n"},  # 1
        "answeringMember": {"_about": "http://data.parliament.uk/members/7"},  # 1, no values
    },
}


def test_the_floor_writes_a_line_per_value(tmp_path: Path) -> None:
    page = {"format": "linked-data-api", "result": {"items": [ITEM, ITEM]}}
    (tmp_path / "page.json").write_text(json.dumps(page), encoding="utf-8")
    found = convert_floor(str(tmp_path))
    assert (found["questions"], found["lines"]) == (2, 2 * 7)
    assert found["read_cpu"] >= 0 and found["write_cpu"] >= 0
