"""The benchmark suite cannot rot: its generator writes pages kg reads, with the real data's
shapes, and its 1k-question smoke run (what CI runs) goes through every step and prints its
table."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from bench import faults, generate
from bench.run import STEPS
from kg.convert import convert_item
from kg.reader import expand_inputs, read_page

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages")
    generate.generate(out, questions=1000, seed=7, page_size=300, faults=0)
    return out


@pytest.fixture(scope="module")
def items(pages: Path) -> list[dict[str, Any]]:
    return [item for source in expand_inputs([str(pages)]) for item in read_page(source).items]


@pytest.fixture(scope="module")
def smoke(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    workdir = tmp_path_factory.mktemp("bench")
    report = workdir / "BENCHMARKS.md"
    cmd = [sys.executable, "-m", "bench.run", "--smoke", "--keep", "--workdir", str(workdir)]
    proc = subprocess.run(
        [*cmd, "--report", str(report)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return proc, workdir


def test_pages_are_the_api_format_with_raw_newlines(pages: Path) -> None:
    files = sorted(pages.glob("page-*.json"))
    assert len(files) == 4  # 300 + 300 + 300 + 100
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith('{ "format" : "linked-data-api", "version" : "0.2", "result" : {')
    assert '"answerText" : {"_value" : "<p>' in text and "<\\/p>\n<p>" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)  # raw newlines inside strings: not strict JSON, like the real pages
    result = json.loads(text, strict=False)["result"]
    assert result["itemsPerPage"] == 300 and result["startIndex"] == 1
    assert result["totalResults"] == 1000 and result["next"].endswith("_page=1")
    assert "next" not in json.loads(files[-1].read_text(encoding="utf-8"), strict=False)["result"]


def test_pages_have_the_real_shapes(items: list[dict[str, Any]]) -> None:
    assert len(items) == 1000
    houses = Counter(item["houseId"]["_value"] for item in items)
    assert set(houses) == {"1", "2"} and houses["2"] > 100
    lords = [i for i in items if i["houseId"]["_value"] == "2"]
    assert all(i["uin"].startswith("HL") and "tablingMemberConstituency" not in i for i in lords)
    commons = [i for i in items if i["houseId"]["_value"] == "1"]
    assert any("tablingMemberConstituency" not in i for i in commons)
    answers = [i["answer"] for i in items]
    grouped = [a for a in answers if "groupedQuestionUIN" in a]
    assert len(grouped) > 50
    uins = {i["uin"] for i in items}
    for answer in grouped:
        assert all(u["_value"] in uins for u in answer["groupedQuestionUIN"])
    corrections = [a for a in answers if a["isMinisterialCorrection"]["_value"] == "true"]
    assert corrections and all(a["previousAnswerVersion"] for a in corrections)
    assert any("attachment" in a for a in answers)
    assert any("answerText" not in a for a in answers) or len(items) < 1000
    sizes = [len(a["answerText"]["_value"].encode()) for a in answers if "answerText" in a]
    assert min(sizes) >= 450 and max(sizes) <= 4500 and "\n" in answers[0]["answerText"]["_value"]
    printed = Counter(type(i["tablingMemberPrinted"]).__name__ for i in items)
    assert printed["list"] and printed["dict"]
    assert all(
        i["date"]["_datatype"] == "dateTime" and len(i["date"]["_value"]) == 10 for i in items
    )
    assert any("legislature" not in i for i in items) or len(items) < 1000
    members = {i["tablingMember"]["_about"] for i in items} | {a["answeringMember"]["_about"] for a in answers}  # fmt: skip
    assert len(members) > 300
    assert len({i["answeringDeptId"]["_value"] for i in items}) >= 20


def test_kg_converts_every_item_without_unknown_keys(items: list[dict[str, Any]]) -> None:
    for number, item in enumerate(items):
        record = convert_item(item, where=f"item {number}")
        assert not record.unknown_keys, record.unknown_keys


def test_generation_is_deterministic_and_seeds_faults(tmp_path: Path, pages: Path) -> None:
    again = tmp_path / "again"
    generate.generate(again, questions=1000, seed=7, page_size=300)
    for path in sorted(pages.glob("page-*.json")):
        assert (again / path.name).read_bytes() == path.read_bytes()
    faulty = tmp_path / "faults"
    manifest = generate.generate(faulty, questions=200, seed=7, page_size=100, faults=10)
    assert sorted(f["kind"] for f in manifest["faults"]) == sorted(faults.FAULT_KINDS)
    changed = tmp_path / "changed"
    made = generate.generate(changed, questions=1000, seed=7, page_size=300, variant=1)
    assert made["written"] == 10
    ids = [i["_about"] for s in expand_inputs([str(changed)]) for i in read_page(s).items]
    assert ids == generate.changed_iris(1000)


def test_smoke_run_goes_through_every_step(
    smoke: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    proc, workdir = smoke
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout
    assert "| questions | step | runs | wall min (s)" in table
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| 1,000 | ")]
    steps = {row[1] for row in rows}
    expected = {s for s in STEPS if s != "export"} | {"export-ttl", "export-nt", "export-jsonld"}
    assert steps == expected
    for row in rows:
        assert "**failed**" not in row[-1], row
    assert "Targets:" in table
    assert "| the conversion floor (for reference), q per CPU-s | 1,000 | " in table
    assert "(smoke)" in (workdir / "BENCHMARKS.md").read_text(encoding="utf-8")


def _line(table: str, start: str) -> str:
    """The first line of the table that starts so."""
    return next(line for line in table.splitlines() if line.startswith(start))


def test_smoke_run_times_the_queries_again_after_kg_optimize(
    smoke: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    table = smoke[0].stdout
    optimize = _line(table, "| 1,000 | optimize |")
    assert "Compacted a copy of the store: " in optimize and " tables, " in optimize
    calls = [line.split(" | ")[0][2:] for line in table.splitlines() if " (min–max)" not in line]
    loaded = {c for c in calls if c.startswith(("members", "late-answers")) and "[" not in c}
    assert loaded and all(f"{call} [optimized]" in calls for call in loaded)
    assert "| slowest canned query median after kg optimize (" in table


def test_smoke_run_builds_a_text_index_and_times_find_questions_with_it(
    smoke: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    table = smoke[0].stdout
    row = _line(table, "| 1,000 | text-index |")
    assert " texts of 1000 questions, " in row and " MiB on disk; then 1 call of " in row
    plain = _line(table, "| find-questions | ")
    indexed = _line(table, "| find-questions [text index] | ")
    assert plain.rsplit(", ", 1)[1] == indexed.rsplit(", ", 1)[1]  # the same number of rows


def test_smoke_run_loaded_the_generated_questions(
    smoke: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    proc, workdir = smoke
    load = next(line for line in proc.stdout.splitlines() if line.startswith("| 1,000 | load |"))
    if "not available" in load:
        pytest.skip("kg load with validation is not available")
    store = pyoxigraph.Store.read_only(str(workdir / "q1000-s1" / "store"))
    count = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?q a <https://w3id.org/parliament-kg/def#WrittenQuestion> }"
    )
    assert int(next(iter(count))["n"].value) == 1000  # type: ignore[index, union-attr]
