"""A lean HTTP/1.1 load generator on asyncio streams, for benchmarks against 127.0.0.1.

A general-purpose client spends milliseconds of CPU per request on connection pooling and
header models; on 2 cores shared with the server under test, that client becomes the
bottleneck, and once it falls behind an open-loop schedule its own queue inflates the
latencies it reports. This one writes pre-built requests over a fixed set of keep-alive
connections and reads ``Content-Length`` framed answers: tens of microseconds a request.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def build_request(url: str, path: str, body: bytes, *, user: str | None = None) -> bytes:
    """A complete POST request with a JSON body (and Basic credentials when ``user`` is set)."""
    host = urlsplit(url).netloc
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    ]
    if user is not None:
        lines.append("Authorization: Basic " + base64.b64encode(f"{user}:".encode()).decode())
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    """One keep-alive connection; requests on it are sent one after another."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> Answer:
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            body = await self._chunked()
        else:
            length = int(headers.get("content-length") or 0)
            body = await self._reader.readexactly(length) if length else b""
        return Answer(status=int(status_line.split(" ", 2)[1]), body=body)

    async def _chunked(self) -> bytes:
        body = b""
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self._reader.readexactly(size + 2)
            if size == 0:
                return body
            body += chunk[:-2]

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()


async def closed_loop(url: str, requests: Sequence[bytes], connections: int) -> list[Answer]:
    """Send every request as fast as ``connections`` keep-alive connections allow."""
    pool = [await Connection.open(url) for _ in range(connections)]
    answers: list[Answer | None] = [None] * len(requests)
    queue = list(range(len(requests)))[::-1]

    async def worker(connection: Connection) -> None:
        while queue:
            index = queue.pop()
            answers[index] = await connection.send(requests[index])

    await asyncio.gather(*(worker(c) for c in pool))
    for connection in pool:
        await connection.close()
    return [a for a in answers if a is not None]


async def open_loop(
    url: str, requests: Sequence[bytes], rate: float, connections: int
) -> tuple[list[float], list[Answer]]:
    """Send request ``i`` at ``start + i / rate`` on the first free connection.

    Latency runs from the scheduled time, so waiting for a connection counts (no coordinated
    omission): a server that falls behind the rate shows it in the tail."""
    pool = [await Connection.open(url) for _ in range(connections)]
    start = time.perf_counter() + 0.2
    latencies: list[float] = []
    answers: list[Answer] = []
    next_index = 0

    async def worker(connection: Connection) -> None:
        nonlocal next_index
        while next_index < len(requests):
            index = next_index
            next_index += 1
            at = start + index / rate
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            answers.append(await connection.send(requests[index]))
            latencies.append(time.perf_counter() - at)

    await asyncio.gather(*(worker(c) for c in pool))
    for connection in pool:
        await connection.close()
    return latencies, answers
