from __future__ import annotations

import copy
import json
from typing import Any

import pyoxigraph
import pytest
import xxhash

from kg import vocab
from kg.convert import CONVERTER_VERSION, MAX_LINE_BYTES, convert_item
from kg.errors import InputError
from kg.values import as_list

Q = "http://data.parliament.uk/resources/"
M = "http://data.parliament.uk/members/"


def store_of(*items: dict[str, Any]) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for number, item in enumerate(items, start=1):
        lines = "".join(convert_item(item, where=f"t item {number}").lines)
        store.load(lines, pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def objects(store: pyoxigraph.Store, subject: str, predicate: str) -> list[Any]:
    return [
        q.object
        for q in store.quads_for_pattern(
            pyoxigraph.NamedNode(subject), pyoxigraph.NamedNode(predicate), None
        )
    ]


def lords_item() -> dict[str, Any]:
    return {
        "_about": Q + "900001",
        "AnsweringBody": {"_value": "Home Office"},
        "answeringDeptId": {"_value": "1"},
        "date": {"_value": "2024-01-10", "_datatype": "dateTime"},
        "houseId": {"_value": "2"},
        "questionText": {"_value": 'To ask His Majesty\'s Government "how" …'},
        "tablingMember": {"_about": "http://data.parliament.uk/members/3000"},
        "tablingMemberPrinted": {"_value": "Lord Example"},
        "uin": "HL1234",
        "answer": {
            "_about": Q + "900001/answer",
            "answeringMember": {"_about": "http://data.parliament.uk/members/0"},
            "dateOfAnswer": {"_value": "2024-01-24T00:00:00Z", "_datatype": "dateTime"},
            "isMinisterialCorrection": {"_value": "true", "_datatype": "boolean"},
            "previousAnswerVersion": [
                {
                    "_about": Q + "900001/answer/previousversion/1",
                    "answerText": {"_value": "<p>Old text</p>"},
                    "dateOfAnswer": {"_value": "2024-01-20", "_datatype": "dateTime"},
                }
            ],
            "attachment": [{"fileName": {"_value": "table.xlsx"}, "title": "Table"}],
        },
        "someNewField": {"_value": "kept", "_lang": "en"},
    }


def test_dates_booleans_and_identifiers_are_well_typed(sample_items: list[dict[str, Any]]) -> None:
    store = store_of(sample_items[0])
    q = Q + "1698517"
    (date,) = objects(store, q, vocab.DCTERMS + "date")
    assert (date.value, date.datatype.value) == ("2024-03-25", vocab.XSD + "date")
    (first,) = objects(store, q + "/answer", vocab.PARL + "questionFirstAnswered")
    assert first.datatype.value == vocab.XSD + "dateTime"
    (interest,) = objects(store, q, vocab.PARL + "registeredInterest")
    assert (interest.value, interest.datatype.value) == ("false", vocab.XSD + "boolean")
    (uin,) = objects(store, q, vocab.PARL + "uin")
    assert (uin.value, uin.datatype.value) == ("20427", vocab.XSD + "string")
    (days,) = objects(store, q, vocab.DAYS_TO_ANSWER)
    assert days.value == "22"  # tabled 2024-03-25, answered 2024-04-16


def test_lords_question_correction_versions_attachments() -> None:
    store = store_of(lords_item())
    q = Q + "900001"
    house = "http://data.parliament.uk/terms/25277"  # the API's term: no legislature given
    assert objects(store, q, vocab.IN_HOUSE) == [pyoxigraph.NamedNode(house)]
    assert objects(store, house, vocab.SKOS + "prefLabel") == [pyoxigraph.Literal("House of Lords")]
    assert objects(store, q, vocab.PARL + "tablingMemberConstituency") == []
    version = q + "/answer/previousversion/1"
    assert objects(store, version, vocab.RDF_TYPE) == [pyoxigraph.NamedNode(vocab.ANSWER_VERSION)]
    assert objects(store, version, vocab.PART_OF_RECORD) == [pyoxigraph.NamedNode(q)]
    attachment = q + "/answer/attachment/1"
    assert objects(store, attachment, vocab.PARL + "fileName") == [pyoxigraph.Literal("table.xlsx")]
    assert objects(store, attachment, vocab.RDF_TYPE) == [pyoxigraph.NamedNode(vocab.ATTACHMENT)]
    (answered,) = objects(store, q + "/answer", vocab.PARL + "dateOfAnswer")
    assert answered.datatype.value == vocab.XSD + "dateTime"
    (days,) = objects(store, q, vocab.DAYS_TO_ANSWER)
    assert days.value == "14"
    assert objects(store, q, vocab.PARL + "someNewField") == [
        pyoxigraph.Literal("kept", language="en")
    ]


def test_unknown_keys_are_kept_and_counted() -> None:
    record = convert_item(lords_item(), where="t")
    assert record.unknown_keys == {"question.someNewField": 1}
    assert record.uin == "HL1234"


def test_single_value_and_one_element_list_give_the_same_triples(
    sample_items: list[dict[str, Any]],
) -> None:
    item = copy.deepcopy(sample_items[0])
    as_single = copy.deepcopy(item)
    as_single["tablingMemberPrinted"] = item["tablingMemberPrinted"][0]
    as_single["answer"]["questionFirstAnswered"] = item["answer"]["questionFirstAnswered"][0]
    plain = copy.deepcopy(item)
    plain["hansardHeading"] = "Children: Maintenance"
    lines = set(convert_item(item, where="a").lines)
    other = set(convert_item(as_single, where="b").lines)
    assert {line for line in lines if "contentHash" not in line} == {
        line for line in other if "contentHash" not in line
    }
    assert {line for line in convert_item(plain, where="c").lines if "contentHash" not in line} == {
        line for line in lines if "contentHash" not in line
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda i: i.pop("_about"),
            "t item 3: the item has no _about (its IRI) — fix the page or drop the item",
        ),
        (
            lambda i: i.update(date={"_value": "25/03/2024", "_datatype": "dateTime"}),
            f"t item 3 ({Q}1698517): unparseable date '25/03/2024' — fix the value in the page, "
            "or drop the item",
        ),
        (
            lambda i: i.update(date={"_value": "2024-02-30", "_datatype": "date"}),
            f"t item 3 ({Q}1698517): unparseable date '2024-02-30' — fix the value in the page, "
            "or drop the item",
        ),
        (
            lambda i: i.update(registeredInterest={"_value": "maybe", "_datatype": "boolean"}),
            f"t item 3 ({Q}1698517): not a boolean: 'maybe' — fix the value in the page, or drop "
            "the item",
        ),
        (
            lambda i: i.update(uin=[["20427"]]),
            f"t item 3 ({Q}1698517): uin: a list inside a list — fix the value in the page, or "
            "drop the item",
        ),
        (
            lambda i: i.update(uin={"_value": {"a": 1}}),
            f"t item 3 ({Q}1698517): _value holds a dict, not text — fix the value in the page, "
            "or drop the item",
        ),
        (
            lambda i: i.update(date={"_value": "2024-03-25", "_datatype": []}),
            f"t item 3 ({Q}1698517): _datatype holds a list, not text — fix the value in the "
            "page, or drop the item",
        ),
        (
            lambda i: i.update(hansardHeading=[{"_value": "Heading", "_lang": {"en": 1}}]),
            f"t item 3 ({Q}1698517): _lang holds a dict, not text — fix the value in the page, "
            "or drop the item",
        ),
        (
            lambda i: i.update(_about="resources/1"),
            "t item 3: _about is not an absolute IRI: 'resources/1' — fix the page",
        ),
        *(
            (
                lambda i, part=part: i["answer"].update(_about=part),
                f"t item 3 ({Q}1698517): answer: _about '{part}' is not under the question's IRI,"
                " where a question's answer and other parts are — fix the value in the page, or"
                " drop the item",
            )
            for part in [
                f"{Q}1698518",  # another question: loading this one again would delete it
                f"{Q}1698518/answer",
                f"{Q}1698517",  # the question itself
                f"{Q}16985170/answer",
                "http://data.parliament.uk/members/4765",
            ]
        ),
    ],
)
def test_bad_values_name_the_item(
    sample_items: list[dict[str, Any]], change: Any, message: str
) -> None:
    item = copy.deepcopy(sample_items[0])
    change(item)
    with pytest.raises(InputError) as caught:
        convert_item(item, where="t item 3")
    assert caught.value.line() == message


@pytest.mark.parametrize(
    "nested",
    [
        {"tablingMember": {"AnsweringBody": ""}},
        {"attachment": {"title": "x"}},
        {"date": {"_value": "2024-01-01", "_datatype": "dateTime"}},
    ],
    ids=["a member in a member", "a part in a member", "a tallied value in a member"],
)
def test_a_member_with_odd_nested_values_converts_the_same_every_time(
    sample_items: list[dict[str, Any]], nested: dict[str, Any]
) -> None:
    # Members are cached by their content: what converting one adds to the question's record
    # besides its lines (a nested member's triples, a part, a tallied triple) must not be
    # there the first time only.
    item = copy.deepcopy(sample_items[0])
    item["tablingMember"].update(nested)
    first = convert_item(item, where="t")
    again = convert_item(item, where="t")
    assert (again.lines, again.content_hash) == (first.lines, first.content_hash)
    assert again.tallied == first.tallied


# --- nothing is lost: every item of the sample, rebuilt from the graph ---------------------

SHARED = {"tablingMember", "answeringMember", "legislature"}


def fields_of_input(obj: dict[str, Any]) -> dict[str, list[Any]]:
    """An item's fields as key → sorted values (text, or nested fields for resources)."""
    fields: dict[str, list[Any]] = {}
    for key, value in obj.items():
        if key == "_about":
            continue
        values = []
        for entry in as_list(value):
            if isinstance(entry, dict) and "_value" in entry:
                values.append(str(entry["_value"]))
            elif isinstance(entry, dict):
                values.append({"_about": entry["_about"], **fields_of_input(entry)})
            else:
                values.append(str(entry))
        fields[key] = sorted(values, key=json.dumps)
    return fields


def fields_from_graph(store: pyoxigraph.Store, subject: str) -> dict[str, list[Any]]:
    """The same shape, read back from the graph by the parl:/rdfs:/skos:/dcterms: key rule."""
    fields: dict[str, list[Any]] = {}
    for quad in store.quads_for_pattern(pyoxigraph.NamedNode(subject), None, None):
        key = vocab.key_for_predicate(quad.predicate.value)
        if key is None or key == "type":
            continue  # kg's own derived triples and types are additions, not source fields
        obj = quad.object
        if isinstance(obj, pyoxigraph.NamedNode):
            value: Any = {"_about": obj.value, **fields_from_graph(store, obj.value)}
        else:
            assert isinstance(obj, pyoxigraph.Literal)
            value = obj.value
        fields.setdefault(key, []).append(value)
    return {k: sorted(v, key=json.dumps) for k, v in fields.items()}


def test_every_sample_item_comes_back_from_the_graph(sample_items: list[dict[str, Any]]) -> None:
    store = store_of(*sample_items)
    for item in sample_items:
        assert fields_from_graph(store, item["_about"]) == fields_of_input(item), item["uin"]
    answer_text = sample_items[1]["answer"]["answerText"]["_value"]
    stored = objects(store, Q + "1696806/answer", vocab.PARL + "answerText")
    assert stored == [pyoxigraph.Literal(answer_text)]  # the HTML, verbatim


def test_days_to_answer_run_to_the_first_answer_of_a_corrected_question() -> None:
    item = lords_item()
    item["answer"]["questionFirstAnswered"] = [
        {"_value": "2024-01-17T09:30:00.000Z", "_datatype": "dateTime"}
    ]
    store = store_of(item)
    (days,) = objects(store, Q + "900001", vocab.DAYS_TO_ANSWER)
    assert days.value == "7"  # tabled 2024-01-10, first answered 2024-01-17 (corrected 01-24)


def test_json_escapes_of_control_characters_and_lone_surrogates_load() -> None:
    # What \u escapes in a page can put in a string: control characters, a lone surrogate.
    item = lords_item()
    item["questionText"] = {"_value": 'tab\there, nul\x00, del\x7f, "quoted" \\ back'}
    item["answer"]["answerText"] = {"_value": "half a pair: \ud83d, then\r\nmore"}
    item["tablingMember"] = {"_about": M + "3000", "label": {"_value": "Lord \udc00 Example"}}
    record = convert_item(item, where="t")
    assert all(line.encode("utf-8") for line in record.lines)  # nothing UTF-8 cannot carry
    store = store_of(item)
    (question,) = objects(store, Q + "900001", vocab.PARL + "questionText")
    assert question.value == item["questionText"]["_value"]
    (answer,) = objects(store, Q + "900001/answer", vocab.PARL + "answerText")
    assert answer.value == "half a pair: \ufffd, then\r\nmore"
    (label,) = objects(store, M + "3000", vocab.RDFS + "label")
    assert label.value == "Lord \ufffd Example"


def test_shared_resources_come_last_and_are_converted_once() -> None:
    first, second = lords_item(), lords_item()
    second["_about"] = Q + "900002"
    second["answer"]["_about"] = Q + "900002/answer"
    second["answer"]["previousAnswerVersion"][0]["_about"] = Q + "900002/answer/previousversion/1"
    a, b = convert_item(first, where="a"), convert_item(second, where="b")
    assert a.shared_from is not None and b.shared_from is not None
    own, shared = a.lines[: a.shared_from], a.lines[a.shared_from :]
    assert a.own_ntriples == "".join(own).encode("utf-8")
    assert own[-1].startswith(f"<{Q}900001> <{vocab.CONTENT_HASH}>")
    assert shared == b.lines[b.shared_from :]  # the same members, department and house
    assert f"<{M}3000> <{vocab.RDF_TYPE}> <{vocab.MEMBER}> .\n" in shared
    assert not any(line.startswith(f"<{Q}900001") for line in shared)
    assert len(set(a.lines)) == len(a.lines)


def _content_hash_of(record_lines: list[str]) -> str:
    """The content hash as documented: XXH3-128 of the converter version, then of the lines
    (all but the hash line itself), as UTF-8."""
    text = "".join(line for line in record_lines if f"<{vocab.CONTENT_HASH}>" not in line)
    return xxhash.xxh3_128_hexdigest(CONVERTER_VERSION.encode("ascii") + text.encode("utf-8"))


def test_a_value_repeated_in_a_list_is_written_once() -> None:
    item = lords_item()
    item["answer"]["groupedQuestionUIN"] = [{"_value": "HL1"}, {"_value": "HL2"}, {"_value": "HL1"}]
    record = convert_item(item, where="t")
    grouped = [line for line in record.lines if "groupedQuestionUIN" in line]
    assert grouped == [
        f'<{Q}900001/answer> <{vocab.PARL}groupedQuestionUIN> "HL1" .\n',
        f'<{Q}900001/answer> <{vocab.PARL}groupedQuestionUIN> "HL2" .\n',
    ]
    assert record.own_ntriples == "".join(record.lines[: record.shared_from]).encode("utf-8")
    assert record.content_hash == _content_hash_of(record.lines)


def test_a_value_longer_than_oxigraph_reads_is_refused_and_one_as_long_as_it_reads_loads(
    sample_items: list[dict[str, Any]],
) -> None:
    item = copy.deepcopy(sample_items[0])
    item["questionText"] = "x" * MAX_LINE_BYTES
    with pytest.raises(InputError) as caught:
        convert_item(item, where="p.json item 1")
    line = f'<{item["_about"]}> <{vocab.PARL}questionText> "{item["questionText"]}" .\n'
    assert caught.value.line() == (
        f"p.json item 1 ({item['_about']}): <{vocab.PARL}questionText> holds {len(line):,} bytes:"
        " Oxigraph reads 16,000,000 at most — shorten the value in the page, or drop the item"
    )
    item["questionText"] = "é" * (MAX_LINE_BYTES // 2 - 100)  # two bytes each
    record = convert_item(item, where="p.json item 1")
    store = pyoxigraph.Store()
    store.load("".join(record.lines).encode("utf-8"), pyoxigraph.RdfFormat.N_TRIPLES)
    assert len(store) == len(record.lines)


@pytest.mark.parametrize(
    ("about", "stored"),
    [
        (f"{Q}5000é", f"{Q}5000é"),  # written as UTF-8, not refused as not ASCII
        (f"{Q}50 004", f"{Q}50%20004"),  # as stored, so that validation finds it
    ],
)
def test_a_record_is_known_by_its_iri_as_stored(
    sample_items: list[dict[str, Any]], about: str, stored: str
) -> None:
    item = json.loads(json.dumps(sample_items[0]).replace(sample_items[0]["_about"], about))
    record = convert_item(item, where="t")
    assert record.iri == stored
    graph = pyoxigraph.Store()
    graph.load(record.own_ntriples, pyoxigraph.RdfFormat.N_TRIPLES)
    question = pyoxigraph.NamedNode(stored)
    assert len(list(graph.quads_for_pattern(question, None, None))) > 10
