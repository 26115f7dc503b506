"""Ingest path (validate, resolve identity, store) against raw sqlite3.executemany.

Both write the same events to SQLite files on the same disk; the baseline inserts the
serialised rows into a bare table with a UUID key and nothing else.

    python bench/ingest.py [--events 1000000] [--customers 50000] [--batch 5000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

import orjson

from cxloop.interactions import create_source, read_message, store_interactions
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.types import utcnow
from events import make_events

BARE_TABLE = """CREATE TABLE interactions (
    message_id TEXT PRIMARY KEY, customer_id INTEGER, source_id INTEGER, channel TEXT,
    stage TEXT, direction TEXT, assisted INTEGER, agent TEXT, department_id INTEGER, type TEXT,
    occurred_at TEXT, received_at TEXT, text TEXT, properties TEXT)"""


def baseline(events: list[dict], path: Path, batch: int) -> float:
    """The same rows our path stores, already shaped, into a bare table: the disk's pace."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(BARE_TABLE)
    received = utcnow().isoformat(" ")
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        rows = [
            (
                e["messageId"],
                hash(e.get("userId") or e.get("anonymousId")) % 50_000,
                1,
                "web",
                None,
                "in",
                0,
                None,
                None,
                e["event"],
                e["timestamp"],
                received,
                None,
                orjson.dumps(e["properties"]).decode(),
            )
            for e in events[start : start + batch]
        ]
        connection.execute("BEGIN")
        connection.executemany(f"INSERT INTO interactions VALUES ({', '.join('?' * 14)})", rows)
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def cxloop_path(events: list[dict], path: Path, batch: int) -> float:
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        source, _key = create_source(session, name="bench")
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        part = events[start : start + batch]
        received = utcnow()
        with unit_of_work(engine) as session:
            records = [read_message(m, source=source, received_at=received) for m in part]
            result = store_interactions(session, records)
            assert result.stored == len(part), result.rejected[:3]
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()
    events = make_events(args.events, args.customers)
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent.parent) as tmp:
        base_s = baseline(events, Path(tmp) / "baseline.db", args.batch)
        ours_s = cxloop_path(events, Path(tmp) / "cxloop.db", args.batch)
    ours, base = args.events / ours_s, args.events / base_s
    print(
        json.dumps(
            {
                "name": "ingest",
                "events": args.events,
                "seconds": round(ours_s, 2),
                "events_per_s": round(ours),
                "baseline_seconds": round(base_s, 2),
                "baseline_events_per_s": round(base),
                "ratio": round(ours / base, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
