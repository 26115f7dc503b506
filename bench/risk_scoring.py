"""Nightly risk scoring, as the ``proactive.score`` job does it, on a synthetic company.

A fresh SQLite database gets ``--n`` customers (plan, monthly value) with about a dozen
interactions each over the last 200 days (calls, chats, emails, web and app visits, half of
the texts understood with a sentiment and a topic, an NPS answer for one in three), and a
termination-stage interaction for the customers who left (more often the unhappy ones).
The figures: training from the timeline (cross-validated, then fitted) and scoring every
customer still here in batches of ``--batch``, with the SQL statements one batch costs.

    python bench/risk_scoring.py [--n 20000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.interactions import Interaction
from cxloop.proactive import LabelSource, score_batch, score_everyone, train_from_timeline
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.understanding import Enrichment

NOW = datetime(2026, 11, 30, tzinfo=UTC)
CHANNELS = ("phone", "chat", "email", "web", "app")
TOPICS = ("Billing > Unexpected charge", "Network > Outage", "Device > Broken", "Account")


def _company(session: Session, n: int, rng: random.Random) -> None:
    customers = [
        {"traits": {"plan": rng.choice(("Mobile", "Fibre", "Bundle")),
                    "monthly_value": round(rng.uniform(15, 95), 2)}}
        for _ in range(n)
    ]  # fmt: skip
    session.execute(insert(Customer), customers)
    ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
    interactions: list[dict[str, Any]] = []
    for cid in ids:
        unhappy = rng.random() < 0.3
        left = rng.random() < (0.4 if unhappy else 0.05)
        end = NOW - timedelta(days=rng.uniform(35, 150)) if left else NOW
        for _ in range(rng.randint(4, 16 if unhappy else 8)):
            channel = rng.choice(CHANNELS)
            interactions.append({
                "message_id": f"bench-{len(interactions)}", "customer_id": cid,
                "channel": channel, "type": f"{channel} contact", "direction": "in",
                "assisted": channel in ("phone", "chat"), "text": "words",
                "occurred_at": end - timedelta(days=rng.uniform(31, 200)), "properties": {},
            })  # fmt: skip
        if rng.random() < 0.33:
            nps = rng.randint(0, 6) if unhappy else rng.randint(6, 10)
            interactions.append({
                "message_id": f"bench-{len(interactions)}", "customer_id": cid,
                "channel": "survey", "type": "Survey Completed", "direction": "in",
                "occurred_at": end - timedelta(days=rng.uniform(31, 120)),
                "properties": {"scores": {"nps": nps}},
            })  # fmt: skip
        if left:
            interactions.append({
                "message_id": f"bench-{len(interactions)}", "customer_id": cid,
                "channel": "phone", "type": "Cancellation", "direction": "in",
                "stage": "termination", "occurred_at": end, "properties": {},
            })  # fmt: skip
    for start in range(0, len(interactions), 5000):
        chunk = interactions[start : start + 5000]
        for row in chunk:
            row.setdefault("received_at", row["occurred_at"])
            row.setdefault("stage", None)
            row.setdefault("text", None)
        session.execute(insert(Interaction), chunk)
    texts = session.execute(
        select(Interaction.id, Interaction.customer_id).where(Interaction.text.is_not(None))
    ).all()
    session.execute(
        insert(Enrichment),
        [
            {"interaction_id": iid, "status": "ok", "versions_key": "bench",
             "sentiment": rng.choice(("negative", "neutral", "positive")),
             "sentiment_score": rng.uniform(-1, 1), "emotion": rng.choice(("anger", "joy")),
             "topics": [{"path": rng.choice(TOPICS)}], "signals": []}
            for iid, _ in texts
            if rng.random() < 0.5
        ],
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with unit_of_work(engine) as session:
            _company(session, args.n, random.Random(0))
        with unit_of_work(engine) as session:
            started = time.perf_counter()
            model = train_from_timeline(
                session, LabelSource(stage="termination"), traits=["plan", "monthly_value"],
                out=Path(tmp) / "churn", now=NOW,
            )  # fmt: skip
            trained = time.perf_counter() - started
            statements: list[object] = []

            def seen(*call: object) -> None:
                statements.append(call[2])

            event.listen(engine, "before_cursor_execute", seen)
            score_batch(session, model, limit=args.batch, now=NOW)
            event.remove(engine, "before_cursor_execute", seen)
            per_batch = len(statements)
            started = time.perf_counter()
            scored = score_everyone(session, model, now=NOW, batch=args.batch)
            scoring = time.perf_counter() - started
        engine.dispose()
    validation = model.card["cross_validation"]
    print(json.dumps({
        "bench": "risk_scoring", "customers": args.n,
        "train_s": round(trained, 1), "roc_auc": validation["roc_auc"],
        "brier": validation["brier"], "scored": scored, "score_s": round(scoring, 1),
        "customers_per_s": round(scored / scoring), "sql_per_batch": per_batch,
        "batch": args.batch,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
