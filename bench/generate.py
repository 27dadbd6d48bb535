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
import bisect
import json
import multiprocessing
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.faults import bad_member, expected_results, fault_plan
from bench.world import (
    DEPARTMENTS,
    FIRST_ID,
    MEMBERS,
    N_DAYS,
    RESOURCES,
    Member,
    World,
    esc,
    esc_html,
    make_world,
)

GENERATOR_VERSION = "2"
#: The JSON description of what was generated, beside the pages (no .json suffix, so that
#: ``kg load FOLDER`` does not take it for a page).
MANIFEST = "manifest"
KGSH = "https://w3id.org/parliament-kg/shapes#"
API = "http://eldaddp.azurewebsites.net/answeredquestions.json"
COMMONS_TERM = "http://data.parliament.uk/terms/25259"
LORDS_TERM = "http://data.parliament.uk/terms/25277"
LDA = "http://purl.org/linked-data/api/vocab#"
#: Every CHANGE_EVERY-th question (index % CHANGE_EVERY == CHANGE_OFFSET) is a "changed" one.
CHANGE_EVERY = 100
CHANGE_OFFSET = 37

#: The days from tabling to answering, drawn uniformly from this list (median 7, long tail).
_DELAYS = (
    [0] * 2 + [1] * 6 + [2] * 8 + [3] * 8 + [4] * 8 + [5] * 9 + [6] * 8 + [7] * 8 + [8] * 6
    + [9] * 5 + [10] * 4 + [12] * 4 + [14] * 4 + [17] * 3 + [21] * 3 + [28] * 2 + [35] * 2
    + [45] + [60] + [90] + [120]
)  # fmt: skip


@dataclass
class Options:
    questions: int
    seed: int
    page_size: int = 500
    faults: dict[int, str] = field(default_factory=dict)
    #: 0: the questions as first published; V > 0: only the changed ones, amended (variant V).
    variant: int = 0


@dataclass
class PageStats:
    counts: Counter[str] = field(default_factory=Counter)
    written: int = 0


def _answer_html(world: World, rng: random.Random, extra: str = "") -> str:
    """0.5–4 KB of escaped HTML: a run of consecutive paragraphs from the pool."""
    target = int(500 + 3500 * rng.random() ** 2.2)
    start = rng.randrange(400)
    base = world.ends[start - 1] if start else 0
    end = bisect.bisect_left(world.ends, base + target, lo=start) + 1
    return extra + "".join(world.paragraphs[start:end])


def _member_json(member: Member, about: str | None = None) -> str:
    if about is None:
        return member.json
    return (
        f'{{"_about" : "{about}", "label" : {{"_value" : '
        f'"Biography information for {member.name}"}} }}'
    )


def _uin(index: int, house: int) -> str:
    return f"HL{index + 1}" if house == 2 else str(index + 1)


def _item(
    world: World,
    rng: random.Random,
    opts: Options,
    index: int,
    group: list[int],
    shared: tuple[int, int, int, int, Member],
    stats: Counter[str],
) -> str:
    """One item's JSON text (keys in the API's order: alphabetical, AnsweringBody first)."""
    fault = opts.faults.get(index, "")
    house, dept_index, tabled, delay, minister = shared
    dept_id, body, short = world.departments[dept_index]
    qid = FIRST_ID + index
    q = f"{RESOURCES}{qid}"
    uin = _uin(index, house)
    members = world.commons if house == 1 else world.lords
    asker = members[int(len(members) * rng.random() ** 1.6)]
    answered = tabled + delay
    if fault == "answer_before_question":
        answered = tabled - 3
    stats["house" + str(house)] += 1

    # --- the answer -----------------------------------------------------------------------
    a: list[str] = [f'{{"_about" : "{q}/answer"']
    extra = ""
    if opts.variant and index % CHANGE_EVERY == CHANGE_OFFSET:
        extra = esc_html(f"<p>Amended (update {opts.variant}) on review of the figures.</p>\n")
    if rng.random() < 0.995 or extra:
        a.append(f'"answerText" : {{"_value" : "{_answer_html(world, rng, extra)}"}} ')
    else:
        stats["no_answer_text"] += 1
    if fault == "placeholder_answerer":
        a.append(f'"answeringMember" : {_member_json(minister, MEMBERS + "0")} ')
    else:
        a.append(f'"answeringMember" : {_member_json(minister)} ')
    if minister.constituency is not None:
        a.append(f'"answeringMemberConstituency" : {{"_value" : "{minister.constituency}"}} ')
    a.append(f'"answeringMemberPrinted" : {{"_value" : "{minister.name}"}} ')
    if rng.random() < 0.03:
        count = rng.randint(1, 3)
        stats["attachments"] += count
        files = [
            f'{{"_about" : "{q}/answer/attachment/{k}", "fileName" : {{"_value" : '
            f'"{uin}_table_{k}.xlsx"}} , "sizeInBytes" : {{"_value" : "{rng.randint(9000, 900000)}", '
            f'"_datatype" : "integer"}} , "title" : {{"_value" : "Table {k}"}} }}'
            for k in range(1, count + 1)
        ]
        a.append(f'"attachment" : [{" , ".join(files)} ]')
        a.append(f'"attachmentCount" : {{"_value" : "{count}", "_datatype" : "integer"}} ')
    correction = rng.random() < 0.02
    day_answered = world.days[answered] if answered >= 0 else "2014-04-28"
    if correction:
        corrector = rng.choice(world.ministers[dept_index][house])
        a.append(f'"correctingMember" : {_member_json(corrector)} ')
        a.append(f'"correctingMemberPrinted" : {{"_value" : "{corrector.name}"}} ')
    a.append(f'"dateOfAnswer" : {{"_value" : "{day_answered}", "_datatype" : "dateTime"}} ')
    if correction:
        corrected = world.days[answered + rng.randint(7, 60)]
        a.append(f'"dateOfCorrection" : {{"_value" : "{corrected}", "_datatype" : "dateTime"}} ')
    if fault == "grouped_uin_integer":
        a.append(
            f'"groupedQuestionUIN" : [{{"_value" : "{index + 2}", "_datatype" : "integer"}} ]'
        )  # fmt: skip
    elif len(group) > 1:
        others = " , ".join(f'{{"_value" : "{_uin(o, house)}"}}' for o in group if o != index)
        a.append(f'"groupedQuestionUIN" : [{others} ]')
        stats["grouped"] += 1
    if fault == "correction_not_boolean":
        a.append('"isMinisterialCorrection" : {"_value" : "no"} ')
    else:
        flag = "true" if correction else "false"
        a.append(f'"isMinisterialCorrection" : {{"_value" : "{flag}", "_datatype" : "boolean"}} ')
    if correction:
        stats["corrections"] += 1
        versions = []
        for k in range(1, rng.randint(1, 2) + 1):
            stats["previous_versions"] += 1
            versions.append(
                f'{{"_about" : "{q}/answer/previousversion/{qid * 10 + k}", "answerText" : '
                f'{{"_value" : "{_answer_html(world, rng)}"}} , "answeringMember" : '
                f"{_member_json(minister)} , "
                f'"answeringMemberPrinted" : {{"_value" : "{minister.name}"}} , "dateOfAnswer" : '
                f'{{"_value" : "{day_answered}", "_datatype" : "dateTime"}} , '
                f'"isMinisterialCorrection" : {{"_value" : "false", "_datatype" : "boolean"}} , '
                f'"versionNumber" : {{"_value" : "{k}", "_datatype" : "integer"}} }}'
            )
        a.append(f'"previousAnswerVersion" : [{" , ".join(versions)} ]')
    a.append(
        f'"questionFirstAnswered" : [{{"_value" : "{day_answered}'
        f'{world.times[qid % 997]}", "_datatype" : "dateTime"}} ]}}'
    )
    answer = ", ".join(a)

    # --- the question ---------------------------------------------------------------------
    parts: list[str] = [
        f'{{"_about" : "{q}", "AnsweringBody" : [{{"_value" : "{body}"}} ]',
        f'"answer" : {answer} ',
    ]
    if fault != "missing_department":
        parts.append(f'"answeringDeptId" : {{"_value" : "{dept_id}"}} ')
    parts.append(f'"answeringDeptShortName" : {{"_value" : "{short}"}} ')
    parts.append(f'"answeringDeptSortName" : {{"_value" : "{short}"}} ')
    if fault != "missing_date":
        parts.append(f'"date" : {{"_value" : "{world.days[tabled]}", "_datatype" : "dateTime"}} ')
    topic = int(len(world.headings) * rng.random())
    heading = world.headings[topic]
    if rng.random() < 0.98:
        parts.append(f'"hansardHeading" : {{"_value" : "{heading}"}} ')
    else:
        stats["no_heading"] += 1
    parts.append(f'"houseId" : {{"_value" : "{house}"}} ')
    if rng.random() < 0.99:
        term, label = (COMMONS_TERM, "House of Commons") if house == 1 else (LORDS_TERM, "House of Lords")  # fmt: skip
        parts.append(
            f'"legislature" : [{{"_about" : "{term}", "prefLabel" : {{"_value" : "{label}"}} }} ]'
        )
    else:
        stats["no_legislature"] += 1
    if fault != "missing_question_text":
        ways = world.asks[dept_index]
        before, after = ways[int(len(ways) * rng.random()) & ~1 | (house - 1)]
        parts.append(f'"questionText" : "{before}{world.headings_lower[topic]}{after}"')
    if fault == "interest_not_boolean":
        parts.append('"registeredInterest" : {"_value" : "false"} ')
    else:
        interest = "true" if rng.random() < 0.05 else "false"
        parts.append(
            f'"registeredInterest" : {{"_value" : "{interest}", "_datatype" : "boolean"}} '
        )
    if fault == "bad_member_iri":
        parts.append(f'"tablingMember" : {_member_json(asker, bad_member(index))} ')
    else:
        parts.append(f'"tablingMember" : {_member_json(asker)} ')
    if asker.constituency is not None and rng.random() < 0.99:
        parts.append(f'"tablingMemberConstituency" : {{"_value" : "{asker.constituency}"}} ')
    else:
        stats["no_constituency"] += 1
    if rng.random() < 0.8:
        parts.append(f'"tablingMemberPrinted" : [{{"_value" : "{asker.name}"}} ]')
    else:
        parts.append(f'"tablingMemberPrinted" : {{"_value" : "{asker.name}"}} ')
    if fault != "missing_uin":
        parts.append(f'"uin" : "{uin}"}}')
    else:
        parts[-1] = parts[-1].rstrip() + "}"
    return ", ".join(parts)


def page_items(world: World, opts: Options, page: int, stats: PageStats) -> list[str]:
    """The JSON text of each item of page ``page`` (with a variant, of its changed ones)."""
    rng = random.Random(f"{opts.seed}:{page}")
    first = page * opts.page_size
    last = min(first + opts.page_size, opts.questions)
    items: list[str] = []
    index = first
    counts = stats.counts
    while index < last:
        house = 1 if rng.random() < 0.72 else 2
        size = 1
        if rng.random() < 0.06:
            size = min(rng.randint(2, 4), last - index)
        group = list(range(index, index + size))
        if size > 1 and any(i in opts.faults for i in group):
            group = [index]
        dept = int(len(DEPARTMENTS) * rng.random() ** 1.3)
        tabled = rng.randrange(N_DAYS)
        delay = rng.choice(_DELAYS)
        minister = rng.choice(world.ministers[dept][house])
        shared = (house, dept, tabled, delay, minister)
        for member in group:
            text = _item(world, rng, opts, member, group, shared, counts)
            if not opts.variant or member % CHANGE_EVERY == CHANGE_OFFSET:
                items.append(text)
        index += len(group)
    stats.written += len(items)
    return items


def page_text(items: list[str], page: int, opts: Options, total: int) -> str:
    """A whole page as the API writes it: the envelope around the items' JSON."""
    first = page * opts.page_size
    url = esc(f"{API}?_page={page}")
    meta = (
        f'"_about" : "{url}", "definition" : "{esc(API.replace("/answered", "/meta/answered"))}", '
        f'"first" : "{esc(API)}?_page=0", "hasPart" : "{url}", "isPartOf" : "{esc(API)}"'
    )
    tail = f'"itemsPerPage" : {opts.page_size}'
    if first + len(items) < total:
        tail += f', "next" : "{esc(API)}?_page={page + 1}"'
    tail += (
        f', "page" : {page}, "startIndex" : {first + 1}, "totalResults" : {total}, '
        f'"type" : ["{esc(LDA)}ListEndpoint", "{esc(LDA)}Page"]'
    )
    return (
        '{ "format" : "linked-data-api", "version" : "0.2", "result" : {'
        + meta
        + ', "items" : ['
        + " , ".join(items)
        + "], "
        + tail
        + "} }"
    )


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
