"""The benchmark suite: every step of kg, side by side with Oxigraph's bulk loader (the floor),
a naive rdflib path and pySHACL, on the same generated data, in one run.

    python -m bench.run --sizes 10000,100000 [--million] [--repeat 3] [--only load,floor,...]
    python -m bench.run --smoke          # 1k questions, one run of each step (what CI runs)
    python -m bench.run --compiled ...   # the same steps on kg built with its mypyc hook

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
export           ``kg export`` to Turtle, N-Triples and JSON-LD
reload           ``kg load`` of the 1% changed questions into the loaded store
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import generate
from bench.measure import Sample, run

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
    "export",
    "reload",
)
EXPORT_FORMATS: tuple[str, ...] = ("ttl", "nt", "jsonld")
#: How the queries step labels its calls on the store after ``kg optimize``.
OPTIMIZED = " [optimized]"
REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
#: Python as the steps run it: ``-P`` keeps the working directory (the repository) off the
#: path, so that kg is imported from PYTHONPATH: a compiled build first, if any, then the
#: repository (see :data:`STEP_ENVIRONMENT`).
PYTHON = (PY, "-P")
GIB = 1024.0  # MiB
SH = "http://www.w3.org/ns/shacl#"


@dataclass
class Result:
    """The runs of one step at one size."""

    size: int
    step: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rsss: list[float] = field(default_factory=list)
    status: str = "ok"  # ok | not available | failed | skipped
    notes: list[str] = field(default_factory=list)
    #: How much each run processed, for the throughput: (amount, unit) e.g. (10000, "q").
    amount: tuple[float, str] = (0.0, "q")
    #: For a run stopped at its time limit: how long it ran (a lower bound of its time).
    lower_bound: float | None = None

    def add(self, sample: Sample, *, wall: float | None = None, cpu: float | None = None) -> None:
        self.walls.append(sample.wall if wall is None else wall)
        self.cpus.append(sample.cpu if cpu is None else cpu)
        self.rsss.append(sample.rss_mib)

    def fail(self, why: str) -> None:
        self.status = "failed"
        self.notes.append(why)

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls else None


@dataclass
class Validation:
    """Validation results of one engine, as comparable tuples."""

    results: set[tuple[str, str, str, str, str]]
    count: int


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


# --- the machine, the versions, what kg has ----------------------------------------------


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
def export():
    from kg.export import export_to_file, FORMATS
    missing = [f for f in %r if f not in FORMATS]
    assert not missing, f"no export format {missing}"
probe("validate", validate); probe("pyshacl", pyshacl); probe("queries", queries)
probe("export", export); probe("optimize", optimize)
print(json.dumps(found))
"""


def features() -> dict[str, str]:
    """Which kg features the steps need are there: feature → "" or why not."""
    out = _output([*PYTHON, "-c", _PROBE % (EXPORT_FORMATS,)])
    try:
        found: dict[str, str] = json.loads(out)
    except json.JSONDecodeError:
        features = ("validate", "pyshacl", "queries", "export", "optimize")
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
    "reload": "validate",
}


# --- one size ------------------------------------------------------------------------------


class SizeRun:
    """Every step at one size: its data, its stores, its results."""

    def __init__(self, cfg: Config, n: int, have: dict[str, str]) -> None:
        self.cfg = cfg
        self.n = n
        self.have = have
        self.root = cfg.workdir / f"q{n}-s{cfg.seed}"
        self.logs = self.root / "logs"
        self.pages = self.root / "pages"
        self.fault_n = min(n, cfg.validate_questions or n)
        self.fault_pages = self.root / f"faults{self.fault_n}"
        self.store = self.root / "store"
        self.optimized_store = self.root / "store-optimized"
        self.loaded_copy = self.root / "store-as-loaded"
        self.optimized_ready = False
        self.fault_store = self.root / "fault-store"
        self.nt = self.root / "floor.nt"
        self.sorted_nt = self.root / "floor-sorted.nt"
        self.scratch = self.root / "scratch"
        keys = [k for s in cfg.steps for k in ([f"export-{f}" for f in EXPORT_FORMATS] if s == "export" else [s])]  # fmt: skip
        self.results: dict[str, Result] = {k: Result(n, k) for k in keys}
        self.query_results: dict[str, list[float]] = {}
        self.query_rows: dict[str, int] = {}
        self.query_rss: list[float] = []
        self.query_errors: dict[str, str] = {}
        self.validations: dict[str, Validation] = {}
        self.comparison: list[str] = []
        self.generation: list[str] = []
        self.store_ready = False
        self.store_triples = 0
        self.fault_store_ready: bool | None = None
        self.nt_ready: bool | None = None
        self.sorted_nt_ready: bool | None = None
        self.counter = 0

    # --- plumbing ---------------------------------------------------------------------

    def measure(self, name: str, cmd: list[str], **kw: Any) -> Sample:
        self.counter += 1
        timeout = kw.pop("timeout", self.cfg.timeout)
        return run(
            cmd,
            log_dir=self.logs,
            name=f"{self.counter:03d}-{name}",
            timeout=timeout,
            rss_limit_mib=self.cfg.rss_limit_mib,
            cwd=REPO,
            env=STEP_ENVIRONMENT,
            **kw,
        )

    def fresh(self, name: str) -> Path:
        path = self.scratch / name
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def kg(self, *args: str) -> list[str]:
        return [*PYTHON, "-m", "kg", *args]

    def log(self, text: str) -> None:
        print(f"[{dt.datetime.now():%H:%M:%S}] {self.n:>9,} {text}", file=sys.stderr, flush=True)

    # --- data ------------------------------------------------------------------------------

    def ensure_pages(self, out: Path, questions: int, *, faults: int = 0, variant: int = 0) -> None:
        manifest = out / generate.MANIFEST
        if manifest.is_file():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                old = {}
            same = (
                old.get("generator_version") == generate.GENERATOR_VERSION
                and old.get("questions") == questions
                and old.get("seed") == self.cfg.seed
                and old.get("page_size") == self.cfg.page_size
                and old.get("variant") == variant
                and len(old.get("faults", [])) == min(faults, questions)
            )
            if same:
                return
        self.log(f"generating {out.name}")
        made = generate.generate(
            out,
            questions=questions,
            seed=self.cfg.seed,
            page_size=self.cfg.page_size,
            faults=faults,
            variant=variant,
            jobs=self.cfg.jobs,
        )
        rate = made["written"] / max(made["seconds"], 1e-9)
        self.generation.append(
            f"{out.name}: {made['written']:,} questions in {made['seconds']:.1f} s "
            f"({rate:,.0f} questions/s, {self.cfg.jobs} process{'es' if self.cfg.jobs > 1 else ''})"
        )

    def manifest(self, out: Path) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((out / generate.MANIFEST).read_text(encoding="utf-8"))
        return data

    def ensure_store(self) -> bool:
        """The loaded store the floor, queries, export and reload work on."""
        if self.store_ready:
            return True
        self.ensure_pages(self.pages, self.n)
        shutil.rmtree(self.store, ignore_errors=True)
        self.log("loading the shared store (kg load --no-validate, not timed)")
        sample = self.measure(
            "prep-store",
            self.kg(
                "load", str(self.pages), "--store", str(self.store), "--silent", "--no-validate"
            ),
        )
        if not sample.ok:
            self.log(f"cannot load the store: {sample.last_error()}")
            return False
        self.store_ready = True
        return True

    def ensure_nt(self) -> bool:
        """The floor's input: the N-Triples kg's bulk load writes, in its order."""
        if self.nt_ready is None:
            self.nt_ready = False
            self.ensure_pages(self.pages, self.n)
            self.log("writing kg's N-Triples of the pages (the floor's input, not timed)")
            sample = self.measure("prep-ntriples", [*PYTHON, "-m", "bench.steps", "ntriples", str(self.pages), str(self.nt)])  # fmt: skip
            if sample.ok:
                self.store_triples = int(sample.data.get("triples", 0))
                self.nt_ready = True
        return self.nt_ready

    def ensure_store_triples(self) -> None:
        """How many triples the loaded store holds (known once the floor's input is written)."""
        if not self.store_triples:
            sample = self.measure("prep-count", [*PYTHON, "-m", "bench.steps", "count", str(self.store)])  # fmt: skip
            if sample.ok:
                self.store_triples = int(sample.data.get("triples", 0))

    def ensure_sorted_nt(self) -> bool:
        """The same triples dumped from the store, in the order of Oxigraph's index."""
        if self.sorted_nt_ready is None:
            self.sorted_nt_ready = False
            if self.ensure_store():
                self.log("dumping the store to N-Triples (floor-sorted's input, not timed)")
                sample = self.measure("prep-dump", [*PYTHON, "-m", "bench.steps", "dump", str(self.store), str(self.sorted_nt)])  # fmt: skip
                self.sorted_nt_ready = sample.ok
        return self.sorted_nt_ready

    def ensure_fault_store(self) -> bool:
        if self.fault_store_ready is None:
            self.ensure_pages(self.fault_pages, self.fault_n, faults=self.cfg.faults)
            shutil.rmtree(self.fault_store, ignore_errors=True)
            self.log("loading the seeded-fault store (kg load --no-validate, not timed)")
            sample = self.measure(
                "prep-faults",
                self.kg(
                    "load",
                    str(self.fault_pages),
                    "--store",
                    str(self.fault_store),
                    "--silent",
                    "--no-validate",
                ),
            )
            self.fault_store_ready = sample.ok
            if not sample.ok:
                self.log(f"cannot load the fault store: {sample.last_error()}")
        return self.fault_store_ready

    # --- the steps --------------------------------------------------------------------------

    def available(self, step: str) -> bool:
        result = self.results[step]
        need = NEEDS.get(step.split("-")[0] if step.startswith("export-") else step)
        if need and self.have.get(need):
            if result.status == "ok":
                result.status = "not available"
                result.notes.append(f"kg.{need}: {self.have[need]}")
            return False
        return result.status == "ok"

    def can_use_store(self, step: str) -> bool:
        """Whether ``step`` can run on the loaded store: what it needs of kg is there, and the
        store is loaded (a step whose store could not be loaded is marked failed)."""
        if not self.available(step):
            return False
        if not self.ensure_store():
            self.results[step].fail("no loaded store")
            return False
        return True

    def step_load(self, round_: int, *, validate: bool) -> None:
        step = "load" if validate else "load-novalidate"
        result = self.results[step]
        if not self.available(step):
            return
        self.ensure_pages(self.pages, self.n)
        target = self.fresh(step)
        args = ["load", str(self.pages), "--store", str(target), "--silent"]
        if not validate:
            args.append("--no-validate")
        self.log(f"{step} round {round_ + 1}")
        sample = self.measure(step, self.kg(*args))
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            shutil.rmtree(target, ignore_errors=True)
            return
        result.add(sample)
        result.amount = (self.n, "q")
        if not self.store_ready and validate:
            # The first validated load's store is the one the later steps share.
            shutil.rmtree(self.store, ignore_errors=True)
            target.rename(self.store)
            self.store_ready = True
        else:
            shutil.rmtree(target, ignore_errors=True)

    def step_convert(self, round_: int) -> None:
        result = self.results["convert"]
        self.ensure_pages(self.pages, self.n)
        self.log(f"convert round {round_ + 1}")
        sample = self.measure("convert", [*PYTHON, "-m", "bench.steps", "convert", str(self.pages)])
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return
        data = sample.data
        result.add(sample, wall=data["convert_wall"], cpu=data["convert_cpu"])
        result.amount = (data["questions"], "q")
        if round_ == 0:
            rate = data["questions"] / max(data["read_cpu"] + data["convert_cpu"], 1e-9)
            result.notes.append(
                f"{data['triples'] / max(data['questions'], 1):.1f} lines/question; "
                f"with JSON parsing {rate:,.0f} q per CPU-s; whole process {sample.wall:.1f} s"
            )

    def step_floor(self, round_: int, step: str) -> None:
        result = self.results[step]
        sorted_input = step == "floor-sorted"
        if not (self.ensure_sorted_nt() if sorted_input else self.ensure_nt()):
            result.fail("no N-Triples to load (see the prep logs)")
            return
        source = self.sorted_nt if sorted_input else self.nt
        target = self.fresh(step)
        if step == "floor-cli":
            binary = shutil.which("oxigraph", path=str(Path(PY).parent)) or shutil.which("oxigraph")
            if binary is None:
                result.status = "not available"
                result.notes.append("no oxigraph CLI (pip install oxigraph)")
                return
            cmd = [binary, "load", "--location", str(target), "--file", str(source)]
        else:
            cmd = [*PYTHON, "-m", "bench.steps", "bulk-load", str(source), str(target)]
        self.log(f"{step} round {round_ + 1}")
        sample = self.measure(step, cmd)
        shutil.rmtree(target, ignore_errors=True)
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return
        result.add(sample)
        result.amount = (self.n, "q")
        if round_ == 0:
            size = source.stat().st_size / 1048576
            order = "the store's dump, in Oxigraph's index order" if sorted_input else "in kg's order"  # fmt: skip
            result.notes.append(f"{size:,.0f} MiB of N-Triples, {order}")
            if step == "floor":
                result.notes.append(f"{self.store_triples:,} triples")

    def step_naive(self, round_: int) -> None:
        result = self.results["naive"]
        if self.n > self.cfg.naive_max:
            if result.status == "ok":
                result.status = "skipped"
                result.notes.append(f"above --naive-max {self.cfg.naive_max:,}")
            return
        if round_ >= self.cfg.naive_repeat:
            return
        self.ensure_pages(self.pages, self.n)
        target = self.fresh("naive")
        self.log(f"naive round {round_ + 1}")
        sample = self.measure(
            "naive", [*PYTHON, "-m", "bench.steps", "naive", str(self.pages), str(target)]
        )
        shutil.rmtree(target, ignore_errors=True)
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return
        result.add(sample)
        result.amount = (self.n, "q")
        if round_ == 0:
            result.notes.append(
                f"{sample.data.get('triples', 0):,} triples (no types, departments, houses, "
                "links or checks)"
            )

    def step_validate(self, round_: int, *, engine: str) -> None:
        step = "validate" if engine == "sparql" else "pyshacl"
        result = self.results[step]
        if not self.available(step):
            return
        if engine == "pyshacl":
            if self.fault_n > self.cfg.pyshacl_max:
                if result.status == "ok":
                    result.status = "skipped"
                    result.notes.append(f"above --pyshacl-max {self.cfg.pyshacl_max:,}")
                return
            if round_ >= self.cfg.pyshacl_repeat:
                return
            if result.walls and result.walls[0] > self.cfg.pyshacl_slow:
                if round_ == 1:
                    result.notes.append(f"one run only (over {self.cfg.pyshacl_slow:g} s)")
                return
        if not self.ensure_fault_store():
            result.fail("the seeded-fault store could not be loaded")
            return
        report = self.logs / f"report-{engine}-{round_}.ttl"
        args = ["validate", "--store", str(self.fault_store), "--format", "turtle"]
        if engine == "pyshacl":
            args += ["--engine", "pyshacl"]
        self.log(f"{step} round {round_ + 1}")
        timeout = self.cfg.pyshacl_timeout if engine == "pyshacl" else self.cfg.timeout
        sample = self.measure(step, self.kg(*args), stdout_path=report, timeout=timeout)
        if engine == "pyshacl" and sample.killed and sample.killed.startswith("timed out"):
            result.status = "did not finish"
            result.notes.append(f"{sample.killed} ({sample.rss_mib:,.0f} MiB RSS by then)")
            result.lower_bound = sample.wall
            return
        if sample.killed or sample.returncode not in (0, 1) or "Error:" in sample.stderr:
            result.fail(sample.killed or sample.last_error())
            return
        result.add(sample)
        result.amount = (self.fault_n, "q")
        if round_ == 0:
            found = parse_report(report)
            if found is None:
                result.fail("the report is not a readable sh:ValidationReport")
                return
            self.validations[engine] = found
            result.notes.append(f"{found.count} results")
            self.check_faults(engine, found, result)

    def check_faults(self, engine: str, found: Validation, result: Result) -> None:
        manifest = self.manifest(self.fault_pages)
        pairs = {(r[0], r[1]) for r in found.results}
        missing = [
            (f["kind"], focus, shape)
            for f in manifest["faults"]
            for focus, shape in f["expect"]
            if (focus, shape) not in pairs
        ]
        expected = sum(len(f["expect"]) for f in manifest["faults"])
        if missing:
            kinds = sorted({kind for kind, _, _ in missing})
            result.notes.append(
                f"MISSED {len(missing)} of {expected} seeded results ({', '.join(kinds)})"
            )
        else:
            result.notes.append(f"all {expected} seeded results found")

    def compare_validations(self) -> None:
        kg, ref = self.validations.get("sparql"), self.validations.get("pyshacl")
        if kg is None or ref is None:
            return
        only_kg = kg.results - ref.results
        only_ref = ref.results - kg.results
        if not only_kg and not only_ref:
            text = f"identical ({len(kg.results)} results)"
        else:
            text = f"DIFFER: {len(only_kg)} only in kg, {len(only_ref)} only in pySHACL"
            for tag, items in (("only kg", only_kg), ("only pySHACL", only_ref)):
                for item in sorted(items)[:5]:
                    self.comparison.append(f"{tag}: " + " | ".join(item))
        self.results["pyshacl"].notes.insert(0, text)
        if "validate" in self.results:
            self.results["validate"].notes.insert(0, f"vs pySHACL: {text}")

    def step_optimize(self, round_: int) -> None:
        """``kg optimize`` of a copy of the store as loaded (copied untimed, each round)."""
        result = self.results["optimize"]
        if not self.can_use_store("optimize"):
            return
        self.optimized_ready = False
        if round_ == 0 or not self.loaded_copy.exists():  # the reload step changes the store
            shutil.rmtree(self.loaded_copy, ignore_errors=True)
            shutil.copytree(self.store, self.loaded_copy)
        shutil.rmtree(self.optimized_store, ignore_errors=True)
        shutil.copytree(self.loaded_copy, self.optimized_store)
        self.log(f"optimize round {round_ + 1}")
        sample = self.measure("optimize", self.kg("optimize", "--store", str(self.optimized_store)))
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return
        result.add(sample)
        result.amount = (self.n, "q")
        self.optimized_ready = True
        if round_ == 0 and sample.stdout.strip():
            line = sample.stdout.strip().splitlines()[-1]
            result.notes.append(line.replace(str(self.optimized_store), "a copy of the store"))

    def step_queries(self, round_: int) -> None:
        result = self.results["queries"]
        if round_ > 0 or not self.can_use_store("queries"):
            return
        listing = self.measure("query-list", [*PYTHON, "-m", "bench.steps", "query-list"])
        if not listing.ok:
            result.fail(listing.last_error())
            return
        slow: list[str] = []
        stores = [(self.store, "")]
        if self.optimized_ready:  # the same calls again, after kg optimize
            stores.append((self.optimized_store, OPTIMIZED))
        calls = listing.data.get("calls", [])
        for (store, suffix), (label, name, args) in itertools.product(stores, calls):
            label += suffix
            self.log(f"query {label}")
            sample = self.measure(
                f"query-{label}",
                [*PYTHON, "-m", "bench.steps", "query", str(store), name, json.dumps(args),
                 "--repeat", str(self.cfg.query_repeat), "--slow", str(self.cfg.query_slow)],
                timeout=self.cfg.query_timeout,
            )  # fmt: skip
            if not sample.ok:
                self.query_errors[label] = sample.killed or sample.last_error()
                result.notes.append(f"{label}: {self.query_errors[label]}")
                continue
            self.query_results[label] = sample.data["runs"]
            self.query_rows[label] = sample.data["rows"]
            self.query_rss.append(sample.rss_mib)
            result.cpus.append(sample.cpu)
            if len(sample.data["runs"]) < self.cfg.query_repeat:
                slow.append(label)
        medians = {
            k: statistics.median(v) for k, v in self.query_results.items() if OPTIMIZED not in k
        }
        if medians:
            worst = max(medians, key=lambda k: medians[k])
            values = sorted(medians.values())
            result.walls = [values[0], statistics.median(values), values[-1]]
            result.rsss = [max(self.query_rss)]
            result.cpus = [sum(result.cpus)]
            result.notes.insert(
                0,
                f"{len(medians)} calls of {len({k.split('(')[0] for k in medians})} queries, "
                f"each its own process, cold run then {self.cfg.query_repeat} timed runs; wall = "
                f"min/median/max of the per-call medians; slowest {worst}",
            )
            if len(stores) > 1:
                result.notes.append(
                    f"then the same calls on the store after kg optimize ({OPTIMIZED.strip()})"
                )
            if slow:
                result.notes.append(
                    f"one run only (cold run over {self.cfg.query_slow:g} s): {', '.join(slow)}"
                )
        if self.query_errors and not medians:
            result.fail("every query failed")

    def step_export(self, round_: int) -> None:
        for fmt in EXPORT_FORMATS:
            key = f"export-{fmt}"
            result = self.results[key]
            if not self.can_use_store(key):
                continue
            self.ensure_store_triples()
            out = self.fresh(f"export.{fmt}")
            self.log(f"export {fmt} round {round_ + 1}")
            sample = self.measure(
                key, self.kg("export", "--store", str(self.store), "-f", fmt, "-o", str(out))
            )
            if not sample.ok:
                result.fail(sample.killed or sample.last_error())
                continue
            result.add(sample)
            result.amount = (self.store_triples or self.n, "triples" if self.store_triples else "q")
            if round_ == 0:
                result.notes.append(f"{out.stat().st_size / 1048576:,.0f} MiB")
            out.unlink(missing_ok=True)

    def step_reload(self, round_: int) -> None:
        result = self.results["reload"]
        if not self.can_use_store("reload"):
            return
        changes = self.root / f"changes-{round_ + 1}"
        self.ensure_pages(changes, self.n, variant=round_ + 1)
        changed = self.manifest(changes)["written"]
        self.log(f"reload round {round_ + 1} ({changed} changed questions)")
        sample = self.measure(
            "reload", self.kg("load", str(changes), "--store", str(self.store), "--silent")
        )
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return
        result.add(sample)
        result.amount = (changed, "q")
        if round_ == 0:
            summary = sample.stdout.strip().splitlines()[-1] if sample.stdout.strip() else ""
            result.notes.append(summary.replace("Loaded ", "")[:160])

    def after_rounds(self) -> None:
        self.compare_validations()
        reload = self.results.get("reload")
        if reload is not None and reload.walls and not self.have.get("validate"):
            self.log("checking the store after the reloads (kg validate, not timed)")
            sample = self.measure("reload-check", self.kg("validate", "--store", str(self.store)))
            first = sample.stdout.strip().splitlines()[0] if sample.stdout.strip() else "?"
            reload.notes.append(f"after: {first[:150]}")

    def run_round(self, round_: int) -> None:
        for step in self.cfg.steps:
            if round_ >= self.cfg.step_repeat.get(step, self.cfg.repeat):
                continue
            if step in ("load", "load-novalidate"):
                self.step_load(round_, validate=step == "load")
            elif step == "convert":
                self.step_convert(round_)
            elif step in ("floor", "floor-cli", "floor-sorted"):
                self.step_floor(round_, step)
            elif step == "naive":
                self.step_naive(round_)
            elif step in ("validate", "pyshacl"):
                self.step_validate(round_, engine="sparql" if step == "validate" else "pyshacl")
            elif step == "optimize":
                self.step_optimize(round_)
            elif step == "queries":
                self.step_queries(round_)
            elif step == "export":
                self.step_export(round_)
            elif step == "reload":
                self.step_reload(round_)

    def cleanup(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        if not self.cfg.keep:
            for path in (self.store, self.loaded_copy, self.optimized_store, self.fault_store):
                shutil.rmtree(path, ignore_errors=True)
            self.nt.unlink(missing_ok=True)
            self.sorted_nt.unlink(missing_ok=True)


def parse_report(path: Path) -> Validation | None:
    """The (focus, shape, component, severity, message) of every result of a Turtle report."""
    import pyoxigraph as ox

    try:
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError, ValueError):
        return None
    query = f"""
        PREFIX sh: <{SH}>
        SELECT ?focus ?shape ?component ?severity ?message WHERE {{
            ?r a sh:ValidationResult ; sh:focusNode ?focus ; sh:sourceShape ?shape ;
               sh:sourceConstraintComponent ?component ; sh:resultSeverity ?severity .
            OPTIONAL {{ ?r sh:resultMessage ?message }}
        }}"""
    results: set[tuple[str, str, str, str, str]] = set()
    count = 0
    for row in store.query(query):  # type: ignore[union-attr]
        count += 1
        results.add(tuple(_text(row[v]) for v in ("focus", "shape", "component", "severity", "message")))  # type: ignore[arg-type]  # fmt: skip
    return Validation(results, count)


def _text(term: Any) -> str:
    if term is None:
        return ""
    kind = type(term).__name__
    if kind == "BlankNode":
        return "_:b"  # blank nodes have no identity across reports
    return str(getattr(term, "value", term))


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


# --- the command ---------------------------------------------------------------------------


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
    parser.add_argument(
        "--compiled",
        action="store_true",
        help="build kg with its mypyc hook (needs a C compiler) and run the steps on that build",
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
        pyshacl_repeat=args.pyshacl_repeat or repeat,
        pyshacl_timeout=args.pyshacl_timeout,
        pyshacl_slow=args.pyshacl_slow,
        naive_max=args.naive_max,
        naive_repeat=args.naive_repeat or repeat,
        query_repeat=max(3, args.query_repeat),
        query_timeout=args.query_timeout,
        query_slow=args.query_slow,
        timeout=args.timeout,
        rss_limit_mib=args.rss_limit * GIB,
        jobs=args.jobs,
        smoke=args.smoke,
        keep=args.keep,
        compiled=args.compiled,
        command="python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
    )


#: Steps run as a user's kg does: from compiled bytecode (an installed kg has it), even where
#: the environment says not to write any; kg and bench from the repository.
STEP_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
STEP_ENVIRONMENT["PYTHONPATH"] = os.pathsep.join(
    [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
)


def build_compiled(workdir: Path) -> Path:
    """kg built as a wheel with its mypyc hook and unpacked: the folder to import it from. The
    hook's build products are cleaned out of the repository afterwards."""
    target = workdir / "compiled"
    shutil.rmtree(target, ignore_errors=True)
    env = {
        **STEP_ENVIRONMENT,
        "HATCH_BUILD_HOOK_ENABLE_MYPYC": "1",
        "HATCH_BUILD_CLEAN_HOOKS_AFTER": "1",
    }
    command = [PY, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(target), str(REPO)]
    subprocess.run(command, env=env, check=True)
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
