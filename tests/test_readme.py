"""The README's Python example runs as it is written, in a folder of its own."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_python_example_runs(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1
    shutil.copytree(REPO / "samples", tmp_path / "samples")
    (tmp_path / "example.py").write_text(blocks[0], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "Loaded 1 file, 9 items (9 new, 0 replaced, 0 unchanged), 407 triples written, "
        "0 removed, 0 warnings"
    )
    assert lines[1].startswith("['uin', 'tabled', 'department'")
    assert lines[2].startswith("['20427', '2024-03-25', 'Work and Pensions'")
    assert len(lines) == 2 + 9 + 1
    assert lines[-1] == "9 questions"
    assert (tmp_path / "kg-store").is_dir()
