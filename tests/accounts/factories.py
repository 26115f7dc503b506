"""Factories for users, departments and tokens."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from cxloop.accounts import Role, User, UserCreate, create_token, create_user

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(
    session: Session,
    *,
    role: Role | str = Role.admin,
    departments: list[str] | None = None,
    email: str | None = None,
) -> User:
    return create_user(
        session,
        data=UserCreate(
            email=email or f"user{next(_seq)}@example.com",
            password=PASSWORD,
            role=role,
            departments=departments or [],
        ),
    )


def make_token(
    session: Session, *, role: Role | str = Role.admin, scopes: list[str] | None = None
) -> str:
    user = make_user(session, role=role)
    _token, plaintext = create_token(session, user=user, scopes=scopes)
    return plaintext


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
