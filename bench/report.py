"""The report of a run: the table of every step, the canned queries, the verdict on each
target, with the machine, the date and the versions; appended to ``BENCHMARKS.md``."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from pathlib import Path

from bench.config import EXPORT_FORMATS, GIB, OPTIMIZED, Config
from bench.machine import load_average, machine, versions
from bench.results import Result
from bench.size_run import SizeRun

# --- the table -----------------------------------------------------------------------------


def secs(x: float | None) -> str:
    if x is None:
        return "—"
    if x < 0.1:
        return f"{x * 1000:.1f} ms"
    if x < 10:
        return f"{x:.2f}"
    if x < 100:
        return f"{x:.1f}"
    return f"{x:,.0f}"


def rate(amount: float, unit: str, seconds: float | None, *, per: str = "s") -> str:
    if not seconds:
        return "—"
    value = amount / seconds
    if value >= 1e6:
        return f"{value / 1e6:.2f} M {unit}/{per}"
    return f"{value:,.0f} {unit}/{per}"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.2f}×"


def table(runs: Sequence[SizeRun]) -> str:
    head = (
        "| questions | step | runs | wall min (s) | wall median (s) | wall max (s) | CPU (s) "
        "| peak RSS (MiB) | throughput | × floor | vs pySHACL | notes |"
    )
    lines = [head, "|" + "---|" * 12]
    for size_run in runs:
        floor = size_run.results.get("floor")
        floor_median = floor.median if floor else None
        pyshacl = size_run.results.get("pyshacl")
        pyshacl_median = pyshacl.median if pyshacl else None
        for step in size_run.results:
            r = size_run.results[step]
            label = step
            if r.status != "ok" or not r.walls:
                status = r.status if r.status != "ok" else "not run"
                lines.append(
                    f"| {size_run.n:,} | {label} | 0 | — | — | — | — | — | — | — | — | "
                    f"**{status}**: {'; '.join(r.notes)} |"
                )
                continue
            median = r.median
            if step == "queries":
                through = "—"
            else:
                through = rate(r.amount[0], r.amount[1], median)
                if step == "convert":
                    through = rate(r.amount[0], "q", statistics.median(r.cpus), per="CPU-s")
            vs_floor = "—"
            if step in ("load", "load-novalidate", "naive", "floor-cli", "floor", "floor-sorted"):
                vs_floor = ratio(median, floor_median)
            vs_pyshacl = "—"
            if step == "validate" and pyshacl_median and median:
                vs_pyshacl = f"{pyshacl_median / median:.0f}× faster"
            elif step == "validate" and pyshacl and pyshacl.lower_bound and median:
                vs_pyshacl = f"> {pyshacl.lower_bound / median:.0f}× faster"
            elif step == "pyshacl":
                vs_pyshacl = "1×"
            notes = "; ".join(r.notes)
            if step == "reload":
                full = size_run.results.get("load")
                if full and full.median and median:
                    notes = f"{100 * median / full.median:.1f}% of the full load; " + notes
            if step == "validate" and r.amount[0] != size_run.n:
                notes = f"on {r.amount[0]:,.0f} questions; " + notes
            lines.append(
                f"| {size_run.n:,} | {label} | {len(r.walls)} | {secs(min(r.walls))} | "
                f"{secs(median)} | {secs(max(r.walls))} | {secs(statistics.median(r.cpus))} | "
                f"{max(r.rsss):,.0f} | {through} | {vs_floor} | {vs_pyshacl} | {notes} |"
            )
    return "\n".join(lines)


def query_table(runs: Sequence[SizeRun]) -> str:
    names: list[str] = []
    for size_run in runs:
        names += [n for n in (*size_run.query_results, *size_run.query_errors) if n not in names]
    if not names:
        return ""
    head = "| query | " + " | ".join(f"{r.n:,}: median (min–max), rows" for r in runs) + " |"
    lines = [head, "|" + "---|" * (len(runs) + 1)]
    for name in names:
        cells = []
        for size_run in runs:
            times = size_run.query_results.get(name)
            if not times:
                cells.append(f"**{size_run.query_errors[name]}**" if name in size_run.query_errors else "—")  # fmt: skip
                continue
            cells.append(
                f"{secs(statistics.median(times))} ({secs(min(times))}–{secs(max(times))}), "
                f"{size_run.query_rows.get(name, 0):,}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the targets ---------------------------------------------------------------------------


def _median(res: dict[str, Result], step: str) -> float | None:
    return res[step].median if step in res and res[step].walls else None


def targets(runs: Sequence[SizeRun]) -> list[str]:
    """One line per target and size: met, missed by how much, or not measured."""
    out: list[str] = []

    def verdict(name: str, n: int, value: float | None, limit: float, *, higher: bool = False, unit: str = "") -> None:  # fmt: skip
        if value is None:
            out.append(f"| {name} | {n:,} | not measured | | |")
            return
        met = value >= limit if higher else value <= limit
        if met:
            how = "**met**"
        elif higher:
            how = f"**missed** by {100 * (1 - value / limit):.1f}% ({limit / value:.2f}× too slow)"
        else:
            how = f"**missed** by {100 * (value / limit - 1):.1f}%"
        out.append(f"| {name} | {n:,} | {value:,.2f}{unit} | {limit:,}{unit} | {how} |")

    for size_run in runs:
        n = size_run.n
        res = size_run.results
        floor = _median(res, "floor")

        def med(step: str, res: dict[str, Result] = res) -> float | None:
            return _median(res, step)

        def ratio_of(step: str, floor: float | None = floor) -> float | None:
            m = med(step)
            return m / floor if m and floor else None

        if (n >= 100_000 or len(runs) == 1) and ("load" in res or "load-novalidate" in res):
            verdict("kg load (validation on) / floor", n, ratio_of("load"), 1.5, unit="×")
            verdict("kg load --no-validate / floor", n, ratio_of("load-novalidate"), 1.25, unit="×")
            sorted_floor = med("floor-sorted")
            for step, label in (("load", "kg load"), ("load-novalidate", "kg load --no-validate")):
                if sorted_floor and med(step):
                    value = med(step) / sorted_floor  # type: ignore[operator]
                    out.append(f"| {label} / floor-sorted (for reference) | {n:,} | {value:.2f}× | — | — |")  # fmt: skip
            for step in ("load", "load-novalidate"):
                if step in res and res[step].rsss:
                    verdict(f"{step} peak RSS", n, max(res[step].rsss) / GIB, 2.5, unit=" GiB")
        if "convert" in res and res["convert"].cpus:
            q = res["convert"].amount[0] / statistics.median(res["convert"].cpus)
            verdict("conversion, questions per CPU-second", n, q, 25_000, higher=True)
            if res["convert"].floor_cpus:
                floor = res["convert"].amount[0] / statistics.median(res["convert"].floor_cpus)
                out.append(f"| the conversion floor (for reference), q per CPU-s | {n:,} | {floor:,.0f} | — | — |")  # fmt: skip
        if med("validate") is not None:
            verdict("kg validate wall (target at 1M)", n, med("validate"), 60, unit=" s")
        if med("validate") and med("pyshacl"):
            speed = med("pyshacl") / med("validate")  # type: ignore[operator]
            verdict("kg validate speed-up over pySHACL", n, speed, 20, higher=True, unit="×")
        elif med("validate") and "pyshacl" in res and res["pyshacl"].lower_bound:
            speed = res["pyshacl"].lower_bound / med("validate")  # type: ignore[operator]
            how = "**met**" if speed >= 20 else "not established (pySHACL did not finish)"
            out.append(
                f"| kg validate speed-up over pySHACL | {n:,} | > {speed:,.1f}× | 20× | {how} |"
            )
        if "pyshacl" in res and res["pyshacl"].status == "did not finish":
            out.append(f"| identical results to pySHACL | {n:,} | pySHACL did not finish | identical | not measured |")  # fmt: skip
        elif "pyshacl" in res and res["pyshacl"].walls and res["pyshacl"].notes:
            same = res["pyshacl"].notes[0].startswith("identical")
            out.append(
                f"| identical results to pySHACL | {n:,} | {res['pyshacl'].notes[0]} | identical "
                f"| {'**met**' if same else '**missed**'} |"
            )
        for optimized in (False, True):
            medians = {
                k: statistics.median(v)
                for k, v in size_run.query_results.items()
                if (OPTIMIZED in k) == optimized
            }
            if medians:
                worst = max(medians, key=lambda k: medians[k])
                after = " after kg optimize" if optimized else ""
                name = worst.replace(OPTIMIZED, "")
                verdict(f"slowest canned query median{after} ({name})", n, medians[worst], 1.0, unit=" s")  # fmt: skip
        if size_run.query_errors:
            failed = ", ".join(f"{k} ({v})" for k, v in size_run.query_errors.items())
            out.append(
                f"| every canned query ≤ 1 s | {n:,} | did not finish: {failed} | 1 s | **missed** |"
            )
        for fmt in EXPORT_FORMATS:
            key = f"export-{fmt}"
            if key in res and res[key].rsss:
                verdict(f"export {fmt} peak RSS", n, max(res[key].rsss) / GIB, 1.0, unit=" GiB")
        if med("reload") and med("load"):
            share = 100 * med("reload") / med("load")  # type: ignore[operator]
            verdict("reload of 1% changed / full load", n, share, 5.0, unit="%")
    return out


# --- the report ----------------------------------------------------------------------------


def report(cfg: Config, runs: Sequence[SizeRun], started: dt.datetime, load_start: str, steal: str, vers: dict[str, str]) -> str:  # fmt: skip
    info = machine()
    now = versions()
    if now.get("kg") != vers.get("kg"):
        vers = {**vers, "kg": f"{vers.get('kg')} at the start, {now.get('kg')} at the end"}
    finished = dt.datetime.now(dt.UTC)
    minutes = (finished - started).total_seconds() / 60
    parts = [
        f"## {started:%Y-%m-%d %H:%M} UTC — {', '.join(f'{n:,}' for n in cfg.sizes)} questions"
        + (" (smoke)" if cfg.smoke else ""),
        "",
        f"- command: `{cfg.command}`",
        f"- machine: {info.get('nproc')} CPUs ({info.get('cpu', '?')}), {info.get('memory', '?')} RAM, "
        f"{info.get('platform')}; load average at start {load_start}, at end {load_average()}; "
        f"CPU steal at start {steal}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in vers.items()),
        f"- {cfg.repeat} round{'s' if cfg.repeat > 1 else ''}"
        + (
            f" ({', '.join(f'{k}: {v}' for k, v in cfg.step_repeat.items())})"
            if cfg.step_repeat
            else ""
        )
        + f", steps interleaved; seed {cfg.seed}, "
        f"{cfg.page_size} questions per page, {cfg.faults} seeded faults; took {minutes:.0f} min",
        "",
        table(runs),
    ]
    queries = query_table(runs)
    if queries:
        parts += ["", "Canned queries (seconds; rows returned):", "", queries]
    lines = targets(runs)
    if lines:
        parts += ["", "Targets:", "", "| target | questions | measured | limit | verdict |", "|---|---|---|---|---|", *lines]  # fmt: skip
    extra: list[str] = []
    for size_run in runs:
        extra += [f"{size_run.n:,}: generated {g}" for g in size_run.generation]
        extra += [f"{size_run.n:,}: {c}" for c in size_run.comparison]
    if extra:
        parts += ["", *[f"- {e}" for e in extra]]
    return "\n".join(parts) + "\n"


def append_report(path: Path, text: str) -> None:
    if not path.exists():
        path.write_text(
            "# Benchmarks\n\nMeasured with `python -m bench.run` (see bench/run.py).\n\n",
            encoding="utf-8",
        )
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n" + text)
