"""Password guessing is throttled per account, and every attempt is in the audit log."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.privacy import AuditEntry
from cxloop.web.auth import MAX_FAILURES_PER_ACCOUNT
from tests.accounts.factories import make_user
from tests.web.helpers import sign_in


def test_after_repeated_failures_even_the_right_password_waits(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, role=Role.agent)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert sign_in(client, user.email, password="guess").status_code == 400

    blocked = sign_in(client, user.email)

    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) == 900
    assert "Too many failed sign-ins" in blocked.text
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor == user.email).order_by(AuditEntry.id)
    ).all()
    assert actions == ["sign_in.failed"] * MAX_FAILURES_PER_ACCOUNT + ["sign_in.throttled"]


def test_other_accounts_are_not_throttled_by_one_accounts_failures(
    client: TestClient, session: Session
) -> None:
    target, other = make_user(session, role=Role.agent), make_user(session, role=Role.agent)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        sign_in(client, target.email, password="guess")

    assert sign_in(client, other.email).status_code == 303
