"""One customer's timeline across every channel, and the journey summary behind its chart.

The timeline is the most read thing in the product and customers can have tens of
thousands of interactions, so every query here walks the ``ix_interactions_timeline``
index (customer_id, occurred_at, id) backwards from a key: no OFFSET, no COUNT per page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.interactions.models import Channel, Interaction, JourneyStage
from cxloop.interactions.schemas import (
    ChannelSummary,
    InteractionRead,
    JourneySummary,
    StageSummary,
    TimelinePage,
)
from cxloop.store.crud import Page, decode_cursor, keyset_page
from cxloop.types import as_utc

MAX_LIMIT = 200
UNSTAGED_NAME = "No stage"


def _key_values(interaction: Interaction) -> list[Any]:
    return [interaction.occurred_at.isoformat(), interaction.id]


def _decode(values: list[Any]) -> list[Any]:
    """Cursor values back to (aware datetime, int); anything else is not our cursor."""
    occurred, ident = values
    if not isinstance(occurred, str) or not isinstance(ident, int) or isinstance(ident, bool):
        raise ValidationFailed("cursor is not one this API gave out", field="cursor")
    try:
        moment = as_utc(datetime.fromisoformat(occurred))
    except ValueError as exc:
        raise ValidationFailed("cursor is not one this API gave out", field="cursor") from exc
    return [moment, ident]


def timeline_query(
    customer_id: int,
    *,
    channels: Sequence[str] = (),
    stages: Sequence[str] = (),
    type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Interaction]:
    """The filtered timeline of one customer, unordered (the pager orders it).

    ``since`` is inclusive and ``until`` exclusive, so consecutive windows never overlap.
    """
    stmt = select(Interaction).where(Interaction.customer_id == customer_id)
    if channels:
        stmt = stmt.where(Interaction.channel.in_(sorted(set(channels))))
    if stages:
        stmt = stmt.where(Interaction.stage.in_(sorted(set(stages))))
    if type:
        stmt = stmt.where(Interaction.type == type)
    if since is not None:
        stmt = stmt.where(Interaction.occurred_at >= as_utc(since))
    if until is not None:
        stmt = stmt.where(Interaction.occurred_at < as_utc(until))
    return stmt


def timeline(
    session: Session,
    *,
    customer_id: int,
    cursor: str | None = None,
    limit: int = 50,
    channels: Sequence[str] = (),
    stages: Sequence[str] = (),
    type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[Interaction]:
    """One page of ``customer_id``'s interactions, newest first, continuing after ``cursor``.

    The caller resolves merged customer ids first (``cxloop.customers.get_customer``).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    stmt = timeline_query(
        customer_id, channels=channels, stages=stages, type=type, since=since, until=until
    )
    if cursor is not None:
        # The pager's "strictly after" test is an OR, which no planner turns into an index
        # range; this redundant bound lets the index scan start at the cursor instead.
        moment, _ident = _decode(decode_cursor(cursor, 2))
        stmt = stmt.where(Interaction.occurred_at <= moment)
    return keyset_page(
        session,
        # crud.keyset_page is annotated for SQLAlchemy 2.0's Select[tuple[T]]; 2.1 says Select[T].
        cast(Any, stmt),
        keys=[Interaction.occurred_at, Interaction.id],
        descending=True,
        limit=limit,
        cursor=cursor,
        key_values=_key_values,
        decode=_decode,
    )


def timeline_page(session: Session, **kwargs: Any) -> TimelinePage:
    """:func:`timeline` shaped for output."""
    page = timeline(session, **kwargs)
    return TimelinePage(
        items=[InteractionRead.model_validate(i) for i in page.items],
        next_cursor=page.next_cursor,
    )


def journey_summary(session: Session, customer_id: int) -> JourneySummary:
    """Per-stage and per-channel counts with first and last times, for the journey chart.

    Two grouped reads over the customer's slice of the timeline index; stages come back in
    journey order (stages not in the catalogue after it, unstaged last), channels by use.
    """
    count = func.count(Interaction.id)
    first = func.min(Interaction.occurred_at)
    last = func.max(Interaction.occurred_at)
    mine = Interaction.customer_id == customer_id

    stage_rows = session.execute(
        select(Interaction.stage, count, first, last).where(mine).group_by(Interaction.stage)
    ).all()
    channel_rows = session.execute(
        select(Interaction.channel, count, first, last).where(mine).group_by(Interaction.channel)
    ).all()
    stage_catalogue = {s.key: (s.name, s.position) for s in session.scalars(select(JourneyStage))}
    channel_names = {c.key: c.name for c in session.scalars(select(Channel))}

    unknown_position = len(stage_catalogue)
    stages = []
    for stage, n, first_at, last_at in stage_rows:
        if stage is None:
            name, position = UNSTAGED_NAME, unknown_position + 1
        else:
            name, position = stage_catalogue.get(stage, (stage.capitalize(), unknown_position))
        stages.append(
            StageSummary(
                stage=stage,
                name=name,
                position=position,
                count=n,
                first_at=first_at,
                last_at=last_at,
            )
        )
    stages.sort(key=lambda s: (s.position, s.first_at, s.stage or ""))

    channels = [
        ChannelSummary(
            channel=channel,
            name=channel_names.get(channel, channel.capitalize()),
            count=n,
            first_at=first_at,
            last_at=last_at,
        )
        for channel, n, first_at, last_at in channel_rows
    ]
    channels.sort(key=lambda c: (-c.count, c.channel))

    return JourneySummary(
        customer_id=customer_id,
        total=sum(c.count for c in channels),
        first_at=min((c.first_at for c in channels), default=None),
        last_at=max((c.last_at for c in channels), default=None),
        stages=stages,
        channels=channels,
    )


def without_text(
    page: TimelinePage, *, keep: Callable[[InteractionRead], bool] = lambda _: False
) -> TimelinePage:
    """The page with texts withheld (and marked so) but those ``keep`` accepts, for callers
    who may not read all of them."""
    return page.model_copy(
        update={
            "items": [
                item
                if not item.text or keep(item)
                else item.model_copy(update={"text": None, "text_hidden": True})
                for item in page.items
            ]
        }
    )
