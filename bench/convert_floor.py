"""The conversion floor: the least any converter written in Python spends on the pages.

It reads each page as kg does (msgspec, raw newlines escaped), then writes one N-Triples-shaped
line per value the items hold (``<subject> <key> "value" .``) and encodes the lines as UTF-8.
It maps no keys to predicates, escapes nothing, checks nothing, adds no triples of its own
and hashes nothing, so its output is not valid RDF: it is a lower bound, to read kg's
questions per CPU-second against (as the floor step is for loading).
"""

from __future__ import annotations

import time
from typing import Any

from kg.reader import expand_inputs, read_page


def _lines(subject: str, obj: dict[str, Any], out: list[str]) -> None:
    for key, value in obj.items():
        for entry in value if type(value) is list else (value,):
            if type(entry) is dict:
                about = entry.get("_about")
                if type(about) is str:
                    out.append(f"<{subject}> <{key}> <{about}> .\n")
                    _lines(about, entry, out)
                else:
                    out.append(f'<{subject}> <{key}> "{entry.get("_value")}" .\n')
            elif key != "_about":
                out.append(f'<{subject}> <{key}> "{entry}" .\n')


def convert_floor(pages: str) -> dict[str, Any]:
    """Questions, lines and CPU-seconds of the floor over every page under ``pages``: reading
    (the files, parsing them, freeing the pages) apart from writing the lines, as kg's
    convert step counts them."""
    questions = lines = 0
    read_cpu = write_cpu = 0.0
    for source in expand_inputs([pages]):
        started = time.process_time()
        page = read_page(source)
        parsed = time.process_time()
        for item in page.items:
            out: list[str] = []
            _lines(str(item.get("_about")), item, out)
            b"".join(map(str.encode, out))
            lines += len(out)
        questions += len(page.items)
        written = time.process_time()
        del page
        read_cpu += parsed - started + time.process_time() - written
        write_cpu += written - parsed
    return {"questions": questions, "lines": lines, "read_cpu": read_cpu, "write_cpu": write_cpu}
