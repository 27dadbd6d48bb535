"""Synthetic linked-data-api pages of answered written questions, deterministic from a seed.

The pages are written exactly as the API writes them: its spacing (``"key" : value``,
``} , {``), its escaping (``\\/`` and ``\\uXXXX``) and RAW newlines inside the HTML of
``answerText`` (so a page is not strict JSON, like the real data). The items have the real
data's shapes: both Houses (Lords questions have ``HL`` UINs, no constituencies and may lack a
``legislature`` term), grouped questions (``groupedQuestionUIN`` on each answer of a group, all
tabled and answered the same day), ministerial corrections with previous answer versions,
attachments, HTML answers of 0.5–4 KB, ``tablingMemberPrinted`` as a list or a single object,
absent optional fields, about 1,500 members and 25 departments.

Item ``i`` (0-based) has the IRI ``http://data.parliament.uk/resources/{FIRST_ID + i}``; page
``p`` holds items ``p * page_size`` to ``(p + 1) * page_size - 1`` and draws from a random
generator seeded with ``(seed, p)``, so pages can be made in parallel and any page can be made
again alone. ``--faults K`` seeds K known SHACL faults (listed in the ``manifest`` file with the
results they must give); ``--changed-variant V`` writes only the 1% "changed" questions (every
100th), their answers amended (variant V), to re-load into a store holding the original ones.

    python -m bench.generate --questions 100000 --seed 1 --out /tmp/pages [--faults 50]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.faults import expected_results, fault_plan
from bench.synthetic_pages import (
    CHANGE_EVERY,
    CHANGE_OFFSET,
    Options,
    PageStats,
    page_items,
    page_text,
)
from bench.world import FIRST_ID, RESOURCES, World, make_world

GENERATOR_VERSION = "2"
#: The JSON description of what was generated, beside the pages (no .json suffix, so that
#: ``kg load FOLDER`` does not take it for a page).
MANIFEST = "manifest"
KGSH = "https://w3id.org/parliament-kg/shapes#"


def write_page(out: Path, items: list[str], page: int, opts: Options, total: int) -> None:
    (out / f"page-{page:06d}.json").write_text(
        page_text(items, page, opts, total), encoding="utf-8"
    )


_WORKER: tuple[World, Options, Path] | None = None


def _init_worker(opts: Options, out: Path) -> None:
    global _WORKER
    _WORKER = (make_world(opts.seed), opts, out)


def _make_pages(pages: Sequence[int]) -> tuple[Counter[str], int, list[str]]:
    """Write these pages (or, with a variant, return their changed items to be repacked)."""
    assert _WORKER is not None
    world, opts, out = _WORKER
    stats = PageStats()
    kept: list[str] = []
    for page in pages:
        items = page_items(world, opts, page, stats)
        if opts.variant:
            kept += items
        else:
            write_page(out, items, page, opts, opts.questions)
    return stats.counts, stats.written, kept


def generate(
    out: Path,
    *,
    questions: int,
    seed: int,
    page_size: int = 500,
    faults: int = 0,
    variant: int = 0,
    jobs: int = 1,
) -> dict[str, Any]:
    """Write the pages to ``out`` (and the ``manifest``); returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.json"):
        old.unlink()
    plan = fault_plan(questions, faults)
    opts = Options(questions, seed, page_size, plan, variant)
    n_pages = (questions + page_size - 1) // page_size
    chunks = [list(range(p, min(p + 20, n_pages))) for p in range(0, n_pages, 20)]
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    written = 0
    changed: list[str] = []
    if jobs > 1 and len(chunks) > 1:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(jobs, initializer=_init_worker, initargs=(opts, out)) as pool:
            for part, n, kept in pool.imap(_make_pages, chunks):
                counts.update(part)
                written += n
                changed += kept
    else:
        _init_worker(opts, out)
        for chunk in chunks:
            part, n, kept = _make_pages(chunk)
            counts.update(part)
            written += n
            changed += kept
    # The changed questions come in full pages, as a query for recent changes returns them.
    for page, start in enumerate(range(0, len(changed), page_size)):
        write_page(out, changed[start : start + page_size], page, opts, len(changed))
    seconds = time.perf_counter() - started
    manifest: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "questions": questions,
        "written": written,
        "seed": seed,
        "page_size": page_size,
        "variant": variant,
        "seconds": round(seconds, 3),
        "counts": dict(sorted(counts.items())),
        "faults": [
            {
                "index": index,
                "item": f"{RESOURCES}{FIRST_ID + index}",
                "kind": kind,
                "expect": [[focus, KGSH + shape] for focus, shape in expected_results(index, kind)],
            }
            for index, kind in sorted(plan.items())
        ],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def changed_iris(questions: int) -> list[str]:
    """The questions a variant changes."""
    return [
        f"{RESOURCES}{FIRST_ID + i}" for i in range(CHANGE_OFFSET, questions, CHANGE_EVERY)
    ]  # fmt: skip


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])  # fmt: skip
    parser.add_argument("--questions", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--faults", type=int, default=0, help="seed this many SHACL faults")
    parser.add_argument(
        "--changed-variant",
        type=int,
        default=0,
        help="write only the 1%% changed questions, amended (variant V > 0)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    args = parser.parse_args(list(argv) if argv is not None else None)
    manifest = generate(
        args.out,
        questions=args.questions,
        seed=args.seed,
        page_size=args.page_size,
        faults=args.faults,
        variant=args.changed_variant,
        jobs=args.jobs,
    )
    rate = manifest["written"] / max(manifest["seconds"], 1e-9)
    print(
        f"Wrote {manifest['written']} questions to {args.out} in {manifest['seconds']:.1f} s "
        f"({rate:,.0f} questions/s); {len(manifest['faults'])} seeded faults",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
