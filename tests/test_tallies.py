"""The tallies kept in the store: a recount from the records, and the queries that say whether
a store keeps them (kg.tallies)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import tallies, vocab
from kg.tally_changes import Totals, contributions
from tests.conftest import stored_tally_lines

KG, XSD, PARL = vocab.KG, vocab.XSD, vocab.PARL
R = "http://example.org/question/"
M = "http://example.org/member/"
TYPE = f"<{vocab.RDF_TYPE}>"
INTEGER = f"^^<{XSD}integer>"


def day(text: str) -> str:
    return f'"{text}"^^<{XSD}date>'


def department(number: int) -> str:
    return f"<{vocab.department_iri(str(number))}>"


def member(number: int) -> str:
    return f"<{M}{number}>"


def question(
    number: int,
    *,
    departments: Iterable[str] = (),
    askers: Iterable[str] = (),
    tabled: Iterable[str] = (),
    answerers: Iterable[str] | None = None,
    answered: Iterable[str] = (),
    days: Iterable[int] = (),
) -> list[str]:
    """A question's record as the tallies read it, in N-Triples; an answer when ``answerers``
    is given."""
    q = f"<{R}{number}>"
    lines = [f"{q} {TYPE} <{vocab.QUESTION}> .\n"]
    lines += [f"{q} <{vocab.ANSWERING_DEPARTMENT}> {d} .\n" for d in departments]
    lines += [f"{q} <{PARL}tablingMember> {m} .\n" for m in askers]
    lines += [f"{q} <{vocab.DCTERMS}date> {d} .\n" for d in tabled]
    lines += [f'{q} <{vocab.DAYS_TO_ANSWER}> "{n}"{INTEGER} .\n' for n in days]
    if answerers is not None:
        a = f"<{R}{number}/answer>"
        lines.append(f"{q} <{PARL}answer> {a} .\n")
        lines += [f"{a} <{PARL}answeringMember> {m} .\n" for m in answerers]
        lines += [f"{a} <{PARL}dateOfAnswer> {d} .\n" for d in answered]
    return lines


def store_of(lines: Iterable[str]) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load("".join(lines), pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def lexical(term: str) -> str:
    return term[1:-1] if term.startswith("<") else term[1 : term.rindex('"')]


def tally(
    kind: str,
    dept: str,
    second: tuple[str, str],
    count: tuple[str, int],
    dates: tuple[str, str] | None = None,
) -> set[str]:
    """One tally's lines as documented: a node in kg's namespace named by the SHA-1 of its
    key's lexical forms; its department, its second term, its count, its first and last days."""
    path = {
        "AskingTally": "asking",
        "AnsweringTally": "answering",
        "AnswerTimeTally": "answer-time",
        "DayTally": "day",
        "MonthTally": "month",
    }[kind]
    name = hashlib.sha1(f"{lexical(dept)} {lexical(second[1])}".encode()).hexdigest()
    node = f"<{vocab.KG_ID}tally/{path}/{name}>"
    lines = {
        f"{node} {TYPE} <{KG}{kind}> .\n",
        f"{node} <{KG}department> {dept} .\n",
        f"{node} <{KG}{second[0]}> {second[1]} .\n",
        f'{node} <{KG}{count[0]}> "{count[1]}"{INTEGER} .\n',
    }
    if dates is not None:
        lines.add(f"{node} <{KG}firstDate> {dates[0]} .\n")
        lines.add(f"{node} <{KG}lastDate> {dates[1]} .\n")
    return lines


#: Three questions and one that names no department (so is in no tally): two of department 1
#: asked by member 1 and answered by member 2; one of department 2 whose asker is named by
#: text only (counted in no member's tally), tabled in another month.
RECORDS = [
    *question(
        1,
        departments=[department(1)],
        askers=[member(1)],
        tabled=[day("2024-03-18")],
        answerers=[member(2)],
        answered=[day("2024-03-20")],
        days=[2],
    ),
    *question(
        2,
        departments=[department(1)],
        askers=[member(1)],
        tabled=[day("2024-03-25")],
        answerers=[member(2)],
        answered=[day("2024-04-02")],
        days=[8],
    ),
    *question(3, departments=[department(2)], askers=['"Member 3"'], tabled=[day("2024-04-01")]),
    *question(4, askers=[member(1)], tabled=[day("2024-05-01")], days=[1]),
]
MONTH = f"<{XSD}gYearMonth>"
#: The tallies of :data:`RECORDS`, and the marker.
RECORDS_TALLIES = {
    tallies.MARKER_LINE,
    *tally(
        "AskingTally",
        department(1),
        ("member", member(1)),
        ("questions", 2),
        (day("2024-03-18"), day("2024-03-25")),
    ),
    *tally(
        "AnsweringTally",
        department(1),
        ("member", member(2)),
        ("answers", 2),
        (day("2024-03-20"), day("2024-04-02")),
    ),
    *tally("AnswerTimeTally", department(1), ("days", f'"2"{INTEGER}'), ("questions", 1)),
    *tally("AnswerTimeTally", department(1), ("days", f'"8"{INTEGER}'), ("questions", 1)),
    *tally("DayTally", department(1), ("day", day("2024-03-18")), ("questions", 1)),
    *tally("DayTally", department(1), ("day", day("2024-03-25")), ("questions", 1)),
    *tally("DayTally", department(2), ("day", day("2024-04-01")), ("questions", 1)),
    *tally("MonthTally", department(1), ("month", f'"2024-03"^^{MONTH}'), ("questions", 2)),
    *tally("MonthTally", department(2), ("month", f'"2024-04"^^{MONTH}'), ("questions", 1)),
}


def kept_row(store: pyoxigraph.Store) -> tuple[str, str]:
    """KEPT_QUERY's one row, ``?kept`` and ``?loaded``, as N-Triples terms."""
    solutions = store.query(tallies.KEPT_QUERY)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    rows = [(str(row["kept"]), str(row["loaded"])) for row in solutions]
    assert len(rows) == 1
    return rows[0]


def tally_count(store: pyoxigraph.Store) -> int:
    """COUNT_QUERY's answer: how many tally nodes the store holds."""
    solutions = store.query(tallies.COUNT_QUERY)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    ((count,),) = [tuple(row) for row in solutions]
    assert isinstance(count, pyoxigraph.Literal)
    return int(count.value)


TRUE, FALSE = f'"true"^^<{XSD}boolean>', f'"false"^^<{XSD}boolean>'


def test_the_marker_and_the_kinds_of_tally() -> None:
    assert tallies.MARKER == "https://w3id.org/parliament-kg/id/tallies-2"
    assert tallies.MARKER_LINE == (
        "<https://w3id.org/parliament-kg/id/tallies-2> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/parliament-kg/def#TallySet> .\n"
    )
    names = ("AskingTally", "AnsweringTally", "AnswerTimeTally", "DayTally", "MonthTally")
    assert tuple(KG + name for name in names) == tallies.KINDS


def test_a_recount_writes_the_tallies_of_the_records() -> None:
    store = store_of(RECORDS)
    tallies.recount(store)
    assert stored_tally_lines(store) == RECORDS_TALLIES
    # The records themselves are left as they were.
    assert len(store) == len(set(RECORDS)) + len(RECORDS_TALLIES)
    assert tally_count(store) == 9  # the marker is not a tally


def test_a_recount_gives_what_a_bulk_load_s_totals_give() -> None:
    totals = Totals()
    totals.add(contributions([f"{R}{n}" for n in range(1, 5)], RECORDS))
    assert set(totals.lines()) == RECORDS_TALLIES


def test_a_recount_replaces_stale_tallies_and_an_older_kg_s_marker() -> None:
    store = store_of(RECORDS)
    stale = "<https://w3id.org/parliament-kg/id/tally/asking/stale>"
    store.load(
        f"{stale} {TYPE} <{vocab.ASKING_TALLY}> .\n"
        f'{stale} <{KG}questions> "99"{INTEGER} .\n'
        f"{stale} <{KG}department> {department(1)} .\n"
        f"<{vocab.KG_ID}tallies> {TYPE} <{vocab.TALLY_SET}> .\n"
        + "".join(tally("DayTally", department(3), ("day", day("2020-01-01")), ("questions", 5))),
        pyoxigraph.RdfFormat.N_TRIPLES,
    )
    tallies.recount(store)
    assert stored_tally_lines(store) == RECORDS_TALLIES
    tallies.recount(store)  # and again: the same
    assert stored_tally_lines(store) == RECORDS_TALLIES
    assert len(store) == len(set(RECORDS)) + len(RECORDS_TALLIES)


def test_a_recount_of_a_store_without_records_leaves_the_marker_alone() -> None:
    store = store_of(RECORDS)
    tallies.recount(store)
    store.update(
        "DELETE { ?q ?p ?o } WHERE { ?q ?p ?o FILTER(STRSTARTS(STR(?q), 'http://example.org/')) }"
    )
    tallies.recount(store)
    assert stored_tally_lines(store) == {tallies.MARKER_LINE}
    assert tally_count(store) == 0


def test_are_kept_and_kept_query_read_the_marker_and_the_questions() -> None:
    empty = pyoxigraph.Store()
    assert not tallies.are_kept(empty)
    assert kept_row(empty) == (FALSE, FALSE)  # an empty store: nothing to count

    store = store_of(RECORDS)
    assert not tallies.are_kept(store)
    assert kept_row(store) == (FALSE, TRUE)  # loaded by an older kg: recount
    tallies.recount(store)
    assert tallies.are_kept(store)
    assert kept_row(store) == (TRUE, TRUE)

    # The marker says so, whatever tallies there are (or are not).
    store.update(f"DELETE DATA {{ {tallies.MARKER_LINE[:-2]} }}")
    assert not tallies.are_kept(store) and kept_row(store) == (FALSE, TRUE)
    assert tally_count(store) == 9
    only_marker = store_of([tallies.MARKER_LINE])
    assert tallies.are_kept(only_marker) and kept_row(only_marker) == (TRUE, FALSE)


def test_a_tally_counts_distinct_questions_and_a_month_the_sum_of_its_days() -> None:
    # Question 1, tabled on two days, for two departments; question 2 for the first alone.
    two_days = [day("2024-01-30"), day("2024-01-31")]
    both = [department(1), department(2)]
    lines = question(1, departments=both, askers=[member(1)], tabled=two_days)
    lines += question(
        2, departments=[department(1)], askers=[member(1)], tabled=[day("2024-02-01")]
    )
    store = store_of(lines)
    tallies.recount(store)
    asker = ("member", member(1))
    expected = {tallies.MARKER_LINE}
    expected |= tally(
        "AskingTally", department(1), asker, ("questions", 2), (two_days[0], day("2024-02-01"))
    )
    expected |= tally(
        "AskingTally", department(2), asker, ("questions", 1), (two_days[0], two_days[1])
    )
    for dept, tabled in [
        (department(1), [*two_days, day("2024-02-01")]),
        (department(2), two_days),
    ]:
        for each in tabled:
            expected |= tally("DayTally", dept, ("day", each), ("questions", 1))
    january, february = (("month", f'"2024-0{n}"^^{MONTH}') for n in (1, 2))
    expected |= tally("MonthTally", department(1), january, ("questions", 2))  # 1 on two days
    expected |= tally("MonthTally", department(1), february, ("questions", 1))
    expected |= tally("MonthTally", department(2), january, ("questions", 2))
    assert stored_tally_lines(store) == expected


def test_a_question_without_a_day_leaves_the_first_and_last_days_of_the_others() -> None:
    lines = question(1, departments=[department(1)], askers=[member(1)], tabled=[day("2024-01-31")])
    lines += question(2, departments=[department(1)], askers=[member(1)])
    store = store_of(lines)
    tallies.recount(store)
    totals = Totals()
    totals.add(contributions([R + "1", R + "2"], lines))
    first_last = (day("2024-01-31"), day("2024-01-31"))
    asked = tally("AskingTally", department(1), ("member", member(1)), ("questions", 2), first_last)
    assert asked <= set(totals.lines())  # what a load keeps
    assert asked <= stored_tally_lines(store)


def test_only_dates_are_days_and_a_date_time_is_a_day_of_its_own() -> None:
    at_ten = f'"2024-02-29T10:00:00Z"^^<{XSD}dateTime>'
    lines = question(1, departments=[department(1)], tabled=[at_ten])
    lines += question(2, departments=[department(1)], tabled=['"2024-02-28"'])
    store = store_of(lines)
    tallies.recount(store)
    expected = {tallies.MARKER_LINE}
    expected |= tally("DayTally", department(1), ("day", at_ten), ("questions", 1))
    expected |= tally(
        "MonthTally", department(1), ("month", f'"2024-02"^^{MONTH}'), ("questions", 1)
    )
    assert stored_tally_lines(store) == expected


# --- any few questions: the tallies are the counts an aggregate over the records gives -----

_DEPARTMENTS = [department(1), department(2)]
_MEMBERS = [member(1), member(2), '"Member 3"']
_DAYS = [day("2024-01-31"), day("2024-02-01"), day("2024-02-29")]


@st.composite
def _records(draw: st.DrawFn) -> list[list[str]]:
    """A few questions' records: departments, askers, answerers (some named by text only) and
    days of two months, or none (which the shapes forbid, and a load without validation keeps)."""

    def some(values: list[str], most: int, least: int = 0) -> list[str]:
        found = st.lists(st.sampled_from(values), min_size=least, max_size=most, unique=True)
        return draw(found)

    records = []
    for number in range(draw(st.integers(min_value=0, max_value=4))):
        answered = draw(st.booleans())
        records.append(
            question(
                number,
                departments=some(_DEPARTMENTS, 2),
                askers=some(_MEMBERS, 2),
                tabled=some(_DAYS, 2),
                answerers=some(_MEMBERS, 1) if answered else None,
                answered=some(_DAYS, 2),
                days=draw(st.lists(st.sampled_from([0, 5]), max_size=1)),
            )
        )
    return records


def _aggregated(records: list[list[str]]) -> set[str]:
    """The tallies as the module's documentation defines them, counted here in Python."""
    counted: dict[tuple[str, str, tuple[str, str], str], set[str]] = {}
    dates: dict[tuple[str, str, tuple[str, str], str], set[str]] = {}

    def count(kind: str, dept: str, second: tuple[str, str], what: str, key: str) -> None:
        counted.setdefault((kind, dept, second, what), set()).add(key)

    for number, lines in enumerate(records):
        q, a = f"<{R}{number}>", f"<{R}{number}/answer>"
        values: dict[tuple[str, str], list[str]] = {}
        for line in lines:
            s, p, o = line[:-3].split(" ", 2)
            values.setdefault((s, p), []).append(o)
        tabled = values.get((q, f"<{vocab.DCTERMS}date>"), [])
        for dept in values.get((q, f"<{vocab.ANSWERING_DEPARTMENT}>"), []):
            for m in values.get((q, f"<{PARL}tablingMember>"), []):
                if m.startswith("<"):
                    key = ("AskingTally", dept, ("member", m), "questions")
                    count(*key, q)
                    dates.setdefault(key, set()).update(tabled)
            for m in values.get((a, f"<{PARL}answeringMember>"), []):
                key = ("AnsweringTally", dept, ("member", m), "answers")
                if m.startswith("<") and (q, f"<{PARL}answer>") in values:
                    count(*key, a)
                    answered = values.get((a, f"<{PARL}dateOfAnswer>"), [])
                    dates.setdefault(key, set()).update(answered)
            for n in values.get((q, f"<{vocab.DAYS_TO_ANSWER}>"), []):
                count("AnswerTimeTally", dept, ("days", n), "questions", q)
            for d in tabled:
                count("DayTally", dept, ("day", d), "questions", q)
                month = ("month", f'"{lexical(d)[:7]}"^^{MONTH}')
                count("MonthTally", dept, month, "questions", f"{q} {d}")
    out = {tallies.MARKER_LINE}
    for (kind, dept, second, what), keys in counted.items():
        found = sorted(dates.get((kind, dept, second, what), ()))
        first_last = (found[0], found[-1]) if found else None
        out |= tally(kind, dept, second, (what, len(keys)), first_last)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records())
def test_a_recount_counts_what_an_aggregate_over_the_records_counts(
    records: list[list[str]],
) -> None:
    store = store_of(line for lines in records for line in lines)
    tallies.recount(store)
    lines = stored_tally_lines(store)
    assert lines == _aggregated(records)
    assert tally_count(store) == sum(1 for line in lines if line.split(" ")[1] == TYPE) - 1
    questions = [f"{R}{n}" for n in range(len(records))]
    totals = Totals()
    totals.add(contributions(questions, [line for lines in records for line in lines]))
    assert set(totals.lines()) == lines
