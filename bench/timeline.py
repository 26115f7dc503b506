"""Customer timeline page latency on a large database, against a hand-written SQL keyset query.

A database of ``--total`` interactions (default 10 million) with one customer holding
``--mine`` (default 10,000); random pages at any depth through the service, through the REST
API of a real ``cxloop serve`` process (``GET /api/v1/customers/1/timeline``, token auth,
JSON), and the same pages through a raw ``sqlite3`` query on the same index.

    python bench/timeline.py [--total 10000000] [--mine 10000] [--pages 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from cxloop.interactions import timeline
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from ingest_http import cxloop_json, serving

START = datetime(2025, 1, 1, tzinfo=UTC)
CUSTOMERS = 200_000
PAGE_SQL = (
    "SELECT id, occurred_at FROM interactions WHERE customer_id = ? AND "
    "(occurred_at < ? OR (occurred_at = ? AND id < ?)) "
    "ORDER BY occurred_at DESC, id DESC LIMIT ?"
)


def fill(path: Path, total: int, mine: int) -> None:
    """Bulk-load straight through sqlite3: setting up is not what is measured."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")
    stamp = "2025-01-01 00:00:00.000000"
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO customers (id, traits, created_at, updated_at) VALUES (?, '{}', ?, ?)",
        ((i, stamp, stamp) for i in range(1, CUSTOMERS + 1)),
    )
    connection.execute("COMMIT")
    rng = random.Random(3)
    batch = 200_000
    for start in range(0, total, batch):
        rows = []
        for n in range(start, min(start + batch, total)):
            customer = 1 if n % max(total // mine, 1) == 0 else rng.randrange(2, CUSTOMERS + 1)
            when = (START + timedelta(seconds=n * 3)).strftime("%Y-%m-%d %H:%M:%S.%f")
            rows.append(
                (f"m{n}", customer, "web", "usage", "in", 0, "Page Viewed", when, when, "{}")
            )
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO interactions (message_id, customer_id, channel, stage, direction, "
            "assisted, type, occurred_at, received_at, properties) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        connection.execute("COMMIT")
    connection.close()


def api_latencies(url: str, data_dir: Path, pages: int) -> list[float]:
    """Random pages of customer 1's timeline over HTTP, as an agent's token reads them."""
    env = {**os.environ, "CXLOOP_DATA_DIR": str(data_dir), "CXLOOP_DATABASE_URL": url}
    email = "bench-agent@example.com"
    cxloop_json(["user", "create", "--email", email, "--password", "bench-pass", "--role", "agent",
             "--json"], env)  # fmt: skip
    token = cxloop_json(["token", "create", "--email", email, "--json"], env)["token"]
    serve = [sys.executable, "-m", "cxloop.cli", "serve", "--host", "127.0.0.1"]
    with (
        serving(serve, env) as base,
        httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client,
    ):
        path = "/api/v1/customers/1/timeline"
        cursors: list[str | None] = [None]
        body = client.get(path, params={"limit": 50}).json()
        while body["next_cursor"]:
            cursors.append(body["next_cursor"])
            body = client.get(path, params={"limit": 50, "cursor": body["next_cursor"]}).json()
        samples = []
        for cursor in random.Random(11).choices(cursors, k=pages):
            params: dict[str, str | int] = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            started = time.perf_counter()
            response = client.get(path, params=params)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--total", type=int, default=10_000_000)
    parser.add_argument("--mine", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent.parent) as tmp:
        path = Path(tmp) / "timeline.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        fill(path, args.total, args.mine)
        engine = make_engine(url)
        with unit_of_work(engine, write=False) as session:
            cursors: list[str | None] = [None]
            page = timeline(session, customer_id=1, limit=50)
            while page.next_cursor:
                cursors.append(page.next_cursor)
                page = timeline(session, customer_id=1, limit=50, cursor=page.next_cursor)
            picks = random.Random(7).choices(cursors, k=args.pages)
            ours = []
            for cursor in picks:
                started = time.perf_counter()
                timeline(session, customer_id=1, limit=50, cursor=cursor)
                ours.append(time.perf_counter() - started)
        raw = sqlite3.connect(path)
        edges = raw.execute(
            "SELECT occurred_at, id FROM interactions WHERE customer_id = 1 "
            "ORDER BY occurred_at DESC, id DESC"
        ).fetchall()
        base = []
        for _ in range(args.pages):
            at, ident = random.Random(len(base)).choice(edges)
            started = time.perf_counter()
            raw.execute(PAGE_SQL, (1, at, at, ident, 51)).fetchall()
            base.append(time.perf_counter() - started)
        raw.close()
        engine.dispose()
        api = api_latencies(url, Path(tmp), args.pages)
    ours_ms, base_ms, api_ms = p95(ours) * 1000, p95(base) * 1000, p95(api) * 1000
    print(
        json.dumps(
            {
                "name": "timeline",
                "total_interactions": args.total,
                "customer_interactions": len(edges),
                "p95_ms": round(ours_ms, 2),
                "api_p95_ms": round(api_ms, 2),
                "baseline_p95_ms": round(base_ms, 3),
                "ratio": round(ours_ms / base_ms, 2),
                "api_ratio": round(api_ms / base_ms, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
