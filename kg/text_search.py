"""Searching the text index (:mod:`kg.text_index`): the questions and answers whose text may
hold a search text, which the store's own query then checks exactly, so that results are the
same with or without the index.

What "may hold" means: the search text, lower-cased, is cut into words (runs of ASCII letters
and digits, as FTS5's ``unicode61`` tokenizer cuts them). Wherever the text occurs, its inner
words are whole words of the haystack and follow each other; its first word may end a longer
word, its last may begin one. The index finds the texts with such a run of words; a first word
that ends longer words is looked up in the table of every word indexed. A search that is not
ASCII, has no word, is a fragment of too many words, or finds too many texts is not narrowed.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.text_index import TERMS_TABLE, open_index, pending_since

#: At most this many longer words a first word may end (or a lone fragment be part of).
MAX_ALTERNATIVES = 100
#: Beyond this many texts found, reading every text is sooner done than looking each up: at
#: a million questions a look-up cost 73 µs and reading all 12 µs a question.
MAX_CANDIDATES = 100_000
_WORD = re.compile(r"[a-z0-9]+")


class TextIndex:
    """An index that is current, open for searching."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    @classmethod
    def open(cls, store_path: Path) -> TextIndex | None:
        """The store's index, if it has one that is current (not pending)."""
        db = open_index(store_path)
        if db is None:
            return None
        if pending_since(db) is not None:
            db.close()
            return None
        return cls(db)

    def close(self) -> None:
        self._db.close()

    def _terms(self, condition: str, word: str) -> list[str] | None:
        rows = self._db.execute(
            f"SELECT term FROM {TERMS_TABLE} WHERE {condition} LIMIT ?",
            (word, MAX_ALTERNATIVES + 1),
        ).fetchall()
        return None if len(rows) > MAX_ALTERNATIVES else [str(r[0]) for r in rows]

    def match_expression(self, text: str) -> str | None:
        """The FTS5 query for the texts that may hold ``text`` (any case); ``""`` when none
        can; None when the index cannot narrow the search."""
        needle = text.lower()
        if not needle.isascii():
            return None
        words = _WORD.findall(needle)
        if not words:
            return None
        open_left, open_right = needle[0].isalnum(), needle[-1].isalnum()
        if len(words) == 1 and open_left and open_right:
            within = self._terms("instr(term, ?1) > 0", words[0])
            return None if within is None else " OR ".join(_phrase([term]) for term in within)
        rest = words[1:] if open_left else words
        tail = " *" if open_right else ""
        if not open_left:
            return _phrase(rest) + tail
        endings = self._terms("substr(term, -length(?1)) = ?1", words[0])
        if endings is None:
            return _phrase(rest) + tail if rest else None
        return " OR ".join(_phrase([ending, *rest]) + tail for ending in endings)

    def candidates(self, text: str, kinds: Iterable[str]) -> dict[str, list[str]] | None:
        """The questions (for ``questionText``) and answers (for ``answerText``) whose text
        may hold ``text``, by kind; None when the index cannot narrow the search (or finds
        more than :data:`MAX_CANDIDATES`)."""
        try:
            return self._candidates(text, kinds)
        except sqlite3.Error:  # a damaged index: every text is read instead
            return None

    def _candidates(self, text: str, kinds: Iterable[str]) -> dict[str, list[str]] | None:
        expression = self.match_expression(text)
        if expression is None:
            return None
        found: dict[str, list[str]] = {kind: [] for kind in kinds}
        if not expression:
            return found
        rows = self._db.execute(
            "SELECT DISTINCT docs.kind, COALESCE(docs.answer, docs.question) FROM body"
            " JOIN docs ON docs.id = body.rowid WHERE body MATCH ? LIMIT ?",
            (expression, MAX_CANDIDATES + 1),
        ).fetchall()
        if len(rows) > MAX_CANDIDATES:
            return None
        for kind, iri in rows:
            if kind in found:
                found[kind].append(str(iri))
        return found


def _phrase(words: Sequence[str]) -> str:
    return '"' + " ".join(word.replace('"', '""') for word in words) + '"'
