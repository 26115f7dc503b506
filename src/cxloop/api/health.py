"""Liveness and Prometheus metrics: operators' stable endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cxloop.api.deps import get_engine
from cxloop.api.problems import problem
from cxloop.store import uow

router = APIRouter(include_in_schema=False)

REQUESTS = Histogram(
    "cxloop_http_request_seconds", "HTTP request latency", ["method", "route", "status"]
)
INGESTED = Counter("cxloop_ingested_events_total", "Events stored by ingest", ["source_kind"])


@router.get("/healthz")
def healthz(request: Request) -> Response:
    try:
        with uow.open_session(get_engine(request)) as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return problem(503, f"database unreachable: {exc.__class__.__name__}")
    return Response('{"status":"ok"}', media_type="application/json")


@router.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
