"""The benchmark steps that are not a ``kg`` command, each run in a fresh process by
:mod:`bench.run` (``python -m bench.steps STEP ...``); each prints one JSON object on stdout.

* ``convert PAGES``: kg's reader and converter alone over every page (no store), then the
  conversion floor over the same pages (:mod:`bench.convert_floor`);
* ``ntriples PAGES FILE``: the N-Triples kg's bulk load of the pages hands to Oxigraph, in
  its order (the floor's input);
* ``dump STORE FILE``: the store's default graph as N-Triples, in the order of Oxigraph's
  index (floor-sorted's input);
* ``bulk-load FILE STORE``: ``pyoxigraph.Store.bulk_load`` of that file (the floor);
* ``naive PAGES STORE``: what a user without kg might write: rdflib parses each page's items
  as JSON-LD through a context, serializes them as N-Triples, and Oxigraph loads them;
* ``query-list``: the canned-query calls the queries step makes;
* ``query STORE NAME ARGS``: one canned query call, cold then ``--repeat`` runs (narrowed by
  the store's text index with ``--text-index``);
* ``count STORE``: triples and questions in a store.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.convert_floor import convert_floor

PARL = "http://data.parliament.uk/schema/parl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: The naive path's JSON-LD context: the API's ``_about``/``_value``/``_datatype`` keywords
#: aliased to JSON-LD's, every other key a ``parl:`` term, ``dateTime`` and friends XSD types.
NAIVE_CONTEXT: dict[str, Any] = {
    "@vocab": PARL,
    "_about": "@id",
    "_value": "@value",
    "_datatype": "@type",
    "_lang": "@language",
    "dateTime": XSD + "dateTime",
    "date": "http://purl.org/dc/terms/date",
    "boolean": XSD + "boolean",
    "integer": XSD + "integer",
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "prefLabel": "http://www.w3.org/2004/02/skos/core#prefLabel",
}


def _emit(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result) + "\n")


def convert(pages: str) -> dict[str, Any]:
    from kg.bulk_worker import collect_rarely
    from kg.convert import convert_item
    from kg.reader import expand_inputs, read_page

    # As kg's converting process runs (and the conversion floor after it, alike).
    collect_rarely()
    read_wall = read_cpu = conv_wall = conv_cpu = 0.0
    questions = triples = 0
    for source in expand_inputs([pages]):
        w0, c0 = time.perf_counter(), time.process_time()
        page = read_page(source)
        w1, c1 = time.perf_counter(), time.process_time()
        for number, item in enumerate(page.items, start=1):
            triples += len(convert_item(item, where=f"{source} item {number}").lines)
        w2, c2 = time.perf_counter(), time.process_time()
        read_wall += w1 - w0
        read_cpu += c1 - c0
        conv_wall += w2 - w1
        conv_cpu += c2 - c1
        questions += len(page.items)
    floor = convert_floor(pages)
    return {
        "questions": questions,
        "triples": triples,
        "floor_read_cpu": floor["read_cpu"],
        "floor_cpu": floor["write_cpu"],
        "floor_lines": floor["lines"],
        "read_wall": read_wall,
        "read_cpu": read_cpu,
        "convert_wall": conv_wall,
        "convert_cpu": conv_cpu,
    }


def dump(store_path: str, output: str) -> dict[str, Any]:
    store = ox.Store.read_only(store_path)
    store.dump(output, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    with open(output, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b""))
    return {"triples": lines, "bytes": Path(output).stat().st_size}


def ntriples(pages: str, output: str) -> dict[str, Any]:
    from kg.bulk import write_ntriples
    from kg.reader import expand_inputs

    with open(output, "wb") as out:
        triples = write_ntriples(expand_inputs([pages]), out)
    return {"triples": triples, "bytes": Path(output).stat().st_size}


def bulk_load(source: str, store_path: str) -> dict[str, Any]:
    store = ox.Store(store_path)
    store.bulk_load(path=source, format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    return {}


def naive(pages: str, store_path: str) -> dict[str, Any]:
    import rdflib

    store = ox.Store(store_path)
    files = sorted(p for p in Path(pages).iterdir() if p.name.endswith(".json"))
    questions = triples = 0
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"), strict=False)
        items = doc["result"]["items"]
        graph = rdflib.Graph()
        graph.parse(data=json.dumps({"@context": NAIVE_CONTEXT, "@graph": items}), format="json-ld")
        data = graph.serialize(format="nt", encoding="utf-8")
        store.load(data, ox.RdfFormat.N_TRIPLES)
        questions += len(items)
        triples += len(graph)
    store.flush()
    return {"questions": questions, "triples": triples}


#: Parameter values for the canned queries, by parameter type: present in generated data
#: (member 3000 asks most, department 29 is the largest).
QUERY_ARGUMENTS = {
    "member": "3000",
    "department": "29",
    "integer": "10",
    "date": "2020-01-01",
    "text": "Children",
}
#: Values for optional parameters of particular queries (by query, then parameter name).
QUERY_HINTS: dict[str, dict[str, str]] = {
    "departments": {"name": "Health"},
    "members": {"name": "Jones"},
    "find-questions": {"text": "dentistry"},
    "monthly-questions": {"from": "2018-01-01", "to": "2019-12-31"},
}


def query_calls(name: str, query: Any) -> list[tuple[str, dict[str, str]]]:
    """How a canned query is called: with its required parameters, optional member and
    department parameters and the hints (the usual, narrow call), and if that differs, with
    the required parameters only (``NAME(all)``)."""
    hints = QUERY_HINTS.get(name, {})
    required: dict[str, str] = {}
    narrow: dict[str, str] = {}
    for parameter in query.parameters:
        value = hints.get(parameter.name, QUERY_ARGUMENTS.get(parameter.type, "1"))
        if parameter.required:
            required[parameter.name] = value
            narrow[parameter.name] = value
        elif parameter.name in hints or parameter.type in ("member", "department"):
            narrow[parameter.name] = value
    calls = [(name, narrow)]
    if required != narrow:
        calls.append((f"{name}(all)", required))
    return calls


def query_list() -> dict[str, Any]:
    """The calls the queries step makes: (label, query name, parameters)."""
    from kg import queries as canned

    calls = []
    for name, query in canned.load_catalog().items():
        for label, args in query_calls(name, query):
            calls.append([label, name, args])
    return {"calls": calls}


def query(
    store_path: str, name: str, args: str, repeat: int, slow: float, *, text_index: bool = False
) -> dict[str, Any]:
    """One canned query call, run cold and then ``repeat`` times (once only when slow); with
    ``text_index``, narrowed by the store's text index, as ``kg query`` is."""
    from kg import queries as canned

    index = None
    if text_index:
        from kg.text_search import TextIndex

        index = TextIndex.open(Path(store_path))
        if index is None:
            raise SystemExit(f"{store_path}: no current text index")
    store = ox.Store.read_only(store_path)
    canned_query = canned.find_query(canned.load_catalog(), name)
    given = json.loads(args)
    runs: list[float] = []
    rows = 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        runner = canned.local_runner(store, where=name)
        outcome = canned.execute(canned_query, given, runner, text_index=index)
        read = list(outcome.rows)  # read within the timing, whatever execute hands back
        runs.append(time.perf_counter() - started)
        rows = len(read)
        if runs[0] > slow:
            break
    return {"cold": runs[0], "runs": runs[1:] or runs, "rows": rows, "params": given}


def count(store_path: str) -> dict[str, Any]:
    store = ox.Store.read_only(store_path)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?q a <https://w3id.org/parliament-kg/def#WrittenQuestion> }"
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    questions = next(iter(solutions))["n"]
    return {"triples": len(store), "questions": int(questions.value) if questions else 0}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.steps")
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("convert").add_argument("pages")
    p = sub.add_parser("dump")
    p.add_argument("store")
    p.add_argument("output")
    p = sub.add_parser("ntriples")
    p.add_argument("pages")
    p.add_argument("output")
    p = sub.add_parser("bulk-load")
    p.add_argument("source")
    p.add_argument("store")
    p = sub.add_parser("naive")
    p.add_argument("pages")
    p.add_argument("store")
    sub.add_parser("query-list")
    p = sub.add_parser("query")
    p.add_argument("store")
    p.add_argument("name")
    p.add_argument("args", help="the parameters, as a JSON object")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--slow", type=float, default=60.0, help="no repeats after a slower cold run")
    p.add_argument("--text-index", action="store_true", help="narrowed by the store's text index")
    sub.add_parser("count").add_argument("store")
    args = parser.parse_args(argv)
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "convert": lambda: convert(args.pages),
        "dump": lambda: dump(args.store, args.output),
        "ntriples": lambda: ntriples(args.pages, args.output),
        "bulk-load": lambda: bulk_load(args.source, args.store),
        "naive": lambda: naive(args.pages, args.store),
        "query-list": query_list,
        "query": lambda: query(
            args.store, args.name, args.args, args.repeat, args.slow, text_index=args.text_index
        ),
        "count": lambda: count(args.store),
    }
    _emit(steps[args.step]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
