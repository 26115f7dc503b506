"""Single sign-on through the company's OpenID Connect provider.

Authlib does the protocol: state and nonce kept in the signed session, PKCE (S256), the code
exchange, and the ID token check (signature against the provider's JWKS, issuer, audience,
expiry, nonce). ``accounts.sso_sign_in`` decides who may enter and with which role. Every
failure is answered with a page saying what went wrong (never a 500) and is audited as
``sign_in.refused`` — not ``sign_in.failed``, which throttles the password form: an outage of
the provider must not lock the admin out of the password sign-in that is the way around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.starlette_client import OAuth, OAuthError
from authlib.integrations.starlette_client.apps import StarletteOAuth2App
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError
from sqlalchemy.orm import Session

from cxloop.accounts import SsoPolicy, sso_sign_in
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.errors import CxloopError, NotFound
from cxloop.privacy import audit
from cxloop.settings import Settings
from cxloop.store.changes import Actor, act_as
from cxloop.web.routing import PageRoute, error_page
from cxloop.web.security import client_ip, safe_next, start_session

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CALLBACK_PATH = "/auth/oidc/callback"
METHOD = "oidc"
_NEXT_KEY = "oidc_next"
_TIMEOUT_S = 10.0
UNKNOWN_ACTOR = "(unknown)"


@dataclass(frozen=True)
class Refused:
    """The sign-in stops here; ``reason`` goes to the audit log, ``detail`` to the person."""

    status: int
    reason: str
    detail: str


def _provider(request: Request, settings: Settings) -> StarletteOAuth2App:
    """The provider's client, built once per app so its discovery document and keys are
    fetched once (Authlib fetches the keys again when a token names a key it does not know)."""
    if not settings.oidc_enabled or settings.oidc_issuer is None:
        raise NotFound("Single sign-on is not configured on this server.")
    registry: OAuth | None = getattr(request.app.state, "oidc", None)
    if registry is None:
        registry = OAuth()
        registry.register(
            METHOD,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=(
                f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration"
            ),
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "timeout": _TIMEOUT_S,
            },
        )
        request.app.state.oidc = registry
    client: StarletteOAuth2App = registry.create_client(METHOD)
    return client


def policy(settings: Settings) -> SsoPolicy:
    default = settings.oidc_default_role.strip()
    return SsoPolicy(
        default_role=None if default.lower() == "none" else default,
        allowed_domains=settings.oidc_domains,
        role_claim=settings.oidc_role_claim,
        role_map=settings.oidc_roles,
    )


@router.get("/auth/oidc/login")
async def oidc_login(
    request: Request, session: SessionDep, settings: SettingsDep, next: str | None = None
) -> Response:
    """Send the browser to the provider, which sends it back to the callback."""
    provider = _provider(request, settings)
    request.session[_NEXT_KEY] = safe_next(next)
    redirect_uri = f"{settings.public_url.rstrip('/')}{CALLBACK_PATH}"
    try:
        redirect: Response = await provider.authorize_redirect(request, redirect_uri)
    except Exception as exc:
        return await run_in_threadpool(_refuse, request, session, _classify(exc), UNKNOWN_ACTOR)
    return redirect


@router.get(CALLBACK_PATH)
async def oidc_callback(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    provider = _provider(request, settings)
    try:
        token = await provider.authorize_access_token(
            request, claims_options=await _id_token_rules(provider)
        )
    except Exception as exc:
        return await run_in_threadpool(_refuse, request, session, _classify(exc), UNKNOWN_ACTOR)
    claims: dict[str, Any] | None = token.get("userinfo")
    if claims is None:  # Authlib verifies an ID token only when there is one
        refusal = Refused(401, "no_id_token", "The identity provider sent no ID token.")
        return await run_in_threadpool(_refuse, request, session, refusal, UNKNOWN_ACTOR)
    return await run_in_threadpool(_admit, request, session, settings, dict(claims))


async def _id_token_rules(provider: StarletteOAuth2App) -> dict[str, Any]:
    """Issuer and audience, both required. Left to itself Authlib checks the audience only
    through ``azp``, which accepts a token issued to another app that names us as ``azp``."""
    metadata = await provider.load_server_metadata()
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [provider.client_id]},
    }


def _classify(exc: Exception) -> Refused:
    """What a person is told about each way the exchange with the provider can fail; anything
    else is a bug and is raised again."""
    if isinstance(exc, MismatchingStateError):
        return Refused(
            400,
            "state_mismatch",
            "This sign-in could not be matched to one started in this browser (it may have "
            "been used already or have expired). Start again from the sign-in page.",
        )
    if isinstance(exc, OAuthError):
        return Refused(
            400,
            f"provider_error:{exc.error}",
            f"The identity provider did not sign you in ({exc.description or exc.error}).",
        )
    if isinstance(exc, httpx2.HTTPError):
        return Refused(
            502,
            "provider_unreachable",
            "The identity provider could not be reached. Try again in a moment, or ask an "
            "admin to check the single sign-on settings.",
        )
    if isinstance(exc, JoseError | AuthlibBaseError):
        return Refused(
            401,
            f"invalid_token:{type(exc).__name__}",
            "The identity provider's answer could not be verified, so you are not signed in.",
        )
    if isinstance(exc, ValueError | KeyError | RuntimeError):
        return Refused(
            502,
            "provider_misconfigured",
            "The identity provider answered with something cxloop cannot use. Ask an admin "
            "to check the single sign-on settings.",
        )
    raise exc


def _admit(
    request: Request, session: Session, settings: Settings, claims: dict[str, Any]
) -> Response:
    ip = client_ip(request)
    # A first sign-in creates the user and a changed claim changes their role: both are
    # audited as configuration changes, made by the person signing in through the provider.
    act_as(session, Actor(str(claims.get("email") or UNKNOWN_ACTOR).lower(), ip=ip, via=METHOD))
    try:
        signed = sso_sign_in(session, claims=claims, policy=policy(settings))
    except CxloopError as exc:
        refusal = Refused(exc.status, str(exc.extra.get("reason", "not_allowed")), exc.detail)
        return _refuse(request, session, refusal, str(claims.get("email") or UNKNOWN_ACTOR))
    user = signed.user
    audit(session, actor=user.email, action="sign_in.succeeded", ip=ip, method=METHOD)
    next_url = safe_next(request.session.get(_NEXT_KEY))
    start_session(request, user)
    return RedirectResponse(next_url, status_code=303)


def _refuse(request: Request, session: Session, refusal: Refused, actor: str) -> Response:
    audit(
        session,
        actor=actor,
        action="sign_in.refused",
        ip=client_ip(request),
        method=METHOD,
        reason=refusal.reason,
    )
    return error_page(request, refusal.status, "Sign-in refused", refusal.detail)
