"""A full-text index of the questions' and answers' text, kept in the store's folder (SQLite
FTS5): built by ``kg text-index`` (:func:`build`), searched through :mod:`kg.text_search`.

The index follows the store through kg's loads: :func:`kept_current` wraps a load, marks the
index pending, and afterwards indexes again every question the store holds with a
``kg:loadedAt`` since then (also after a load that failed part way). An index still pending (a
load stopped by Ctrl-C or killed before it caught up) is not used, and the next load builds
it again. Changes made
to the store other than by kg's loads are not seen: ``kg text-index`` builds it again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from kg import ntriples, vocab
from kg.errors import StoreError
from kg.load import now
from kg.paths import text_index_file
from kg.sparql import releasing, select
from kg.values import is_absolute_iri

#: "2": the texts lower-cased before FTS5 reads them (an index of format "1" is not used).
FORMAT = "2"
#: FTS5's tokenizer; diacritics are kept, so that a word is only lower-cased.
TOKENIZER = "unicode61 remove_diacritics 0"
TERMS_TABLE = "terms"
_CHUNK = 500
#: Texts read from the store at a time by the build (in its read-ahead thread).
CHUNK_TEXTS = 5000
_PREFIXES = {"parl": vocab.PARL, "kg": vocab.KG, "xsd": vocab.XSD}
_QUESTION_TEXTS = "SELECT ?q ?text WHERE {{ {values} ?q parl:questionText ?text }}"
_ANSWER_TEXTS = (
    "SELECT ?q ?a ?text WHERE {{ {values} ?q parl:answer ?a . ?a parl:answerText ?text }}"
)
# ?since is selected because pyoxigraph substitutes only the variables a query selects.
_LOADED_SINCE = "SELECT DISTINCT ?since ?q WHERE { ?q kg:loadedAt ?at FILTER(?at >= ?since) }"
_COUNT = (
    "SELECT (COUNT(*) AS ?n) WHERE { { ?q parl:questionText ?text }"
    " UNION { ?q parl:answer ?a . ?a parl:answerText ?text } }"
)

_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  question TEXT NOT NULL,
  answer TEXT,
  kind TEXT NOT NULL
);
CREATE INDEX docs_by_question ON docs(question);
CREATE VIRTUAL TABLE body USING fts5(text, content='', tokenize='{TOKENIZER}');
CREATE TABLE {TERMS_TABLE}(term TEXT PRIMARY KEY) WITHOUT ROWID;
"""


_Text = tuple[str, str | None, str, str]
"""A text to index: its question, its answer (None for a question's own text), its kind
(``questionText`` or ``answerText``) and the text."""
_Chunk = list[_Text]


@dataclass(frozen=True)
class IndexSummary:
    """What a build or a catch-up indexed."""

    questions: int
    texts: int


#: Seconds to wait for another process's write to the index (SQLite's lock) before giving up.
BUSY_TIMEOUT = 5.0


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)


def _texts(store: pyoxigraph.Store, questions: Sequence[str] | None) -> Iterator[_Text]:
    """(question, answer, kind, text) of these questions, or of all."""
    values = ""
    if questions is not None:
        values = "VALUES ?q { " + ntriples.iris(questions) + " }"
    for row in select(store, _QUESTION_TEXTS.format(values=values), prefixes=_PREFIXES):
        yield _value(row["q"]), None, "questionText", _lower_case(row["text"])
    for row in select(store, _ANSWER_TEXTS.format(values=values), prefixes=_PREFIXES):
        yield _value(row["q"]), _value(row["a"]), "answerText", _lower_case(row["text"])


def _lower_case(text: object) -> str:
    """The text as find-questions' check reads it, lower-cased by SPARQL's LCASE (Unicode's
    full mapping, as Python's: "İ" becomes "i" and a combining dot): so the words indexed
    hold the ASCII letters the check finds, where FTS5 alone kept "İ" as it is."""
    return _value(text).lower()


def _value(term: object) -> str:
    return term.value if isinstance(term, pyoxigraph.NamedNode | pyoxigraph.Literal) else str(term)


def _insert(db: sqlite3.Connection, texts: Iterable[_Text]) -> int:
    count = 0
    for question, answer, kind, text in texts:
        cursor = db.execute(
            "INSERT INTO docs(question, answer, kind) VALUES (?, ?, ?)", (question, answer, kind)
        )
        db.execute("INSERT INTO body(rowid, text) VALUES (?, ?)", (cursor.lastrowid, text))
        count += 1
    return count


def build(
    store: pyoxigraph.Store, store_path: Path, *, on_texts: Callable[[int], None] | None = None
) -> IndexSummary:
    """Build the index of every question's and answer's text anew, beside the old one, which
    it replaces only when whole."""
    path = text_index_file(store_path)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.unlink(missing_ok=True)
    started = now()
    with _writing(path):
        db = _connect(part)
    try:
        _create(db, part)
        db.execute("BEGIN")
        texts = 0
        for chunk in _read_ahead(_chunks(_texts(store, None), CHUNK_TEXTS)):
            texts += _insert(db, chunk)
            if on_texts is not None:
                on_texts(len(chunk))
        db.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, body, row)")
        db.execute(f"INSERT INTO {TERMS_TABLE} SELECT term FROM temp.vocabulary")
        db.execute("DROP TABLE temp.vocabulary")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("built", started)])
        questions = db.execute("SELECT COUNT(DISTINCT question) FROM docs").fetchone()[0]
        db.execute("COMMIT")
        db.close()
        os.replace(part, path)
    except sqlite3.Error as exc:
        db.close()
        part.unlink(missing_ok=True)
        with _writing(path):
            raise exc
    except BaseException:
        db.close()
        part.unlink(missing_ok=True)
        raise
    return IndexSummary(questions=questions, texts=texts)


def _create(db: sqlite3.Connection, path: Path) -> None:
    try:
        db.executescript(_SCHEMA)
    except sqlite3.OperationalError as exc:
        raise StoreError(
            str(path),
            f"cannot make the text index ({exc})",
            "use a Python whose SQLite has FTS5 (python.org's and most distributions' do)",
        ) from exc


def _read_ahead(chunks: Generator[_Chunk, None, None]) -> Iterator[_Chunk]:
    """The chunks, each read from the store in a second thread while SQLite indexes the one
    before (SQLite lets go of the GIL while it works): at 100,000 questions reading took 5.1 s
    and indexing 6.4 s, one after the other. That thread makes the store's results, so it
    also frees them, whether the chunks are read to the end or not."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-text-reader") as reader:
        pending = reader.submit(_next_chunk, chunks)
        try:
            while (chunk := pending.result()) is not None:
                pending = reader.submit(_next_chunk, chunks)
                yield chunk
        finally:
            reader.submit(chunks.close)  # after the pending read: one thread, in turn


@releasing
def _next_chunk(chunks: Iterator[_Chunk]) -> _Chunk | None:
    return next(chunks, None)


def _chunks(items: Iterable[_Text], size: int) -> Generator[_Chunk, None, None]:
    chunk: _Chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def count_texts(store: pyoxigraph.Store) -> int:
    """How many texts of questions and answers the store holds (what a build indexes)."""
    row = next(iter(select(store, _COUNT, prefixes=_PREFIXES)))
    return int(_value(row["n"]))


# --- Keeping it current ----------------------------------------------------------------------


def open_index(store_path: Path, *, writing: bool = False) -> sqlite3.Connection | None:
    """The store's index, if it has one of this format. One that is not a database is taken
    for none; one that cannot be read now (another process writes it) too, but to write."""
    path = text_index_file(store_path)
    if not path.is_file():
        return None
    try:
        db = _connect(path)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.Error:
            db.close()
            raise
    except sqlite3.OperationalError:
        if not writing:
            return None
        with _writing(path):
            raise
    except sqlite3.Error:
        return None
    if row is None or row[0] != FORMAT:
        db.close()
        return None
    return db


def is_of_another_format(store_path: Path) -> bool:
    """Whether the store has a text index in a form this kg does not use (an older kg's)."""
    path = text_index_file(store_path)
    if not path.is_file():
        return False
    try:
        with contextlib.closing(_connect(path)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] != FORMAT


def is_pending(store_path: Path) -> bool:
    """Whether the store has a text index that a load left pending (so it is not used)."""
    db = open_index(store_path)
    if db is None:
        return False
    try:
        return pending_since(db) is not None
    finally:
        db.close()


def pending_since(db: sqlite3.Connection) -> str | None:
    """When the load that marked the index pending began; None when it is current."""
    row = db.execute("SELECT value FROM meta WHERE key = 'pending'").fetchone()
    return None if row is None else str(row[0])


class Upkeep:
    """What a load tells the index besides what ``kg:loadedAt`` says: the questions it wrote
    with an older time (pages fetched earlier, loaded from the cache)."""

    def __init__(self) -> None:
        self.questions: set[str] = set()

    def wrote(self, questions: Iterable[object]) -> None:
        """The ``_about`` of items a load was given: those that are IRIs (the others, which
        the load refuses, have no question to index)."""
        self.questions.update(q for q in questions if isinstance(q, str) and is_absolute_iri(q))


@contextlib.contextmanager
def kept_current(store: pyoxigraph.Store, store_path: Path | None) -> Iterator[Upkeep]:
    """Around a load into the store at ``store_path``: the index (if there is one) is marked
    pending first, and caught up afterwards, whether the load finished or not. One left
    pending by a load that never caught up is built again instead. When the load fails, its
    error is raised, not one of catching up (the index then stays pending)."""
    upkeep = Upkeep()
    db = None if store_path is None else open_index(store_path, writing=True)
    if db is None or store_path is None:
        yield upkeep
        return
    try:
        with _writing(text_index_file(store_path)):
            left_pending = pending_since(db) is not None
            since = now()
            if not left_pending:
                db.execute("INSERT INTO meta VALUES ('pending', ?)", (since,))

        def follow() -> None:
            if left_pending:
                db.close()
                build(store, store_path)
            else:
                with _writing(text_index_file(store_path)):
                    catch_up(store, db, since=since, also=upkeep.questions)

        try:
            yield upkeep
        except Exception:  # not on Ctrl-C: the index stays pending
            with contextlib.suppress(Exception):  # the load's error is the one to show
                follow()
            raise
        follow()
    finally:
        db.close()


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """SQLite's errors while the index at ``path`` is written, as kg's."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(
            str(path),
            f"the text index could not be written ({exc})",
            "run kg text-index again, or delete the file (searches then read every text)",
        ) from exc


def catch_up(
    store: pyoxigraph.Store,
    db: sqlite3.Connection,
    *,
    since: str,
    also: Iterable[str] = (),
) -> IndexSummary:
    """Index again every question loaded at ``since`` or later, and ``also`` these (their
    texts as the store holds them now), then clear the pending mark, in one transaction."""
    since_term = pyoxigraph.Literal(since, datatype=pyoxigraph.NamedNode(vocab.XSD + "dateTime"))
    loaded = select(store, _LOADED_SINCE, prefixes=_PREFIXES, substitutions={"since": since_term})
    questions = list(dict.fromkeys([*(_value(row["q"]) for row in loaded), *also]))
    texts = 0
    db.execute("BEGIN")
    try:
        db.execute(f"CREATE VIRTUAL TABLE temp.fresh USING fts5(text, tokenize='{TOKENIZER}')")
        db.execute("CREATE VIRTUAL TABLE temp.fresh_terms USING fts5vocab(temp, fresh, row)")
        for start in range(0, len(questions), _CHUNK):
            chunk = questions[start : start + _CHUNK]
            db.executemany(
                "DELETE FROM docs WHERE question = ?", [(question,) for question in chunk]
            )
            found = list(_texts(store, chunk))
            texts += _insert(db, found)
            db.executemany("INSERT INTO temp.fresh(text) VALUES (?)", [(t[3],) for t in found])
        db.execute(f"INSERT OR IGNORE INTO {TERMS_TABLE} SELECT term FROM temp.fresh_terms")
        db.execute("DROP TABLE temp.fresh_terms")
        db.execute("DROP TABLE temp.fresh")
        db.execute("DELETE FROM meta WHERE key = 'pending'")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return IndexSummary(questions=len(questions), texts=texts)
