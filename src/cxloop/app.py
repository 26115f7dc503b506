"""The application factory: one FastAPI app serving the REST API, ingest and the web pages."""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from sqlalchemy import Connection, Engine
from starlette.middleware.sessions import SessionMiddleware

from cxloop import __version__
from cxloop.api import problems
from cxloop.api.health import REQUESTS
from cxloop.api.router import api_router, ingest_router
from cxloop.jobs import Queue
from cxloop.jobs import install as install_jobs
from cxloop.jobs import uninstall as uninstall_jobs
from cxloop.settings import Settings, get_settings
from cxloop.store.engine import get_engine
from cxloop.store.group_commit import GroupCommitter
from cxloop.store.migrate import upgrade
from cxloop.web import mount as mount_web

HSTS = "max-age=31536000; includeSubDomains"


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

    @app.middleware("http")
    async def _observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        REQUESTS.labels(
            request.method, getattr(route, "path", "unmatched"), str(response.status_code)
        ).observe(time.perf_counter() - started)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if settings.https_only_cookies:
            # Served over HTTPS: browsers must never fall back to plain HTTP for a year.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

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
