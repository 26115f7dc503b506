"""Customers' timelines in time order, as journey analytics and key drivers read them.

Built from the same ``interactions`` and ``responses`` analytic tables as the metrics, plus
the two things no metric needs: the topics understanding found in each interaction's text
and the customer's traits. Journeys are sequences, so the figures are computed here, in
one pass over each customer's timeline, rather than as grouped counts on an engine.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.insights.columns import TIME
from cxloop.insights.facts import extract
from cxloop.understanding import Enrichment

LOOKBACK = timedelta(days=30)
"""How far before an answer or a departure a touchpoint or topic counts as preceding it."""
SURVEY_CHANNEL = "survey"
"""Answering a survey is the outcome being explained, not a touchpoint."""
CHUNK = 1_000
PERSONAL = frozenset(  # traits that say who someone is, never what they experienced
    {
        "name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "street",
        "postcode",
        "zip",
        "birthday",
        "birthdate",
        "date_of_birth",
        "username",
        "avatar",
    }
)


@dataclass(frozen=True, slots=True)
class Touch:
    """One interaction on a timeline (also a :class:`cxloop.insights.switching.Contact`)."""

    at: datetime
    channel: str
    stage: str | None
    type: str
    direction: str
    assisted: bool
    topics: tuple[str, ...] = ()


@dataclass
class Timeline:
    customer_id: int
    touches: list[Touch] = field(default_factory=list)
    _times: list[datetime] = field(default_factory=list)

    def seal(self) -> None:
        self.touches.sort(key=lambda t: t.at)
        self._times = [t.at for t in self.touches]

    def between(self, start: datetime, end: datetime, *, inclusive: bool = True) -> list[Touch]:
        """Touches from ``start`` up to ``end`` (including it unless ``inclusive`` is off)."""
        low = bisect_left(self._times, start)
        high = (bisect_right if inclusive else bisect_left)(self._times, end)
        return self.touches[low:high]


def _topics(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, tuple[str, ...]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Enrichment.interaction_id, Enrichment.topics).where(
                Enrichment.interaction_id.in_(ids[start : start + CHUNK])
            )
        )
        for iid, topics in rows:
            paths = tuple(sorted({t["path"] for t in topics or () if t.get("path")}))
            if paths:
                found[iid] = paths
    return found


def timelines(
    session: Session, interactions: pa.Table, *, since: datetime, until: datetime
) -> dict[int, Timeline]:
    """Every customer's interactions from ``since`` to before ``until`` (naive UTC, as the
    analytic tables), out of the ``interactions`` table, with their topics."""
    at = interactions["at"]
    kept = interactions.filter(
        pc.and_(
            pc.and_(
                pc.greater_equal(at, pa.scalar(since, TIME)), pc.less(at, pa.scalar(until, TIME))
            ),
            pc.is_valid(interactions["customer_id"]),
        )
    )
    rows = kept.to_pylist()
    topics = _topics(session, [r["interaction_id"] for r in rows])
    found: dict[int, Timeline] = {}
    for row in rows:
        cid = row["customer_id"]
        timeline = found.get(cid)
        if timeline is None:
            timeline = found[cid] = Timeline(cid)
        timeline.touches.append(
            Touch(
                at=row["at"],
                channel=row["channel"],
                stage=row["stage"],
                type=row["type"],
                direction=row["direction"],
                assisted=bool(row["assisted"]),
                topics=topics.get(row["interaction_id"], ()),
            )
        )
    for timeline in found.values():
        timeline.seal()
    return found


def responses(session: Session) -> list[dict[str, Any]]:
    """Completed survey responses of known customers, as the ``responses`` table has them."""
    return known_responses(extract(session, "responses"))


def known_responses(table: pa.Table) -> list[dict[str, Any]]:
    """The rows of a ``responses`` table that belong to a known customer."""
    return [r for r in table.to_pylist() if r["customer_id"] is not None]


def traits(session: Session, customer_ids: Iterable[int]) -> dict[int, Mapping[str, Any]]:
    ids = sorted(set(customer_ids))
    found: dict[int, Mapping[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(Customer.id, Customer.traits).where(Customer.id.in_(ids[start : start + CHUNK]))
        )
        found.update({cid: dict(t or {}) for cid, t in rows})
    return found


def preceding(
    timeline: Timeline | None,
    moment: datetime,
    *,
    inclusive: bool = True,
    skip_stage: str | None = None,
) -> Iterator[str]:
    """What came in the :data:`LOOKBACK` up to ``moment``: each touchpoint (interaction type,
    survey answers aside), each channel the customer reached out on, each topic they raised.
    ``skip_stage`` leaves out the stage whose arrival is the outcome itself."""
    if timeline is None:
        return
    seen: set[str] = set()
    for touch in timeline.between(moment - LOOKBACK, moment, inclusive=inclusive):
        if skip_stage is not None and touch.stage == skip_stage:
            continue
        names = [f"topic: {topic}" for topic in touch.topics]
        if touch.channel != SURVEY_CHANNEL:
            names.append(f"touchpoint: {touch.type}")
            if touch.direction == "in":
                names.append(f"contacted on: {touch.channel}")
        for name in names:
            if name not in seen:
                seen.add(name)
                yield name
