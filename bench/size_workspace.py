"""One size's workspace: its generated pages, the stores and N-Triples the steps share
(prepared untimed), its results, and how a step's process is measured."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from bench import generate
from bench.config import EXPORT_FORMATS, PYTHON, REPO, STEP_ENVIRONMENT, Config
from bench.machine import NEEDS
from bench.measure import Sample, run
from bench.results import Result, Validation


class SizeWorkspace:
    """The data, stores and results of one size, which the steps work on."""

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
        self.indexed_store = self.root / "store-text-index"
        self.loaded_copy_made = False
        self.optimized_ready = False
        self.fault_store = self.root / "fault-store"
        self.nt = self.root / "floor.nt"
        self.sorted_nt = self.root / "floor-sorted.nt"
        self.scratch = self.root / "scratch"
        keys = [k for s in cfg.steps for k in ([f"export-{f}" for f in EXPORT_FORMATS] if s == "export" else [s])]  # fmt: skip
        self.results: dict[str, Result] = {k: Result(n, k) for k in keys}
        self.query_results: dict[str, list[float]] = {}
        self.query_rows: dict[str, int] = {}
        #: The queries step's calls: (label, query name, parameters).
        self.query_calls: list[list[Any]] = []
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

    # --- what a step can use ------------------------------------------------------------

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

    def cleanup(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        if not self.cfg.keep:
            for path in (
                self.store,
                self.loaded_copy,
                self.optimized_store,
                self.indexed_store,
                self.fault_store,
            ):
                shutil.rmtree(path, ignore_errors=True)
            self.nt.unlink(missing_ok=True)
            self.sorted_nt.unlink(missing_ok=True)
