"""The audit log: searchable, paged, and append-only in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cxloop.privacy import AuditEntry, audit, iter_audit, search_audit


def test_entries_are_found_by_action_and_actor_newest_first(session: Session) -> None:
    for n in range(5):
        audit(session, actor="ops@co", action="sign_in.succeeded", ip=f"10.0.0.{n}")
    audit(session, actor="eve@co", action="sign_in.failed")

    page = search_audit(session, action="sign_in.succeeded", actor="ops@co", limit=3)

    assert [e.ip for e in page.items] == ["10.0.0.4", "10.0.0.3", "10.0.0.2"]
    rest = search_audit(session, action="sign_in.succeeded", cursor=page.next_cursor, limit=3)
    assert [e.ip for e in rest.items] == ["10.0.0.1", "10.0.0.0"]
    assert rest.next_cursor is None
    assert [e.actor for e in iter_audit(session, action="sign_in.failed")] == ["eve@co"]


def test_entries_cannot_be_changed_or_deleted(session: Session) -> None:
    entry = audit(session, actor="ops@co", action="token.created", target_type="user")

    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(actor="x"))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(delete(AuditEntry).where(AuditEntry.id == entry.id))
