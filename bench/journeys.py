"""The journey and drivers pages' computation, warm: from the dashboard's snapshot of the
analytic tables (what the pages read) against extracting them from the operational
database on every view (what they read before, and what the API still does), in one run.

    python bench/journeys.py [--data-dir DIR] [--scale 1] [--repeat 7]

Without ``--data-dir``, a demo company at ``--scale`` (1 = 4,000 customers, their journeys,
answers and cases) is loaded into a temporary SQLite database first. Both paths compute the
same report for the last 26 weeks (checked equal); the snapshot is caught up once before
timing, as a running application's is, so ``p95_ms`` is a warm view's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cxloop.insights import SOURCES, AsOf, Snapshot, Sources, drivers_of, journey_report
from cxloop.settings import Settings
from cxloop.store.engine import make_engine
from cxloop.store.uow import unit_of_work

WEEKS = 26
MIN_N = 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(repeat: int, run: Callable[[], Any]) -> tuple[list[float], Any]:
    seconds, found = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        found = run()
        seconds.append(time.perf_counter() - started)
    return seconds, found


def load_demo(data_dir: Path, scale: float) -> None:
    env = os.environ | {"CXLOOP_DATA_DIR": str(data_dir)}
    command = [str(Path(sys.executable).with_name("cxloop")), "demo", "--load-only", "--json"]
    subprocess.run([*command, "--scale", str(scale)], env=env, check=True, capture_output=True)


def measure(data_dir: Path, repeat: int) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings.resolved_database_url)
    end = datetime.now(UTC)
    window = {"start": end - timedelta(weeks=WEEKS), "end": end, "min_n": MIN_N}
    snapshot = Snapshot(refresh_seconds=3_600)
    figures: dict[str, Any] = {}
    try:
        with unit_of_work(engine, write=False) as session:
            started = time.perf_counter()
            snapshot.read_tables(session, SOURCES, AsOf.of(settings))
            figures["snapshot_first_read_s"] = round(time.perf_counter() - started, 2)

            def warm() -> Sources:
                return Sources(**snapshot.read_tables(session, SOURCES, AsOf.of(settings)))

            pages = {
                "journeys": lambda sources: journey_report(session, sources=sources, **window),
                "drivers": lambda sources: drivers_of(
                    session, metric="nps", sources=sources, **window
                ),
            }
            for name, page in pages.items():
                direct, expected = timed(repeat, lambda page=page: page(None))
                kept, found = timed(repeat, lambda page=page: page(warm()))
                assert found == expected, f"{name}: the snapshot's figures differ"
                figures[f"{name}_p95_ms"] = round(1000 * percentile(kept, 0.95), 1)
                figures[f"baseline_{name}_p95_ms"] = round(1000 * percentile(direct, 0.95), 1)
        with unit_of_work(engine, write=False) as session:
            figures["interactions"] = snapshot.read_tables(
                session, ["interactions"], AsOf.of(settings)
            )["interactions"].num_rows
    finally:
        engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch)
        if args.data_dir is None:
            load_demo(data_dir, args.scale)
        figures = measure(data_dir, args.repeat)
    ratio = {
        f"{name}_ratio": round(figures[f"{name}_p95_ms"] / figures[f"baseline_{name}_p95_ms"], 3)
        for name in ("journeys", "drivers")
    }
    print(
        json.dumps(
            {
                "name": "journeys",
                "weeks": WEEKS,
                "repeat": args.repeat,
                "scale": None if args.data_dir else args.scale,
                **figures,
                **ratio,
                "ratio": ratio["journeys_ratio"],
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
