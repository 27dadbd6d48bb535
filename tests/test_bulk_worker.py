"""The converting process of a bulk load: its background writer."""

from __future__ import annotations

import os
import threading
import time

import pytest

from kg.bulk_worker import BackgroundWriter


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
