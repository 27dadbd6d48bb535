"""The bench's command line: which build of kg its steps run."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run import parse_args


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
