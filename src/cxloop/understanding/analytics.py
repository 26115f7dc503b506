"""Text analytics: what customers talk about, how they feel about it, and what is rising.

Aggregated in Python over the enrichments of the chosen window (newest first, at most
``MAX_ROWS``): topics live in a JSON list per enrichment, and one pass here reads the same on
SQLite and PostgreSQL. Windows beyond that many texts are reported as sampled.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.interactions import Interaction
from cxloop.understanding.models import Enrichment

MAX_ROWS = 50_000
VERBATIMS = 25
_PII_TOKEN = re.compile(r"(\[(?:EMAIL|PHONE|CARD|IBAN|NATIONAL_ID|PERSON|ADDRESS)\])")


@dataclass
class TopicStat:
    id: int | None
    path: str
    count: int = 0
    negative: int = 0
    positive: int = 0
    score_sum: float = 0.0
    recent: int = 0
    earlier: int = 0

    @property
    def average_score(self) -> float:
        return self.score_sum / self.count if self.count else 0.0

    @property
    def growth(self) -> float:
        """Mentions in the second half of the window over the first (rising when > 1)."""
        return (self.recent + 1) / (self.earlier + 1)


@dataclass
class Verbatim:
    interaction_id: int
    customer_id: int
    occurred_at: datetime
    channel: str
    sentiment: str | None
    urgency: str
    topics: list[str]
    segments: list[tuple[str, bool]]
    """The redacted text in pieces; ``True`` marks a piece that replaced personal data."""


@dataclass
class TextAnalytics:
    since: datetime
    until: datetime
    texts: int = 0
    sampled: bool = False
    sentiment: dict[str, int] = field(default_factory=dict)
    topics: list[TopicStat] = field(default_factory=list)
    rising: list[TopicStat] = field(default_factory=list)
    weeks: list[tuple[datetime, dict[str, int]]] = field(default_factory=list)
    verbatims: list[Verbatim] = field(default_factory=list)


def segments(redacted: str) -> list[tuple[str, bool]]:
    return [(part, bool(_PII_TOKEN.fullmatch(part))) for part in _PII_TOKEN.split(redacted) if part]


def _week(moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def text_analytics(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    channels: Sequence[str] = (),
    stages: Sequence[str] = (),
    department_ids: Sequence[int] = (),
    topic_id: int | None = None,
) -> TextAnalytics:
    query = (
        select(Enrichment, Interaction.customer_id, Interaction.occurred_at, Interaction.channel)
        .join(Interaction, Interaction.id == Enrichment.interaction_id)
        .where(Enrichment.status == "done")
        .where(Interaction.occurred_at >= since, Interaction.occurred_at < until)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(MAX_ROWS + 1)
    )
    if channels:
        query = query.where(Interaction.channel.in_(channels))
    if stages:
        query = query.where(Interaction.stage.in_(stages))
    if department_ids:
        query = query.where(Interaction.department_id.in_(department_ids))
    rows = session.execute(query).all()
    result = TextAnalytics(since=since, until=until, sampled=len(rows) > MAX_ROWS)
    middle = since + (until - since) / 2
    stats: dict[str, TopicStat] = {}
    weeks: dict[datetime, dict[str, int]] = defaultdict(dict)
    for enrichment, customer_id, occurred_at, channel in rows[:MAX_ROWS]:
        topics = enrichment.topics or []
        if topic_id is not None and all(t.get("id") != topic_id for t in topics):
            continue
        result.texts += 1
        feeling = enrichment.sentiment or "unscored"
        result.sentiment[feeling] = result.sentiment.get(feeling, 0) + 1
        week = weeks[_week(occurred_at)]
        week[feeling] = week.get(feeling, 0) + 1
        for topic in topics:
            stat = stats.setdefault(topic["path"], TopicStat(topic.get("id"), topic["path"]))
            stat.count += 1
            stat.negative += topic.get("sentiment") == "negative"
            stat.positive += topic.get("sentiment") == "positive"
            stat.score_sum += float(topic.get("sentiment_score") or 0.0)
            if occurred_at >= middle:
                stat.recent += 1
            else:
                stat.earlier += 1
        if len(result.verbatims) < VERBATIMS:
            result.verbatims.append(
                Verbatim(
                    interaction_id=enrichment.interaction_id,
                    customer_id=customer_id,
                    occurred_at=occurred_at,
                    channel=channel,
                    sentiment=enrichment.sentiment,
                    urgency=enrichment.urgency,
                    topics=[t["path"] for t in topics],
                    segments=segments(enrichment.redacted),
                )
            )
    result.topics = sorted(stats.values(), key=lambda s: (-s.count, s.path))
    result.rising = sorted(
        (s for s in stats.values() if s.recent >= 3 and s.growth > 1.5),
        key=lambda s: -s.growth,
    )[:5]
    result.weeks = sorted(weeks.items())
    return result
