"""The steps that load the pages: kg load (with and without validation), kg's converter
alone, the floor (Oxigraph's bulk load of kg's N-Triples, from Python and from its CLI, and of
the store's own dump), and the naive rdflib path."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.config import PY, PYTHON
from bench.measure import Sample
from bench.size_workspace import SizeWorkspace


class LoadSteps(SizeWorkspace):
    """The steps of one size that load its pages."""

    def measure_into(self, step: str, cmd: list[str], target: Path) -> Sample | None:
        """Run ``cmd``, which loads the size's questions into ``target`` (removed after), as
        a round of ``step``; its sample, or None when it failed (and the step with it)."""
        sample = self.measure(step, cmd)
        shutil.rmtree(target, ignore_errors=True)
        result = self.results[step]
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return None
        result.add(sample)
        result.amount = (self.n, "q")
        return sample

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
        if not self.available("convert"):  # failed in an earlier round
            return
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
            n, lines = data["questions"], data["triples"]
            rate = n / max(data["read_cpu"] + data["convert_cpu"], 1e-9)
            floor_rate = n / max(data["floor_read_cpu"] + data["floor_cpu"], 1e-9)
            result.notes.append(
                f"{lines / max(n, 1):.1f} lines/question; with JSON parsing {rate:,.0f} q per "
                f"CPU-s; the conversion floor {n / max(data['floor_cpu'], 1e-9):,.0f} q per "
                f"CPU-s, with JSON parsing {floor_rate:,.0f} "
                f"({data['floor_lines'] / max(n, 1):.1f} lines/question, see bench/convert_floor.py); "
                f"whole process {sample.wall:.1f} s"
            )
        result.floor_cpus.append(data["floor_cpu"])

    def step_floor(self, round_: int, step: str) -> None:
        result = self.results[step]
        if not self.available(step):  # failed or found missing in an earlier round
            return
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
        sample = self.measure_into(step, cmd, target)
        if sample is None:
            return
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
        if round_ >= self.cfg.naive_repeat or not self.available("naive"):
            return
        self.ensure_pages(self.pages, self.n)
        target = self.fresh("naive")
        self.log(f"naive round {round_ + 1}")
        cmd = [*PYTHON, "-m", "bench.steps", "naive", str(self.pages), str(target)]
        sample = self.measure_into("naive", cmd, target)
        if sample is None:
            return
        if round_ == 0:
            result.notes.append(
                f"{sample.data.get('triples', 0):,} triples (no types, departments, houses, "
                "links or checks)"
            )
