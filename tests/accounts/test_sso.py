"""Who single sign-on lets in, given claims the web layer has already verified."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cxloop.accounts import Role, SsoPolicy, authenticate, sso_sign_in
from cxloop.errors import CxloopError, Forbidden, Unauthenticated
from tests.accounts.factories import make_user

VIEWERS = SsoPolicy(default_role=Role.viewer)


def test_a_role_claim_may_be_a_single_value(session: Session) -> None:
    policy = SsoPolicy(default_role=None, role_claim="role", role_map={"cx-agent": "agent"})

    signed = sso_sign_in(
        session, claims={"email": "one@example.com", "role": "cx-agent"}, policy=policy
    )

    assert (signed.created, signed.user.role) == (True, "agent")


def test_a_claim_matching_no_pair_leaves_the_role_alone(session: Session) -> None:
    analyst = make_user(session, role=Role.analyst)
    policy = SsoPolicy(default_role="viewer", role_claim="groups", role_map={"cx-admins": "admin"})

    signed = sso_sign_in(
        session, claims={"email": analyst.email, "groups": ["staff"]}, policy=policy
    )

    assert (signed.user.role, signed.previous_role) == (Role.analyst, None)


def test_the_password_of_an_account_made_by_single_sign_on_is_unknown(session: Session) -> None:
    user = sso_sign_in(session, claims={"email": "new@example.com"}, policy=VIEWERS).user

    for guess in ("", "new@example.com", "password"):
        with pytest.raises(Unauthenticated):
            authenticate(session, email=user.email, password=guess)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"sub": "123"}, "no_email"),
        ({"email": "not-an-address"}, "no_email"),
        ({"email": "a@example.com", "email_verified": "false"}, "email_unverified"),
    ],
)
def test_claims_without_a_usable_verified_email_are_refused(
    session: Session, claims: dict[str, object], reason: str
) -> None:
    with pytest.raises(Forbidden) as refused:
        sso_sign_in(session, claims=claims, policy=VIEWERS)

    assert refused.value.extra["reason"] == reason


def test_a_default_role_that_does_not_exist_is_reported_not_granted(session: Session) -> None:
    with pytest.raises(CxloopError, match="unknown role 'supervisor'"):
        sso_sign_in(
            session, claims={"email": "x@example.com"}, policy=SsoPolicy(default_role="supervisor")
        )
