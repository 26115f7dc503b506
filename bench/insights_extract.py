"""Reading completed survey responses from SQLite into the analytic ``responses`` table (what
every metric over the operational database pays first), against a raw ``sqlite3`` read of
the same columns with the answers' JSON decoded.

    python bench/insights_extract.py [--responses 200000] [--repeat 3]

This is the cost of feeding embedded DuckDB through Arrow instead of a scanner extension.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from cxloop.insights import extract
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work

DEFINITION = {
    "title": {"en": "Bench"},
    "default_locale": "en",
    "questions": [
        {"id": "nps", "type": "nps", "text": {"en": "Recommend us?"}},
        {"id": "easy", "type": "ces", "text": {"en": "Easy?"}},
    ],
}
STAMP = "2026-03-02 10:00:00.000000"
RAW_SQL = (
    "SELECT id, survey_id, version_id, channel, stage, place, customer_id, completed_at, "
    "answers FROM survey_responses WHERE status = 'complete' ORDER BY id"
)


def fill(path: Path, count: int) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    connection.execute(
        "INSERT INTO surveys (id, key, name, status, draft, created_at, updated_at) "
        "VALUES (1, 'bench', 'Bench', 'live', ?, ?, ?)",
        (json.dumps(DEFINITION), STAMP, STAMP),
    )
    connection.execute(
        "INSERT INTO survey_versions (id, survey_id, number, definition, published_at) "
        "VALUES (1, 1, 1, ?, ?)",
        (json.dumps(DEFINITION), STAMP),
    )
    rng = random.Random(1)
    connection.executemany(
        "INSERT INTO survey_responses (survey_id, version_id, channel, locale, answers, status, "
        "started_at, updated_at, completed_at) VALUES (1, 1, ?, 'en', ?, 'complete', ?, ?, ?)",
        (
            (
                rng.choice(["web", "email", "store"]),
                json.dumps({"nps": rng.randrange(11), "easy": rng.randrange(1, 8)}),
                STAMP,
                STAMP,
                STAMP,
            )
            for _ in range(count)
        ),
    )
    connection.execute("COMMIT")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "cxloop.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        fill(path, args.responses)
        engine = make_engine(url)
        ours, raw = [], []
        for _ in range(args.repeat):
            began = time.perf_counter()
            with unit_of_work(engine, write=False) as session:
                table = extract(session, "responses")
            ours.append(time.perf_counter() - began)
            assert table.num_rows == args.responses

            began = time.perf_counter()
            connection = sqlite3.connect(path)
            rows = [(*r[:-1], json.loads(r[-1])) for r in connection.execute(RAW_SQL)]
            connection.close()
            raw.append(time.perf_counter() - began)
            assert len(rows) == args.responses
        engine.dispose()
    seconds, baseline = statistics.median(ours), statistics.median(raw)
    print(
        json.dumps(
            {
                "name": "insights_extract_responses",
                "responses": args.responses,
                "seconds": round(seconds, 3),
                "rows_per_second": round(args.responses / seconds),
                "baseline_seconds": round(baseline, 3),
                "baseline_rows_per_second": round(args.responses / baseline),
                "ratio": round(seconds / baseline, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
