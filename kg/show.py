"""One question rendered for a person, the way a parliamentary-monitoring website shows it.

:func:`find_question` turns a UIN or an IRI into the question's IRI, :func:`question_view` reads
what the store knows about it, and :func:`render` lays it out as text. The data has no
minister's role ("Parliamentary Under-Secretary ..."), so none is shown.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph

from kg import vocab
from kg.errors import QueryError
from kg.html_text import html_paragraphs
from kg.output import plain_value, terminal_text
from kg.queries import Runner
from kg.sparql import Term

_BY_UIN = (
    vocab.PREFIX_LINES
    # From the UIN, then looked up: joined, Oxigraph started from every question (6.4 s at a
    # million questions, against under 1 ms so).
    + """SELECT ?uin ?question ?tabled ?house ?houseId WHERE {
  ?question parl:uin ?uin .
  OPTIONAL { ?question dcterms:date ?tabled }
  FILTER(BOUND(?tabled) && EXISTS { ?question a kg:WrittenQuestion })
  OPTIONAL { ?question kg:house/skos:prefLabel ?house }
  OPTIONAL { ?question parl:houseId ?houseId }
} ORDER BY ?tabled ?question"""
)
_PROPERTIES = vocab.PREFIX_LINES + "SELECT ?subject ?p ?o WHERE { ?subject ?p ?o }"
_IS_QUESTION = vocab.PREFIX_LINES + "SELECT ?subject WHERE { ?subject a kg:WrittenQuestion }"
_GROUP = (
    vocab.PREFIX_LINES
    + """SELECT ?question ?other ?uin ?text WHERE {
  ?question kg:groupedWith ?other . ?other parl:uin ?uin .
  OPTIONAL { ?other parl:questionText ?text }
}"""
)
_HOUSE_WORDS = {"commons": "1", "lords": "2"}


@dataclass
class AnswerView:
    """An answer (or a previous version of one)."""

    date: str | None = None
    member: str | None = None
    member_id: str | None = None
    constituency: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    correction: bool = False
    first_answered: str | None = None


@dataclass
class QuestionView:
    """What a person reads about one question."""

    iri: str
    uin: str | None = None
    heading: str | None = None
    house: str | None = None
    tabled: str | None = None
    asked_by: str | None = None
    asked_by_id: str | None = None
    constituency: str | None = None
    department: str | None = None
    question: str | None = None
    answer: AnswerView | None = None
    previous: list[AnswerView] = field(default_factory=list)
    group: list[tuple[str, str]] = field(default_factory=list)


def _rows(runner: Runner, text: str, bindings: Mapping[str, Term]) -> list[dict[str, Term]]:
    outcome = runner(text, bindings)
    return [
        {c: v for c, v in zip(outcome.columns, row, strict=True) if v is not None}
        for row in outcome.rows
    ]


def find_question(
    runner: Runner, ident: str, *, house: str | None = None, date: str | None = None
) -> str:
    """The IRI of the question given by IRI or UIN; a UIN shared by several needs house/date."""
    ident = ident.strip()
    if re.match(r"^https?://", ident):
        try:
            node = pyoxigraph.NamedNode(ident)
        except ValueError as exc:
            raise QueryError(ident, f"not a valid IRI ({exc})", "check the IRI") from exc
        if not _rows(runner, _IS_QUESTION, {"subject": node}):
            known = bool(_rows(runner, _PROPERTIES, {"subject": node}))
            what = "in the store, but not a question" if known else "no such question in the store"
            raise QueryError(ident, what, "give a question's IRI or UIN")
        return ident
    found = _rows(runner, _BY_UIN, {"uin": pyoxigraph.Literal(ident)})
    if house is not None:
        wanted = house.strip().lower()
        wanted_id = _HOUSE_WORDS.get(wanted, wanted)
        found = [r for r in found if _house_matches(r, wanted, wanted_id)]
    if date is not None:
        found = [r for r in found if str(plain_value(r.get("tabled"))) == date.strip()]
    if not found:
        narrowed = " with that house/date" if house or date else ""
        raise QueryError(
            f"UIN {ident}", f"no question{narrowed} in the store", "check the UIN, or give an IRI"
        )
    if len(found) > 1:
        listed = "; ".join(
            f"{plain_value(r.get('house')) or 'house ?'} {plain_value(r.get('tabled'))}"
            for r in found
        )
        raise QueryError(
            f"UIN {ident}",
            f"{len(found)} questions have this UIN ({listed})",
            "say which with --house commons|lords and/or --date YYYY-MM-DD",
        )
    return str(plain_value(found[0]["question"]))


def _house_matches(row: Mapping[str, Term], wanted: str, wanted_id: str) -> bool:
    label = str(plain_value(row.get("house")) or "").lower()
    return str(plain_value(row.get("houseId"))) == wanted_id or (bool(label) and wanted in label)


def _properties(runner: Runner, iri: str) -> dict[str, list[Term]]:
    found: dict[str, list[Term]] = {}
    for row in _rows(runner, _PROPERTIES, {"subject": pyoxigraph.NamedNode(iri)}):
        predicate = row["p"]
        if isinstance(predicate, pyoxigraph.NamedNode):
            found.setdefault(predicate.value, []).append(row["o"])
    return found


def _first(props: Mapping[str, list[Term]], key: str) -> str | None:
    values = sorted(str(plain_value(v)) for v in props.get(vocab.predicate_for_key(key), []))
    return values[0] if values else None


def _link(props: Mapping[str, list[Term]], predicate: str) -> str | None:
    nodes = sorted(v.value for v in props.get(predicate, []) if isinstance(v, pyoxigraph.NamedNode))
    return nodes[0] if nodes else None


def _member_id(iri: str | None) -> str | None:
    if iri and iri.startswith(vocab.PARLIAMENT_MEMBERS):
        return iri[len(vocab.PARLIAMENT_MEMBERS) :]
    return None


def _answer_view(runner: Runner, iri: str) -> tuple[AnswerView, list[str]]:
    props = _properties(runner, iri)
    member = _link(props, vocab.PARL + "answeringMember")
    view = AnswerView(
        date=_first(props, "dateOfAnswer"),
        member=_first(props, "answeringMemberPrinted"),
        member_id=_member_id(member),
        constituency=_first(props, "answeringMemberConstituency"),
        paragraphs=html_paragraphs(_first(props, "answerText") or ""),
        correction=_first(props, "isMinisterialCorrection") == "True",
        first_answered=(_first(props, "questionFirstAnswered") or "")[:10] or None,
    )
    versions = sorted(
        v.value
        for v in props.get(vocab.PARL + "previousAnswerVersion", [])
        if isinstance(v, pyoxigraph.NamedNode)
    )
    return view, versions


def question_view(runner: Runner, iri: str) -> QuestionView:
    """Everything :func:`render` shows about the question ``iri``."""
    props = _properties(runner, iri)
    if not props:
        raise QueryError(iri, "no such question in the store", "check the IRI")
    view = QuestionView(
        iri=iri,
        uin=_first(props, "uin"),
        heading=_first(props, "hansardHeading"),
        tabled=_first(props, "date"),
        asked_by=_first(props, "tablingMemberPrinted"),
        asked_by_id=_member_id(_link(props, vocab.PARL + "tablingMember")),
        constituency=_first(props, "tablingMemberConstituency"),
        department=_first(props, "AnsweringBody"),
        question=_first(props, "questionText"),
    )
    house = _link(props, vocab.IN_HOUSE)
    if house is not None:
        house_props = _properties(runner, house)
        view.house = _first(house_props, "prefLabel") or _first(house_props, "label")
    answer = _link(props, vocab.PARL + "answer")
    if answer is not None:
        view.answer, versions = _answer_view(runner, answer)
        previous = [_answer_view(runner, v)[0] for v in versions]
        view.previous = sorted(previous, key=lambda a: a.date or "")
    group = _rows(runner, _GROUP, {"question": pyoxigraph.NamedNode(iri)})
    view.group = sorted(
        {(str(plain_value(r["uin"])), str(plain_value(r.get("text")) or "")) for r in group},
        key=lambda pair: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", pair[0])],
    )
    return view


def long_date(iso: str | None) -> str:
    """``2024-03-18`` as ``18th March 2024`` (anything else is shown as it is)."""
    if not iso:
        return "an unknown date"
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    suffix = (
        "th" if 11 <= day.day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    )
    return f"{day.day}{suffix} {day:%B %Y}"


def _person(name: str | None, constituency: str | None) -> str:
    text = name or "an unnamed member"
    return f"{text} ({constituency})" if constituency else text


def render(view: QuestionView, *, width: int | None = 80) -> str:
    """The question as text; paragraphs wrapped to ``width`` (``None`` or 0: not wrapped), its
    control characters made visible (:func:`kg.output.terminal_text`)."""
    lines: list[str] = []

    def para(text: str, indent: str = "") -> None:
        if width:
            lines.extend(
                textwrap.wrap(
                    text,
                    width,
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                or [""]
            )
        else:
            lines.append(indent + text)

    para(view.heading or "(no heading)")
    lines.append("")
    where = ", ".join(x for x in (view.house, f"UIN {view.uin}" if view.uin else None) if x)
    lines.append(f"(asked on {long_date(view.tabled)})" + (f" - {where}" if where else ""))
    para("Asked by " + _person(view.asked_by, view.constituency))
    lines.append("")
    para(f"Question to the {view.department}:" if view.department else "Question:")
    lines.append("")
    para(view.question or "(no question text)")
    answer = view.answer
    if answer is not None:
        lines.append("")
        if answer.member:
            para("Answered by " + _person(answer.member, answer.constituency))
        else:
            lines.append("Answered by (the answering member is not recorded)")
        lines.append(f"This question was answered on {long_date(answer.date)}")
        if answer.correction:
            first = (
                f", first answered on {long_date(answer.first_answered)}"
                if answer.first_answered
                else ""
            )
            para(f"This answer is a ministerial correction{first}.")
        for paragraph in answer.paragraphs:
            lines.append("")
            for line in paragraph.split("\n"):
                para(line)
    for version in view.previous:
        lines.append("")
        by = f" by {_person(version.member, version.constituency)}" if version.member else ""
        para(f"Previous answer, given on {long_date(version.date)}{by}:")
        for paragraph in version.paragraphs:
            lines.append("")
            for line in paragraph.split("\n"):
                para(line, "    ")
    if view.group:
        lines.append("")
        count = len(view.group)
        lines.append(f"Answered together with {count} other question{'s' if count != 1 else ''}:")
        for uin, text in view.group:
            entry = f"  {uin}  {text}"
            lines.append(entry if not width or len(entry) <= width else entry[: width - 1] + "…")
    lines.append("")
    lines.append(view.iri)
    return terminal_text("\n".join(lines)) + "\n"  # no escape sequence from the data
