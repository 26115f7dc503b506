"""The enrichment job, and its trigger: interactions recorded with text are queued in batches
once their unit of work has committed (the bus delivers only committed events)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from cxloop.interactions import InteractionsRecorded
from cxloop.jobs.registry import Job, JobContext, register
from cxloop.understanding import enrich_interactions, ids_for_message_ids, shared_analyser

MAX_BATCH = 1000


class EnrichPayload(BaseModel):
    """Which interactions to enrich: by id, or by message id straight from an ingest event."""

    interaction_ids: list[int] = Field(default_factory=list, max_length=MAX_BATCH)
    message_ids: list[str] = Field(default_factory=list, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def _names_some(self) -> EnrichPayload:
        if not self.interaction_ids and not self.message_ids:
            raise ValueError("name interaction_ids or message_ids")
        return self


def enrich(context: JobContext, payload: EnrichPayload) -> None:
    settings = context.settings
    analyser = shared_analyser(settings.resolved_model_dir, settings.max_text_chars)
    ids = list(payload.interaction_ids)
    if payload.message_ids:
        ids.extend(ids_for_message_ids(context.session, payload.message_ids))
    enrich_interactions(context.session, analyser, ids)


ENRICH = register(Job("understanding.enrich", EnrichPayload, enrich, retries=3, retry_delay_s=30))


def batches(event: InteractionsRecorded, size: int) -> list[EnrichPayload]:
    texts = list(event.with_text)
    return [
        EnrichPayload(message_ids=texts[start : start + size])
        for start in range(0, len(texts), size)
    ]
