"""Running one benchmark step in a fresh process and measuring it: wall time, CPU time (of the
step's whole process tree) and peak resident memory (the larger of ``ru_maxrss`` from ``wait4``,
the largest single process of the step, and the sum over the step's process tree polled from
``/proc``), with a time limit and an RSS guard, so that a runaway step cannot take the shared
machine down.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Sample:
    """One measured run of a step."""

    wall: float
    cpu: float
    rss_mib: float
    returncode: int
    stdout: str
    stderr: str
    killed: str | None = None  # why the run was stopped, when it was
    data: dict[str, Any] = field(default_factory=dict)  # the JSON a bench.steps child printed

    @property
    def ok(self) -> bool:
        return self.killed is None and self.returncode == 0

    def last_error(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1][:200] if lines else f"exit code {self.returncode}"


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants (from ``/proc/PID/task/TID/children``)."""
    found = [pid]
    index = 0
    while index < len(found):
        current = found[index]
        index += 1
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    found += [int(c) for c in handle.read().split()]
        except (OSError, ValueError):
            continue
    return found


def tree_rss_kib(pid: int) -> int:
    """The resident memory of a process and all its descendants together."""
    return sum(_rss_kib(p) for p in _tree(pid))


def run(
    cmd: list[str],
    *,
    log_dir: Path,
    name: str,
    timeout: float,
    rss_limit_mib: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout_path: Path | None = None,
) -> Sample:
    """Run ``cmd`` to completion (or to its limits) and measure it.

    Its standard output goes to ``stdout_path`` (or a log file), its standard error to a log
    file; both are read back (up to 1 MB) into the sample.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path = stdout_path or log_dir / f"{name}.out"
    err_path = log_dir / f"{name}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True
        )
        killed: str | None = None
        peak_kib = 0
        delay = 0.001
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kib = max(peak_kib, tree_rss_kib(proc.pid))
            elapsed = time.perf_counter() - started
            if killed is None and elapsed > timeout:
                killed = f"timed out after {timeout:.0f} s"
            elif killed is None and peak_kib / 1024 > rss_limit_mib:
                killed = f"stopped at {peak_kib / 1048576:.1f} GiB RSS (limit {rss_limit_mib / 1024:.0f} GiB)"  # fmt: skip
            if killed is not None:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(delay)
            delay = min(delay * 1.5, 0.05)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = _read(out_path) if stdout_path is None else ""
    sample = Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mib=max(usage.ru_maxrss, peak_kib) / 1024,
        returncode=proc.returncode,
        stdout=stdout,
        stderr=_read(err_path),
        killed=killed,
    )
    if stdout.startswith("{"):
        with contextlib.suppress(json.JSONDecodeError, IndexError):
            sample.data = json.loads(stdout.splitlines()[-1])
    return sample


def _read(path: Path) -> str:
    with open(path, "rb") as handle:
        return handle.read(1 << 20).decode("utf-8", errors="replace")
