"""The analytic tables every metric reads, extracted from the operational database as Arrow.

Survey answers live in JSON keyed by question ids that differ per survey version, so the
scores are flattened here once (one typed column per scale) and every engine — DuckDB,
PostgreSQL, Spark, a Parquet lake — sees the same narrow tables (cases and signals come
from :mod:`cxloop.insights.case_facts`). Extraction goes
through the caller's SQLAlchemy session rather than an engine scanning the database file,
so it reads exactly what that unit of work sees, on SQLite and PostgreSQL alike, and needs
no engine extension (nothing is downloaded at run time). Times are naive UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cxloop.insights.case_facts import SCHEMAS as CASE_SCHEMAS
from cxloop.insights.case_facts import AsOf, Horizon, case_rows, signal_rows
from cxloop.insights.columns import TIME, naive
from cxloop.interactions import Interaction
from cxloop.surveys import (
    Definition,
    Invitation,
    InvitationStatus,
    QuestionType,
    Response,
    ResponseStatus,
    Survey,
    SurveyVersion,
)
from cxloop.types import utcnow

CX_PARTS = ("effectiveness", "ease", "emotion")
SCHEMAS: dict[str, pa.Schema] = {
    "responses": pa.schema(
        [
            ("response_id", pa.int64()),
            ("survey", pa.string()),
            ("channel", pa.string()),
            ("stage", pa.string()),
            ("place", pa.string()),
            ("customer_id", pa.int64()),
            ("at", TIME),
            ("nps", pa.int64()),
            ("csat", pa.int64()),
            ("ces", pa.int64()),
            ("cx_total", pa.int64()),
        ]
    ),
    "interactions": pa.schema(
        [
            ("interaction_id", pa.int64()),
            ("customer_id", pa.int64()),
            ("channel", pa.string()),
            ("stage", pa.string()),
            ("type", pa.string()),
            ("direction", pa.string()),
            ("assisted", pa.bool_()),
            ("department_id", pa.int64()),
            ("at", TIME),
        ]
    ),
    "invitations": pa.schema(
        [
            ("invitation_id", pa.int64()),
            ("survey", pa.string()),
            ("channel", pa.string()),
            ("stage", pa.string()),
            ("at", TIME),
            ("delivered", pa.bool_()),
            ("responded", pa.bool_()),
        ]
    ),
    **CASE_SCHEMAS,
}
TABLES = tuple(SCHEMAS)
BATCH = 50_000
DELIVERED = (InvitationStatus.sent.value, InvitationStatus.bounced.value)


@dataclass(frozen=True, slots=True)
class ScoreColumns:
    """Which question of one survey version feeds each score column (the first of its type)."""

    nps: str | None
    csat: str | None
    ces: str | None
    cx_index: str | None

    @classmethod
    def of(cls, definition: Definition) -> ScoreColumns:
        first: dict[QuestionType, str] = {}
        for question in definition.questions:
            first.setdefault(question.type, question.id)
        return cls(
            nps=first.get(QuestionType.nps),
            csat=first.get(QuestionType.csat),
            ces=first.get(QuestionType.ces),
            cx_index=first.get(QuestionType.cx_index),
        )

    def scores(self, answers: dict[str, Any]) -> tuple[int | None, ...]:
        return (
            _integer(answers, self.nps),
            _integer(answers, self.csat),
            _integer(answers, self.ces),
            _cx_total(answers.get(self.cx_index) if self.cx_index else None),
        )


def _integer(answers: dict[str, Any], key: str | None) -> int | None:
    value = answers.get(key) if key else None
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _cx_total(parts: Any) -> int | None:
    """Sum of the three 1-5 parts, kept whole so every engine sums it exactly; None if partial."""
    if not isinstance(parts, dict) or any(not isinstance(parts.get(p), int) for p in CX_PARTS):
        return None
    return sum(int(parts[p]) for p in CX_PARTS)


def _score_columns(session: Session) -> dict[int, ScoreColumns]:
    rows = session.execute(select(SurveyVersion.id, SurveyVersion.definition))
    return {vid: ScoreColumns.of(Definition.model_validate(d)) for vid, d in rows}


def _survey_keys(session: Session) -> dict[int, str]:
    return {sid: key for sid, key in session.execute(select(Survey.id, Survey.key))}


def _batches(schema: pa.Schema, rows: Iterable[tuple[Any, ...]]) -> Iterator[pa.RecordBatch]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == BATCH:
            yield _batch(schema, chunk)
            chunk = []
    if chunk:
        yield _batch(schema, chunk)


def _batch(schema: pa.Schema, rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True))
    return pa.RecordBatch.from_arrays(
        [pa.array(col, type=field.type) for col, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


def _response_rows(session: Session, where: Where) -> Iterator[tuple[Any, ...]]:
    columns = _score_columns(session)
    surveys = _survey_keys(session)
    stmt = (
        select(
            Response.id,
            Response.survey_id,
            Response.version_id,
            Response.channel,
            Response.stage,
            Response.place,
            Response.customer_id,
            Response.completed_at,
            Response.answers,
        )
        .where(Response.status == ResponseStatus.complete.value, where)
        .order_by(Response.id)
        .execution_options(yield_per=BATCH)
    )
    for rid, sid, vid, channel, stage, place, cid, at, answers in session.execute(stmt):
        scores = columns[vid].scores(answers)
        yield (rid, surveys[sid], channel, stage, place, cid, naive(at), *scores)


def _interaction_rows(session: Session, where: Where) -> Iterator[tuple[Any, ...]]:
    stmt = (
        select(
            Interaction.id,
            Interaction.customer_id,
            Interaction.channel,
            Interaction.stage,
            Interaction.type,
            Interaction.direction,
            Interaction.assisted,
            Interaction.department_id,
            Interaction.occurred_at,
        )
        .where(where)
        .order_by(Interaction.id)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(stmt):
        yield (*row[:-1], naive(row[-1]))


def _invitation_rows(session: Session, where: Where) -> Iterator[tuple[Any, ...]]:
    surveys = _survey_keys(session)
    stmt = (
        select(
            Invitation.id,
            Invitation.survey_id,
            Invitation.channel,
            Invitation.stage,
            Invitation.sent_at,
            Invitation.created_at,
            Invitation.status,
            Invitation.completed_at,
        )
        .where(where)
        .order_by(Invitation.id)
        .execution_options(yield_per=BATCH)
    )
    for iid, sid, channel, stage, sent, created, status, completed in session.execute(stmt):
        yield (
            iid,
            surveys[sid],
            channel,
            stage,
            naive(sent or created),
            status in DELIVERED,
            completed is not None,
        )


Where = ColumnElement[bool]
SOURCE_IDS: dict[str, InstrumentedAttribute[int]] = {
    "responses": Response.id,
    "interactions": Interaction.id,
    "invitations": Invitation.id,
}
"""The source key of each table whose rows can be read by any condition (``where``)."""
_SOURCES: dict[str, Callable[[Session, Where], Iterator[tuple[Any, ...]]]] = {
    "responses": _response_rows,
    "interactions": _interaction_rows,
    "invitations": _invitation_rows,
}


def extract(
    session: Session,
    name: str,
    as_of: AsOf | None = None,
    *,
    from_id: int = 0,
    where: Where | None = None,
    horizon: Horizon | None = None,
    ids: Sequence[int] | None = None,
) -> pa.Table:
    """One analytic table, read in batches of rows (empty tables keep their schema).

    ``as_of`` decides which case deadlines have passed (default: now, in UTC); ``from_id``
    reads only the rows from that source id on (the interaction's, for signals), which is
    how a materialised copy catches up, as does ``where`` (a condition on the source rows of
    responses, interactions or invitations); ``horizon`` notes when time alone would change
    what was read; ``ids`` reads the signals of these interactions only."""
    schema = SCHEMAS[name]
    rows: Iterable[tuple[Any, ...]]
    if name in _SOURCES:
        condition = SOURCE_IDS[name] >= from_id
        rows = _SOURCES[name](session, condition if where is None else condition & where)
    elif where is not None:
        raise ValueError(f"'{name}' is read whole or from an id, not by a condition")
    elif name == "signals":
        rows = signal_rows(session, as_of or AsOf(now=utcnow()), BATCH, horizon, from_id, ids)
    else:
        rows = case_rows(session, as_of or AsOf(now=utcnow()), BATCH, horizon, from_id)
    return pa.Table.from_batches(list(_batches(schema, rows)), schema=schema)


def extract_all(session: Session, as_of: AsOf | None = None) -> dict[str, pa.Table]:
    return {name: extract(session, name, as_of) for name in TABLES}
