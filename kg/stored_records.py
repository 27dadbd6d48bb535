"""Reading back what the store holds of question records, as N-Triples lines.

A question's record is its own triples, its parts' (``?part kg:partOfRecord ?question``) and
the group links to it (``?other kg:groupedWith ?question``). Oxigraph keeps IRIs and long
strings in a table of their own, so every such term of a result costs a look-up there (about
3 µs, however often the term repeats). The triples are therefore read with the subject and
predicate as numbers (positions in lists of N-Triples terms), and only the objects as terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph

from kg import ntriples, vocab
from kg.item_roles import KNOWN_KEYS
from kg.sparql import select, select_lines, select_tsv, tsv_term
from kg.tally_changes import TALLIED

_PREFIXES = {"kg": vocab.KG}
_GROUPED_WITH = ntriples.iri(vocab.GROUPED_WITH)
#: The parts of the records and who links to them, each with its question's position.
_PARTS_AND_LINKS = (
    "SELECT ?part ?linker ?qi WHERE {{ VALUES (?q ?qi) {{ {questions} }} "
    + "{{ ?part kg:partOfRecord ?q }} UNION {{ ?linker kg:groupedWith ?q }} }}"
)
# Predicates as numbers: those kg writes, in a VALUES joined to each triple; any other (from a
# key kg does not know) is given as itself.
_TRIPLES = (
    "SELECT ?si (COALESCE(?pi, ?p) AS ?pp) ?o WHERE {{ VALUES (?s ?si) {{ {subjects} }} "
    + "?s ?p ?o OPTIONAL {{ VALUES (?p ?pi) {{ {predicates} }} }} }}"
)
# Each question by its position: a number costs Oxigraph nothing to give back, an IRI a look-up.
_STORED_HASHES = "SELECT ?i ?h WHERE {{ VALUES (?q ?i) {{ {rows} }} ?q kg:contentHash ?h }}"
#: All in one query (each term of each row looked up): for parts a VALUES cannot hold.
_RECORD_TRIPLES = (
    "SELECT ?s ?p ?o WHERE {{ VALUES ?q {{ {questions} }} "
    + "{{ ?q ?p ?o BIND(?q AS ?s) }} UNION {{ ?s kg:partOfRecord ?q . ?s ?p ?o }} "
    + "UNION {{ ?s kg:groupedWith ?q BIND(kg:groupedWith AS ?p) BIND(?q AS ?o) }} }}"
)


def _kg_predicates() -> list[str]:
    keys = {key for keys in KNOWN_KEYS.values() for key in keys if key != "_about"}
    derived = {vocab.RDF_TYPE, vocab.ANSWERING_DEPARTMENT, vocab.IN_HOUSE, vocab.DAYS_TO_ANSWER}
    derived |= {vocab.GROUPED_WITH, vocab.PART_OF_RECORD, vocab.SOURCE, vocab.LOADED_AT}
    derived.add(vocab.CONTENT_HASH)
    iris = {vocab.predicate_for_key(key) for key in keys} | derived
    return [ntriples.iri(iri) for iri in sorted(iris)]


#: The predicates of the triples kg writes, in N-Triples.
KG_PREDICATES = _kg_predicates()
_PREDICATE_VALUES = " ".join(f"({p} {number})" for number, p in enumerate(KG_PREDICATES))


def _is_iri(term: str) -> bool:
    return term.startswith("<") and not term.startswith("<<")


def _numbered(terms: Sequence[str]) -> str:
    return " ".join(f"({term} {number})" for number, term in enumerate(terms))


@dataclass
class StoredRecords:
    """What the store holds of some question records."""

    #: Their triples, as N-Triples lines written by Oxigraph (see :func:`kg.sparql.select_tsv`).
    lines: set[str] = field(default_factory=set)
    #: Those of ``lines`` whose predicate the tallies read (:data:`kg.tally_changes.TALLIED`).
    tallied: list[str] = field(default_factory=list)


def stored_record_lines(store: pyoxigraph.Store, iris: Sequence[str]) -> set[str]:
    """The triples of these questions' records as the store holds them, as N-Triples lines
    written by Oxigraph: the questions' own, their parts' and the group links to them."""
    return stored_records(store, iris).lines


def stored_records(store: pyoxigraph.Store, iris: Sequence[str]) -> StoredRecords:
    """What the store holds of these questions' records: the questions' own triples, their
    parts' and the group links to them."""
    found = StoredRecords()
    if not iris:
        return found
    questions = list(dict.fromkeys(ntriples.iri(iri) for iri in iris))
    parts: dict[str, None] = {}
    for part, linker, number in select_tsv(
        store, _PARTS_AND_LINKS.format(questions=_numbered(questions)), prefixes=_PREFIXES
    ):
        if part:
            parts[part] = None
        else:
            found.lines.add(f"{linker} {_GROUPED_WITH} {questions[int(number)]} .\n")
    if not all(_is_iri(part) for part in parts):  # a blank node cannot go in a VALUES
        text = _RECORD_TRIPLES.format(questions=" ".join(questions))
        found.lines = select_lines(store, text, prefixes=_PREFIXES)
        found.tallied = [line for line in found.lines if line.split(" ", 2)[1] in TALLIED]
        return found
    subjects = list(dict.fromkeys([*questions, *parts]))
    text = _TRIPLES.format(subjects=_numbered(subjects), predicates=_PREDICATE_VALUES)
    predicates, tallied, lines = KG_PREDICATES, found.tallied, found.lines
    for subject, predicate, obj in select_tsv(store, text, prefixes=_PREFIXES):
        p = predicate if predicate[0] == "<" else predicates[int(predicate)]
        line = f"{subjects[int(subject)]} {p} {tsv_term(obj)} .\n"
        lines.add(line)
        if p in TALLIED:
            tallied.append(line)
    return found


def stored_lines(store: pyoxigraph.Store, lines: Iterable[str]) -> set[str]:
    """Which of these N-Triples lines (as kg writes them) the store holds already."""
    asked = list(lines)
    if not asked:
        return set()
    triples = pyoxigraph.parse(ntriples.utf8("".join(asked)), pyoxigraph.RdfFormat.N_TRIPLES)
    graph = pyoxigraph.DefaultGraph()
    return {
        line
        for line, t in zip(asked, triples, strict=True)
        if pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) in store
    }


def stored_hashes(store: pyoxigraph.Store, iris: Sequence[str]) -> dict[str, str]:
    """The content hash the store holds for each of these questions (absent ones left out)."""
    if not iris:
        return {}
    rows = " ".join(f"({ntriples.iri(iri)} {number})" for number, iri in enumerate(iris))
    found: dict[str, str] = {}
    for row in select(store, _STORED_HASHES.format(rows=rows), prefixes=_PREFIXES):
        number, value = row["i"], row["h"]
        if isinstance(number, pyoxigraph.Literal) and isinstance(value, pyoxigraph.Literal):
            found[iris[int(number.value)]] = value.value
    return found
