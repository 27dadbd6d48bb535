"""The benchmark suite: every step of kg, side by side with Oxigraph's bulk loader (the floor),
a naive rdflib path and pySHACL, on the same generated data, in one run.

    python -m bench.run --sizes 10000,100000 [--million] [--repeat 3] [--only load,floor,...]
    python -m bench.run --smoke          # 1k questions, one run of each step (what CI runs)
    python -m bench.run --pure ...       # the same steps on the checkout's pure Python

The steps run kg as ``pip install .`` builds it: a wheel with the converter compiled by its
mypyc hook (a failed compile stops the run; ``--pure`` runs the checkout instead). ``--smoke``
runs the checkout unless ``--compiled`` is given.

Each step runs in a fresh process, measured for wall time, CPU time and peak RSS
(:mod:`bench.measure`). Repeats are interleaved (round 1 runs every step, then round 2, ...), so
that a busy machine affects kg and the floor alike. The table (min/median/max, ratios to the
floor and to pySHACL) and the verdict on each target are printed and appended, with the machine,
the date and the versions, to ``BENCHMARKS.md``. Steps whose kg feature has not landed say
"not available"; a step that fails says "failed" and makes the exit code 1.

Steps (``--only``/``--skip`` take these names):

load             ``kg load PAGES`` into a fresh on-disk store, validation on (the user's path)
load-novalidate  the same with ``--no-validate``
convert          kg's converter alone over the parsed pages (questions per CPU-second)
floor            the N-Triples kg's bulk load hands to Oxigraph (:func:`kg.bulk.write_ntriples`),
                 in kg's order, as a file: ``pyoxigraph.Store.bulk_load`` into a fresh store
floor-cli        the same file with the ``oxigraph load`` CLI
floor-sorted     the same triples dumped from the loaded store, in the order of Oxigraph's own
                 index (by hashed subject): no converter writes them so, and Oxigraph loads them
                 faster (a reference beside the floor, not the floor)
naive            rdflib parses each page as JSON-LD (a context over the items), then Oxigraph
validate         ``kg validate`` of a store loaded from the same data with seeded faults
pyshacl          ``kg validate --engine pyshacl`` of that store; results compared with kg's
queries          every canned query (kg.queries), median of ``--query-repeat`` runs each
text-index       ``kg text-index`` of a copy of the loaded store; then the canned queries it
                 narrows (find-questions), timed as the queries step times them, on that copy
stats            ``kg stats --csv`` of the loaded store
show             ``kg show UIN --date D --house H`` of the first page's first question
export           ``kg export`` to Turtle, N-Triples and JSON-LD
reload           ``kg load`` of the 1% changed questions into the loaded store
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Sequence
from pathlib import Path

from bench.config import GIB, PY, PYTHON, REPO, STEP_ENVIRONMENT, STEPS, Config
from bench.machine import features, load_average, steal_percent, versions
from bench.report import append_report, report
from bench.size_run import SizeRun


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="kg's benchmark suite (see the module docstring for the steps).",
    )
    parser.add_argument("--sizes", default="10000,100000", help="question counts, comma-separated")
    parser.add_argument("--million", action="store_true", help="add 1,000,000 to --sizes")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (runs of each step)")
    parser.add_argument("--only", default="", help=f"only these steps: {','.join(STEPS)}")
    parser.add_argument("--skip", default="", help="leave out these steps")
    parser.add_argument(
        "--step-repeat",
        default="",
        help="fewer rounds for some steps, e.g. export=1,convert=1",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="1k questions, 1 round, no report file"
    )
    build = parser.add_mutually_exclusive_group()
    build.add_argument(
        "--compiled",
        action="store_true",
        help="run the steps on kg built as pip install . builds it, the converter compiled "
        "with mypyc (needs a C compiler; the default, but for --smoke)",
    )
    build.add_argument(
        "--pure", action="store_true", help="run the steps on the checkout's pure Python"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--faults", type=int, default=100, help="seeded SHACL faults")
    parser.add_argument(
        "--validate-questions",
        type=int,
        default=None,
        help="questions in the seeded-fault data (default: the size)",
    )
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--report", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--no-report", action="store_true", help="print only; append nothing")
    parser.add_argument("--pyshacl-max", type=int, default=100_000)
    parser.add_argument("--pyshacl-repeat", type=int, default=None, help="default: --repeat")
    parser.add_argument("--pyshacl-timeout", type=float, default=1800.0)
    parser.add_argument("--pyshacl-slow", type=float, default=600.0, help="no repeats above, s")
    parser.add_argument("--naive-max", type=int, default=100_000)
    parser.add_argument("--naive-repeat", type=int, default=None, help="default: --repeat")
    parser.add_argument("--query-repeat", type=int, default=3)
    parser.add_argument("--query-timeout", type=float, default=900.0, help="per query call, s")
    parser.add_argument("--query-slow", type=float, default=60.0, help="no repeats above, s")
    parser.add_argument("--timeout", type=float, default=4 * 3600.0, help="per step run, s")
    parser.add_argument(
        "--rss-limit", type=float, default=14.0, help="GiB; a step above is stopped"
    )
    parser.add_argument("--jobs", type=int, default=2, help="generator processes")
    parser.add_argument("--keep", action="store_true", help="keep the stores after the run")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.million and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    steps = [s for s in args.only.split(",") if s] or list(STEPS)
    unknown = [s for s in steps + args.skip.split(",") if s and s not in STEPS]
    if unknown:
        parser.error(f"unknown steps {unknown}; the steps: {', '.join(STEPS)}")
    steps = [s for s in STEPS if s in steps and s not in args.skip.split(",")]
    workdir, report_path = args.workdir, None if args.no_report else args.report
    faults, validate_questions = args.faults, args.validate_questions
    repeat = args.repeat
    if args.smoke:
        sizes, repeat = [1000], 1
        faults = 20
        validate_questions = validate_questions or 50
        report_path = None if args.report == REPO / "BENCHMARKS.md" else report_path
        if args.workdir == REPO / "bench" / "out":
            workdir = Path(tempfile.mkdtemp(prefix="kg-bench-smoke-"))
    step_repeat: dict[str, int] = {}
    for pair in filter(None, args.step_repeat.split(",")):
        name, _, count = pair.partition("=")
        if name not in STEPS or not count.isdigit():
            parser.error(f"--step-repeat takes STEP=N pairs of these steps: {', '.join(STEPS)}")
        step_repeat[name] = int(count)
    return Config(
        sizes=sorted(sizes),
        repeat=repeat,
        steps=steps,
        step_repeat=step_repeat,
        seed=args.seed,
        page_size=args.page_size,
        faults=faults,
        validate_questions=validate_questions,
        workdir=workdir.resolve(),
        report=report_path,
        pyshacl_max=args.pyshacl_max,
        pyshacl_repeat=repeat if args.pyshacl_repeat is None else args.pyshacl_repeat,
        pyshacl_timeout=args.pyshacl_timeout,
        pyshacl_slow=args.pyshacl_slow,
        naive_max=args.naive_max,
        naive_repeat=repeat if args.naive_repeat is None else args.naive_repeat,
        query_repeat=max(3, args.query_repeat),
        query_timeout=args.query_timeout,
        query_slow=args.query_slow,
        timeout=args.timeout,
        rss_limit_mib=args.rss_limit * GIB,
        jobs=args.jobs,
        smoke=args.smoke,
        keep=args.keep,
        compiled=args.compiled or not (args.pure or args.smoke),
        command="python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
    )


def wheel_sources() -> tuple[str, ...]:
    """What kg's wheel is built from, as pyproject.toml names it: the wheel's packages and
    force-included assets, its build hook, the readme and pyproject.toml itself."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    names = [
        *wheel["packages"],
        *wheel["force-include"],
        wheel["hooks"]["custom"]["path"],
        config["project"]["readme"],
        "pyproject.toml",
    ]
    return tuple(dict.fromkeys(names))


def copy_for_building(target: Path) -> Path:
    """A copy in ``target`` of what kg's wheel is built from: the build hook (hatch-mypyc)
    moves pyproject.toml aside while it compiles, which the checkout must not see."""
    target.mkdir(parents=True)
    for name in wheel_sources():
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def build_compiled(workdir: Path) -> Path:
    """kg built as a wheel with its converter compiled (mypyc; a failed compile fails) and
    unpacked: the folder to import it from."""
    target = workdir / "compiled"
    shutil.rmtree(target, ignore_errors=True)
    source = copy_for_building(target / "source")
    env = {**STEP_ENVIRONMENT, "KG_REQUIRE_COMPILED": "1"}
    command = [PY, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(target), str(source)]
    if subprocess.run(command, env=env).returncode != 0:
        raise SystemExit(
            "Error: bench: kg could not be built with its converter compiled (see above) — "
            "install a C compiler and Python's headers, or run with --pure"
        )
    (wheel,) = target.glob("kg-*.whl")
    site = target / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def compile_bytecode(*folders: Path) -> None:
    """Compile kg and bench once, before anything is timed."""
    subprocess.run(
        [*PYTHON, "-m", "compileall", "-q", *map(str, folders)],
        env=STEP_ENVIRONMENT,
        check=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    cfg = parse_args(argv)
    kg_folders = [REPO / "kg"]
    if cfg.compiled:
        site = build_compiled(cfg.workdir)
        STEP_ENVIRONMENT["PYTHONPATH"] = f"{site}{os.pathsep}{STEP_ENVIRONMENT['PYTHONPATH']}"
        kg_folders = [site / "kg"]
    compile_bytecode(*kg_folders, REPO / "bench")
    started = dt.datetime.now(dt.UTC)
    load_start = load_average()
    steal = steal_percent()
    cfg.workdir.mkdir(parents=True, exist_ok=True)
    vers = versions()
    have = features()
    for name, why in have.items():
        if why:
            print(f"not available: kg.{name} ({why})", file=sys.stderr)
    runs: list[SizeRun] = []
    for n in cfg.sizes:
        size_run = SizeRun(cfg, n, have)
        runs.append(size_run)
        try:
            for round_ in range(cfg.repeat):
                size_run.run_round(round_)
            size_run.after_rounds()
        finally:
            size_run.cleanup()
    text = report(cfg, runs, started, load_start, steal, vers)
    print(text)
    (cfg.workdir / f"report-{started:%Y%m%dT%H%M%S}.md").write_text(text, encoding="utf-8")
    if cfg.report is not None:
        append_report(cfg.report, text)
        print(f"Appended to {cfg.report}", file=sys.stderr)
    if cfg.smoke and cfg.workdir.name.startswith("kg-bench-smoke-") and not cfg.keep:
        shutil.rmtree(cfg.workdir, ignore_errors=True)
    failed = [f"{r.n}:{s}" for r in runs for s, res in r.results.items() if res.status == "failed"]
    if failed:
        print(f"failed steps: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
