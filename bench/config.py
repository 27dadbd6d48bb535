"""What a benchmark run is set to: its steps, its options (:class:`Config`), and how the
steps' processes run (which Python, which environment)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

STEPS: tuple[str, ...] = (
    "load",
    "load-novalidate",
    "convert",
    "floor",
    "floor-cli",
    "floor-sorted",
    "naive",
    "validate",
    "pyshacl",
    "optimize",
    "queries",
    "text-index",
    "stats",
    "show",
    "export",
    "reload",
)
EXPORT_FORMATS: tuple[str, ...] = ("ttl", "nt", "jsonld")
#: How the queries step labels its calls on the store after ``kg optimize``.
OPTIMIZED = " [optimized]"
#: How the text-index step labels its calls of the queries the text index narrows.
TEXT_INDEXED = " [text index]"
REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
#: Python as the steps run it: ``-P`` keeps the working directory (the repository) off the
#: path, so that kg is imported from PYTHONPATH: a compiled build first, if any, then the
#: repository (see :data:`STEP_ENVIRONMENT`).
PYTHON = (PY, "-P")
GIB = 1024.0  # MiB


@dataclass
class Config:
    sizes: list[int]
    repeat: int
    steps: list[str]
    #: Rounds for particular steps (fewer than --repeat).
    step_repeat: dict[str, int]
    seed: int
    page_size: int
    faults: int
    validate_questions: int | None
    workdir: Path
    report: Path | None
    pyshacl_max: int
    pyshacl_repeat: int
    pyshacl_timeout: float
    pyshacl_slow: float
    naive_max: int
    naive_repeat: int
    query_repeat: int
    query_timeout: float
    query_slow: float
    timeout: float
    rss_limit_mib: float
    jobs: int
    smoke: bool
    keep: bool
    command: str
    compiled: bool = False


#: Steps run as a user's kg does: from compiled bytecode (an installed kg has it), even where
#: the environment says not to write any; kg and bench from the repository.
STEP_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
STEP_ENVIRONMENT["PYTHONPATH"] = os.pathsep.join(
    [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
)
