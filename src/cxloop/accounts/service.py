"""Users, departments, sign-in and API tokens."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import secrets
from cxloop.accounts.models import ApiToken, Department, User
from cxloop.accounts.roles import list_roles, role_exists
from cxloop.accounts.schemas import UserCreate
from cxloop.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from cxloop.types import utcnow

TOKEN_KIND = "cxl"  # noqa: S105 (a prefix, not a secret)
SCOPES = frozenset({"read", "write"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def ensure_department(session: Session, *, slug: str, name: str | None = None) -> Department:
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise ValidationFailed(
            f"department '{slug}' must be lower-case letters, digits and dashes", field="department"
        )
    department = session.scalar(select(Department).where(Department.slug == slug))
    if department is None:
        department = Department(slug=slug, name=name or slug.replace("-", " ").title())
        session.add(department)
        session.flush()
    return department


def create_user(session: Session, *, data: UserCreate) -> User:
    email = data.email.lower()
    if not role_exists(session, data.role):
        known = ", ".join(list_roles(session))
        raise ValidationFailed(f"unknown role '{data.role}' (roles: {known})", field="role")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with email {email} already exists", field="email")
    user = User(
        email=email,
        name=data.name,
        password_hash=secrets.hash_password(data.password),
        role=data.role,
        departments=[ensure_department(session, slug=s) for s in data.departments],
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, *, email: str, password: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if (
        user is None
        or not user.is_active
        or not secrets.verify_password(user.password_hash, password)
    ):
        raise Unauthenticated("email or password is wrong")
    return user


def user_by_email(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_token(
    session: Session,
    *,
    user: User,
    scopes: list[str] | None = None,
    name: str = "",
    ttl: timedelta | None = None,
) -> tuple[ApiToken, str]:
    """Issue a personal API token; the plaintext is returned once and never stored."""
    wanted = sorted(set(scopes or SCOPES))
    unknown = set(wanted) - SCOPES
    if unknown:
        raise ValidationFailed(
            f"unknown scope {', '.join(sorted(unknown))}; use {', '.join(sorted(SCOPES))}",
            field="scope",
        )
    issued = secrets.issue(TOKEN_KIND)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=issued.prefix,
        secret_hash=issued.hash,
        scopes=" ".join(wanted),
        expires_at=utcnow() + ttl if ttl else None,
    )
    session.add(token)
    session.flush()
    return token, issued.plaintext


def user_for_token(session: Session, *, plaintext: str, now: datetime | None = None) -> ApiToken:
    parts = secrets.split(plaintext, TOKEN_KIND)
    if parts is None:
        raise Unauthenticated(
            "the bearer token is malformed; create one with `cxloop token create`"
        )
    prefix, secret = parts
    token = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    now = now or utcnow()
    if token is None or not secrets.check(token.secret_hash, prefix, secret):
        raise Unauthenticated("the bearer token is not valid")
    if token.revoked_at is not None:
        raise Unauthenticated("the bearer token was revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("the bearer token has expired")
    if not token.user.is_active:
        raise Unauthenticated("the token's user is deactivated")
    return token


def list_tokens(session: Session, *, user: User | None = None) -> list[ApiToken]:
    """Tokens newest first, of one user or of everyone (revoked and expired ones included,
    so an admin sees what was cut off and when)."""
    stmt = select(ApiToken).order_by(ApiToken.id.desc())
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    return list(session.scalars(stmt))


def revoke_token(session: Session, *, token_id: int, owner: User | None = None) -> ApiToken:
    """Cut a token off at once (its next request gets a 401). With ``owner``, only one of
    their own tokens: another's is reported missing, so its existence is not revealed.
    Revoking twice keeps the first time."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner is not None and token.user_id != owner.id):
        raise NotFound(f"token {token_id} does not exist")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token
