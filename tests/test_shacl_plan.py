"""Compiled shapes as plain data, and kg's cache of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import shacl_plan as sp
from kg import validate as v
from kg.paths import sample_page, shapes_dir
from tests.test_validate import turtle_store


@pytest.fixture()
def own_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of kg's shapes, and a cache of this test's own."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    return Path(shutil.copytree(shapes_dir(), tmp_path / "shapes"))


def cached_files(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "cache").glob("*"))


def test_a_plan_round_trips_through_json() -> None:
    shapes = v.load_shapes()
    for subclasses in (False, True):
        plan = shapes.plan(subclasses=subclasses)
        assert plan.units
        again = sp.plan_from_json(json.loads(json.dumps(sp.plan_to_json(plan))))
        assert again == plan


def test_shapes_compiled_once_are_read_from_the_cache(own_shapes: Path, tmp_path: Path) -> None:
    compiled = v.load_shapes(own_shapes)
    [saved] = cached_files(tmp_path)
    assert saved.startswith("shapes-") and saved.endswith(".json")
    # Another process validates the sample with the cached queries, without rdflib.
    code = (
        "import sys, pyoxigraph\n"
        "from kg.validate import load_shapes, validate_store\n"
        f"shapes = load_shapes(__import__('pathlib').Path({str(own_shapes)!r}))\n"
        "store = pyoxigraph.Store()\n"
        "store.load(path=sys.argv[1], format=pyoxigraph.RdfFormat.N_TRIPLES)\n"
        "results = validate_store(store, shapes=shapes)\n"
        "print(len(shapes.plans), len(results), 'rdflib' in sys.modules)\n"
    )
    data = tmp_path / "faulty.nt"
    question = "<http://data.parliament.uk/resources/1>"
    data.write_text(f"{question} <{v.vocab.RDF_TYPE}> <{v.vocab.KG}WrittenQuestion> .\n")
    here = v.validate_store(turtle_store(data.read_text()), shapes=compiled)
    assert here  # a question with nothing else breaks several shapes
    run = subprocess.run(
        [sys.executable, "-c", code, str(data)], capture_output=True, text=True, env=os.environ
    )
    assert run.stdout == f"2 {len(here)} False\n", run.stderr
    assert cached_files(tmp_path) == [saved]


def test_a_changed_shape_is_compiled_again(own_shapes: Path, tmp_path: Path) -> None:
    before = v.load_shapes(own_shapes)
    [first] = cached_files(tmp_path)
    shape_file = sorted(own_shapes.glob("*.ttl"))[0]
    text = shape_file.read_text(encoding="utf-8")
    message = next(
        c.message for u in before.plan(subclasses=False).units for q in u.queries for c in q.checks
    )
    assert message in text
    shape_file.write_text(text.replace(message, "a changed message"), encoding="utf-8")
    v._load_shapes.cache_clear()
    after = v.load_shapes(own_shapes)
    messages = {c.message for u in after.plan(subclasses=False).units for q in u.queries for c in q.checks}  # fmt: skip
    assert "a changed message" in messages and message not in messages
    assert len(cached_files(tmp_path)) == 2 and first in cached_files(tmp_path)


def test_a_damaged_cache_is_compiled_again(own_shapes: Path, tmp_path: Path) -> None:
    plans = dict(v.load_shapes(own_shapes).plans)
    [saved] = (tmp_path / "cache").glob("*.json")
    saved.write_text('{"plain": {"units": [{"shape": 1}]}')
    v._load_shapes.cache_clear()
    assert v.load_shapes(own_shapes).plans == plans
    assert sp.read_cached_plans(saved.stem.removeprefix("shapes-")) == plans


def test_a_cache_that_cannot_be_written_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocked))
    shapes_copy = Path(shutil.copytree(shapes_dir(), tmp_path / "shapes"))
    assert v.load_shapes(shapes_copy).plan(subclasses=False).units
    assert blocked.read_text() == "not a folder"


def test_the_sample_validates_alike_from_the_cache(own_shapes: Path) -> None:
    from kg.load import load_paths

    store = v.pyoxigraph.Store()
    load_paths(store, [str(sample_page())], validate=False)
    fresh = v.validate_store(store, shapes=v.load_shapes(own_shapes))
    v._load_shapes.cache_clear()
    cached = v.load_shapes(own_shapes)
    assert cached._graph is None  # read from the cache: nothing parsed
    assert v.validate_store(store, shapes=cached) == fresh
    assert fresh.focus_count == 24
