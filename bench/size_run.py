"""Every step at one size, round by round."""

from __future__ import annotations

from bench.load_steps import LoadSteps
from bench.store_steps import StoreSteps


class SizeRun(LoadSteps, StoreSteps):
    """Every step at one size: its data, its stores, its results."""

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
            elif step == "text-index":
                self.step_text_index(round_)
            elif step in ("stats", "show"):
                self.step_command(round_, step)
            elif step == "export":
                self.step_export(round_)
            elif step == "reload":
                self.step_reload(round_)
