"""Single sign-on through a real OpenID Connect provider on 127.0.0.1 (tests/web/oidc_provider.py).

The browser's trip is driven step by step: cxloop's /auth/oidc/login, the provider's
/authorize (plain httpx: another server), then cxloop's callback with what the provider sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Role, User, user_by_email
from cxloop.privacy import AuditEntry
from cxloop.settings import Settings
from tests.accounts.factories import make_user
from tests.web.helpers import sign_in
from tests.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, serve_provider


@pytest.fixture
def oidc_provider() -> Iterator[OidcProvider]:
    with serve_provider() as provider:
        yield provider


@pytest.fixture
def settings(tmp_path: Path, oidc_provider: OidcProvider) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret-key",
        public_url="http://testserver",
        oidc_issuer=oidc_provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_provider_name="Acme ID",
    )


def sso(client: TestClient, provider: OidcProvider, next: str = "/customers") -> httpx.Response:
    """Click "Sign in with ...", approve at the provider, come back: cxloop's last answer."""
    start = client.get("/auth/oidc/login", params={"next": next}, follow_redirects=False)
    assert start.status_code == 302, start.text
    approved = httpx.get(start.headers["location"], follow_redirects=False)
    assert approved.status_code == 302, approved.text
    back = urlsplit(approved.headers["location"])
    assert back.path == "/auth/oidc/callback"
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def signed_in_as(client: TestClient) -> bool:
    return client.get("/customers", follow_redirects=False).status_code == 200


def audit_trail(session: Session, actor: str) -> list[tuple[str, dict[str, object]]]:
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.actor == actor).order_by(AuditEntry.id)
    )
    return [(entry.action, entry.detail) for entry in entries]


def refusals(session: Session) -> list[object]:
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in.refused"))
    return [entry.detail["reason"] for entry in entries]


def test_the_sign_in_page_offers_the_provider_and_keeps_the_password_form(
    client: TestClient,
) -> None:
    page = client.get("/login?next=/cases").text

    assert "Sign in with Acme ID" in page
    assert 'href="/auth/oidc/login?next=%2Fcases"' in page
    assert 'name="password"' in page


def test_without_configuration_there_is_no_single_sign_on(
    client: TestClient, settings: Settings
) -> None:
    settings.oidc_issuer = None

    assert "Sign in with" not in client.get("/login").text
    assert client.get("/auth/oidc/login").status_code == 404


def test_first_sign_in_creates_a_viewer_and_signs_them_in(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    oidc_provider.person = {"email": "Ana@Example.com", "email_verified": True, "name": "Ana"}

    answer = sso(client, oidc_provider, next="/dashboard")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard"
    assert signed_in_as(client)
    user = user_by_email(session, email="ana@example.com")
    assert user is not None
    assert (user.role, user.name) == (Role.viewer, "Ana")
    trail = audit_trail(session, "ana@example.com")
    assert [action for action, _detail in trail] == ["user.created", "sign_in.succeeded"]
    created = trail[0][1]
    assert (created["via"], created["after"]["role"]) == ("oidc", "viewer")  # type: ignore[index]
    assert trail[1][1] == {"method": "oidc"}


def test_an_existing_user_keeps_their_role(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    agent = make_user(session, role=Role.agent, departments=["billing"])
    oidc_provider.person = {"email": agent.email, "email_verified": True}

    assert sso(client, oidc_provider).status_code == 303

    assert signed_in_as(client)
    session.refresh(agent)
    assert agent.role == Role.agent
    assert [d.slug for d in agent.departments] == ["billing"]
    assert session.scalar(select(User.id).where(User.email == agent.email)) == agent.id


def test_the_password_form_still_works_beside_single_sign_on(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, role=Role.admin)

    assert sign_in(client, admin.email).status_code == 303
    assert audit_trail(session, admin.email) == [("sign_in.succeeded", {"method": "password"})]


def test_pkce_the_provider_gets_the_verifier_of_the_challenge_it_was_shown(
    client: TestClient, oidc_provider: OidcProvider
) -> None:
    oidc_provider.person = {"email": "pk@example.com"}

    assert sso(client, oidc_provider).status_code == 303

    [asked] = oidc_provider.authorize_requests
    [exchanged] = oidc_provider.token_requests
    assert asked["code_challenge_method"] == "S256"
    assert asked["nonce"] and asked["state"]
    assert asked["redirect_uri"] == "http://testserver/auth/oidc/callback"
    assert len(exchanged["code_verifier"]) >= 43  # the provider checked it hashes to the challenge


@pytest.mark.parametrize(
    ("tampering", "reason"),
    [
        ({"nonce": "not-the-one-we-sent"}, "invalid_token:InvalidClaimError"),
        ({"lifetime_s": -600}, "invalid_token:ExpiredTokenError"),
        ({"audience": "another-app"}, "invalid_token:InvalidClaimError"),
        (
            {"audience": "another-app", "authorized_party": CLIENT_ID},
            "invalid_token:InvalidClaimError",
        ),
        ({"foreign_key": True}, "invalid_token:BadSignatureError"),
        ({"omit_id_token": True}, "no_id_token"),
    ],
)
def test_an_id_token_that_does_not_verify_is_refused(
    client: TestClient,
    session: Session,
    oidc_provider: OidcProvider,
    tampering: dict[str, object],
    reason: str,
) -> None:
    oidc_provider.person = {"email": "mallory@example.com", "email_verified": True}
    for name, value in tampering.items():
        setattr(oidc_provider.tampering, name, value)

    answer = sso(client, oidc_provider)

    assert answer.status_code == 401
    assert "Sign-in refused" in answer.text
    assert not signed_in_as(client)
    assert user_by_email(session, email="mallory@example.com") is None
    assert refusals(session) == [reason]


def test_a_callback_this_browser_did_not_start_is_refused(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    oidc_provider.person = {"email": "ana@example.com"}
    start = client.get("/auth/oidc/login", follow_redirects=False)
    approved = httpx.get(start.headers["location"], follow_redirects=False)
    query = parse_qs(urlsplit(approved.headers["location"]).query)

    forged = client.get(
        "/auth/oidc/callback",
        params={"code": query["code"][0], "state": "someone-elses-state"},
        follow_redirects=False,
    )

    assert forged.status_code == 400
    assert "Start again from the sign-in page" in forged.text
    assert not signed_in_as(client)
    assert oidc_provider.token_requests == []  # the code was never exchanged
    assert refusals(session) == ["state_mismatch"]


def test_an_email_domain_outside_the_allowed_ones_is_refused(
    client: TestClient, session: Session, settings: Settings, oidc_provider: OidcProvider
) -> None:
    settings.oidc_allowed_domains = "acme.example, acme-group.example"
    oidc_provider.person = {"email": "eve@gmail.example", "email_verified": True}

    answer = sso(client, oidc_provider)

    assert answer.status_code == 403
    assert "Accounts at gmail.example may not sign in" in answer.text
    assert user_by_email(session, email="eve@gmail.example") is None
    assert audit_trail(session, "eve@gmail.example") == [
        ("sign_in.refused", {"method": "oidc", "reason": "domain"})
    ]


def test_an_allowed_domain_gets_in(
    client: TestClient, settings: Settings, oidc_provider: OidcProvider
) -> None:
    settings.oidc_allowed_domains = "acme.example"
    oidc_provider.person = {"email": "ana@ACME.example", "email_verified": True}

    assert sso(client, oidc_provider).status_code == 303
    assert signed_in_as(client)


def test_default_role_none_refuses_people_without_an_account(
    client: TestClient, session: Session, settings: Settings, oidc_provider: OidcProvider
) -> None:
    settings.oidc_default_role = "none"
    oidc_provider.person = {"email": "stranger@example.com", "email_verified": True}

    answer = sso(client, oidc_provider)

    assert answer.status_code == 403
    assert "There is no cxloop account for stranger@example.com" in answer.text
    assert user_by_email(session, email="stranger@example.com") is None


def test_default_role_none_still_admits_people_with_an_account(
    client: TestClient, session: Session, settings: Settings, oidc_provider: OidcProvider
) -> None:
    settings.oidc_default_role = "none"
    analyst = make_user(session, role=Role.analyst)
    oidc_provider.person = {"email": analyst.email}

    assert sso(client, oidc_provider).status_code == 303


def test_a_deactivated_user_is_refused(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    former = make_user(session, role=Role.agent)
    former.is_active = False
    session.flush()
    oidc_provider.person = {"email": former.email, "email_verified": True}

    answer = sso(client, oidc_provider)

    assert answer.status_code == 403
    assert "deactivated" in answer.text
    assert not signed_in_as(client)


def test_an_email_the_provider_has_not_verified_is_refused(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    oidc_provider.person = {"email": "claimed@example.com", "email_verified": False}

    assert sso(client, oidc_provider).status_code == 403
    assert user_by_email(session, email="claimed@example.com") is None
    assert refusals(session) == ["email_unverified"]


def test_a_group_claim_maps_to_a_role_the_first_match_winning(
    client: TestClient, session: Session, settings: Settings, oidc_provider: OidcProvider
) -> None:
    settings.oidc_role_claim = "groups"
    settings.oidc_role_map = "cx-admins=admin, cx-agents=agent"
    viewer = make_user(session, role=Role.viewer)
    oidc_provider.person = {"email": viewer.email, "groups": ["staff", "cx-agents", "cx-admins"]}

    assert sso(client, oidc_provider).status_code == 303

    session.refresh(viewer)
    assert viewer.role == Role.admin
    role_change = {"before": {"role": "viewer"}, "after": {"role": "admin"}, "via": "oidc"}
    assert ("user.changed", role_change) in audit_trail(session, viewer.email)


def test_an_unreachable_provider_gets_a_clear_page(
    client: TestClient, session: Session, settings: Settings
) -> None:
    settings.oidc_issuer = "http://127.0.0.1:9"  # discard port: nothing listens

    answer = client.get("/auth/oidc/login", follow_redirects=False)

    assert answer.status_code == 502
    assert "could not be reached" in answer.text
    assert refusals(session) == ["provider_unreachable"]


def test_a_provider_that_says_no_is_reported(
    client: TestClient, session: Session, oidc_provider: OidcProvider
) -> None:
    client.get("/auth/oidc/login", follow_redirects=False)

    answer = client.get(
        "/auth/oidc/callback",
        params={"error": "access_denied", "error_description": "The user cancelled"},
    )

    assert answer.status_code == 400
    assert "The user cancelled" in answer.text
    assert refusals(session) == ["provider_error:access_denied"]
