"""Searching the text index (kg.text_search): the FTS5 expression for a search text, and the
questions and answers found, a superset of those whose text holds it, or None (not narrowed)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import text_search, vocab
from kg.paths import text_index_file
from kg.text_index import build
from kg.text_search import MAX_ALTERNATIVES, TextIndex

QUESTION_TEXT = pyoxigraph.NamedNode(vocab.PARL + "questionText")
ANSWER = pyoxigraph.NamedNode(vocab.PARL + "answer")
ANSWER_TEXT = pyoxigraph.NamedNode(vocab.PARL + "answerText")
EX = "http://example.org/"
WAITING = ["The waiting list grew", "lists of waiting", "awaiting listings", "Wait"]


def _index(store: pyoxigraph.Store, folder: Path) -> TextIndex:
    build(store, folder)
    index = TextIndex.open(folder)
    assert index is not None
    return index


def _texts_store(texts: list[str]) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.extend(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(f"http://example.org/q{number}"),
            QUESTION_TEXT,
            pyoxigraph.Literal(text),
        )
        for number, text in enumerate(texts)
    )
    return store


def _answered_store(pairs: list[tuple[str, str]]) -> pyoxigraph.Store:
    """Questions ``EX q<n>`` with their text, each answered by ``EX a<n>`` with its text."""
    store = pyoxigraph.Store()
    for number, (question_text, answer_text) in enumerate(pairs):
        question = pyoxigraph.NamedNode(f"{EX}q{number}")
        answer = pyoxigraph.NamedNode(f"{EX}a{number}")
        store.add(pyoxigraph.Quad(question, QUESTION_TEXT, pyoxigraph.Literal(question_text)))
        store.add(pyoxigraph.Quad(question, ANSWER, answer))
        store.add(pyoxigraph.Quad(answer, ANSWER_TEXT, pyoxigraph.Literal(answer_text)))
    return store


def _change(folder: Path, statement: str) -> None:
    """Run ``statement`` on the index in ``folder``, through a connection of its own."""
    db = sqlite3.connect(text_index_file(folder), isolation_level=None)
    try:
        db.execute(statement)
    finally:
        db.close()


def _numbers(found: dict[str, list[str]] | None, kind: str = "questionText") -> list[int] | None:
    """The numbers of the IRIs found for ``kind``, sorted (SQLite's order is not kept)."""
    if found is None:
        return None
    return sorted(int(iri.rsplit("/", 1)[1][1:]) for iri in found[kind])


# Letters, digits, separators, a non-ASCII letter: words run into each other and split.
_TEXT = st.text(alphabet="abcAB1 -.<>/é'", max_size=30)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_TEXT, min_size=1, max_size=8), needle=_TEXT)
def test_the_index_finds_every_text_that_holds_the_needle(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], needle: str
) -> None:
    index = _index(_texts_store(texts), tmp_path_factory.mktemp("index"))
    try:
        found = index.candidates(needle, ["questionText"])
        holding = {
            f"http://example.org/q{n}" for n, t in enumerate(texts) if needle.lower() in t.lower()
        }
        if found is None:  # not narrowed: only for no word, or a text beyond ASCII
            assert not needle.isascii() or not any(c.isalnum() for c in needle)
        else:
            assert holding <= set(found["questionText"])
    finally:
        index.close()


def test_the_index_narrows_by_words_and_their_order(tmp_path: Path) -> None:
    texts = ["The waiting list grew", "lists of waiting", "awaiting listings", "Wait"]
    index = _index(_texts_store(texts), tmp_path)

    def found(needle: str) -> list[int] | None:
        got = index.candidates(needle, ["questionText"])
        if got is None:
            return None
        return sorted(int(iri.rsplit("q", 1)[1]) for iri in got["questionText"])

    assert found("waiting list") == [0, 2]  # "awaiting listings" ends and begins so
    assert found(" waiting list") == [0]  # a whole first word
    assert found("waiting list ") == [0]  # a whole last word
    assert found("wait") == [0, 1, 2, 3]  # a fragment of words
    assert found("zebra") == []
    assert found("café") is None  # not ASCII: not narrowed
    assert found(" - ") is None  # no word
    index.close()


# --- TextIndex.open ----------------------------------------------------------------------------


def test_open_gives_only_a_current_index(tmp_path: Path) -> None:
    assert TextIndex.open(tmp_path) is None  # none built
    _index(_texts_store(WAITING), tmp_path).close()
    index = TextIndex.open(tmp_path)
    assert isinstance(index, TextIndex)
    assert _numbers(index.candidates("grew", ["questionText"])) == [0]
    index.close()
    # as a load that has not caught up
    _change(tmp_path, "INSERT INTO meta VALUES ('pending', '2020-01-01T00:00:00Z')")
    assert TextIndex.open(tmp_path) is None
    text_index_file(tmp_path).write_bytes(b"not a database" * 100)
    assert TextIndex.open(tmp_path) is None


# --- match_expression: the FTS5 query --------------------------------------------------------


@pytest.fixture(scope="module")
def waiting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TextIndex]:
    """The index of WAITING, whose words are awaiting, grew, list, listings, lists, of, the,
    wait and waiting."""
    index = _index(_texts_store(WAITING), tmp_path_factory.mktemp("waiting"))
    yield index
    index.close()


@pytest.mark.parametrize(
    ("needle", "expression"),
    [
        # Open at both ends: the first word may end a longer word, the last begin one.
        ("waiting list", '"awaiting list" * OR "waiting list" *'),
        ("WAITING List", '"awaiting list" * OR "waiting list" *'),  # any case
        ("iting lis", '"awaiting lis" * OR "waiting lis" *'),  # fragments of words
        # A separator first: the first word is whole; last: the last word is whole.
        (" waiting list", '"waiting list" *'),
        ("waiting list ", '"awaiting list" OR "waiting list"'),
        (" waiting list ", '"waiting list"'),
        # Punctuation separates words as spaces do.
        ("waiting, list!", '"awaiting list" OR "waiting list"'),
        ('"waiting-list"', '"waiting list"'),
        # One word: open at both ends, any indexed word holding it.
        ("wait", '"awaiting" OR "wait" OR "waiting"'),
        (" wait", '"wait" *'),
        ("wait ", '"wait"'),
        # No indexed word holds it, or ends with its first word: no text can hold it.
        ("zebra", ""),
        ("zebra crossing", ""),
        (" zebra crossing", '"zebra crossing" *'),  # a whole first word is not looked up
        # Not narrowed: beyond ASCII, or no word at all.
        ("café", None),
        ("naïve list", None),
        (" - ", None),
        ("", None),
    ],
)
def test_match_expression(waiting: TextIndex, needle: str, expression: str | None) -> None:
    assert waiting.match_expression(needle) == expression


def test_a_fragment_of_too_many_words_is_not_looked_up(tmp_path: Path) -> None:
    # MAX_ALTERNATIVES + 1 words ending in "z" (w0z, w1z...), all in the first text.
    words = [f"w{number}z" for number in range(MAX_ALTERNATIVES + 1)]
    (tmp_path / "many").mkdir()
    index = _index(_texts_store([" ".join(words), "w5z alone"]), tmp_path / "many")
    assert index.match_expression("z") is None  # within too many words
    assert index.match_expression("z ") is None  # the end of too many, and nothing else
    assert index.match_expression("z w5z") == '"w5z" *'  # the words after it narrow
    assert index.candidates("z", ["questionText"]) is None
    assert _numbers(index.candidates("z w5z", ["questionText"])) == [0, 1]
    index.close()
    # As many as MAX_ALTERNATIVES: each is looked up.
    (tmp_path / "enough").mkdir()
    index = _index(_texts_store([" ".join(words[:-1])]), tmp_path / "enough")
    expression = index.match_expression("z ")
    assert expression is not None
    assert expression.split(" OR ") == sorted(f'"{word}"' for word in words[:-1])
    assert _numbers(index.candidates("z", ["questionText"])) == [0]
    index.close()


# --- candidates: the questions and answers found -------------------------------------------


def test_candidates_are_questions_and_answers_by_kind(tmp_path: Path) -> None:
    pairs = [
        ("Waiting lists for dentists", "The waiting list is long."),
        ("Zebra crossings", "Lists of crossings are kept."),
    ]
    index = _index(_answered_store(pairs), tmp_path)
    both = ["questionText", "answerText"]
    found = index.candidates("list", both)
    assert found is not None
    assert (_numbers(found, "questionText"), _numbers(found, "answerText")) == ([0], [0, 1])
    assert found["answerText"][0].startswith(EX + "a")  # the answers' own IRIs
    assert index.candidates("crossings", ["answerText"]) == {"answerText": [EX + "a1"]}
    assert index.candidates("zebra", both) == {"questionText": [EX + "q1"], "answerText": []}
    assert index.candidates("hippo", both) == {"questionText": [], "answerText": []}
    assert index.candidates("list", []) == {}
    assert index.candidates("café", both) is None
    index.close()


def test_a_question_with_two_texts_is_one_candidate(tmp_path: Path) -> None:
    store = _texts_store(["Waiting times"])
    store.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(EX + "q0"), QUESTION_TEXT, pyoxigraph.Literal("Still waiting")
        )
    )
    index = _index(store, tmp_path)
    assert index.candidates("waiting", ["questionText"]) == {"questionText": [EX + "q0"]}
    index.close()


def test_more_candidates_than_the_limit_are_not_narrowed(
    waiting: TextIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_search, "MAX_CANDIDATES", 3)
    assert waiting.candidates("wait", ["questionText"]) is None  # all four texts
    assert _numbers(waiting.candidates("waiting", ["questionText"])) == [0, 1, 2]


def test_a_damaged_index_gives_no_candidates(tmp_path: Path) -> None:
    index = _index(_texts_store(WAITING), tmp_path)
    _change(tmp_path, "DROP TABLE terms")
    with pytest.raises(sqlite3.OperationalError):
        index.match_expression("wait")
    assert index.candidates("wait", ["questionText"]) is None  # every text is read instead
    # A search that needs no look-up of words still finds its texts.
    assert index.candidates(" waiting list ", ["questionText"]) == {"questionText": [EX + "q0"]}
    index.close()
