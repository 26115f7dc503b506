"""Materialised analytic tables: read once, then caught up, so a page never re-reads them all.

Reading the operational tables into DuckDB costs about 26 s per million responses, far too
much for each dashboard view. A :class:`Snapshot` keeps every analytic table in one embedded
DuckDB and, when it is older than its refresh interval, catches up with what changed:

- responses, interactions and invitations only change near their end (an answer still
  being given, an invitation not yet answered or expired): each keeps a *line* below which
  every source row has settled and been copied. A catch-up counts the source rows below the
  line (a different count means rows were erased or committed late: the table is read
  again whole), then re-reads only the rows from the line on.
- cases and signals depend on the moment of reading (a deadline passes) and on writes
  anywhere in the cases: they are read again whole when a case, a cause link or an
  enrichment changed, or when a deadline that was still ahead at the last reading has
  passed (:class:`~cxloop.insights.case_facts.Horizon`); otherwise only the signals of
  new interactions are added.

Every figure read from a snapshot is exact as of its ``as_of`` watermark, which pages show.
Results are kept per version of the snapshot, so the same view asked twice costs nothing
until something changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import ibis
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge
from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cxloop.cases import Case, CaseLink
from cxloop.insights.case_facts import AsOf, Horizon
from cxloop.insights.engines import BackendTables
from cxloop.insights.facts import SCHEMAS, extract
from cxloop.insights.query import MetricQuery, expression, summarise
from cxloop.insights.schemas import MetricResult
from cxloop.interactions import Interaction
from cxloop.surveys import Invitation, Response, ResponseStatus
from cxloop.understanding import Enrichment

OPEN_RESPONSE_DAYS = 30
"""A partial response started longer ago than this counts as abandoned: it no longer holds
the line back (if it is completed after all, the next full reading picks it up)."""
KEPT = 512
"""Results and compiled queries kept (the least recently used go first)."""
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Tail:
    """A table whose old rows settle: its source key and which source rows may still change."""

    name: str
    key: str
    source_id: InstrumentedAttribute[int]
    still_open: Callable[[datetime], ColumnElement[bool]]


TAILS = (
    Tail(
        "responses",
        "response_id",
        Response.id,
        lambda now: (
            (Response.status != ResponseStatus.complete.value)
            & (Response.started_at >= now - timedelta(days=OPEN_RESPONSE_DAYS))
        ),
    ),
    Tail("interactions", "interaction_id", Interaction.id, lambda now: false()),
    Tail(
        "invitations",
        "invitation_id",
        Invitation.id,
        lambda now: Invitation.completed_at.is_(None) & (Invitation.expires_at > now),
    ),
)


@dataclass(slots=True)
class Line:
    """Source rows with an id below ``at`` were copied and have settled; ``count`` of them."""

    at: int = 0
    count: int = 0


def _count_below(session: Session, source_id: InstrumentedAttribute[int], line: int) -> int:
    return int(session.scalar(select(func.count()).where(source_id < line)) or 0)


def _next_line(session: Session, tail: Tail, line: int, now: datetime) -> int:
    """The first source id from ``line`` on that may still change, else one past the last."""
    first_open = session.scalar(
        select(func.min(tail.source_id)).where(tail.source_id >= line, tail.still_open(now))
    )
    if first_open is not None:
        return int(first_open)
    last = session.scalar(select(func.max(tail.source_id)))
    return line if last is None else max(line, int(last) + 1)


def case_inputs(session: Session) -> tuple[Any, ...]:
    """What cases and signals are read from, besides interactions: changes when any changes."""
    return (
        *session.execute(
            select(func.count(), func.max(Case.id), func.max(Case.updated_at)).select_from(Case)
        ).one(),
        *session.execute(
            select(func.count(), func.max(CaseLink.linked_at)).select_from(CaseLink)
        ).one(),
        *session.execute(
            select(func.count(), func.max(Enrichment.id), func.max(Enrichment.enriched_at))
        ).one(),
    )


def _kept(kept: OrderedDict[Hashable, T], key: Hashable) -> T | None:
    found = kept.get(key)
    if found is not None:
        kept.move_to_end(key)
    return found


def _keep(kept: OrderedDict[Hashable, T], key: Hashable, value: T) -> T:
    kept[key] = value
    while len(kept) > KEPT:
        kept.popitem(last=False)
    return value


class Snapshot:
    """The analytic tables of one database in an embedded DuckDB, caught up on demand.

    Thread-safe: one lock covers catching up and querying (DuckDB runs each query on every
    core anyway). A snapshot belongs to one application, never shared between databases.
    """

    def __init__(self, *, refresh_seconds: float) -> None:
        self.refresh_seconds = refresh_seconds
        self.backend = ibis.duckdb.connect()
        self.tables = BackendTables(self.backend)
        self.as_of: datetime | None = None
        self.version = 0
        self._lines = {tail.name: Line() for tail in TAILS}
        self._case_inputs: tuple[Any, ...] | None = None
        self._horizon: datetime | None = None
        self._signals_from = 0
        self._results: OrderedDict[Hashable, MetricResult] = OrderedDict()
        self._compiled: OrderedDict[Hashable, str] = OrderedDict()
        """Each query's SQL as Ibis compiles it: compiling costs more than running it."""
        self._lock = threading.RLock()
        for name, schema in SCHEMAS.items():
            self.backend.create_table(name, schema.empty_table(), overwrite=True)

    def measure_all(
        self, session: Session, queries: Sequence[MetricQuery], *, min_n: int, as_of: AsOf
    ) -> list[MetricResult]:
        """Each query's result as of the snapshot's watermark, caught up first if due."""
        with self._lock:
            self.catch_up(session, as_of)
            return [self._result(query, min_n) for query in queries]

    def _result(self, query: MetricQuery, min_n: int) -> MetricResult:
        asked = (query.metric, query.dimensions, query.grain, query.start, query.end)
        asked = (*asked, tuple((k, v) for k, v in sorted(query.filters.items())))
        key = (self.version, asked, min_n)
        found = _kept(self._results, key)
        if found is None:
            sql = _kept(self._compiled, asked)
            if sql is None:
                sql = _keep(
                    self._compiled, asked, str(self.backend.compile(expression(query, self.tables)))
                )
            rows = self.backend.con.execute(sql).to_arrow_table().to_pylist()
            found = _keep(self._results, key, summarise(query, rows, min_n=min_n))
        return found

    def due(self, now: datetime) -> bool:
        return self.as_of is None or (now - self.as_of).total_seconds() >= self.refresh_seconds

    def catch_up(self, session: Session, as_of: AsOf) -> None:
        """Bring every table up to ``as_of.now`` if the last catch-up is older than allowed."""
        with self._lock:
            if not self.due(as_of.now):
                return
            changed = [self._catch_up_tail(session, tail, as_of.now) for tail in TAILS]
            changed.append(self._catch_up_cases(session, as_of))
            if any(changed):
                self.version += 1
                self._results.clear()
            self.as_of = as_of.now

    def _catch_up_tail(self, session: Session, tail: Tail, now: datetime) -> bool:
        line = self._lines[tail.name]
        if _count_below(session, tail.source_id, line.at) != line.count:
            line.at = 0  # rows below the line vanished or arrived late: read it all again
        new_line = _next_line(session, tail, line.at, now)
        rows = extract(session, tail.name, from_id=line.at)
        changed = self._replace_from(tail.name, tail.key, line.at, rows)
        line.count = _count_below(session, tail.source_id, new_line)
        line.at = new_line
        return changed

    def _catch_up_cases(self, session: Session, as_of: AsOf) -> bool:
        inputs = case_inputs(session)
        passed = self._horizon is not None and as_of.now >= self._horizon
        last_interaction = session.scalar(select(func.max(Interaction.id))) or 0
        if inputs == self._case_inputs and not passed:
            added = extract(session, "signals", as_of, from_id=self._signals_from)
            changed = self._replace_from("signals", "interaction_id", self._signals_from, added)
            self._signals_from = last_interaction + 1
            return changed
        horizon = Horizon()
        cases = extract(session, "cases", as_of, horizon=horizon)
        signals = extract(session, "signals", as_of, horizon=horizon)
        changed = not (cases.equals(self._read("cases")) and signals.equals(self._read("signals")))
        if changed:
            self.backend.create_table("cases", cases, overwrite=True)
            self.backend.create_table("signals", signals, overwrite=True)
        self._case_inputs, self._horizon = inputs, horizon.at
        self._signals_from = last_interaction + 1
        return changed

    def _read(self, name: str) -> pa.Table:
        table: pa.Table = self.tables.table(name).to_pyarrow()
        return table

    def _replace_from(self, name: str, key: str, from_id: int, rows: pa.Table) -> bool:
        """Put ``rows`` (in key order) in place of every copied row keyed from ``from_id`` on;
        False if they were the same."""
        target = self.tables.table(name)
        held = target.filter(target[key] >= from_id).order_by(key).to_pyarrow()
        if held.equals(rows):
            return False
        if held.num_rows:
            column = sg.column(key, quoted=True)
            delete = sg.delete(sg.table(name, quoted=True), where=column >= sge.Placeholder())
            self.backend.con.execute(delete.sql(dialect="duckdb"), [from_id])
        if rows.num_rows:
            self.backend.insert(name, rows)
        return True
