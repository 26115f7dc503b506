from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from cxloop.accounts import Role, authenticate, create_token, user_for_token
from cxloop.errors import Conflict, Unauthenticated
from cxloop.types import utcnow
from tests.accounts.factories import PASSWORD, make_user


def test_password_is_stored_as_argon2_hash_and_checks(session: Session) -> None:
    user = make_user(session, email="Ana@Example.com")
    assert user.email == "ana@example.com"
    assert user.password_hash.startswith("$argon2")
    assert authenticate(session, email="ana@example.com", password=PASSWORD).id == user.id
    with pytest.raises(Unauthenticated):
        authenticate(session, email="ana@example.com", password="wrong password")


def test_duplicate_email_is_a_conflict(session: Session) -> None:
    make_user(session, email="dup@example.com")
    with pytest.raises(Conflict):
        make_user(session, email="DUP@example.com")


def test_user_joins_departments_created_on_demand(session: Session) -> None:
    user = make_user(session, role=Role.agent, departments=["billing", "support"])
    assert [d.slug for d in user.departments] == ["billing", "support"]


def test_token_resolves_to_its_user_until_revoked_or_expired(session: Session) -> None:
    user = make_user(session)
    token, plaintext = create_token(session, user=user, ttl=timedelta(hours=1))
    assert token.secret_hash.startswith("$argon2")
    assert plaintext not in token.secret_hash
    assert user_for_token(session, plaintext=plaintext).user_id == user.id
    with pytest.raises(Unauthenticated, match="expired"):
        user_for_token(session, plaintext=plaintext, now=utcnow() + timedelta(hours=2))
    token.revoked_at = utcnow()
    with pytest.raises(Unauthenticated, match="revoked"):
        user_for_token(session, plaintext=plaintext)


def test_tampered_token_is_rejected(session: Session) -> None:
    _token, plaintext = create_token(session, user=make_user(session))
    with pytest.raises(Unauthenticated):
        user_for_token(session, plaintext=plaintext[:-2] + "xx")
    with pytest.raises(Unauthenticated, match="malformed"):
        user_for_token(session, plaintext="nonsense")
