"""kg's public API (kg/__init__.py): every name it lists, imported only when first used."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import kg


def imported_after(code: str) -> set[str]:
    """The kg modules a fresh interpreter has imported after running ``code``."""
    show = "import sys; print(' '.join(m for m in sys.modules if m.startswith('kg')))"
    found = subprocess.run(
        [sys.executable, "-c", f"{code}; {show}"], capture_output=True, text=True, check=True
    )
    return set(found.stdout.split())


@pytest.mark.parametrize("name", sorted(set(kg.__all__) - {"__version__"}))
def test_each_public_name_is_the_object_its_module_defines(name: str) -> None:
    value = getattr(kg, name)
    module = importlib.import_module(value.__module__)
    assert getattr(module, name) is value
    assert name in dir(kg)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'kg' has no attribute 'nothing'"):
        kg.nothing  # noqa: B018


def test_importing_kg_imports_only_its_errors() -> None:
    assert imported_after("import kg") == {"kg", "kg.errors"}


def test_a_public_name_imports_its_module_when_first_used() -> None:
    found = imported_after("import kg; kg.load_paths")
    assert {"kg.load", "kg.convert"} <= found
