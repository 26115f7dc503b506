"""Segment ingest over HTTP against one real ``cxloop serve`` process.

Two figures, each beside a baseline measured in the same run against a bare ASGI app on the
same server stack (uvicorn, one process) that only reads and parses the JSON body: the HTTP
stack's own ceiling on this machine.

* ``/v1/batch`` with 100 events a request from a local client with a few connections open:
  events stored per second (target: at least 10,000).
* ``/v1/track``, one event a request, sent open-loop at a fixed rate: the 99th percentile
  latency, measured from each request's scheduled send time so that queueing counts
  (target: under 20 ms at 200 requests/s).

    python bench/ingest_http.py [--batches 400] [--rate 200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

from events import make_events
from loadgen import build_request, closed_loop, open_loop

BATCH = 100
CONNECTIONS = 8
# Enough connections that a request never waits for one while the server keeps up.
TRACK_CONNECTIONS = 32


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads and parses the body, answers like ``/v1/batch``: what any ingest must at least do."""
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    orjson.loads(body)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"success":true}'})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.post(f"{url}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not answer within 60 s")


@contextmanager
def serving(command: list[str], env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def batch_rate(url: str, write_key: str, events: list[dict[str, Any]]) -> float:
    """Events per second through ``/v1/batch``; every request must be acknowledged."""
    requests = [
        build_request(
            url, "/v1/batch", orjson.dumps({"batch": events[i : i + BATCH]}), user=write_key
        )
        for i in range(0, len(events), BATCH)
    ]
    started = time.perf_counter()
    answers = await closed_loop(url, requests, CONNECTIONS)
    elapsed = time.perf_counter() - started
    assert len(answers) == len(requests) and all(a.status == 200 for a in answers), answers[:1]
    return len(events) / elapsed


async def track_p99_ms(
    url: str, write_key: str, events: list[dict[str, Any]], rate: float
) -> tuple[float, float]:
    """p99 and p50 latency (ms) of single ``/v1/track`` calls sent open-loop at ``rate``/s."""
    requests = [build_request(url, "/v1/track", orjson.dumps(e), user=write_key) for e in events]
    await closed_loop(url, requests[:1], 1)
    latencies, answers = await open_loop(url, requests[1:], rate, TRACK_CONNECTIONS)
    assert all(a.status == 200 for a in answers), [a for a in answers if a.status != 200][:1]
    latencies.sort()
    return (
        latencies[int(len(latencies) * 0.99) - 1] * 1000,
        latencies[len(latencies) // 2] * 1000,
    )


def cxloop_json(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "cxloop.cli", *args], env=env, capture_output=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(
    command: list[str], env: dict[str, str], write_key: str, args: argparse.Namespace
) -> tuple[float, float, float]:
    batch_events = make_events(args.batches * BATCH, 20_000, seed=11)
    track_events = make_events(int(args.rate * args.seconds) + 1, 20_000, seed=12)
    with serving(command, env) as url:
        rate = asyncio.run(batch_rate(url, write_key, batch_events))
        p99, p50 = asyncio.run(track_p99_ms(url, write_key, track_events, args.rate))
    return rate, p99, p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=400)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent.parent) as tmp:
        env = {**os.environ, "CXLOOP_DATA_DIR": tmp, "CXLOOP_DATABASE_URL": ""}
        write_key = cxloop_json(["source", "create", "--name", "bench", "--json"], env)["write_key"]
        serve = [sys.executable, "-m", "cxloop.cli", "serve", "--host", "127.0.0.1"]
        bare = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(Path(__file__).parent),
            "ingest_http:bare_app",
            "--host",
            "127.0.0.1",
            "--log-level",
            "warning",
        ]
        base_rate, base_p99, base_p50 = measure(bare, env, write_key, args)
        rate, p99, p50 = measure(serve, env, write_key, args)
    print(
        json.dumps(
            {
                "name": "ingest_http",
                "batch_events": args.batches * BATCH,
                "events_per_s": round(rate),
                "baseline_events_per_s": round(base_rate),
                "ratio": round(rate / base_rate, 3),
                "track_rate_per_s": args.rate,
                "track_p99_ms": round(p99, 2),
                "track_p50_ms": round(p50, 2),
                "baseline_track_p99_ms": round(base_p99, 2),
                "baseline_track_p50_ms": round(base_p50, 2),
                "track_p99_ratio": round(p99 / base_p99, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
