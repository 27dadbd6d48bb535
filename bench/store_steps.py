"""The steps on a loaded store: kg validate and pySHACL (on the store with seeded faults),
kg optimize, the canned queries, kg text-index, kg stats, kg show, kg export and the reload of changed
questions."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import statistics
from pathlib import Path

from bench.config import EXPORT_FORMATS, OPTIMIZED, PYTHON, TEXT_INDEXED
from bench.results import Result, Validation, parse_report
from bench.size_workspace import SizeWorkspace

#: The canned queries the text index narrows (those with ``#kg:text-index`` markers).
TEXT_INDEX_QUERIES = ("find-questions",)
_INDEXED = re.compile(r"Indexed (\d+) texts of (\d+) questions in .* \(([\d.,]+ MiB)\)")


class StoreSteps(SizeWorkspace):
    """The steps of one size that work on a loaded store."""

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
        shutil.rmtree(self.optimized_store, ignore_errors=True)
        shutil.copytree(self.as_loaded(), self.optimized_store)
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

    def as_loaded(self) -> Path:
        """A copy of the store as loaded, made when first asked for in this run (before the
        reload step, the last of a round, changes the store)."""
        if not self.loaded_copy_made or not self.loaded_copy.exists():
            shutil.rmtree(self.loaded_copy, ignore_errors=True)
            shutil.copytree(self.store, self.loaded_copy)
            self.loaded_copy_made = True
        return self.loaded_copy

    def step_command(self, round_: int, step: str) -> None:
        """``kg stats``, or ``kg show`` of the first page's first question by its UIN, on the
        store as loaded."""
        result = self.results[step]
        if not self.can_use_store(step):
            return
        args = ["stats", "--csv"] if step == "stats" else ["show", *self.first_question()]
        self.log(f"{step} round {round_ + 1}")
        sample = self.measure(step, self.kg(*args, "--store", str(self.store)))
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return
        result.add(sample)
        result.amount = (self.n, "q")
        if round_ == 0:
            lines = sample.stdout.strip().splitlines()
            if step == "stats":
                result.notes.append("; ".join(line for line in lines[1:4]).replace(",", " "))
            else:
                result.notes.append(f"kg show {' '.join(args[1:])}: {len(lines)} lines")

    def first_question(self) -> list[str]:
        """The UIN of the first page's first question, with its date and house."""
        from kg.reader import expand_inputs, read_page
        from kg.value_cache import iso_day
        from kg.values import plain_text

        self.ensure_pages(self.pages, self.n)
        item = read_page(expand_inputs([str(self.pages)])[0]).items[0]
        uin, day, house = (plain_text(item.get(key)) or "" for key in ("uin", "date", "houseId"))
        return [uin, "--date", iso_day(item.get("date")) or day, "--house", house]

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
        self.query_calls = listing.data.get("calls", [])
        for (store, suffix), (label, name, args) in itertools.product(stores, self.query_calls):
            if not self.time_query(result, store, label + suffix, name, args):
                slow.append(label + suffix)
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

    def time_query(
        self, result: Result, store: Path, label: str, name: str, args: dict[str, str], *more: str
    ) -> bool:
        """One canned-query call in its own process, cold then ``--query-repeat`` times, kept
        under ``label``; False when it was too slow to repeat (or failed)."""
        self.log(f"query {label}")
        sample = self.measure(
            f"query-{label}",
            [*PYTHON, "-m", "bench.steps", "query", str(store), name, json.dumps(args),
             "--repeat", str(self.cfg.query_repeat), "--slow", str(self.cfg.query_slow), *more],
            timeout=self.cfg.query_timeout,
        )  # fmt: skip
        if not sample.ok:
            self.query_errors[label] = sample.killed or sample.last_error()
            result.notes.append(f"{label}: {self.query_errors[label]}")
            return False
        self.query_results[label] = sample.data["runs"]
        self.query_rows[label] = sample.data["rows"]
        self.query_rss.append(sample.rss_mib)
        result.cpus.append(sample.cpu)
        return len(sample.data["runs"]) >= self.cfg.query_repeat

    def step_text_index(self, round_: int) -> None:
        """``kg text-index`` of a copy of the store as loaded (copied untimed, each round); in
        the first round, the calls of the queries it narrows, on that copy."""
        result = self.results["text-index"]
        if not self.can_use_store("text-index"):
            return
        shutil.rmtree(self.indexed_store, ignore_errors=True)
        shutil.copytree(self.as_loaded(), self.indexed_store)
        self.log(f"text-index round {round_ + 1}")
        command = self.kg("text-index", "--store", str(self.indexed_store), "--silent")
        sample = self.measure("text-index", command)
        if not sample.ok:
            result.fail(sample.killed or sample.last_error())
            return
        result.add(sample)
        result.amount = (self.n, "q")
        if round_ > 0:
            return
        built = _INDEXED.search(sample.stdout)
        if built:
            result.notes.append(f"{built[1]} texts of {built[2]} questions, {built[3]} on disk")
        if not self.query_calls:  # no queries step in this run
            listing = self.measure("query-list", [*PYTHON, "-m", "bench.steps", "query-list"])
            self.query_calls = listing.data.get("calls", []) if listing.ok else []
        narrowed = [c for c in self.query_calls if c[1] in TEXT_INDEX_QUERIES and c[2].get("text")]
        for label, name, args in narrowed:
            self.time_query(
                result, self.indexed_store, label + TEXT_INDEXED, name, args, "--text-index"
            )
        result.notes.append(
            f"then {len(narrowed)} call{'s' if len(narrowed) != 1 else ''} of the queries it narrows ({TEXT_INDEXED.strip()} in the"
            " query table)"
        )

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
