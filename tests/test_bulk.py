"""The bulk path's converting process."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from kg import vocab
from kg.errors import InputError
from kg.load import load_paths, store_is_empty


def test_the_converting_process_runs_this_kg_not_a_kg_folder_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_path: Path
) -> None:
    decoy = tmp_path / "kg"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('the kg of the working directory')\n")
    monkeypatch.chdir(tmp_path)
    store = pyoxigraph.Store()

    report = load_paths(store, [str(sample_path)], bulk=True)

    questions = store.quads_for_pattern(None, None, pyoxigraph.NamedNode(vocab.QUESTION))
    assert (report.items, report.new) == (9, 9)
    assert len(list(questions)) == 9


def test_a_failed_first_load_leaves_the_store_empty_for_the_next_bulk_load(
    tmp_path: Path, sample_path: Path
) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(sample_path.read_bytes()[:3000])
    store = pyoxigraph.Store()
    with pytest.raises(InputError, match="truncated JSON"):
        load_paths(store, [str(truncated)])
    assert store_is_empty(store)

    again = load_paths(store, [str(sample_path)])

    fresh = pyoxigraph.Store()
    first = load_paths(fresh, [str(sample_path)])
    assert again.triples_written == first.triples_written == len(store) == len(fresh)
