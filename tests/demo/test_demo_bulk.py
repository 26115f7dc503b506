"""Benchmark volumes: copies of the demo's own answers, with the demo's shapes, up to N."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from cxloop.demo import RESPONSES_PER_SCALE, load_demo
from cxloop.demo.bulk import bulk_fill
from cxloop.interactions import Interaction
from cxloop.surveys import Invitation, Response

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def shapes(session: Session) -> tuple[set[tuple[str, str | None]], set[int]]:
    rows = session.execute(select(Response.channel, Response.stage, Response.answers)).all()
    scores = {a["nps"] for _, _, a in rows if "nps" in a}
    return {(c, s) for c, s, _ in rows}, scores


def complete(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Response).where(Response.status == "complete")
        )
        or 0
    )


def test_bulk_copies_answers_up_to_the_target_with_the_demo_shapes(connection: Connection) -> None:
    load_demo(connection, password="demo-password-1", seed=5, customers=120, now=NOW)
    with Session(connection) as session:
        before_shapes, before_scores = shapes(session)
        before = complete(session)

    made = bulk_fill(connection, responses=before + 700, seed=5)
    assert made["survey_responses"] == 700 and made["customers"] == 350

    with Session(connection) as session:
        after_shapes, after_scores = shapes(session)
        assert complete(session) == before + 700
        assert after_shapes == before_shapes and after_scores <= before_scores
        copies = session.scalars(
            select(Interaction).where(Interaction.message_id.like("bulk-%"))
        ).all()
        assert copies and all(c.text is None for c in copies)
        assert all(c.occurred_at <= NOW for c in copies)
        answered = session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.completed_at.is_not(None))
        )
        linked = session.scalar(
            select(func.count()).select_from(Response).where(Response.invitation_id.is_not(None))
        )
        assert answered == linked  # every copied answer kept the invitation it answered

    assert bulk_fill(connection, responses=before + 700, seed=5) == {}  # already there


def test_a_bulk_demo_holds_two_thousand_answers_per_unit_of_scale(connection: Connection) -> None:
    load_demo(
        connection, password="demo-password-1", seed=5, customers=120, scale=0.6, bulk=True, now=NOW
    )
    with Session(connection) as session:
        assert complete(session) == round(RESPONSES_PER_SCALE * 0.6)
