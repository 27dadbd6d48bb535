"""kg's compiled build (mypyc, made by ``pip install .`` where it can be): what it compiles,
that a build without a C compiler falls back to pure Python, and that a leftover build never
shadows the source being worked on."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bench.run import copy_for_building

ROOT = Path(__file__).resolve().parent.parent


def mypyc_hook() -> dict[str, Any]:
    """hatch_build.py's hook, which runs hatch-mypyc's with this configuration."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook: dict[str, Any] = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"]
    return hook


def compiled_modules() -> list[str]:
    """The modules the mypyc build hook compiles, as pyproject.toml lists them."""
    return [path.removesuffix(".py").replace("/", ".") for path in mypyc_hook()["include"]]


def test_the_build_hook_compiles_the_converter() -> None:
    assert mypyc_hook()["path"] == "hatch_build.py"
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
        "kg.member_labels",
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


@pytest.mark.skipif(
    bool(os.environ.get("KG_EXPECT_COMPILED")), reason="tests the build, not the built kg"
)
def test_a_wheel_without_a_c_compiler_is_pure_python(tmp_path: Path) -> None:
    # What `pip install .` does on a machine that cannot build C extensions: the compile fails
    # (here the compiler is /bin/false), the build says so, and the wheel is pure Python. Built
    # from a copy: the hook moves pyproject.toml aside while it compiles.
    source = copy_for_building(tmp_path / "kg-source")
    wheels = tmp_path / "wheels"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(wheels), str(source)],
        env={**environment, "CC": "/bin/false"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert [p.name for p in wheels.iterdir()] == ["kg-0.1.0-py3-none-any.whl"]
    assert "kg: the converter could not be compiled (" in built.stdout + built.stderr
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    assert sorted(p.name for p in (source / "kg").iterdir() if p.name.endswith(suffixes)) == []
    assert (source / "pyproject.toml").is_file()
