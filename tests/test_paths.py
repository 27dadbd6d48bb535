"""Where kg finds its assets and keeps its files (kg.paths)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import paths


def test_a_harvest_keeps_its_folder_and_cache_beside_the_store(tmp_path: Path) -> None:
    store = tmp_path / "data" / "kg-store"
    assert paths.harvest_dir(store) == tmp_path / "data" / "kg-store.harvest"
    assert paths.harvest_cache_dir(store) == tmp_path / "data" / "kg-store.harvest" / "cache"


def test_the_cache_folder_is_kg_cache_dir_then_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("KG_CACHE_DIR")
    assert paths.cache_dir() == tmp_path / "xdg" / "kg"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert paths.cache_dir() == tmp_path / "home" / ".cache" / "kg"


def test_the_assets_are_where_kg_looks_for_them() -> None:
    assert "question.ttl" in [p.name for p in paths.shapes_dir().glob("*.ttl")]
    assert (paths.queries_dir() / "corrections.rq").is_file()
    assert "@prefix" in paths.ontology_file().read_text(encoding="utf-8")
    assert b'"format"' in paths.sample_page().read_bytes()


def test_atomic_writes_leave_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "page.json"
    paths.write_atomic(target, b"{}")
    with pytest.raises(TypeError):
        paths.write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"{}"
    assert [p.name for p in target.parent.iterdir()] == ["page.json"]
