"""Materialised analytic tables: read once, then caught up, so a page never re-reads them all.

Reading the operational tables into DuckDB costs about 26 s per million responses, far too
much for each dashboard view. A :class:`Snapshot` keeps every analytic table in one embedded
DuckDB and, when it is older than its refresh interval, catches up with what changed:

- responses, interactions and invitations: a catch-up reads the source rows added since
  (ids past the last one copied) and those the source stamps as changed since the last
  catch-up (``updated_at`` of a response; ``sent_at``, ``bounced_at``, ``completed_at`` of
  an invitation; interactions are never changed in place), less :data:`SKEW` for writes
  that committed late, and puts them in place of their old copies. It also counts the
  source rows: a count that is not the last one plus those added means rows were erased
  (or committed out of id order) and the table is read again whole.
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
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import ibis
import pyarrow as pa
import sqlglot.expressions as sg
from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cxloop.cases import Case, CaseLink
from cxloop.insights.case_facts import AsOf, Horizon
from cxloop.insights.engines import BackendTables
from cxloop.insights.facts import SCHEMAS, extract
from cxloop.insights.query import MetricQuery, engine_rows, summarise
from cxloop.insights.schemas import MetricResult
from cxloop.interactions import Interaction
from cxloop.surveys import Invitation, Response
from cxloop.understanding import Enrichment

SKEW = timedelta(minutes=5)
"""How long a write may take to commit: rows changed this long before the last catch-up are
read again, so a transaction that committed late is not missed."""
KEPT = 512
"""Results kept (the least recently used go first); the tables keep the compiled queries."""
T = TypeVar("T")
INCOMING = "incoming_keys"


@dataclass(frozen=True, slots=True)
class Tail:
    """A table caught up by its new rows and the rows its source stamps as changed."""

    name: str
    key: str
    source_id: InstrumentedAttribute[int]
    changed_since: Callable[[datetime], ColumnElement[bool]]


TAILS = (
    Tail("responses", "response_id", Response.id, lambda t: Response.updated_at >= t),
    Tail("interactions", "interaction_id", Interaction.id, lambda t: false()),
    Tail(
        "invitations",
        "invitation_id",
        Invitation.id,
        lambda t: or_(
            Invitation.created_at >= t,
            Invitation.sent_at >= t,
            Invitation.bounced_at >= t,
            Invitation.completed_at >= t,
        ),
    ),
)


@dataclass(slots=True)
class Copied:
    """What a table's copy was made of: source rows up to id ``seen``, ``count`` of them in
    the source then, read at ``since`` (None: never read)."""

    seen: int = 0
    count: int = 0
    since: datetime | None = None


def _count(session: Session, source_id: InstrumentedAttribute[int], above: int = -1) -> int:
    return int(session.scalar(select(func.count()).where(source_id > above)) or 0)


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


COUNTS = (0, 3, 5)
"""Positions of the row counts in :func:`case_inputs` (fewer rows: something was erased)."""
SIGNAL_ORDER = ("interaction_id", "signal")
SIGNAL_SORT = [(column, "ascending") for column in SIGNAL_ORDER]


def _touched(session: Session, since: datetime) -> set[int]:
    """Interactions whose signals may read differently: causes of cases changed or linked
    since, and interactions enriched since (a churn threat can appear)."""
    caused = (
        select(CaseLink.interaction_id)
        .join(Case, Case.id == CaseLink.case_id)
        .where(CaseLink.role == "cause", or_(Case.updated_at >= since, CaseLink.linked_at >= since))
    )
    enriched = select(Enrichment.interaction_id).where(Enrichment.enriched_at >= since)
    return {*session.scalars(caused), *session.scalars(enriched)}


def _passed(horizon: datetime | None, now: datetime) -> bool:
    return horizon is not None and now >= horizon


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
        self._copied = {tail.name: Copied() for tail in TAILS}
        self._case_inputs: tuple[Any, ...] | None = None
        self._cases_since: datetime | None = None
        self._cases_horizon: datetime | None = None
        self._signals_horizon: datetime | None = None
        self._signals_whole = False
        self._signals_from = 0
        self._results: OrderedDict[Hashable, MetricResult] = OrderedDict()
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
        key = (self.version, query.key, min_n)
        found = _kept(self._results, key)
        if found is None:
            rows = engine_rows(query, self.tables)
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
        copied = self._copied[tail.name]
        last = int(session.scalar(select(func.max(tail.source_id))) or 0)
        total = _count(session, tail.source_id)
        arrived = _count(session, tail.source_id, copied.seen)
        if copied.since is None or total != copied.count + arrived:
            # first reading, or rows erased or committed late below what was seen: all again
            rows = extract(session, tail.name)
            self.backend.create_table(tail.name, rows, overwrite=True)
            self._signals_whole |= tail.name == "interactions"  # erased ones lose their signals
            changed = True
        else:
            since = copied.since - SKEW
            fresh = (tail.source_id > copied.seen) | tail.changed_since(since)
            changed = self._upsert(tail.name, [tail.key], extract(session, tail.name, where=fresh))
        copied.seen, copied.count, copied.since = last, total, now
        return changed

    def _catch_up_cases(self, session: Session, as_of: AsOf) -> bool:
        inputs = case_inputs(session)
        now = as_of.now
        last_interaction = int(session.scalar(select(func.max(Interaction.id))) or 0)
        changed = False
        if inputs != self._case_inputs or _passed(self._cases_horizon, now):
            horizon = Horizon()
            cases = extract(session, "cases", as_of, horizon=horizon)
            if not cases.equals(self._read("cases")):
                self.backend.create_table("cases", cases, overwrite=True)
                changed = True
            self._cases_horizon = horizon.at
        since = self._cases_since
        shrunk = self._case_inputs is not None and any(
            inputs[i] < self._case_inputs[i] for i in COUNTS
        )
        if since is None or shrunk or self._signals_whole:
            horizon = Horizon()
            signals = extract(session, "signals", as_of, horizon=horizon)
            if not signals.sort_by(SIGNAL_SORT).equals(self._read("signals", SIGNAL_ORDER)):
                self.backend.create_table("signals", signals, overwrite=True)
                changed = True
            self._signals_horizon = horizon.at
        else:
            touched = _touched(session, since - SKEW) if inputs != self._case_inputs else set()
            passed = _passed(self._signals_horizon, now)
            if passed:
                t = self.tables.table("signals")
                pending = t.filter(t.contacted.isnull()).select("interaction_id").to_pyarrow()
                touched |= set(pending["interaction_id"].to_pylist())
            horizon = Horizon()
            new = extract(session, "signals", as_of, horizon=horizon, from_id=self._signals_from)
            again = extract(session, "signals", as_of, horizon=horizon, ids=sorted(touched))
            rows = pa.concat_tables([new, again]).sort_by(SIGNAL_SORT)
            changed |= self._upsert("signals", SIGNAL_ORDER, rows, also=touched)
            kept = None if passed else self._signals_horizon
            self._signals_horizon = min((h for h in (kept, horizon.at) if h), default=None)
        self._case_inputs, self._cases_since, self._signals_whole = inputs, now, False
        self._signals_from = last_interaction + 1
        return changed

    def _read(self, name: str, order: Sequence[str] = ()) -> pa.Table:
        table = self.tables.table(name)
        found: pa.Table = (table.order_by(list(order)) if order else table).to_pyarrow()
        return found

    def _upsert(
        self, name: str, order: Sequence[str], rows: pa.Table, also: Iterable[int] = ()
    ) -> bool:
        """Put ``rows`` (sorted by ``order``, whose first column is the key) in place of the
        copied rows of the same keys and of the keys in ``also``; False if nothing differed."""
        key = order[0]
        keys = pa.table({key: pa.array(sorted({*rows[key].to_pylist(), *also}), pa.int64())})
        if keys.num_rows == 0:
            return False
        con = self.backend.con
        con.register(INCOMING, keys)
        try:
            column = sg.column(key, quoted=True)
            ours = column.isin(query=sg.select(column).from_(INCOMING))
            table = sg.table_(name, quoted=True)
            held = sg.select("*").from_(table).where(ours)
            held = held.order_by(*(sg.column(c, quoted=True) for c in order))
            if con.execute(held.sql(dialect="duckdb")).to_arrow_table().equals(rows):
                return False
            con.execute(sg.delete(table, where=ours).sql(dialect="duckdb"))
        finally:
            con.unregister(INCOMING)
        if rows.num_rows:
            self.backend.insert(name, rows)
        return True

    def read_tables(
        self, session: Session, names: Sequence[str], as_of: AsOf
    ) -> dict[str, pa.Table]:
        """Whole analytic tables as of the watermark, in key order as ``extract`` reads
        them, caught up first if due: what the journey and drivers pages read instead of
        extracting the operational tables on every view."""
        keys = {tail.name: [tail.key] for tail in TAILS}
        with self._lock:
            self.catch_up(session, as_of)
            return {name: self._read(name, keys.get(name, ())) for name in names}
