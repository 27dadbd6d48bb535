"""A plain, non-editable ``pip install .`` carries the assets and kg finds them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kg built as a wheel and installed (without dependencies) into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True,
    )
    (wheel,) = work.glob("kg-*.whl")
    site = work / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    return site


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_assets_are_found_inside_the_installed_package(installed: Path, tmp_path: Path) -> None:
    script = (
        "import kg.paths as p, kg.validate as v, kg.queries as q\n"
        "print(p.assets_dir())\n"
        "print(p.ontology_file().is_file(), p.jsonld_context_file().is_file(),"
        " p.sample_page().is_file())\n"
        "print(len(list(p.shapes_dir().glob('*.ttl'))) > 0, len(q.load_catalog()) > 0)\n"
    )
    result = run_installed(installed, tmp_path, "-c", script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == str(installed / "kg" / "_assets")
    assert lines[1:] == ["True True True", "True True"]


def test_the_installed_kg_loads_validates_and_queries_its_sample(
    installed: Path, tmp_path: Path
) -> None:
    sample = installed / "kg" / "_assets" / "samples"
    load = run_installed(installed, tmp_path, "-m", "kg", "load", "--store", "s", str(sample))
    assert load.returncode == 0, load.stderr
    assert load.stdout.startswith("Loaded 1 file, 9 items (9 new")
    check = run_installed(installed, tmp_path, "-m", "kg", "validate", "--store", "s")
    assert check.returncode == 0, check.stdout + check.stderr
    query = run_installed(
        installed, tmp_path, "-m", "kg", "query", "member-departments", "--param", "member=4765",
        "--store", "s", "--csv",
    )  # fmt: skip
    assert query.returncode == 0, query.stderr
    assert "Work and Pensions" in query.stdout
