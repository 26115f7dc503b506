"""Routing and case creation from enriched interactions, as the ``cases.open`` job does it.

A fresh database gets four departments of five agents each (round-robin), a default SLA
policy on a business calendar with public holidays, three opening rules (churn threat,
anger, negative sentiment) and four routing rules on topics (one per department), then
``--n`` inbound emails and chats from as many customers, each already enriched (negative,
with a topic; a ``--model-share`` of them without one, left to the learned router). The
figure times ``cases.evaluate`` over batches of ``--batch`` interaction ids, each batch in
its own unit of work committed; the baseline opens the same interactions, on a copy of the
same database, one at a time (one unit of work per interaction, what a naive job would
do): the first ``--baseline-n`` of them, as all would take minutes.

    python bench/case_routing.py [--n 20000] [--batch 500] [--model-share 0] [--cold] [--postgres]

With a model share, the texts left to the model were embedded by enrichment in the same
worker a moment before, so their vectors are in memory (``--cold``: they are not, as when
another process enriched them, and the router encodes them again).

PostgreSQL (``--postgres``, when 127.0.0.1:5432 answers) runs the same on two fresh
databases and adds its figures under ``postgresql``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from cxloop.accounts import Role, UserCreate, create_user, ensure_department
from cxloop.cases import (
    BusinessCalendar,
    Case,
    CaseRule,
    Directory,
    LearnedRouter,
    RoutingRule,
    SlaPolicy,
    evaluate,
    load_router,
    train_router,
)
from cxloop.customers import IdentityKind, key
from cxloop.interactions import Interaction, InteractionIn, store_interactions
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.understanding import Enrichment, Labelled, forget_vectors, load_encoder, remember

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MODELS = Path(tempfile.gettempdir()) / "cxloop-bench-models"
THRESHOLD = 0.6
SAID = {
    "billing": [
        "you charged me twice for order {n}",
        "my invoice {n} shows a fee I never agreed to",
        "refund the double payment on my card, reference {n}",
        "why is my bill {n} higher than last month",
    ],
    "delivery": [
        "parcel {n} has not arrived after two weeks",
        "the courier lost my package {n}",
        "tracking for order {n} says delivered but nothing came",
        "my delivery {n} is late again",
    ],
    "accounts": [
        "I cannot log in to account {n}",
        "the password reset email for {n} never arrived",
        "locked out of my account {n} after the update",
        "my login {n} stopped working",
    ],
    "support": [
        "the app crashes when I open order {n}",
        "your website shows an error on page {n}",
        "nobody answered my question {n}",
        "the chat assistant could not help with {n}",
    ],
}
TOPIC = {"billing": "Billing", "delivery": "Delivery", "accounts": "Account", "support": "App"}


def setup(session: Session) -> None:
    departments = {slug: ensure_department(session, slug=slug) for slug in SAID}
    for slug, department in departments.items():
        for n in range(5):
            create_user(
                session,
                data=UserCreate(
                    email=f"{slug}{n}@example.com",
                    password="bench password long enough",
                    role=Role.agent,
                    departments=[department.slug],
                ),
            )
    session.add(
        BusinessCalendar(
            department_id=None, timezone="Europe/Paris", holiday_country="FR", hours={}
        )
    )
    session.add(SlaPolicy(name="default", first_response_minutes=240, resolution_minutes=2400))
    session.add_all(
        [
            CaseRule(
                name="Churn threat",
                position=0,
                priority="urgent",
                conditions=[{"field": "signal", "op": "eq", "value": "churn_threat"}],
            ),
            CaseRule(
                name="Angry",
                position=1,
                priority="high",
                conditions=[{"field": "emotion", "op": "eq", "value": "anger"}],
            ),
            CaseRule(
                name="Unhappy",
                position=2,
                conditions=[{"field": "sentiment", "op": "eq", "value": "negative"}],
            ),
        ]
    )
    session.add_all(
        RoutingRule(
            name=f"{name} topics",
            position=i,
            department_id=departments[slug].id,
            conditions=[{"field": "topic", "op": "eq", "value": name}],
        )
        for i, (slug, name) in enumerate(TOPIC.items())
    )


def said(rng: random.Random, n: int) -> tuple[str, str]:
    slug = rng.choice(list(SAID))
    return slug, rng.choice(SAID[slug]).format(n=n)


def interactions(n: int, model_share: float) -> Iterator[tuple[InteractionIn, dict[str, Any]]]:
    """Each record with what understanding would have stored for it."""
    rng = random.Random(7)
    start = datetime(2026, 11, 30, 8, tzinfo=UTC)
    for i in range(n):
        slug, text_ = said(rng, i)
        when = start + timedelta(seconds=i)
        topic = TOPIC.get(slug) if rng.random() >= model_share else None
        emotion = rng.choice(["anger", "sadness", "fear"])
        yield (
            InteractionIn(
                message_id=f"bench-case-{i}",
                type="Email Received" if i % 3 else "Chat Message",
                channel="email" if i % 3 else "chat",
                occurred_at=when,
                received_at=when,
                stage="support",
                identities=[key(IdentityKind.email, f"c{i}@example.com")],
                text=text_,
            ),
            {
                "status": "done",
                "language": "en",
                "redacted": text_,
                "sentiment": "negative",
                "sentiment_score": -0.7,
                "emotion": emotion,
                "topics": [{"name": topic, "path": topic, "confidence": 0.8}] if topic else [],
                "urgency": "high" if emotion == "anger" else "low",
                "signals": ["churn_threat"] if i % 17 == 0 else [],
                "versions_key": "bench",
            },
        )


def build(url: str, n: int, model_share: float) -> list[int]:
    """The set-up and ``n`` enriched interactions; their ids."""
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        setup(session)
    rows = list(interactions(n, model_share))
    for at in range(0, n, 2_000):
        chunk = rows[at : at + 2_000]
        with unit_of_work(engine) as session:
            store_interactions(session, [record for record, _ in chunk])
            ids = dict(
                session.execute(
                    select(Interaction.message_id, Interaction.id).where(
                        Interaction.message_id.in_([r.message_id for r, _ in chunk])
                    )
                ).all()
            )
            session.execute(
                insert(Enrichment),
                [{"interaction_id": ids[r.message_id], **e} for r, e in chunk],
            )
    with engine.connect() as connection:
        found = list(connection.scalars(select(Interaction.id).order_by(Interaction.id)))
    engine.dispose()
    return found


def trained_router() -> LearnedRouter:
    """A router trained on 400 labelled texts like the ones the bench opens cases for."""
    rng = random.Random(3)
    examples = [said(rng, 100_000 + i) for i in range(400)]
    train_router(
        Labelled([t for _, t in examples], [s for s, _ in examples]),
        encoder=load_encoder(MODELS),
        model_dir=MODELS,
        cache_dir=MODELS / "cache",
        threshold=THRESHOLD,
        source="bench",
    )
    router = load_router(MODELS, MODELS / "cache")
    assert router is not None
    return router


def open_all(
    engine: Engine, ids: list[int], batch: int, router: LearnedRouter | None
) -> tuple[float, int]:
    """Open cases for ``ids`` in units of work of ``batch``; (seconds, cases opened)."""
    opened = 0
    started = time.perf_counter()
    for at in range(0, len(ids), batch):
        with unit_of_work(engine) as session:
            opened += len(
                evaluate(
                    session,
                    Directory(session, "Europe/Paris"),
                    ids[at : at + batch],
                    router=router,
                    threshold=THRESHOLD,
                ).cases
            )
    return time.perf_counter() - started, opened


def routed(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return dict(Counter(r["by"] for r in session.scalars(select(Case.routing))))


def enriched_here(router: LearnedRouter, n: int, model_share: float) -> int:
    """What the worker's enrichment step leaves in memory before the cases open: the vectors
    of the redacted texts it embedded (here only those left to the model, the ones routing
    reads). Outside the timed part, as enrichment is not what this bench measures."""
    texts = [e["redacted"] for _, e in interactions(n, model_share) if not e["topics"]]
    remember(router.encoder.version, texts, router.encoder.encode(texts))
    return len(texts)


def measure(urls: tuple[str, str], ids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    router = trained_router() if args.model_share > 0 else None
    forget_vectors()
    if router is not None and not args.cold:
        enriched_here(router, args.n, args.model_share)
    batched, baseline = make_engine(urls[0]), make_engine(urls[1])
    seconds, cases = open_all(batched, ids, args.batch, router)
    sample = ids[: args.baseline_n] if args.baseline_n else ids
    base_seconds, base_cases = open_all(baseline, sample, 1, router)
    how = routed(batched)
    batched.dispose()
    baseline.dispose()
    return {
        "cases_per_s": round(cases / seconds, 1),
        "baseline_cases_per_s": round(base_cases / base_seconds, 1),
        "ratio": round((cases / seconds) / (base_cases / base_seconds), 2),
        "n": cases,
        "baseline_n": base_cases,
        "seconds": round(seconds, 2),
        "routed_by": how,
        "vectors_in_memory": router is not None and not args.cold,
    }


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def fresh_postgres(name: str, template: str | None = None) -> str:
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_postgres(*names: str) -> None:
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--model-share", type=float, default=0.0)
    parser.add_argument(
        "--baseline-n", type=int, default=2_000, help="Open the first N one at a time (0: all)."
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="The vectors are not in memory (enrichment ran in another process).",
    )
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "batched.db", Path(tmp) / "one-by-one.db"
        ids = build(f"sqlite:///{first}", args.n, args.model_share)
        shutil.copyfile(first, second)
        result = {
            "name": "case_routing",
            **measure((f"sqlite:///{first}", f"sqlite:///{second}"), ids, args),
        }
    if args.postgres and postgres_reachable():
        names = ("cxloop_bench_cases_a", "cxloop_bench_cases_b")
        url = fresh_postgres(names[0])
        ids = build(url, args.n, args.model_share)
        copy = fresh_postgres(names[1], template=names[0])
        try:
            result["postgresql"] = measure((url, copy), ids, args)
        finally:
            drop_postgres(*names)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
