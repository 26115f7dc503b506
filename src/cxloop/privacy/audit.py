"""The audit log: sign-ins, permission changes, exports, views of raw personal data, requests
and configuration changes. Callers at the edge (API, web, CLI) know who acts and from where,
so they write the entries, in the same unit of work as the action they record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cxloop.privacy.models import AuditEntry
from cxloop.store.crud import Page, keyset_page
from cxloop.store.tabular import Column

SYSTEM = "system"
AUDIT_COLUMNS = (
    Column("id", "int"),
    Column("at", "datetime"),
    Column("actor"),
    Column("action"),
    Column("target_type"),
    Column("target_id"),
    Column("ip"),
    Column("detail", "json"),
)


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str | None = None,
    target_id: str | int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Record one action. ``detail`` holds ids and settings, never the personal data itself."""
    entry = AuditEntry(
        actor=actor[:320],
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip=ip,
        detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry


def count_recent(
    session: Session,
    *,
    action: str,
    since: datetime,
    actor: str | None = None,
    ip: str | None = None,
) -> int:
    """How often ``action`` happened since ``since``, for one actor or one address
    (sign-in throttling counts failed attempts here, so it holds across server processes)."""
    stmt = select(func.count()).where(AuditEntry.action == action, AuditEntry.at >= since)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor == actor)
    if ip is not None:
        stmt = stmt.where(AuditEntry.ip == ip)
    return int(session.scalar(stmt) or 0)


def _filtered(
    action: str | None, actor: str | None, since: datetime | None, until: datetime | None
) -> Select[AuditEntry]:
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt


def search_audit(
    session: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditEntry]:
    """Newest first (ids grow with time), cursor-paged."""
    return keyset_page(
        session,
        _filtered(action, actor, since, until),
        keys=[AuditEntry.id],
        descending=True,
        limit=limit,
        cursor=cursor,
        key_values=lambda entry: [entry.id],
    )


def iter_audit(
    session: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[AuditEntry]:
    """Oldest first, for exports."""
    stmt = _filtered(action, actor, since, until).order_by(AuditEntry.at, AuditEntry.id)
    yield from session.scalars(stmt.execution_options(yield_per=1000))


def audit_rows(session: Session) -> Iterator[dict[str, Any]]:
    """The whole log as plain rows, oldest first, for ``cxloop export audit``."""
    for entry in iter_audit(session):
        yield {c.name: getattr(entry, c.name) for c in AUDIT_COLUMNS}
