"""The text of synthetic answered-question items and pages, as the linked-data-api writes them.

What an item holds and how a page wraps the items: see :mod:`bench.generate`, which writes
them to files (in parallel) with their manifest.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from dataclasses import dataclass, field

from bench.faults import bad_member
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
)

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
