"""Where ``kg load`` spends its time: py-spy samples of the load (and of its subprocesses, with
native frames, so Oxigraph's Rust shows up), summed up per process as the functions that were
running (self) and the kg functions on the stack (inclusive).

    python -m bench.profile --questions 100000 [--no-validate] [--rate 50] [--reload]

Needs py-spy (``pip install py-spy``). The data is generated as ``bench.run`` generates it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from bench import generate

REPO = Path(__file__).resolve().parent.parent
_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<name>.*?) \((?P<where>[^()]*?)(?::\d+)?\)$")


def frame_name(frame: str) -> str:
    """``func (path/file.py:123)`` → ``func (path/file.py)``."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    where = match["where"]
    return f"{match['name']} ({where.rsplit('/', 1)[-1] if where.endswith('.so') else where})"


def demangle(names: set[str]) -> dict[str, str]:
    """Rust symbols py-spy left mangled, demangled by ``c++filt`` (when there is one), without
    crate hashes and generic arguments."""
    rust = sorted(n for n in names if n.startswith("_R"))
    filt = shutil.which("c++filt")
    if not rust or filt is None:
        return {}
    symbols = [n.split(" (", 1)[0] for n in rust]
    done = subprocess.run(
        [filt], input="\n".join(symbols), capture_output=True, text=True, check=False
    ).stdout.splitlines()
    readable: dict[str, str] = {}
    for name, text in zip(rust, done, strict=False):
        text = re.sub(r"\[[0-9a-f]{16}\]", "", text)
        while True:  # drop the innermost generic arguments until none are left
            shorter = re.sub(r"<[^<>]*>", "", text)
            if shorter == text:
                break
            text = shorter
        readable[name] = f"{text.strip(':')} ({name.split(' (', 1)[1]}" if " (" in name else text
    return readable


def summarize(raw: Path, top: int = 15) -> str:
    """A Markdown summary of a py-spy ``--format raw`` file."""
    self_time: dict[str, Counter[str]] = defaultdict(Counter)
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        frames = match["stack"].split(";")
        count = int(match["count"])
        processes = [f for f in frames if f.startswith("process ")]
        process = processes[-1] if processes else "process"
        label = "worker (kg.bulk_worker)" if "bulk_worker" in process else "main (kg load)"
        rest = [frame_name(f) for f in frames if not f.startswith("process ")]
        if not rest:
            continue
        threads = "loader thread" if any("load_stream" in f for f in rest) else ""
        key = f"{label}{', ' + threads if threads else ''}"
        totals[key] += count
        self_time[key][rest[-1]] += count
        for name in dict.fromkeys(rest):
            if "kg/" in name or "(pyoxigraph." in name:
                inclusive[key][name] += count
    names = {n for c in (*self_time.values(), *inclusive.values()) for n in c}
    readable = demangle(names)
    for table in (*self_time.values(), *inclusive.values()):
        for old, new in readable.items():
            if old in table:
                table[new] += table.pop(old)
    lines: list[str] = []
    grand = sum(totals.values()) or 1
    for key, total in totals.most_common():
        lines += [
            "",
            f"**{key}**: {total} samples ({100 * total / grand:.0f}% of all samples)",
            "",
            "| self % | running (self) | | incl. % | on the stack (kg and Oxigraph) |",
            "|---:|---|---|---:|---|",
        ]
        selfs = self_time[key].most_common(top)
        incls = inclusive[key].most_common(top)
        for i in range(max(len(selfs), len(incls))):
            a = selfs[i] if i < len(selfs) else ("", 0)
            b = incls[i] if i < len(incls) else ("", 0)
            lines.append(
                f"| {100 * a[1] / total:.1f} | `{a[0]}` | | {100 * b[1] / total:.1f} | `{b[0]}` |"
                if a[0] and b[0]
                else f"| {100 * a[1] / total:.1f} | `{a[0]}` | | | |"
                if a[0]
                else f"| | | | {100 * b[1] / total:.1f} | `{b[0]}` |"
            )
    return "\n".join(lines).lstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])  # fmt: skip
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--reload", action="store_true", help="profile a reload of 1%% changed")
    parser.add_argument("--rate", type=int, default=50, help="samples per second")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    root = args.workdir / f"q{args.questions}-s{args.seed}"
    pages = root / "pages"
    if not (pages / generate.MANIFEST).is_file():
        generate.generate(pages, questions=args.questions, seed=args.seed, jobs=2)
    store = root / "profile-store"
    shutil.rmtree(store, ignore_errors=True)
    load = [sys.executable, "-m", "kg", "load", "--silent", "--store", str(store)]
    if args.no_validate:
        load.append("--no-validate")
    if args.reload:
        subprocess.run([*load, "--no-validate", str(pages)], check=True, cwd=REPO)
        pages = root / "changes-1"
        generate.generate(pages, questions=args.questions, seed=args.seed, variant=1)
    raw = root / "profile.txt"
    cmd = [spy, "record", "--subprocesses", "--native", "-r", str(args.rate), "-f", "raw"]
    subprocess.run([*cmd, "-o", str(raw), "--", *load, str(pages)], check=True, cwd=REPO)
    print(summarize(raw, args.top))
    shutil.rmtree(store, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
