"""Enrich interactions: analyse their text and keep the result beside them.

Idempotent: enriching an interaction again replaces its enrichment, so a retried or repeated
job leaves one row. A text whose analysis raises is stored as ``failed`` with the error (it is
retried by the next backfill), and never takes the rest of its batch down with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from cxloop.interactions import Interaction
from cxloop.store.uow import publish
from cxloop.types import utcnow
from cxloop.understanding.analyser import Analyser, Analysis
from cxloop.understanding.events import InteractionsEnriched
from cxloop.understanding.models import Enrichment
from cxloop.understanding.taxonomy import Taxonomy, fingerprint
from cxloop.understanding.topics import topic_defs

FAILED = "failed"
# What the company itself sent (replies, notifications) is not customer text.
INBOUND = "in"
_taxonomies: dict[tuple[int, str], Taxonomy] = {}


def versions_key(versions: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()[:32]


def current_taxonomy(session: Session, analyser: Analyser) -> Taxonomy:
    """The taxonomy's prototypes, recomputed only when a topic changed."""
    defs = topic_defs(session)
    key = (id(analyser.encoder), fingerprint(defs))
    if key not in _taxonomies:
        _taxonomies.clear()
        _taxonomies[key] = Taxonomy(defs, analyser.encoder)
    return _taxonomies[key]


def analyse_texts(session: Session, analyser: Analyser, texts: Sequence[str]) -> list[Analysis]:
    """Ad-hoc texts (``POST /api/v1/understand``), with the company's topics; nothing stored."""
    return analyser.analyse(texts, current_taxonomy(session, analyser))


def _analyse_each(
    analyser: Analyser, texts: list[str], taxonomy: Taxonomy
) -> list[Analysis | Exception]:
    """The batch at once; if it fails, text by text, so one bad text fails alone."""
    try:
        return list(analyser.analyse(texts, taxonomy))
    except Exception:
        results: list[Analysis | Exception] = []
        for text in texts:
            try:
                results.append(analyser.analyse([text], taxonomy)[0])
            except Exception as exc:
                results.append(exc)
        return results


def enrich_interactions(
    session: Session, analyser: Analyser, interaction_ids: Sequence[int]
) -> dict[str, int]:
    """Enrich these interactions (outbound ones and those without text are skipped); returns
    counts by status."""
    interactions = list(
        session.scalars(
            select(Interaction)
            .where(Interaction.id.in_(sorted(set(interaction_ids))))
            .where(Interaction.text.is_not(None), Interaction.direction == INBOUND)
            .order_by(Interaction.id)
        )
    )
    if not interactions:
        return {}
    taxonomy = current_taxonomy(session, analyser)
    outcomes = _analyse_each(analyser, [i.text or "" for i in interactions], taxonomy)
    existing = {
        e.interaction_id: e
        for e in session.scalars(
            select(Enrichment).where(Enrichment.interaction_id.in_([i.id for i in interactions]))
        )
    }
    versions = analyser.versions
    key = versions_key(versions)
    counts: dict[str, int] = {}
    first_time: list[int] = []
    for interaction, outcome in zip(interactions, outcomes, strict=True):
        row = existing.get(interaction.id)
        if row is None:
            row = Enrichment(interaction_id=interaction.id, attempts=0)
            session.add(row)
            first_time.append(interaction.id)
        _apply(row, outcome)
        row.attempts = (row.attempts or 0) + 1
        row.model_versions = versions
        row.versions_key = key
        row.enriched_at = utcnow()
        counts[row.status] = counts.get(row.status, 0) + 1
    session.flush()
    if first_time:
        publish(session, InteractionsEnriched(interaction_ids=tuple(first_time)))
    return counts


def _apply(row: Enrichment, outcome: Analysis | Exception) -> None:
    if isinstance(outcome, Exception):
        row.status = FAILED
        row.error = f"{type(outcome).__name__}: {outcome}"[:2000]
        return
    fields = asdict(outcome)
    for name, value in fields.items():
        setattr(row, name, value)
    row.error = None


def ids_for_message_ids(session: Session, message_ids: Sequence[str]) -> list[int]:
    return list(
        session.scalars(
            select(Interaction.id).where(Interaction.message_id.in_(sorted(set(message_ids))))
        )
    )


def _stale(query: Select[tuple[int]], key: str) -> Select[tuple[int]]:
    """Interactions with text never enriched, enriched by other models, or failed."""
    never_or_outdated: ColumnElement[bool] = or_(
        Enrichment.id.is_(None), Enrichment.versions_key != key, Enrichment.status == FAILED
    )
    return (
        query.outerjoin(Enrichment, Enrichment.interaction_id == Interaction.id)
        .where(Interaction.text.is_not(None), Interaction.direction == INBOUND)
        .where(never_or_outdated)
    )


def stale_interactions(
    session: Session, analyser: Analyser, *, after_id: int = 0, limit: int = 256
) -> list[int]:
    """The next stale interactions by id: walking by id makes a backfill resumable, it
    restarts after the last batch it committed."""
    query = _stale(select(Interaction.id), versions_key(analyser.versions))
    return list(
        session.scalars(
            query.where(Interaction.id > after_id).order_by(Interaction.id).limit(limit)
        )
    )


def count_stale(session: Session, analyser: Analyser) -> int:
    query = _stale(select(func.count(Interaction.id)), versions_key(analyser.versions))
    return int(session.scalar(query) or 0)


def get_enrichment(session: Session, interaction_id: int) -> Enrichment | None:
    return session.scalar(select(Enrichment).where(Enrichment.interaction_id == interaction_id))
