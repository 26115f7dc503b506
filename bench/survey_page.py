"""Survey page latency at a fixed arrival rate, against ``/healthz`` on the same server.

A real ``cxloop serve`` process on a fresh SQLite database with a live NPS survey; a local
open-loop load generator sends ``--rate`` requests per second for ``--seconds`` to the
public survey page (``GET /s/<key>``: database reads, branch logic, translation, template),
then the same to ``/healthz`` (the app's floor: routing, middleware, one database query).
Latency is measured from each request's scheduled time, so a server that falls behind is
charged for the queue it builds.

    python bench/survey_page.py [--rate 100] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.surveys import Definition, SurveyCreate, create_survey, publish

DEFINITION = {
    "title": {"en": "How did we do?", "fr": "Comment avons-nous fait ?"},
    "intro": {"en": "Two questions, under a minute."},
    "questions": [
        {
            "id": "nps",
            "type": "nps",
            "required": True,
            "text": {"en": "Would you recommend us?", "fr": "Nous recommanderiez-vous ?"},
        },
        {
            "id": "why",
            "type": "text",
            "text": {"en": "Why?"},
            "show_if": {"question": "nps", "op": "lte", "value": 6},
        },
    ],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(data_dir: Path) -> None:
    url = f"sqlite:///{data_dir / 'cxloop.db'}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        survey = create_survey(
            session,
            data=SurveyCreate(
                key="bench-nps", name="bench", definition=Definition.model_validate(DEFINITION)
            ),
        )
        publish(session, survey)
    engine.dispose()


def load(client: httpx.Client, path: str, rate: int, seconds: float) -> tuple[list[float], int]:
    """Open loop: request ``i`` is due at ``start + i / rate`` whatever came before."""
    count = int(rate * seconds)
    start = time.perf_counter() + 0.1

    def fetch(due: float) -> float | None:
        response = client.get(path)
        return time.perf_counter() - due if response.status_code == 200 else None

    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = []
        for i in range(count):
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(fetch, due))
        results = [f.result() for f in futures]
    latencies = [r * 1000 for r in results if r is not None]
    return latencies, count - len(latencies)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        seed(data_dir)
        port = free_port()
        env = {**os.environ, "CXLOOP_DATA_DIR": str(data_dir), "CXLOOP_SECRET_KEY": "bench"}
        server = subprocess.Popen(
            [sys.executable, "-m", "cxloop.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
            with httpx.Client(base_url=base, limits=limits, timeout=10) as client:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start")
                    time.sleep(0.1)
                for path in ("/s/bench-nps", "/healthz"):  # warm up both
                    load(client, path, args.rate, 2)
                page, page_errors = load(client, "/s/bench-nps", args.rate, args.seconds)
                floor, floor_errors = load(client, "/healthz", args.rate, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    p95, base_p95 = percentile(page, 0.95), percentile(floor, 0.95)
    print(
        json.dumps(
            {
                "name": "survey_page",
                "rate_rps": args.rate,
                "requests": len(page) + page_errors,
                "errors": page_errors + floor_errors,
                "p50_ms": round(statistics.median(page), 2),
                "p95_ms": round(p95, 2),
                "p99_ms": round(percentile(page, 0.99), 2),
                "baseline_p50_ms": round(statistics.median(floor), 2),
                "baseline_p95_ms": round(base_p95, 2),
                "ratio": round(p95 / base_p95, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
