"""``/api/v1/sources``: where interactions come from, and their write keys (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from cxloop.api.deps import SessionDep, SourcesManage
from cxloop.interactions import Source, create_source, source_summary

router = APIRouter(prefix="/sources", tags=["sources"])


class SourceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(default="segment", description="segment, webhook, api or import")
    default_channel: str | None = None
    default_stage: str | None = None
    stage_rules: dict[str, str] = Field(default_factory=dict, description="event name -> stage")
    mapping: dict[str, Any] | None = Field(default=None, description="Webhook mapping (JMESPath).")


@router.post("", status_code=201)
def add_source(body: SourceCreate, session: SessionDep, _admin: SourcesManage) -> dict[str, Any]:
    """Create a source. The response carries its write key, shown this once only."""
    source, write_key = create_source(session, **body.model_dump())
    return source_summary(source, write_key)


@router.get("")
def list_sources(session: SessionDep, _admin: SourcesManage) -> dict[str, Any]:
    sources = session.scalars(select(Source).order_by(Source.id))
    return {"items": [source_summary(s) for s in sources]}
