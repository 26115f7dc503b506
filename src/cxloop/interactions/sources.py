"""Sources and their write keys: the only secret a sending library holds, good for ingest only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import secrets
from cxloop.errors import Conflict, Unauthenticated, ValidationFailed
from cxloop.interactions.catalog import load_catalog
from cxloop.interactions.models import Source
from cxloop.interactions.webhooks import compile_mapping

WRITE_KEY_KIND = "wk"
SOURCE_KINDS = frozenset({"segment", "webhook", "api", "import"})


def create_source(
    session: Session,
    *,
    name: str,
    kind: str = "segment",
    default_channel: str | None = None,
    default_stage: str | None = None,
    stage_rules: dict[str, str] | None = None,
    mapping: dict[str, Any] | None = None,
) -> tuple[Source, str]:
    """Create a source; returns it with its write key, which is shown this once only."""
    name = name.strip()
    if not name:
        raise ValidationFailed("a source needs a name", field="name")
    if kind not in SOURCE_KINDS:
        raise ValidationFailed(
            f"kind must be one of {', '.join(sorted(SOURCE_KINDS))}", field="kind"
        )
    if session.scalar(select(Source.id).where(Source.name == name)) is not None:
        raise Conflict(f"a source named '{name}' already exists", field="name")
    catalog = load_catalog(session)
    if default_channel is not None and default_channel not in catalog.channels:
        raise ValidationFailed(f"unknown channel '{default_channel}'", field="default_channel")
    checks: dict[str | None, str | None] = {None: default_stage}
    checks.update(stage_rules or {})
    for event, stage in checks.items():
        if stage is not None and stage not in catalog.stages:
            where = f"stage rule for '{event}'" if event else "default stage"
            raise ValidationFailed(f"{where}: unknown journey stage '{stage}'", field="stage")
    if mapping is not None:
        compile_mapping(mapping)
    issued = secrets.issue(WRITE_KEY_KIND)
    source = Source(
        name=name,
        kind=kind,
        write_key_prefix=issued.prefix,
        write_key_hash=issued.hash,
        default_channel=default_channel,
        default_stage=default_stage,
        stage_rules=dict(stage_rules or {}),
        mapping=mapping,
    )
    session.add(source)
    session.flush()
    return source, issued.plaintext


def source_for_write_key(session: Session, *, write_key: str) -> Source:
    parts = secrets.split(write_key, WRITE_KEY_KIND)
    if parts is None:
        raise Unauthenticated("unknown write key; send the source's write key as the Basic user")
    prefix, secret = parts
    source = session.scalar(select(Source).where(Source.write_key_prefix == prefix))
    if source is None or not secrets.check(source.write_key_hash, prefix, secret):
        raise Unauthenticated("unknown write key; send the source's write key as the Basic user")
    if source.revoked_at is not None:
        raise Unauthenticated("this write key was revoked")
    return source


def source_summary(source: Source, write_key: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": source.id,
        "name": source.name,
        "kind": source.kind,
        "default_channel": source.default_channel,
        "default_stage": source.default_stage,
        "stage_rules": source.stage_rules,
        "mapping": source.mapping,
        "created_at": source.created_at.isoformat(),
    }
    if write_key is not None:
        out["write_key"] = write_key
    return out
