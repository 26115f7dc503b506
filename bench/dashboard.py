"""Dashboard latency over a large demo database, driven by a local load generator against a
real ``cxloop serve`` on 127.0.0.1.

The database is one ``cxloop demo`` loaded, e.g. a million survey answers:

    CXLOOP_DATA_DIR=DIR cxloop demo --load-only --bulk --scale 500
    python bench/dashboard.py --data-dir DIR [--readers 4] [--requests 400] [--seconds 240]

The first view after the server starts reads every analytic table into the dashboard's
snapshot: that is what every view paid before the tables were kept materialised, and it is
the baseline. Then each of ``--readers`` signed-in clients asks for the dashboard views of
:data:`VIEWS` in turn (one first visit each, reported apart: ``first_view_p95_ms``), and the
load generator keeps all of them asking until ``--requests`` answers or ``--seconds`` have
passed, whichever comes first. ``p95_ms`` is over the answers after the first visits, with
the snapshot catching up every ``CXLOOP_METRICS_REFRESH_SECONDS`` (30 by default) as it does
in production.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from case_queue import percentile, signed_in
from cxloop.demo import ADMIN_EMAIL
from ingest_http import serving

VIEWS = (
    "/dashboard",
    "/dashboard?metric=csat",
    "/dashboard?metric=nps&weeks=52",
    "/dashboard?metric=nps&channel=email",
    "/dashboard?metric=cx_index&weeks=26",
    "/dashboard?metric=response_rate&stage=support",
    "/dashboard?metric=volume&weeks=4",
    "/dashboard?metric=first_response_sla",
)
FIRST_VIEW_TIMEOUT = 1_800.0


def get(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    assert 'id="freshness"' in response.text, f"{path}: no freshness line"
    return elapsed


def load(
    clients: list[httpx.Client], requests: int, seconds: float
) -> tuple[list[float], list[float]]:
    """First visits, then every reader round the views until the count or the time is up."""
    first: list[float] = []
    samples: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def reader(index: int, client: httpx.Client) -> None:
        views = VIEWS[index % len(VIEWS) :] + VIEWS[: index % len(VIEWS)]
        for path in views:
            took = get(client, path)
            with lock:
                first.append(took)
        turn = 0
        while time.monotonic() < deadline:
            with lock:
                if len(samples) >= requests:
                    return
            took = get(client, views[turn % len(views)])
            turn += 1
            with lock:
                samples.append(took)

    with ThreadPoolExecutor(len(clients)) as pool:
        for done in [pool.submit(reader, i, c) for i, c in enumerate(clients)]:
            done.result()
    return first, samples[:requests]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=240.0)
    args = parser.parse_args()
    password = (args.data_dir / "demo-password").read_text().strip()
    env = {**os.environ, "CXLOOP_DATA_DIR": str(args.data_dir)}
    env.setdefault("CXLOOP_SECRET_KEY", "bench-dashboard-secret")
    serve = [sys.executable, "-m", "cxloop.cli", "serve", "--host", "127.0.0.1"]
    with serving(serve, env) as base:
        clients = [signed_in(base, ADMIN_EMAIL, password) for _ in range(args.readers)]
        try:
            for client in clients:
                client.timeout = httpx.Timeout(FIRST_VIEW_TIMEOUT)
            cold = get(clients[0], VIEWS[0])
            began = time.perf_counter()
            first, samples = load(clients, args.requests, args.seconds)
            elapsed = time.perf_counter() - began
        finally:
            for client in clients:
                client.close()
    result: dict[str, Any] = {
        "name": "dashboard_overview",
        "readers": args.readers,
        "requests": len(samples),
        "requests_per_s": round((len(first) + len(samples)) / elapsed, 1),
        "p50_ms": round(percentile(samples, 0.50), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "max_ms": round(max(samples) * 1000, 1),
        "first_view_p95_ms": round(percentile(first, 0.95), 1),
        "baseline_p95_ms": round(cold * 1000, 1),
        "ratio": round(percentile(samples, 0.95) / (cold * 1000), 4),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
