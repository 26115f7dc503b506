"""Each customer's timeline as one row of numbers a churn model can learn from.

Everything is read in bulk (customers, their interactions with what understanding made of
them, survey scores, cases: four queries per batch of customers, never one per customer)
and aggregated in memory, each customer at their own cut-off: ``now`` when scoring, a moment
before they started leaving when training (see :mod:`cxloop.proactive.history`). Column
names are the words the reasons are written in ("contacts, last 30 days 9 (typical 1)").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import ACTIVE_STATUSES, Case
from cxloop.customers import Customer
from cxloop.insights import PERSONAL, SELF_SERVICE, SURVEY_CHANNEL, switches
from cxloop.interactions import Interaction
from cxloop.proactive.table import Cell, Table, cell
from cxloop.understanding import Enrichment

LOOKBACK = timedelta(days=365)
RECENT, QUARTER = timedelta(days=30), timedelta(days=90)
NEGATIVE_EMOTIONS = frozenset({"anger", "fear", "sadness", "disgust"})
CHUNK = 1_000  # ids per IN (...): well under every database's parameter limit
MAX_TRAIT_VALUES = 20

FEATURES = (
    "days since last contact",
    "contacts, last 30 days",
    "contacts, last 90 days",
    "channels used, 90 days",
    "phone share, 90 days",
    "self-service share, 90 days",
    "most contacts on one topic, 90 days",
    "failed self-service, 90 days",
    "negative texts share, 90 days",
    "sentiment trend",
    "negative emotions share, 90 days",
    "churn threats, 90 days",
    "last NPS",
    "lowest NPS",
    "last CSAT",
    "lowest CSAT",
    "open cases",
    "breached cases, 90 days",
    "reopened cases, 90 days",
)


@dataclass(frozen=True, slots=True)
class Touch:
    """One interaction as the features see it."""

    at: datetime
    channel: str
    direction: str
    assisted: bool
    sentiment: str | None = None
    sentiment_score: float | None = None
    emotion: str | None = None
    topics: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseFact:
    opened: datetime
    ended: datetime | None
    active: bool
    breached: bool
    reopened: bool


@dataclass
class History:
    """What the queries found for one customer, before any cut-off is applied."""

    traits: dict[str, Any] = field(default_factory=dict)
    touches: list[Touch] = field(default_factory=list)
    scores: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    cases: list[CaseFact] = field(default_factory=list)


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def read_histories(
    session: Session, customer_ids: Sequence[int], *, since: datetime, until: datetime
) -> dict[int, History]:
    """The timelines of these customers between ``since`` and ``until``, in bulk."""
    found: dict[int, History] = {}
    for ids in chunks(customer_ids):
        for customer_id, traits in session.execute(
            select(Customer.id, Customer.traits).where(Customer.id.in_(ids))
        ):
            found[customer_id] = History(traits=dict(traits or {}))
        touches = session.execute(
            select(
                Interaction.customer_id,
                Interaction.occurred_at,
                Interaction.channel,
                Interaction.direction,
                Interaction.assisted,
                Enrichment.sentiment,
                Enrichment.sentiment_score,
                Enrichment.emotion,
                Enrichment.topics,
                Enrichment.signals,
            )
            .outerjoin(Enrichment, Enrichment.interaction_id == Interaction.id)
            .where(
                Interaction.customer_id.in_(ids),
                Interaction.occurred_at >= since,
                Interaction.occurred_at < until,
            )
        )
        for row in touches:
            found[row.customer_id].touches.append(
                Touch(
                    at=row.occurred_at,
                    channel=row.channel,
                    direction=row.direction,
                    assisted=bool(row.assisted),
                    sentiment=row.sentiment,
                    sentiment_score=row.sentiment_score,
                    emotion=row.emotion,
                    topics=tuple(t["path"] for t in row.topics or () if t.get("path")),
                    signals=tuple(row.signals or ()),
                )
            )
        surveys = session.execute(
            select(Interaction.customer_id, Interaction.occurred_at, Interaction.properties).where(
                Interaction.customer_id.in_(ids),
                Interaction.channel == SURVEY_CHANNEL,
                Interaction.occurred_at >= since,
                Interaction.occurred_at < until,
            )
        )
        for customer_id, at, properties in surveys:
            if scores := answer_scores(properties):
                found[customer_id].scores.append((at, scores))
        cases = session.execute(
            select(
                Case.customer_id,
                Case.created_at,
                Case.solved_at,
                Case.closed_at,
                Case.status,
                Case.first_response_breached,
                Case.resolution_breached,
                Case.reopen_count,
            ).where(
                Case.customer_id.in_(ids), Case.merged_into_id.is_(None), Case.created_at < until
            )
        )
        for row in cases:
            found[row.customer_id].cases.append(
                CaseFact(
                    opened=row.created_at,
                    ended=row.closed_at or row.solved_at,
                    active=row.status in ACTIVE_STATUSES,
                    breached=bool(row.first_response_breached or row.resolution_breached),
                    reopened=row.reopen_count > 0,
                )
            )
    return found


def answer_scores(properties: Any) -> dict[str, Any]:
    """A survey answer's scores: surveys records them under ``scores``; a survey answer
    tracked as an event may carry its ``nps`` itself (the metrics read it there too)."""
    if not isinstance(properties, dict):
        return {}
    scores = properties.get("scores")
    if isinstance(scores, dict) and scores:
        return scores
    nps = properties.get("nps")
    return {"nps": nps} if isinstance(nps, int | float) and not isinstance(nps, bool) else {}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _survey_features(
    scores: Sequence[tuple[datetime, dict[str, Any]]], as_of: datetime
) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    ordered = sorted((at, s) for at, s in scores if at < as_of)
    for metric, label in (("nps", "NPS"), ("csat", "CSAT")):
        values = [float(s[metric]) for _, s in ordered if isinstance(s.get(metric), int | float)]
        out[f"last {label}"] = values[-1] if values else None
        out[f"lowest {label}"] = min(values) if values else None
    return out


def _open_at(case: CaseFact, as_of: datetime, now: datetime) -> bool:
    """Open now: its status says so; open at an earlier cut-off: not yet solved or closed."""
    if as_of >= now:
        return case.active
    return case.ended > as_of if case.ended is not None else case.active


def _case_features(cases: Sequence[CaseFact], as_of: datetime, now: datetime) -> dict[str, Cell]:
    quarter = [c for c in cases if as_of - QUARTER <= c.opened < as_of]
    still_open = [c for c in cases if c.opened < as_of and _open_at(c, as_of, now)]
    return {
        "open cases": float(len(still_open)),
        "breached cases, 90 days": float(sum(c.breached for c in quarter)),
        "reopened cases, 90 days": float(sum(c.reopened for c in quarter)),
    }


def features_of(history: History, as_of: datetime, now: datetime) -> dict[str, Cell]:
    """One customer's timeline features at ``as_of`` (only what happened before it)."""
    touches = [t for t in history.touches if as_of - LOOKBACK <= t.at < as_of]
    # Contacts are the customer reaching out; answering a survey is not one.
    inbound = [t for t in touches if t.direction == "in" and t.channel != SURVEY_CHANNEL]
    recent = [t for t in inbound if t.at >= as_of - RECENT]
    quarter = [t for t in inbound if t.at >= as_of - QUARTER]
    texts = [t for t in quarter if t.sentiment is not None]
    topics = Counter(topic for t in quarter for topic in set(t.topics))
    earlier = [
        t.sentiment_score
        for t in inbound
        if t.sentiment_score is not None and as_of - QUARTER <= t.at < as_of - RECENT
    ]
    latest = [t.sentiment_score for t in recent if t.sentiment_score is not None]
    before, after = _mean(earlier), _mean(latest)
    last = max((t.at for t in inbound), default=None)
    emotions = [t.emotion for t in texts if t.emotion]
    return {
        "days since last contact": float(
            (as_of - last).days if last is not None else LOOKBACK.days
        ),
        "contacts, last 30 days": float(len(recent)),
        "contacts, last 90 days": float(len(quarter)),
        "channels used, 90 days": float(len({t.channel for t in quarter})),
        "phone share, 90 days": _share(sum(t.channel == "phone" for t in quarter), len(quarter)),
        "self-service share, 90 days": _share(
            sum(t.channel in SELF_SERVICE for t in quarter), len(quarter)
        ),
        "most contacts on one topic, 90 days": float(max(topics.values(), default=0)),
        "failed self-service, 90 days": float(
            len(switches([t for t in touches if t.at >= as_of - QUARTER]))
        ),
        "negative texts share, 90 days": _share(
            sum(t.sentiment == "negative" for t in texts), len(texts)
        ),
        "sentiment trend": (
            round(after - before, 3) if before is not None and after is not None else None
        ),
        "negative emotions share, 90 days": _share(
            sum(e in NEGATIVE_EMOTIONS for e in emotions), len(emotions)
        ),
        "churn threats, 90 days": float(sum("churn_threat" in t.signals for t in quarter)),
        **_survey_features(history.scores, as_of),
        **_case_features(history.cases, as_of, now),
    }


def timeline_table(
    session: Session,
    cutoffs: Mapping[int, datetime],
    *,
    traits: Sequence[str],
    now: datetime,
    labels: Mapping[int, str] | None = None,
) -> Table:
    """Features of each customer in ``cutoffs`` at their cut-off, plus the named traits; a
    :class:`Table` the churn model trains on (with ``labels``) or scores."""
    ids = sorted(cutoffs)
    since = min(cutoffs.values(), default=now) - LOOKBACK
    until = max(cutoffs.values(), default=now)
    histories = read_histories(session, ids, since=since, until=until)
    ids = [i for i in ids if i in histories]
    rows = []
    for customer_id in ids:
        history = histories[customer_id]
        row = features_of(history, cutoffs[customer_id], now)
        row.update({name: trait_cell(history.traits.get(name)) for name in traits})
        rows.append(row)
    names = [*FEATURES, *traits]
    return Table(
        columns={name: [row[name] for row in rows] for name in names},
        row_numbers=list(range(1, len(ids) + 1)),
        ids=[str(i) for i in ids],
        labels=None if labels is None else [labels[i] for i in ids],
    )


def trait_cell(value: Any) -> Cell:
    """A trait as a feature value: lists and objects say nothing a model can use."""
    return None if isinstance(value, list | dict) else cell(value)


def eligible_traits(
    traits: Iterable[Mapping[str, Any]], *, exclude: Iterable[str] = ()
) -> list[str]:
    """Traits worth learning from when none are named: numbers, yes/no and short categories
    shared by several customers, never personal details."""
    values: defaultdict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for row in traits:
        for name, value in row.items():
            if isinstance(value, list | dict) or value is None:
                continue
            counts[name] += 1
            if len(values[name]) <= MAX_TRAIT_VALUES:
                values[name].add(str(value))
    skip = PERSONAL | set(exclude)
    return sorted(
        name
        for name, seen in values.items()
        if name not in skip and counts[name] >= 2 and _learnable(seen)
    )


def _learnable(values: set[str]) -> bool:
    if len(values) <= MAX_TRAIT_VALUES:
        return True
    try:
        for value in values:
            float(value)
    except ValueError:
        return False
    return True
