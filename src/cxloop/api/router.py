"""Every HTTP router, gathered: ingest at the root (Segment's paths), the REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from cxloop.api import (
    alerts,
    case_messages,
    cases,
    customers,
    drivers,
    experiments,
    health,
    inbound,
    ingest,
    interactions,
    journeys,
    metrics,
    playbooks,
    privacy,
    risk,
    sources,
    surveys,
    tokens,
    understand,
)
from cxloop.api.problems import problem_responses

ingest_router = APIRouter()
ingest_router.include_router(health.router)
ingest_router.include_router(ingest.router)

api_router = APIRouter(prefix="/api/v1", responses=problem_responses())
api_router.include_router(customers.router)
api_router.include_router(interactions.router)
api_router.include_router(sources.router)
api_router.include_router(privacy.router)
api_router.include_router(understand.router)
api_router.include_router(surveys.router)
api_router.include_router(metrics.router)
api_router.include_router(alerts.router)
api_router.include_router(journeys.router)
api_router.include_router(drivers.router)
api_router.include_router(cases.router)
api_router.include_router(case_messages.router)
api_router.include_router(inbound.router)
api_router.include_router(experiments.router)
api_router.include_router(risk.router)
api_router.include_router(playbooks.router)
api_router.include_router(tokens.router)
