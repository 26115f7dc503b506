"""A customer's cross-channel timeline as pages show it: the filters a form sends, and one
page of interactions with what the viewer may read of them. Shared by the customer page and
the case page, which render it with ``customers/_timeline_items.html``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.api.visibility import Viewer, visible_timeline
from cxloop.interactions import Channel, JourneyStage, timeline_page

TIMELINE_PAGE_SIZE = 25


@dataclass
class TimelineFilters:
    """The timeline filters as the form sent them; bad dates become messages, not errors."""

    channels: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    type: str = ""
    since: str = ""
    until: str = ""
    errors: list[str] = field(default_factory=list)

    def since_at(self) -> datetime | None:
        return self._day(self.since, "From")

    def until_at(self) -> datetime | None:
        day = self._day(self.until, "To")
        return day + timedelta(days=1) if day else None  # the "to" day is included

    def _day(self, value: str, label: str) -> datetime | None:
        if not value:
            return None
        try:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            self.errors.append(f"{label} date must look like 2024-12-31.")
            return None

    @property
    def active(self) -> bool:
        return bool(self.channels or self.stages or self.type or self.since or self.until)

    def query(self, **extra: str) -> str:
        params: list[tuple[str, str]] = [("channel", c) for c in self.channels]
        params += [("stage", s) for s in self.stages]
        params += [(k, v) for k, v in (("type", self.type), ("since", self.since)) if v]
        params += [("until", self.until)] if self.until else []
        params += list(extra.items())
        return urlencode(params)


def timeline_filters(
    channel: list[str], stage: list[str], type: str | None, since: str | None, until: str | None
) -> TimelineFilters:
    return TimelineFilters(
        channels=[c for c in channel if c],
        stages=[s for s in stage if s],
        type=(type or "").strip(),
        since=(since or "").strip(),
        until=(until or "").strip(),
    )


def timeline_context(
    session: Session,
    customer_id: int,
    filters: TimelineFilters,
    cursor: str | None,
    viewer: Viewer,
) -> dict[str, Any]:
    since, until = filters.since_at(), filters.until_at()
    page = timeline_page(
        session,
        customer_id=customer_id,
        cursor=cursor,
        limit=TIMELINE_PAGE_SIZE,
        channels=filters.channels,
        stages=filters.stages,
        type=filters.type or None,
        since=since,
        until=until,
    )
    channel_names = {c.key: c.name for c in session.scalars(select(Channel))}
    stage_names = {s.key: s.name for s in session.scalars(select(JourneyStage))}
    more_query = filters.query(cursor=page.next_cursor) if page.next_cursor else ""
    page = visible_timeline(page, viewer=viewer)
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "more_page_url": f"/customers/{customer_id}?{more_query}#timeline",
        "more_partial_url": f"/customers/{customer_id}/timeline?{more_query}",
        "channel_names": channel_names,
        "stage_names": stage_names,
    }
