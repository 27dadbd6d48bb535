"""Reading validation results: a summary for people and a full ``sh:ValidationReport``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

import pyoxigraph

from kg import ntriples, vocab
from kg.errors import InputError
from kg.validate import INFO, VIOLATION, WARNING, ValidationResult, conforms, node_term

_SHORT = {"kgsh": "https://w3id.org/parliament-kg/shapes#", "sh": vocab.SH}


def _short(iri: str) -> str:
    for prefix, namespace in _SHORT.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def summarize(results: Iterable[ValidationResult], *, examples: int = 3) -> str:
    """A readable summary: counts per severity, then per shape and message a few focus nodes."""
    count = getattr(results, "focus_count", None)
    checked = "" if count is None else f" ({_counted(count, 'focus node')} checked)"
    results = list(results)
    if not results:
        return f"The data conforms to the shapes{checked}.\n"
    severities = Counter(r.severity for r in results)
    order = [VIOLATION, WARNING, INFO, *sorted(set(severities) - {VIOLATION, WARNING, INFO})]
    names = [s.rsplit("#", 1)[-1] for s in order]
    tally = ", ".join(
        _counted(severities[s], names[i].lower()) for i, s in enumerate(order) if severities[s]
    )
    verdict = "conforms to" if conforms(results) else "does not conform to"
    lines = [f"The data {verdict} the shapes: {tally}{checked}."]
    groups: dict[tuple[int, str, str], list[ValidationResult]] = {}
    for r in results:
        groups.setdefault((order.index(r.severity), r.shape, r.message), []).append(r)
    for (rank, shape, message), group in sorted(groups.items()):
        nodes = sorted({r.focus for r in group})
        components = ", ".join(sorted({_short(r.component) for r in group}))
        more = f" and {len(nodes) - examples} more" if len(nodes) > examples else ""
        lines.append(f"{names[rank]} {_short(shape)}: {message}")
        lines.append(
            f"    {_counted(len(group), 'result')} ({components}) on "
            f"{_counted(len(nodes), 'focus node')}: {', '.join(nodes[:examples])}{more}"
        )
    return "\n".join(lines) + "\n"


def _fields(r: ValidationResult) -> list[tuple[str, str]]:
    """The result's properties and their objects in N-Triples; ``^<iri>``: an inverse path."""
    fields = [("focusNode", node_term(r.focus))]
    if r.path is not None and not r.path.startswith("_:"):
        inverse = r.path.startswith("^")
        fields.append(("resultPath", "^" * inverse + ntriples.iri(r.path[inverse:])))
    fields += [("value", r.value)] if r.value is not None else []
    return [
        *fields,
        ("sourceShape", node_term(r.shape)),
        ("sourceConstraintComponent", ntriples.iri(r.component)),
        ("resultSeverity", ntriples.iri(r.severity)),
        ("resultMessage", ntriples.literal(r.message)),
    ]


def _jsonld(term: str) -> dict[str, object]:
    if term.startswith("^"):
        return {"sh:inversePath": _jsonld(term[1:])}
    if not term.startswith('"'):
        return {"@id": term[1:-1] if term.startswith("<") else term}
    triple = next(
        iter(pyoxigraph.parse(f"<urn:s> <urn:p> {term} .", pyoxigraph.RdfFormat.N_TRIPLES))
    )
    literal = triple.object
    assert isinstance(literal, pyoxigraph.Literal)
    if literal.language:
        return {"@value": literal.value, "@language": literal.language}
    datatype = literal.datatype.value
    return {
        "@value": literal.value,
        **({} if datatype == vocab.XSD_STRING else {"@type": datatype}),
    }


def report(results: Iterable[ValidationResult], *, fmt: str) -> str:
    """The results as a ``sh:ValidationReport`` in ``turtle`` or ``json-ld``."""
    ordered = sorted(results, key=ValidationResult.sort_key)
    verdict = conforms(ordered)
    if fmt == "json-ld":
        entries = [
            {"@type": "sh:ValidationResult", **{f"sh:{p}": _jsonld(o) for p, o in _fields(r)}}
            for r in ordered
        ]
        document = {
            "@context": {"sh": vocab.SH},
            "@type": "sh:ValidationReport",
            "sh:conforms": verdict,
            "sh:result": entries,
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt != "turtle":
        raise InputError("report", f"unknown report format {fmt!r}", "use turtle or json-ld")
    blocks = []
    for r in ordered:
        lines = ["a sh:ValidationResult"] + [
            f"sh:{p} " + (f"[ sh:inversePath {o[1:]} ]" if o.startswith("^") else o)
            for p, o in _fields(r)
        ]
        blocks.append("    [\n        " + " ;\n        ".join(lines) + "\n    ]")
    head = f"@prefix sh: <{vocab.SH}> .\n\n[] a sh:ValidationReport ;\n"
    head += f"    sh:conforms {'true' if verdict else 'false'}"
    return head + (" ;\n    sh:result\n" + " ,\n".join(blocks) if blocks else "") + " .\n"
