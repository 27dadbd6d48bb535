"""The machine a benchmark runs on, the versions it runs, and which kg features the steps
need are there."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.config import EXPORT_FORMATS, PY, PYTHON, REPO, STEP_ENVIRONMENT


def machine() -> dict[str, str]:
    info = {"nproc": str(os.cpu_count()), "platform": platform.platform()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        models = [ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")]  # fmt: skip
        info["cpu"] = models[0] if models else platform.processor()
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        total = next(ln for ln in meminfo.splitlines() if ln.startswith("MemTotal"))
        info["memory"] = f"{int(total.split()[1]) / 1048576:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        info.setdefault("cpu", platform.processor())
    return info


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "?"


def steal_percent(seconds: float = 1.0) -> str:
    """The share of CPU time the hypervisor took from this VM over a second (``st`` of top)."""

    def read() -> list[int]:
        line = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0]
        return [int(v) for v in line.split()[1:]]

    try:
        import time

        before = read()
        time.sleep(seconds)
        after = read()
        delta = [b - a for a, b in zip(before, after, strict=False)]
        return f"{100 * delta[7] / max(sum(delta), 1):.0f}%" if len(delta) > 7 else "?"
    except (OSError, ValueError):
        return "?"


def versions() -> dict[str, str]:
    code = (
        "import json, platform, pyoxigraph, rdflib, pyshacl, kg, kg.convert; print(json.dumps({"
        "'python': platform.python_version(), 'pyoxigraph': pyoxigraph.__version__, "
        "'rdflib': rdflib.__version__, 'pyshacl': pyshacl.__version__, 'kg': kg.__version__, "
        "'compiled': not kg.convert.__file__.endswith('.py')}))"
    )
    found: dict[str, Any] = json.loads(_output([*PYTHON, "-c", code]) or "{}")
    build = "converter compiled with mypyc" if found.pop("compiled", False) else "pure Python"
    code_paths = ["--", "kg", "queries", "shapes"]
    rev = _output(["git", "-C", str(REPO), "log", "-1", "--format=%h", *code_paths]).strip()
    dirty = _output(["git", "-C", str(REPO), "status", "--porcelain", *code_paths]).strip()
    changes = ", uncommitted changes in kg/, queries/ or shapes/" if dirty else ""
    found["kg"] = f"{found.get('kg', '?')} ({build}; last commit {rev or '?'}{changes})"
    cli = shutil.which("oxigraph", path=str(Path(PY).parent)) or shutil.which("oxigraph")
    found["oxigraph CLI"] = _output([cli, "--version"]).strip().split()[-1] if cli else "absent"
    return found


def _output(cmd: list[str]) -> str:
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, check=False, env=STEP_ENVIRONMENT
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


_PROBE = """
import json
found = {}
def probe(name, check):
    try:
        check()
        found[name] = ""
    except Exception as exc:
        found[name] = f"{type(exc).__name__}: {exc}"[:160]
def validate():
    from kg.validate import validate_store, load_shapes
    from kg.record_validation import record_validator
def pyshacl():
    from kg.validate import validate_with_pyshacl
def queries():
    from kg.queries import load_catalog, execute, local_runner
    assert load_catalog(), "no canned queries"
def optimize():
    from kg.store import optimize_store
def text_index():
    from kg.text_index import build
    from kg.text_search import TextIndex
def export():
    from kg.export import export_to_file, FORMATS
    missing = [f for f in %r if f not in FORMATS]
    assert not missing, f"no export format {missing}"
probe("validate", validate); probe("pyshacl", pyshacl); probe("queries", queries)
probe("export", export); probe("optimize", optimize); probe("text-index", text_index)
print(json.dumps(found))
"""


def features() -> dict[str, str]:
    """Which kg features the steps need are there: feature → "" or why not."""
    out = _output([*PYTHON, "-c", _PROBE % (EXPORT_FORMATS,)])
    try:
        found: dict[str, str] = json.loads(out)
    except json.JSONDecodeError:
        features = ("validate", "pyshacl", "queries", "export", "optimize", "text-index")
        return {k: "kg cannot be imported" for k in features}
    return found


#: The kg feature each step needs (beyond ``kg load``).
NEEDS = {
    "load": "validate",
    "validate": "validate",
    "pyshacl": "pyshacl",
    "queries": "queries",
    "export": "export",
    "optimize": "optimize",
    "text-index": "text-index",
    "reload": "validate",
}
