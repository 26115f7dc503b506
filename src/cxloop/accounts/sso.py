"""Who may come in through the company's identity provider, and with which role.

The provider vouches for an email address; cxloop decides what that person may do here. The
web layer checks the ID token (signature, issuer, audience, expiry, nonce) and hands over its
claims; these rules are plain data so they read the same in the docs, the tests and here.
"""

from __future__ import annotations

import secrets as stdlib_secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.accounts.models import User
from cxloop.accounts.schemas import UserCreate
from cxloop.accounts.service import create_user, user_by_email
from cxloop.errors import Forbidden


@dataclass(frozen=True)
class SsoPolicy:
    """``default_role`` None refuses people without an account; empty ``allowed_domains``
    allows any domain; ``role_map`` (claim value -> role) is tried in order."""

    default_role: str | None
    allowed_domains: frozenset[str] = frozenset()
    role_claim: str | None = None
    role_map: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SsoSignIn:
    user: User
    created: bool
    previous_role: str | None  # set when the provider's claim changed the user's role


def sso_sign_in(session: Session, *, claims: Mapping[str, Any], policy: SsoPolicy) -> SsoSignIn:
    """The user the verified ID token ``claims`` stand for, created on first sign-in when the
    policy allows. Raises Forbidden, with a message for the person, when they may not enter."""
    email = _verified_email(claims)
    domain = email.rpartition("@")[2]
    if policy.allowed_domains and domain not in policy.allowed_domains:
        raise Forbidden(f"Accounts at {domain} may not sign in to cxloop.", reason="domain")
    mapped_role = _mapped_role(claims, policy)
    user = user_by_email(session, email=email)
    if user is None:
        role = mapped_role or policy.default_role
        if role is None:
            raise Forbidden(
                f"There is no cxloop account for {email}. Ask an admin to create one.",
                reason="no_account",
            )
        return SsoSignIn(
            user=_create(session, claims, email, role), created=True, previous_role=None
        )
    if not user.is_active:
        raise Forbidden(f"The cxloop account of {email} is deactivated.", reason="inactive")
    if mapped_role is None or mapped_role == user.role:
        return SsoSignIn(user=user, created=False, previous_role=None)
    previous, user.role = user.role, mapped_role
    session.flush()
    return SsoSignIn(user=user, created=False, previous_role=previous)


def _verified_email(claims: Mapping[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise Forbidden(
            "The identity provider did not share an email address "
            "(cxloop asks for the 'email' scope; the provider must release it).",
            reason="no_email",
        )
    # Absent means the provider does not say (Entra ID); present and not true means unverified.
    if "email_verified" in claims and claims["email_verified"] not in (True, "true"):
        raise Forbidden(
            f"The identity provider has not verified {email}.", reason="email_unverified"
        )
    return email.strip().lower()


def _mapped_role(claims: Mapping[str, Any], policy: SsoPolicy) -> str | None:
    if policy.role_claim is None:
        return None
    raw = claims.get(policy.role_claim)
    # A single value ("role": "admin") or a list ("groups": [...]), as providers send them.
    held = {raw} if isinstance(raw, str) else set(raw) if isinstance(raw, list) else set()
    return next((role for value, role in policy.role_map.items() if value in held), None)


def _create(session: Session, claims: Mapping[str, Any], email: str, role: str) -> User:
    name = claims.get("name")
    try:
        data = UserCreate(
            email=email,
            # Nobody knows this password: the person signs in through the provider only.
            password=stdlib_secrets.token_urlsafe(32),
            role=role,
            name=name[:200] if isinstance(name, str) else "",
        )
    except ValidationError as exc:
        raise Forbidden(
            f"cxloop cannot create an account for {email!r}.", reason="invalid_email"
        ) from exc
    return create_user(session, data=data)
