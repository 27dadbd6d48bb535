"""Tallies: counts kept in the store at load time, so that the canned queries that count
questions per department, member or day read a few thousand tally nodes instead of scanning
a million questions.

Five kinds, each a node in kg's own namespace, named by a hash of its key:

* ``kg:AskingTally``: per (``kg:department``, asking ``kg:member``): ``kg:questions``,
  ``kg:firstDate`` and ``kg:lastDate`` (the first and last day tabled, of the questions that
  have one);
* ``kg:AnsweringTally``: per (``kg:department``, answering ``kg:member``): ``kg:answers``,
  ``kg:firstDate`` and ``kg:lastDate`` (days answered, of the answers that have one);
* ``kg:AnswerTimeTally``: per (``kg:department``, ``kg:days`` to answer): ``kg:questions``;
* ``kg:DayTally``: per (``kg:department``, ``kg:day`` tabled): ``kg:questions``;
* ``kg:MonthTally``: per (``kg:department``, ``kg:month``, an ``xsd:gYearMonth``): the sum of
  the month's day tallies' ``kg:questions``.

Each counts distinct questions (answers) per key, exactly as an aggregate query over the
records would. :func:`recount` computes them all from the records; loads keep them up to
date by difference (:mod:`kg.tally_changes`).
"""

from __future__ import annotations

import pyoxigraph

from kg import vocab

#: Present once the store's tallies are kept (written by :func:`recount` and by bulk loads).
#: "-2" since month tallies: a store whose tallies an older kg kept has none, and is recounted.
MARKER = vocab.KG_ID + "tallies-2"
MARKER_LINE = f"<{MARKER}> <{vocab.RDF_TYPE}> <{vocab.TALLY_SET}> .\n"
_MARKED = f"{{ <{MARKER}> a <{vocab.TALLY_SET}> }}"

#: The classes of tally.
KINDS = (
    vocab.ASKING_TALLY,
    vocab.ANSWERING_TALLY,
    vocab.ANSWER_TIME_TALLY,
    vocab.DAY_TALLY,
    vocab.MONTH_TALLY,
)
_KIND_VALUES = " ".join(f"<{kind}>" for kind in KINDS)

_PREFIXES = {
    "kg": vocab.KG,
    "kgid": vocab.KG_ID,
    "parl": vocab.PARL,
    "dcterms": vocab.DCTERMS,
    "xsd": vocab.XSD,
}

_RECOUNT = (
    f"""
DELETE {{ ?t ?p ?o }} WHERE {{ VALUES ?kind {{ {_KIND_VALUES} kg:TallySet }} ?t a ?kind ; ?p ?o }};
"""
    + """INSERT { ?t a kg:AskingTally ; kg:department ?dept ; kg:member ?member ; kg:questions ?n ;
    kg:firstDate ?first ; kg:lastDate ?last }
WHERE {
  { SELECT ?dept ?member (COUNT(DISTINCT ?q) AS ?n)
    WHERE {
      ?q kg:answeringDepartment ?dept .
      { SELECT ?q ?member WHERE { ?q parl:tablingMember ?member FILTER(isIRI(?member)) } }
    } GROUP BY ?dept ?member }
  # The dates apart: MIN and MAX of a group where one question has none are unbound.
  OPTIONAL {
    SELECT ?dept ?member (MIN(?d) AS ?first) (MAX(?d) AS ?last)
    WHERE {
      ?q kg:answeringDepartment ?dept .
      { SELECT ?q ?member WHERE { ?q parl:tablingMember ?member FILTER(isIRI(?member)) } }
      { SELECT ?q ?d WHERE { ?q dcterms:date ?d } }
    } GROUP BY ?dept ?member }
  BIND(IRI(CONCAT(STR(kgid:), "tally/asking/", SHA1(CONCAT(STR(?dept), " ", STR(?member)))))
       AS ?t) };
INSERT { ?t a kg:AnsweringTally ; kg:department ?dept ; kg:member ?member ; kg:answers ?n ;
    kg:firstDate ?first ; kg:lastDate ?last }
WHERE {
  { SELECT ?dept ?member (COUNT(DISTINCT ?a) AS ?n)
    WHERE {
      ?q kg:answeringDepartment ?dept .
      { SELECT ?q ?a WHERE { ?q parl:answer ?a } }
      { SELECT ?a ?member WHERE { ?a parl:answeringMember ?member FILTER(isIRI(?member)) } }
    } GROUP BY ?dept ?member }
  OPTIONAL {
    SELECT ?dept ?member (MIN(?d) AS ?first) (MAX(?d) AS ?last)
    WHERE {
      ?q kg:answeringDepartment ?dept .
      { SELECT ?q ?a WHERE { ?q parl:answer ?a } }
      { SELECT ?a ?member WHERE { ?a parl:answeringMember ?member FILTER(isIRI(?member)) } }
      { SELECT ?a ?d WHERE { ?a parl:dateOfAnswer ?d } }
    } GROUP BY ?dept ?member }
  BIND(IRI(CONCAT(STR(kgid:), "tally/answering/", SHA1(CONCAT(STR(?dept), " ", STR(?member)))))
       AS ?t) };
INSERT { ?t a kg:AnswerTimeTally ; kg:department ?dept ; kg:days ?days ; kg:questions ?n }
WHERE {
  { SELECT ?dept ?days (COUNT(DISTINCT ?q) AS ?n)
    WHERE {
      ?q kg:answeringDepartment ?dept .
      { SELECT ?q ?days WHERE { ?q kg:daysToAnswer ?days } }
    } GROUP BY ?dept ?days }
  BIND(IRI(CONCAT(STR(kgid:), "tally/answer-time/", SHA1(CONCAT(STR(?dept), " ", STR(?days)))))
       AS ?t) };
INSERT { ?t a kg:DayTally ; kg:department ?dept ; kg:day ?day ; kg:questions ?n }
WHERE {
  { SELECT ?dept ?day (COUNT(DISTINCT ?q) AS ?n)
    WHERE {
      ?q kg:answeringDepartment ?dept .
      {
        SELECT ?q ?day WHERE {
          ?q dcterms:date ?day FILTER(DATATYPE(?day) IN (xsd:date, xsd:dateTime))
        }
      }
    } GROUP BY ?dept ?day }
  BIND(IRI(CONCAT(STR(kgid:), "tally/day/", SHA1(CONCAT(STR(?dept), " ", STR(?day))))) AS ?t) };
INSERT { ?t a kg:MonthTally ; kg:department ?dept ; kg:month ?month ; kg:questions ?n }
WHERE {
  { SELECT ?dept ?month (SUM(?dayCount) AS ?n)
    WHERE {
      ?day a kg:DayTally ; kg:department ?dept ; kg:day ?date ; kg:questions ?dayCount .
      FILTER(REGEX(STR(?date), "^[0-9]{4}-[0-9]{2}-"))
      BIND(STRDT(SUBSTR(STR(?date), 1, 7), xsd:gYearMonth) AS ?month)
    } GROUP BY ?dept ?month }
  BIND(IRI(CONCAT(STR(kgid:), "tally/month/", SHA1(CONCAT(STR(?dept), " ", STR(?month)))))
       AS ?t) };
INSERT DATA { kgid:tallies-2 a kg:TallySet }
"""
)


def recount(store: pyoxigraph.Store) -> None:
    """Compute every tally again from the records (in one update)."""
    store.update(_RECOUNT, prefixes=_PREFIXES)


#: One row: whether the store keeps the tallies this kg reads (``?kept``), and whether it
#: holds questions at all (``?loaded``: an empty store needs none). A SELECT, so that it runs
#: on a remote endpoint as on the local store.
KEPT_QUERY = (
    f"SELECT (EXISTS {_MARKED} AS ?kept)"
    f" (EXISTS {{ ?question a <{vocab.QUESTION}> }} AS ?loaded) WHERE {{}}"
)

#: How many tally nodes the store holds.
COUNT_QUERY = f"SELECT (COUNT(?tally) AS ?tallies) WHERE {{ VALUES ?kind {{ {_KIND_VALUES} }} ?tally a ?kind }}"


def are_kept(store: pyoxigraph.Store) -> bool:
    """Whether the store keeps tallies (stores loaded by older versions of kg do not)."""
    return bool(store.query(f"ASK {_MARKED}"))
