"""The converting process of a bulk load: its two streams, and its background writer."""

from __future__ import annotations

import io
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import msgspec
import pytest

from kg import vocab
from kg.bulk import _WORKER
from kg.bulk_worker import BackgroundWriter, convert_pages
from kg.reader import expand_inputs

LOADED_AT = "2026-12-06T13:00:00Z"


def read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def test_chunks_arrive_whole_and_in_order() -> None:
    read_end, write_end = os.pipe()
    chunks = [bytes([65 + n % 26]) * (1000 + 7919 * n) for n in range(40)]
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(read_all(read_end)))
    reader.start()
    writer = BackgroundWriter(write_end, ahead=50_000)
    for chunk in chunks:
        assert writer.write(chunk) == len(chunk)
    writer.close()
    reader.join()
    assert received == [b"".join(chunks)]


def test_at_most_ahead_bytes_wait_and_always_one_chunk() -> None:
    read_end, write_end = os.pipe()
    writer = BackgroundWriter(write_end, ahead=1_000_000)
    written: list[int] = []

    def convert() -> None:  # the first chunk is larger than the pipe holds: it never ends
        for size in (600_000, 300_000, 300_000, 5_000_000):
            writer.write(b"x" * size)
            written.append(size)

    converter = threading.Thread(target=convert)
    converter.start()
    deadline = time.monotonic() + 10
    while len(written) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the third chunk would bring what waits above 1,000,000 bytes
    assert written == [600_000, 300_000]
    assert writer.waiting == 900_000
    data = read_all_after(writer, read_end, converter)
    assert len(data) == 6_200_000  # the last chunk, larger than ahead, went through alone


def read_all_after(writer: BackgroundWriter, read_end: int, converter: threading.Thread) -> bytes:
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(read_all(read_end)))
    reader.start()
    converter.join(10)
    writer.close()
    reader.join(10)
    return received[0]


def test_a_failed_write_is_raised_by_the_next_write_or_by_close() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: writing fails with EPIPE
    writer = BackgroundWriter(write_end, ahead=1 << 20)
    writer.write(b"lost\n")
    deadline = time.monotonic() + 10
    while writer.waiting and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(BrokenPipeError):
        writer.write(b"more\n")
    with pytest.raises(BrokenPipeError):
        writer.close()


def test_close_writes_what_waits_and_closing_again_does_nothing() -> None:
    read_end, write_end = os.pipe()
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(read_all(read_end)))
    reader.start()
    writer = BackgroundWriter(write_end, ahead=1 << 20)
    writer.write(b"<a> <b> <c> .\n")
    writer.close()
    reader.join(10)
    later_read, later_write = os.pipe()  # may well be given the numbers just closed
    writer.close()
    assert received == [b"<a> <b> <c> .\n"]
    os.write(later_write, b"still open\n")
    os.close(later_write)
    assert read_all(later_read) == b"still open\n"


def run_worker(sources: list[str]) -> tuple[bytes, bytes, list[dict[str, object]]]:
    """The converting process as a bulk load starts it: the pages' N-Triples, the end's and
    the messages, each read to its end at once."""
    pipes = {name: os.pipe() for name in ("data", "end", "meta")}
    worker = subprocess.Popen(
        _WORKER, stdin=subprocess.PIPE, pass_fds=tuple(w for _, w in pipes.values())
    )
    for _, write_end in pipes.values():
        os.close(write_end)
    request = {
        "sources": sources,
        "loaded_at": LOADED_AT,
        "data_fd": pipes["data"][1],
        "end_fd": pipes["end"][1],
        "meta_fd": pipes["meta"][1],
        "contributions": None,
    }
    assert worker.stdin is not None
    worker.stdin.write(json.dumps(request).encode())
    worker.stdin.close()
    read: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=name, r=r: read.__setitem__(n, read_all(r)))
        for name, (r, _) in pipes.items()
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(60)
    assert worker.wait(60) == 0
    messages = [msgspec.json.decode(line) for line in read["meta"].splitlines()]
    return read["data"], read["end"], messages


def test_the_worker_writes_the_pages_and_the_end_to_two_streams_which_together_are_the_load(
    sample_path: Path,
) -> None:
    sources = expand_inputs(
        [str(sample_path), str(Path(__file__).parent / "fixtures" / "handmade")]
    )
    whole = io.BytesIO()
    convert_pages(sources, loaded_at=LOADED_AT, out=whole, meta=io.BytesIO())

    pages, end, messages = run_worker(sources)

    assert pages + end == whole.getvalue()
    *page_messages, last = messages
    assert [m["source"] for m in page_messages] == sources
    assert pages.count(b"\n") == sum(m["triples"] for m in page_messages)
    assert end.count(b"\n") == last["links"] + last["tallies"] > 0
    tally_type = f"<{vocab.RDF_TYPE}> <{vocab.ASKING_TALLY}> .".encode()
    grouped = f"<{vocab.GROUPED_WITH}>".encode()
    assert tally_type in end and grouped in end
    assert tally_type not in pages
