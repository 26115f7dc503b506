"""Interactions inserted straight through the ORM, on a timeline of known times."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cxloop.interactions import Interaction

_seq = itertools.count(1)
START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def make_interaction(
    session: Session,
    *,
    customer_id: int,
    channel: str = "web",
    stage: str | None = "awareness",
    type: str = "Page Viewed",
    occurred_at: datetime | None = None,
    text: str | None = None,
    direction: str = "in",
    assisted: bool = False,
    agent: str | None = None,
    properties: dict[str, Any] | None = None,
    flush: bool = True,
) -> Interaction:
    n = next(_seq)
    interaction = Interaction(
        message_id=f"test-{uuid.uuid4()}",
        customer_id=customer_id,
        channel=channel,
        stage=stage,
        type=type,
        occurred_at=occurred_at or START + timedelta(hours=n),
        received_at=datetime.now(UTC),
        text=text,
        direction=direction,
        assisted=assisted,
        agent=agent,
        properties=properties or {},
    )
    session.add(interaction)
    if flush:
        session.flush()
    return interaction


CHANNELS = ["web", "email", "phone", "chat", "store"]
STAGES = ["awareness", "consideration", "purchase", "onboarding", "support"]


def make_timeline(
    session: Session, *, customer_id: int, count: int, same_time_every: int = 0
) -> list[Interaction]:
    """``count`` interactions cycling channels and stages, one hour apart.

    With ``same_time_every`` > 0, runs of that many share one timestamp, so pagination has to
    break ties by id.
    """
    made = []
    for i in range(count):
        slot = i // same_time_every if same_time_every else i
        made.append(
            make_interaction(
                session,
                customer_id=customer_id,
                channel=CHANNELS[i % len(CHANNELS)],
                stage=STAGES[(i // 3) % len(STAGES)],
                type="Order Completed" if i % 4 == 0 else "Page Viewed",
                occurred_at=START + timedelta(hours=slot),
                flush=False,
            )
        )
    session.flush()
    return made
