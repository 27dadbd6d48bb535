"""The SHACL faults the synthetic pages can carry (``python -m bench.generate --faults K``): which
items carry which, and the results each must give when the pages are validated."""

from __future__ import annotations

from bench.world import FIRST_ID, RESOURCES

FAULT_KINDS: tuple[str, ...] = (
    "missing_uin",
    "answer_before_question",
    "bad_member_iri",
    "interest_not_boolean",
    "missing_question_text",
    "correction_not_boolean",
    "missing_date",
    "grouped_uin_integer",
    "placeholder_answerer",
    "missing_department",
)


def fault_plan(questions: int, faults: int) -> dict[int, str]:
    """Which items carry which fault: spread evenly, kinds in turn."""
    if faults <= 0:
        return {}
    faults = min(faults, questions)
    step = questions / faults
    return {int(j * step + step / 2): FAULT_KINDS[j % len(FAULT_KINDS)] for j in range(faults)}


def expected_results(index: int, kind: str) -> list[tuple[str, str]]:
    """The (focus node, shape) results a seeded fault must give (at least)."""
    q = f"{RESOURCES}{FIRST_ID + index}"
    a = f"{q}/answer"
    return {
        "missing_uin": [(q, "Question-uin")],
        "answer_before_question": [(a, "Answer-notBeforeQuestion")],
        "bad_member_iri": [(q, "Question-tablingMember-iri"), (bad_member(index), "Member")],
        "interest_not_boolean": [(q, "Question-registeredInterest-datatype")],
        "missing_question_text": [(q, "Question-questionText")],
        "correction_not_boolean": [(a, "Answer-isMinisterialCorrection-datatype")],
        "missing_date": [(q, "Question-date")],
        "grouped_uin_integer": [(a, "Answer-groupedQuestionUIN-datatype")],
        "placeholder_answerer": [(a, "Answer-answeringMember-placeholder")],
        "missing_department": [(q, "Question-answeringDepartment")],
    }[kind]


def bad_member(index: int) -> str:
    return f"http://data.parliament.uk/member/{FIRST_ID + index}"
