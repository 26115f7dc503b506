"""What trigger rules add per ingested event: ingest plus the trigger dispatcher, with no
rules (the baseline) and with 50 active rules, on two fresh SQLite databases in one run.

The same ``--events`` interactions (``--customers`` people, ten event types, every journey
stage) are stored through the one ingest path in batches, and after each batch the dispatcher
evaluates what arrived (matching, repeatable sampling, fatigue checks, invitations for the
matches). The figure is the extra time per event.

    python bench/survey_triggers.py [--events 20000] [--customers 2000] [--rules 50]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cxloop.customers import IdentityKind, key
from cxloop.interactions import InteractionIn, store_interactions
from cxloop.settings import Settings
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.surveys import (
    Definition,
    SurveyCreate,
    TriggerCreate,
    create_survey,
    create_trigger,
    dispatch,
    publish,
)

TYPES = [
    "Order Completed", "Parcel Delivered", "Case Closed", "Store Visit", "Page Viewed",
    "App Opened", "Plan Changed", "Bill Paid", "Call Ended", "Chat Ended",
]  # fmt: skip
STAGES = [
    "awareness", "consideration", "purchase", "delivery", "onboarding",
    "usage", "support", "renewal", "referral", "termination",
]  # fmt: skip
CHANNELS = ["web", "app", "email", "phone", "chat", "store"]
BATCH = 1_000
DEFINITION = {
    "title": {"en": "How did we do?"},
    "questions": [{"id": "nps", "type": "nps", "text": {"en": "Would you recommend us?"}}],
}


def events(count: int, customers: int) -> list[InteractionIn]:
    rng = random.Random(11)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = []
    for n in range(count):
        when = start + timedelta(seconds=n)
        person = rng.randrange(customers)
        made.append(
            InteractionIn(
                message_id=f"bench-{n}",
                type=rng.choice(TYPES),
                channel=rng.choice(CHANNELS),
                stage=rng.choice(STAGES),
                occurred_at=when,
                received_at=datetime.now(UTC),
                identities=[key(IdentityKind.email, f"p{person}@example.com")],
                properties={"amount": rng.randint(5, 500), "plan": rng.choice(["basic", "plus"])},
            )
        )
    return made


def add_rules(url: str, rules: int) -> None:
    """``rules`` rules over 10 surveys, each on one type and stage, half on a property too."""
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        surveys = []
        for n in range(10):
            survey = create_survey(
                session,
                data=SurveyCreate(
                    key=f"s{n}", name=f"s{n}", definition=Definition.model_validate(DEFINITION)
                ),
            )
            publish(session, survey)
            surveys.append(survey)
        for n in range(rules):
            create_trigger(
                session,
                survey=surveys[n % 10],
                data=TriggerCreate(
                    name=f"rule {n}",
                    type=TYPES[n % len(TYPES)],
                    stage=STAGES[(n // len(TYPES)) % len(STAGES)],
                    properties={"plan": "plus"} if n % 2 else {},
                    invite_channel="link",
                    sampling=0.5,
                    delay_minutes=30,
                ),
            )
    engine.dispose()


def run(url: str, records: list[InteractionIn], settings: Settings) -> tuple[float, int]:
    """Ingest ``records`` batch by batch, running the dispatcher after each; (seconds, invited)."""
    engine = make_engine(url)
    invited = 0
    started = time.perf_counter()
    for at in range(0, len(records), BATCH):
        with unit_of_work(engine) as session:
            store_interactions(session, records[at : at + BATCH])
        invited += dispatch(engine, settings).invited
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, invited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--rules", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, ruled = f"sqlite:///{Path(tmp) / 'plain.db'}", f"sqlite:///{Path(tmp) / 'ruled.db'}"
        settings = Settings(data_dir=Path(tmp), secret_key="bench", survey_cooldown_days=30)
        for url in (plain, ruled):
            upgrade(url)
        add_rules(ruled, args.rules)
        records = events(args.events, args.customers)  # received after the rules exist
        base_s, _ = run(plain, records, settings)
        with_s, invited = run(ruled, records, settings)
    added_ms = (with_s - base_s) * 1000 / args.events
    print(
        json.dumps(
            {
                "name": "survey_triggers",
                "events": args.events,
                "rules": args.rules,
                "invited": invited,
                "seconds": round(with_s, 2),
                "events_per_s": round(args.events / with_s, 1),
                "added_ms_per_event": round(added_ms, 3),
                "baseline_seconds": round(base_s, 2),
                "baseline_events_per_s": round(args.events / base_s, 1),
                "ratio": round(with_s / base_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
