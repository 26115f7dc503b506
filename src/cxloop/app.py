"""The application factory: one FastAPI app serving the REST API, ingest and the web pages."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Connection, Engine
from starlette.middleware.sessions import SessionMiddleware

from cxloop import __version__
from cxloop.api import problems
from cxloop.api.observe import ObserveMiddleware
from cxloop.api.router import api_router, ingest_router
from cxloop.jobs import Queue
from cxloop.jobs import install as install_jobs
from cxloop.jobs import uninstall as uninstall_jobs
from cxloop.settings import Settings, get_settings
from cxloop.store.engine import get_engine
from cxloop.store.group_commit import GroupCommitter
from cxloop.store.migrate import upgrade
from cxloop.web import mount as mount_web


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | Connection | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the app on ``engine`` (tests pass a connection inside their transaction)."""
    settings = settings or get_settings()
    if engine is None:
        url = settings.resolved_database_url
        if migrate:
            upgrade(url)
        engine = get_engine(url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        uninstall_jobs(app.state.jobs)

    app = FastAPI(
        lifespan=lifespan,
        title="cxloop",
        version=__version__,
        description="Customer experience management: capture, listen, understand, act, measure.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.jobs = install_jobs(Queue(settings, bind=engine))
    app.state.committer = GroupCommitter(engine)
    problems.install(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="cxloop_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.https_only_cookies,
    )

    app.add_middleware(ObserveMiddleware, https_only=settings.https_only_cookies)

    app.include_router(ingest_router)
    app.include_router(api_router)
    mount_web(app)
    return app


def create_served_app() -> FastAPI:
    """The app as ``cxloop serve`` runs it, each server process building its own.

    Everything built so far (modules, the app, its models' tables) lives as long as the
    process; frozen out of the cyclic garbage collector's view, a full collection no longer
    walks those millions of objects, which otherwise stalled every request in flight for a
    few hundred milliseconds at a time under steady ingest."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
