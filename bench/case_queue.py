"""Queue page latency with 100,000 open cases, against the same page with 1,000.

A fresh database holds ``--open`` active cases (new, open, waiting, reopened) over ten
departments, their agents and triage, most with deadlines, plus ``--closed`` solved or closed
ones; a real ``cxloop serve`` process answers, and three readers ask ``--requests`` times each
after a warm-up, one request at a time:

- ``agent_page``: ``GET /cases`` (the HTML queue with its counts) signed in as an agent of one
  department;
- ``admin_page``: the same page for an admin, over every department and triage;
- ``api``: ``GET /api/v1/cases?view=open`` with the admin's token.

The baseline is the admin's page on a database of ``--baseline-open`` open cases built the
same way in the same run, so ``ratio`` says how the page scales with the size of the queue
(1.0: not at all). ``--postgres`` runs the same on fresh PostgreSQL databases.

    python bench/case_queue.py [--open 100000] [--closed 100000] [--requests 200] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from case_routing import drop_postgres, fresh_postgres, postgres_reachable
from cxloop.accounts import Role, UserCreate, create_token, create_user
from cxloop.cases import TRIAGE, Case
from cxloop.customers import Customer
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from ingest_http import serving

DEPARTMENTS = 10
AGENTS_PER_DEPARTMENT = 5
CUSTOMERS = 20_000
CHUNK = 10_000
WARM_UP = 20
PASSWORD = "bench-password-1"
ACTIVE = ("new", "open", "waiting", "reopened")
DONE = ("solved", "closed")
PRIORITIES = ("low", "normal", "normal", "high", "urgent")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def build(url: str, open_cases: int, closed_cases: int) -> tuple[str, str]:
    """People through the services, customers and cases in bulk through SQLAlchemy Core;
    returns an agent's email and the admin's token."""
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(5)
    now = datetime.now(UTC)
    try:
        with unit_of_work(engine) as session:
            admin = create_user(
                session,
                data=UserCreate(
                    email="admin@bench.example.com", password=PASSWORD, role=Role.admin
                ),
            )
            _row, token = create_token(session, user=admin)
            agents: dict[int, list[int]] = {}
            for d in range(DEPARTMENTS):
                for a in range(AGENTS_PER_DEPARTMENT):
                    user = create_user(
                        session,
                        data=UserCreate(
                            email=f"agent{d}-{a}@bench.example.com",
                            password=PASSWORD,
                            role=Role.agent,
                            departments=[f"team-{d}"],
                        ),
                    )
                    agents.setdefault(user.departments[0].id, []).append(user.id)
        with engine.begin() as connection:
            for start in range(0, CUSTOMERS, CHUNK):
                connection.execute(
                    insert(Customer),
                    [
                        {"name": f"Customer {n}", "email": f"c{n}@example.com", "traits": {}}
                        for n in range(start, min(start + CHUNK, CUSTOMERS))
                    ],
                )
            departments = sorted(agents)
            total = open_cases + closed_cases
            for start in range(0, total, CHUNK):
                rows = [
                    _case(rng, now, n < open_cases, departments, agents)
                    for n in range(start, min(start + CHUNK, total))
                ]
                connection.execute(insert(Case), rows)
    finally:
        engine.dispose()
    return "agent0-0@bench.example.com", token


def _case(
    rng: random.Random,
    now: datetime,
    active: bool,
    departments: list[int],
    agents: dict[int, list[int]],
) -> dict[str, Any]:
    """One case somewhere plausible: 5% in triage, 60% assigned, 90% with an SLA whose
    deadlines fall from two days ago to five days ahead."""
    department = None if rng.random() < 0.05 else rng.choice(departments)
    created = now - timedelta(minutes=rng.randrange(10, 20_000))
    status = rng.choice(ACTIVE if active else DONE)
    with_sla = rng.random() < 0.9
    due = now + timedelta(minutes=rng.randrange(-2 * 1440, 5 * 1440)) if with_sla else None
    return {
        "customer_id": rng.randrange(1, CUSTOMERS + 1),
        "subject": f"Case about order {rng.randrange(10**6)}",
        "status": status,
        "priority": rng.choice(PRIORITIES),
        "department_id": department,
        "queue": "" if department else TRIAGE,
        "assignee_id": (
            rng.choice(agents[department]) if department and rng.random() < 0.6 else None
        ),
        "channel": rng.choice(("email", "email", "chat", "sms")),
        "tags": rng.sample(["vip", "refund", "late", "broken"], k=rng.randrange(0, 3)),
        "origin": "rule",
        "routing": {},
        "reply_token": secrets.token_hex(10),
        "first_response_due": due - timedelta(hours=6) if due else None,
        "resolution_due": due,
        "first_responded_at": created + timedelta(minutes=30) if status != "new" else None,
        "paused_at": now - timedelta(hours=1) if status == "waiting" else None,
        "paused_minutes": 0.0,
        "solved_at": now - timedelta(hours=2) if not active else None,
        "created_at": created,
        "updated_at": created,
    }


def signed_in(base: str, email: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login")
    found = CSRF.search(page.text)
    assert found is not None, "no CSRF token on the sign-in page"
    answer = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": found.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


def latencies(client: httpx.Client, path: str, requests: int) -> list[float]:
    for _ in range(WARM_UP):
        assert client.get(path).status_code == 200
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:500]
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(int(len(ordered) * share) - 1, 0)] * 1000


def measure(url: str, data_dir: Path, agent: str, token: str, requests: int) -> dict[str, Any]:
    env = {
        **os.environ,
        "CXLOOP_DATA_DIR": str(data_dir),
        "CXLOOP_DATABASE_URL": url,
        "CXLOOP_SECRET_KEY": "bench-case-queue-secret",
    }
    serve = [sys.executable, "-m", "cxloop.cli", "serve", "--host", "127.0.0.1"]
    found: dict[str, Any] = {}
    with serving(serve, env) as base:
        readers = {
            "agent_page": (signed_in(base, agent), "/cases"),
            "admin_page": (signed_in(base, "admin@bench.example.com"), "/cases"),
            "api": (
                httpx.Client(
                    base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
                ),
                "/api/v1/cases?view=open",
            ),
        }
        for name, (client, path) in readers.items():
            try:
                samples = latencies(client, path, requests)
            finally:
                client.close()
            found[name] = {
                "p50_ms": round(percentile(samples, 0.50), 1),
                "p95_ms": round(percentile(samples, 0.95), 1),
            }
    return found


def run(url: str, data_dir: Path, open_cases: int, closed: int, requests: int) -> dict[str, Any]:
    started = time.perf_counter()
    agent, token = build(url, open_cases, closed)
    built = time.perf_counter() - started
    return {"build_s": round(built, 1), **measure(url, data_dir, agent, token, requests)}


def compare(
    label: str, urls: tuple[str, str], dirs: tuple[Path, Path], args: Any
) -> dict[str, Any]:
    big = run(urls[0], dirs[0], args.open, args.closed, args.requests)
    small = run(urls[1], dirs[1], args.baseline_open, args.baseline_open, args.requests)
    p95 = max(big[v]["p95_ms"] for v in ("agent_page", "admin_page", "api"))
    baseline = small["admin_page"]["p95_ms"]
    print(f"{label}: {json.dumps({'cases': big, 'baseline': small})}", file=sys.stderr)
    return {
        "p95_ms": p95,
        "baseline_p95_ms": baseline,
        "ratio": round(p95 / baseline, 2),
        **{f"{v}_p95_ms": big[v]["p95_ms"] for v in ("agent_page", "admin_page", "api")},
        **{f"{v}_p50_ms": big[v]["p50_ms"] for v in ("agent_page", "admin_page", "api")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--baseline-open", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cxloop-case-queue-") as tmp:
        big, small = Path(tmp) / "big", Path(tmp) / "small"
        big.mkdir(), small.mkdir()
        urls = (f"sqlite:///{big / 'cases.db'}", f"sqlite:///{small / 'cases.db'}")
        result: dict[str, Any] = {
            "name": "case_queue",
            "open_cases": args.open,
            "closed_cases": args.closed,
            "requests": args.requests,
            **compare("sqlite", urls, (big, small), args),
        }
        if args.postgres and postgres_reachable():
            names = ("cxloop_bench_case_queue", "cxloop_bench_case_queue_small")
            try:
                pg = (fresh_postgres(names[0]), fresh_postgres(names[1]))
                result["postgresql"] = compare("postgresql", pg, (big, small), args)
            finally:
                drop_postgres(*names)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
