"""The shape of a linked-data-api answered-question item: what each nested object is (its
role, by the key that holds it), the kg class of each role, and the keys kg knows per role
(others are kept too, and counted as unknown)."""

from __future__ import annotations

from kg import vocab

#: The role of a nested object, by the key that holds it.
CHILD_ROLES: dict[str, str] = {
    "answer": "answer",
    "previousAnswerVersion": "version",
    "attachment": "attachment",
    "tablingMember": "member",
    "answeringMember": "member",
    "correctingMember": "member",
    "legislature": "house",
}
ROLE_CLASSES: dict[str, str] = {
    "question": vocab.QUESTION,
    "answer": vocab.ANSWER,
    "version": vocab.ANSWER_VERSION,
    "attachment": vocab.ATTACHMENT,
    "member": vocab.MEMBER,
    "house": vocab.HOUSE,
}
#: Resources that many questions share: never part of one question's record.
SHARED_ROLES = frozenset({"member", "house"})

_ANSWER_KEYS = {
    "_about", "answerText", "answeringMember", "answeringMemberConstituency",
    "answeringMemberPrinted", "dateOfAnswer", "groupedQuestionUIN", "isMinisterialCorrection",
    "questionFirstAnswered", "previousAnswerVersion", "attachment", "attachmentCount",
    "isHoldingAnswer", "answerCorrectionDate", "correctingMember", "correctingMemberPrinted",
    "dateOfCorrection",
}  # fmt: skip
KNOWN_KEYS: dict[str, set[str]] = {
    "question": {
        "_about", "AnsweringBody", "answer", "answeringDeptId", "answeringDeptShortName",
        "answeringDeptSortName", "date", "hansardHeading", "houseId", "legislature",
        "questionText", "registeredInterest", "tablingMember", "tablingMemberConstituency",
        "tablingMemberPrinted", "uin", "type", "questionStatus", "dateTabled",
    },
    "answer": _ANSWER_KEYS,
    "version": _ANSWER_KEYS | {"versionNumber", "date"},
    "attachment": {"_about", "fileName", "title", "url", "sizeInBytes", "fileSizeBytes", "label"},
    "member": {"_about", "label"},
    "house": {"_about", "prefLabel", "label"},
}  # fmt: skip
