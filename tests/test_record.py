"""A converted question's record, and the shared resources' triples it ends with (kg.record)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import xxhash
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import vocab
from kg.added_resources import department_of
from kg.convert import convert_item
from kg.record import Record, SharedTriples, shared_lines
from tests.test_convert import M, _content_hash_of, lords_item

Q = "http://data.parliament.uk/resources/"
PARL, TYPE = vocab.PARL, f"<{vocab.RDF_TYPE}>"
LABEL = f"<{vocab.RDFS}label>"
DEPT = f"<{vocab.KG_ID}department/29>"
COMMONS = "<http://data.parliament.uk/terms/25259>"
#: The shared resources of the sample's first question, as its record ends: the members and
#: the house in the order the item names them (the answerer first: "answer" comes before
#: "tablingMember"), then the department kg adds.
SAMPLE_SHARED = [
    f"<{M}3926> {TYPE} <{vocab.MEMBER}> .\n",
    f'<{M}3926> {LABEL} "Biography information for Paul Maynard" .\n',
    f"{COMMONS} {TYPE} <{vocab.HOUSE}> .\n",
    f'{COMMONS} <{vocab.SKOS}prefLabel> "House of Commons" .\n',
    f"<{M}4765> {TYPE} <{vocab.MEMBER}> .\n",
    f'<{M}4765> {LABEL} "Biography information for Wendy Chamberlain" .\n',
    f"{DEPT} {TYPE} <{vocab.DEPARTMENT}> .\n",
    f'{DEPT} <{PARL}answeringDeptId> "29" .\n',
    f'{DEPT} <{PARL}answeringDeptShortName> "Work and Pensions" .\n',
    f'{DEPT} <{PARL}answeringDeptSortName> "Work and Pensions" .\n',
    f'{DEPT} {LABEL} "Department for Work and Pensions" .\n',
]


def test_a_sample_question_becomes_its_record(sample_items: list[dict[str, Any]]) -> None:
    record = convert_item(sample_items[0], where="sample item 1")
    q, answer = f"<{Q}1698517>", f"<{Q}1698517/answer>"
    assert (record.iri, record.uin) == (Q + "1698517", "20427")
    assert record.subject == record.iri_term() == q
    assert record.group_key == ("http://data.parliament.uk/terms/25259", "2024-03-25")
    assert record.grouped_uins == ()
    assert dict(record.unknown_keys) == {}
    # Its own 28 triples, its content hash, then the 11 triples of what it shares.
    assert record.shared_from == 29 and len(record.lines) == 40
    assert record.lines[28] == f'{q} <{vocab.CONTENT_HASH}> "{record.content_hash}" .\n'
    assert record.content_hash == _content_hash_of(record.lines)
    assert record.lines[29:] == SAMPLE_SHARED
    assert all(line.startswith((q + " ", answer + " ")) for line in record.lines[:29])
    assert record.own_ntriples == "".join(record.lines[:29]).encode("utf-8")
    date = f"<{vocab.XSD}date>"
    assert record.tallied == [
        (answer, f"<{PARL}answeringMember>", f"<{M}3926>"),
        (answer, f"<{PARL}dateOfAnswer>", f'"2024-04-16"^^{date}'),
        (q, f"<{PARL}answer>", answer),
        (q, f"<{vocab.DCTERMS}date>", f'"2024-03-25"^^{date}'),
        (q, f"<{PARL}tablingMember>", f"<{M}4765>"),
        (q, f"<{vocab.ANSWERING_DEPARTMENT}>", DEPT),
        (q, f"<{vocab.DAYS_TO_ANSWER}>", f'"22"^^<{vocab.XSD}integer>'),
    ]
    # Every tallied triple is one of the record's own lines.
    assert {f"{s} {p} {o} .\n" for s, p, o in record.tallied} <= set(record.lines[:29])


def test_a_grouped_sample_question_names_the_questions_it_is_grouped_with(
    sample_items: list[dict[str, Any]],
) -> None:
    record = convert_item(sample_items[1], where="sample item 2")
    assert (record.iri, record.uin) == (Q + "1696806", "19185")
    assert record.group_key == ("http://data.parliament.uk/terms/25259", "2024-03-18")
    assert record.grouped_uins == ("19186", "19187", "19188", "19189")


def test_a_record_made_without_the_converter_has_empty_defaults() -> None:
    record = Record("http://example.org/q 1", "7", ['<http://example.org/q%201> <p> "o" .\n'], "h")
    assert record.unknown_keys == Counter() and isinstance(record.unknown_keys, Counter)
    assert (record.group_key, record.grouped_uins, record.shared_from) == (None, (), None)
    assert (record.own_ntriples, record.tallied, record.subject) == (b"", None, None)
    # With no subject given, iri_term writes the IRI as kg stores it (a space percent-encoded).
    assert record.iri_term() == "<http://example.org/q%201>"


def test_iri_term_is_the_subject_the_converter_wrote() -> None:
    # The converter's own text of the IRI is used as it is, not written again.
    record = Record("http://example.org/q", None, [], "h", subject="<http://example.org/q>")
    assert record.iri_term() is record.subject
    assert Record("http://example.org/é", None, [], "h").iri_term() == "<http://example.org/é>"


def test_shared_triples_of_a_resource() -> None:
    lines = ["<s> <p> <o> .\n", '<s> <q> "é" .\n']
    part = SharedTriples.of("<s>", lines)
    assert part == SharedTriples("<s>", lines, '<s> <p> <o> .\n<s> <q> "é" .\n'.encode(), True)


def test_shared_triples_replace_lone_surrogates() -> None:
    part = SharedTriples.of("<s>", ['<s> <p> "half \ud83d a pair" .\n'])
    assert part.lines == ['<s> <p> "half \ufffd a pair" .\n']
    assert part.data == '<s> <p> "half \ufffd a pair" .\n'.encode()
    assert part.only_subject


def test_shared_triples_that_nest_another_resource_are_not_only_about_their_subject() -> None:
    nested = SharedTriples.of("<m>", ["<m> <p> <m/1> .\n", '<m/1> <q> "x" .\n'])
    assert not nested.only_subject
    # A line about a subject whose IRI merely starts with this one's is about another.
    longer = SharedTriples.of("<http://x/m>", ['<http://x/m/1> <p> "x" .\n'])
    assert not longer.only_subject
    assert SharedTriples.of("<m>", []).only_subject


def _digest_of(text: str) -> str:
    return xxhash.xxh3_128_hexdigest(b"seed" + text.encode("utf-8"))


def test_shared_lines_of_distinct_resources_come_in_order_and_are_hashed() -> None:
    member = SharedTriples.of("<m>", ["<m> <a> <M> .\n", '<m> <l> "Ann" .\n'])
    house = SharedTriples.of("<h>", ["<h> <a> <H> .\n"])
    digest = xxhash.xxh3_128(b"seed")
    lines = shared_lines([member, house], digest)
    assert lines == ["<m> <a> <M> .\n", '<m> <l> "Ann" .\n', "<h> <a> <H> .\n"]
    assert digest.hexdigest() == _digest_of("".join(lines))


def test_shared_lines_of_a_resource_given_twice_come_once() -> None:
    # A member who asks and answers, given once with a label and once without.
    asker = SharedTriples.of("<m>", ["<m> <a> <M> .\n", '<m> <l> "Ann" .\n'])
    answerer = SharedTriples.of("<m>", ["<m> <a> <M> .\n"])
    house = SharedTriples.of("<h>", ["<h> <a> <H> .\n"])
    digest = xxhash.xxh3_128(b"seed")
    lines = shared_lines([answerer, house, asker], digest)
    assert lines == ["<m> <a> <M> .\n", "<h> <a> <H> .\n", '<m> <l> "Ann" .\n']
    assert digest.hexdigest() == _digest_of("".join(lines))


def test_shared_lines_of_a_resource_nesting_another_come_once() -> None:
    # Different subjects, but the first part repeats a line of the second.
    nesting = SharedTriples.of("<m>", ["<m> <p> <n> .\n", "<n> <a> <M> .\n"])
    nested = SharedTriples.of("<n>", ["<n> <a> <M> .\n"])
    digest = xxhash.xxh3_128(b"seed")
    lines = shared_lines([nesting, nested], digest)
    assert lines == ["<m> <p> <n> .\n", "<n> <a> <M> .\n"]
    assert digest.hexdigest() == _digest_of("".join(lines))


def test_no_shared_resources_give_no_lines_and_leave_the_digest_alone() -> None:
    digest = xxhash.xxh3_128(b"seed")
    assert shared_lines([], digest) == []
    assert digest.hexdigest() == _digest_of("")


def test_the_sample_question_s_shared_lines_are_those_its_record_ends_with(
    sample_items: list[dict[str, Any]],
) -> None:
    item = sample_items[0]
    department = department_of(item)
    assert department is not None
    parts = [
        SharedTriples.of(f"<{M}3926>", SAMPLE_SHARED[0:2]),
        SharedTriples.of(COMMONS, SAMPLE_SHARED[2:4]),
        SharedTriples.of(f"<{M}4765>", SAMPLE_SHARED[4:6]),
        department,
    ]
    digest = xxhash.xxh3_128(b"seed")
    assert shared_lines(parts, digest) == SAMPLE_SHARED
    assert digest.hexdigest() == _digest_of("".join(SAMPLE_SHARED))


_SUBJECTS = ["<http://x/m>", "<http://x/m/1>", "<http://x/h>"]


@st.composite
def _parts(draw: st.DrawFn) -> list[SharedTriples]:
    """Shared resources, some given twice, some nesting another; no part repeats a line of
    its own (the converter writes a resource's value once)."""
    parts = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        subject = draw(st.sampled_from(_SUBJECTS))
        about = st.sampled_from(_SUBJECTS) if draw(st.booleans()) else st.just(subject)
        line = st.builds(
            lambda s, o: f'{s} <http://x/p> "{o}" .\n', about, st.sampled_from("abc\ud800")
        )
        parts.append(SharedTriples.of(subject, draw(st.lists(line, max_size=4, unique=True))))
    return parts


@settings(max_examples=300)
@given(_parts())
def test_shared_lines_are_every_line_once_in_order_and_all_hashed(
    parts: list[SharedTriples],
) -> None:
    digest = xxhash.xxh3_128(b"seed")
    lines = shared_lines(parts, digest)
    assert lines == list(dict.fromkeys(line for part in parts for line in part.lines))
    assert digest.hexdigest() == _digest_of("".join(lines))


def test_content_hash_is_the_xxh3_of_the_lines_however_shared_parts_repeat() -> None:
    plain = lords_item()
    own_answer = lords_item()  # the member who asks answers too, under another label
    own_answer["tablingMember"] = {"_about": M + "0", "label": {"_value": "Lord Example"}}
    same_twice = lords_item()  # the same member object twice: its lines come once
    same_twice["tablingMember"] = {"_about": M + "0"}
    label_twice = lords_item()  # a member given the same label twice
    label_twice["tablingMember"] = {"_about": M + "0", "label": ["Lord Example", "Lord Example"]}
    for item in (plain, own_answer, same_twice, label_twice):
        record = convert_item(item, where="t")
        assert len(set(record.lines)) == len(record.lines)
        assert record.content_hash == _content_hash_of(record.lines)
    twice = convert_item(own_answer, where="t").lines
    assert twice.count(f"<{M}0> <{vocab.RDF_TYPE}> <{vocab.MEMBER}> .\n") == 1
    assert f'<{M}0> <{vocab.RDFS}label> "Lord Example" .\n' in twice
