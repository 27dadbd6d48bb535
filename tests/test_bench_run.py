"""The bench's command line: which build of kg its steps run."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.config import REPO
from bench.run import copy_for_building, parse_args, wheel_sources


@pytest.mark.parametrize(
    ("argv", "compiled"),
    [
        ([], True),  # what `pip install .` builds
        (["--compiled"], True),
        (["--pure"], False),
        (["--smoke"], False),  # CI's run needs no C compiler
        (["--smoke", "--compiled"], True),
    ],
)
def test_the_steps_run_kg_as_pip_install_builds_it_unless_asked(
    argv: list[str], compiled: bool, tmp_path: Path
) -> None:
    assert parse_args(["--workdir", str(tmp_path), *argv]).compiled is compiled


def test_pure_and_compiled_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_args(["--pure", "--compiled"])
    assert stopped.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_wheel_is_built_from_a_copy_of_the_checkout(tmp_path: Path) -> None:
    # The build hook moves pyproject.toml aside while it compiles: in a copy, not the checkout.
    copy = copy_for_building(tmp_path / "source")
    assert sorted(p.name for p in copy.iterdir()) == sorted(wheel_sources())
    for asset in ("kg", "queries", "shapes", "samples", "ontology.ttl", "hatch_build.py"):
        assert asset in wheel_sources()
    assert (copy / "pyproject.toml").read_bytes() == (REPO / "pyproject.toml").read_bytes()
    assert sorted(p.name for p in (copy / "shapes").iterdir()) == sorted(
        p.name for p in (REPO / "shapes").iterdir()
    )
    assert not list(copy.rglob("__pycache__"))
