"""kg's optional mypyc build: what it compiles, and that a leftover build never shadows the
source being worked on."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def mypyc_hook() -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook: dict[str, Any] = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    return hook


def compiled_modules() -> list[str]:
    """The modules the mypyc build hook compiles, as pyproject.toml lists them."""
    return [path.removesuffix(".py").replace("/", ".") for path in mypyc_hook()["include"]]


def test_the_build_hook_is_off_unless_asked_for() -> None:
    assert mypyc_hook()["enable-by-default"] is False
    assert compiled_modules() == [
        "kg.convert",
        "kg.added_resources",
        "kg.record",
        "kg.value_cache",
        "kg.values",
        "kg.canonical",
        "kg.ntriples",
        "kg.tally_changes",
        "kg.load_stream",
    ]


def test_no_compiled_module_is_left_beside_the_source() -> None:
    # A build hook run in the source tree leaves its extension modules there, and Python
    # imports them before the .py files beside them: edits would silently not run.
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    left = sorted(p.name for p in (ROOT / "kg").iterdir() if p.name.endswith(suffixes))
    assert left == [], f"remove the compiled modules left in kg/: {left}"


@pytest.mark.skipif(
    not os.environ.get("KG_EXPECT_COMPILED"), reason="only when testing the mypyc build"
)
def test_the_compiled_build_is_what_runs() -> None:
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for name in compiled_modules():
        module = importlib.import_module(name)
        assert str(module.__file__).endswith(suffixes), module.__file__
