"""API tokens are cut off on request: an admin revokes anyone's, a user their own; a revoked
or expired token gets a clear 401, and every revocation is in the audit log with its author."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import ApiToken, Role, create_token
from cxloop.privacy import AuditEntry
from tests.accounts.factories import bearer, make_user

PROBLEM = "application/problem+json"


def _token(session: Session, role: Role = Role.agent, **kwargs: object) -> tuple[int, str]:
    token, plaintext = create_token(session, user=make_user(session, role=role), **kwargs)  # type: ignore[arg-type]
    return token.id, plaintext


def _revocations(session: Session, token_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "token.changed", AuditEntry.target_id == str(token_id)
            )
        )
    )


def test_an_admin_revokes_a_token_which_is_refused_from_then_on(
    client: TestClient, session: Session
) -> None:
    admin_id, admin = _token(session, Role.admin)
    agent_id, agent = _token(session)
    assert client.get("/api/v1/customers", headers=bearer(agent)).status_code == 200

    listed = client.get("/api/v1/tokens", headers=bearer(admin))
    assert agent_id in [t["id"] for t in listed.json()]
    assert all("secret" not in key for t in listed.json() for key in t)
    revoked = client.delete(f"/api/v1/tokens/{agent_id}", headers=bearer(admin))

    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = client.get("/api/v1/customers", headers=bearer(agent))
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert "revoked" in refused.json()["detail"]
    [entry] = _revocations(session, agent_id)
    admin_email = session.get(ApiToken, admin_id).user.email  # type: ignore[union-attr]
    assert (entry.actor, entry.detail["via"]) == (admin_email, f"token {admin_id}")
    assert entry.detail["before"] == {"revoked_at": None}
    assert entry.detail["after"]["revoked_at"] == revoked.json()["revoked_at"].replace(
        "Z", "+00:00"
    )


def test_revoking_twice_changes_nothing_more(client: TestClient, session: Session) -> None:
    _admin_id, admin = _token(session, Role.admin)
    agent_id, _agent = _token(session)
    first = client.delete(f"/api/v1/tokens/{agent_id}", headers=bearer(admin)).json()
    again = client.delete(f"/api/v1/tokens/{agent_id}", headers=bearer(admin)).json()

    assert first["revoked_at"] == again["revoked_at"]
    assert len(_revocations(session, agent_id)) == 1


def test_a_user_revokes_their_own_token_but_cannot_reach_anothers(
    client: TestClient, session: Session
) -> None:
    mine_id, mine = _token(session, Role.viewer)
    other_id, other = _token(session, Role.viewer)

    assert [t["id"] for t in client.get("/api/v1/me/tokens", headers=bearer(mine)).json()] == [
        mine_id
    ]
    hidden = client.delete(f"/api/v1/me/tokens/{other_id}", headers=bearer(mine))
    assert hidden.status_code == 404 and hidden.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/v1/me/tokens", headers=bearer(other)).status_code == 200

    assert client.delete(f"/api/v1/me/tokens/{mine_id}", headers=bearer(mine)).status_code == 200
    assert client.get("/api/v1/me/tokens", headers=bearer(mine)).status_code == 401


def test_only_users_manage_lists_or_revokes_everyones_tokens(
    client: TestClient, session: Session
) -> None:
    agent_id, agent = _token(session)
    refused = client.delete(f"/api/v1/tokens/{agent_id}", headers=bearer(agent))
    assert refused.status_code == 403 and "users.manage" in refused.json()["detail"]
    assert client.get("/api/v1/tokens", headers=bearer(agent)).status_code == 403


def test_an_expired_token_gets_a_clear_401(client: TestClient, session: Session) -> None:
    _id, expired = _token(session, ttl=timedelta(seconds=-1))
    answer = client.get("/api/v1/customers", headers=bearer(expired))

    assert answer.status_code == 401 and answer.headers["content-type"].startswith(PROBLEM)
    assert "expired" in answer.json()["detail"]
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_a_malformed_or_forged_token_gets_a_401_too(client: TestClient, session: Session) -> None:
    _id, real = _token(session)
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    for sent in ("not-a-token", forged):
        answer = client.get("/api/v1/customers", headers=bearer(sent))
        assert answer.status_code == 401 and answer.headers["content-type"].startswith(PROBLEM)
