"""Typed dependencies shared by the API and the web pages: database session, current user, roles.

A request's session is its unit of work: routes call services (which only flush) and the
dependency commits once, before the response is sent, so whatever the client is told was saved
is durable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User, permissions_for, user_for_token
from cxloop.api.visibility import Viewer, viewer_with
from cxloop.errors import Forbidden, Unauthenticated
from cxloop.settings import Settings
from cxloop.store import uow
from cxloop.store.changes import Actor, act_as
from cxloop.store.group_commit import GroupCommitter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_USER_KEY = "user_id"


def get_engine(request: Request) -> Engine | Connection:
    engine: Engine | Connection = request.app.state.engine
    return engine


def get_committer(request: Request) -> GroupCommitter:
    committer: GroupCommitter = request.app.state.committer
    return committer


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request; writes take the write lock at BEGIN (SQLite)."""
    write = request.method not in SAFE_METHODS
    session = uow.open_session(get_engine(request), write=write)
    try:
        yield session
        uow.commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# "function" scope: the commit runs when the route returns, before the response is sent
# (the default "request" scope would commit after the client already has its answer).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Principal:
    """Who is calling, and with what rights: the role's permissions, which a token may narrow
    by scope (a read-only token cannot write whatever the role allows)."""

    user: User
    scopes: frozenset[str]
    permissions: frozenset[Permission]

    @property
    def role(self) -> str:
        return self.user.role

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def department_ids(self) -> frozenset[int]:
        return frozenset(d.id for d in self.user.departments)

    def viewer(self, request: Request) -> Viewer:
        """What this caller may see of customers, with the address the audit log records."""
        return viewer_with(
            self.user, self.permissions, request.client.host if request.client else None
        )


def _principal(session: Session, user: User, scopes: frozenset[str]) -> Principal:
    return Principal(user=user, scopes=scopes, permissions=permissions_for(session, user.role))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def current_principal(request: Request, session: SessionDep) -> Principal:
    """Who calls; the unit of work then acts for them (configuration changes are audited
    under their name, with the token they used)."""
    ip = request.client.host if request.client else None
    token = _bearer(request)
    if token is not None:
        api_token = user_for_token(session, plaintext=token)
        scopes = frozenset(api_token.scopes.split())
        if request.method not in SAFE_METHODS and "write" not in scopes:
            raise Forbidden("this token is read-only; create one with --scope write")
        act_as(session, Actor(api_token.user.email, ip=ip, via=f"token {api_token.id}"))
        return _principal(session, api_token.user, scopes)
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if user_id is not None:
        user = session.get(User, user_id)
        if user is not None and user.is_active:
            act_as(session, Actor(user.email, ip=ip, via="web"))
            return _principal(session, user, frozenset({"read", "write"}))
    raise Unauthenticated("sign in, or send an API token as 'Authorization: Bearer <token>'")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(*needed: Permission) -> Callable[[Principal], Principal]:
    """A dependency allowing principals holding every one of ``needed``.

    The checker carries ``needed`` so the authorization matrix test can read, for every
    route, what it demands.
    """
    wanted = frozenset(needed)

    def _check(principal: CurrentPrincipal) -> Principal:
        missing = sorted(p.value for p in wanted - principal.permissions)
        if missing:
            raise Forbidden(
                f"this needs the permission {', '.join(missing)}, which the role "
                f"'{principal.role}' does not have; ask an admin"
            )
        return principal

    _check.permissions = wanted  # type: ignore[attr-defined]
    return _check


CustomersRead = Annotated[Principal, Depends(require(Permission.customers_read))]
InteractionsWrite = Annotated[Principal, Depends(require(Permission.interactions_write))]
SourcesManage = Annotated[Principal, Depends(require(Permission.sources_manage))]
PrivacyManage = Annotated[Principal, Depends(require(Permission.privacy_manage))]
AuditRead = Annotated[Principal, Depends(require(Permission.audit_read))]
UnderstandingRead = Annotated[Principal, Depends(require(Permission.understanding_read))]
UnderstandingManage = Annotated[Principal, Depends(require(Permission.understanding_manage))]
MetricsRead = Annotated[Principal, Depends(require(Permission.metrics_read))]
AlertsManage = Annotated[
    Principal, Depends(require(Permission.metrics_read, Permission.alerts_manage))
]
CasesRead = Annotated[Principal, Depends(require(Permission.cases_read))]
CasesWork = Annotated[Principal, Depends(require(Permission.cases_read, Permission.cases_work))]
CasesManage = Annotated[Principal, Depends(require(Permission.cases_manage))]
ExperimentsRead = Annotated[Principal, Depends(require(Permission.experiments_read))]
ExperimentsManage = Annotated[Principal, Depends(require(Permission.experiments_manage))]
