"""``POST /api/v1/inbound/email``: customers' emails as providers' inbound webhooks post them
(the raw MIME as the body, as JSON ``{"raw": ...}``, or as the ``email``/``body-mime`` field
of a form), authenticated by a source's write key as the HTTP Basic user like ingest; and
``POST /api/v1/inbound/bounces``: bounce reports received after sending.

Answered once the unit of work is committed, so a provider told 200 can forget the message;
a malformed one is kept and answered 422 with the reason, so it is not retried in vain.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.api.ingest import write_key_of
from cxloop.cases import Directory, load_router, receive_email
from cxloop.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from cxloop.interactions import source_for_write_key
from cxloop.outreach import Bounce, parse_dsn, parse_provider_event
from cxloop.surveys import record_bounces

router = APIRouter(tags=["inbound"])
MAX_EMAIL_BYTES = 10 * 1024 * 1024
RAW_TYPES = ("message/rfc822", "text/plain", "application/octet-stream")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
FORM_FIELDS = ("email", "body-mime", "raw")


class InboundEmailRead(BaseModel):
    interaction_id: int
    case_id: int | None
    opened: bool
    duplicate: bool
    status: str | None


async def _raw(request: Request) -> bytes:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_EMAIL_BYTES:
        raise PayloadTooLarge(f"an email is at most {MAX_EMAIL_BYTES} bytes")
    if kind in FORM_TYPES:
        form = await request.form()
        value = next((form[f] for f in FORM_FIELDS if f in form), None)
        if value is None:
            raise ValidationFailed("post the raw message in the form field 'email'", field="email")
        return value.encode() if isinstance(value, str) else await value.read()
    body = await request.body()
    if len(body) > MAX_EMAIL_BYTES:
        raise PayloadTooLarge(f"an email is at most {MAX_EMAIL_BYTES} bytes")
    if kind == "application/json":
        try:
            data: Any = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ValidationFailed(f"the body is not valid JSON: {exc}", field="raw") from exc
        if not isinstance(data, dict) or not isinstance(data.get("raw"), str):
            raise ValidationFailed('send {"raw": "<the whole MIME message>"}', field="raw")
        return str(data["raw"]).encode()
    if kind in RAW_TYPES:
        return body
    raise UnsupportedMediaType(
        "send the message as message/rfc822, as JSON {\"raw\": ...}, or as the form field 'email'"
    )


@router.post("/inbound/email", response_model=InboundEmailRead, summary="Receive an email")
async def inbound_email(
    request: Request, session: SessionDep, settings: SettingsDep
) -> InboundEmailRead:
    """A customer's email: threaded onto its case (quoted text cut, the case reopened) or
    opening a new one. Write key of any source as the HTTP Basic user."""
    write_key = write_key_of(request, None)
    raw = await _raw(request)

    def work() -> InboundEmailRead:
        source = source_for_write_key(session, write_key=write_key)
        got = receive_email(
            Directory(session, settings.default_timezone),
            raw,
            settings=settings,
            source_id=source.id,
            router=load_router(settings.resolved_model_dir, settings.resolved_cache_dir),
        )
        return InboundEmailRead(
            interaction_id=got.interaction_id,
            case_id=got.case_id,
            opened=got.opened,
            duplicate=got.duplicate,
            status=got.status,
        )

    return await run_in_threadpool(work)


class BouncesRead(BaseModel):
    bounces: int
    """Failed recipients the report named."""
    invitations: list[int]
    """The survey invitations now marked bounced (a report received twice names them again)."""


@router.post("/inbound/bounces", response_model=BouncesRead, summary="Receive a bounce report")
async def inbound_bounce(request: Request, session: SessionDep) -> BouncesRead:
    """A bounce reported after sending: a delivery status notification (RFC 3464) as raw
    MIME (or ``{"raw": ...}``, or the form field ``email``), or a provider's JSON event
    ``{"email": ..., "type": "hard"|"soft", "message_id": ...}``. The invitation is marked
    bounced; a permanent bounce stops survey email to the customer. Write key of any source
    as the HTTP Basic user."""
    write_key = write_key_of(request, None)
    json_event = request.headers.get("content-type", "").startswith("application/json")
    body = await request.body() if json_event else await _raw(request)
    if len(body) > MAX_EMAIL_BYTES:
        raise PayloadTooLarge(f"a bounce report is at most {MAX_EMAIL_BYTES} bytes")

    def work() -> BouncesRead:
        source_for_write_key(session, write_key=write_key)  # a wrong key is 401 before anything
        bounces = _bounces(body, json_event)
        return BouncesRead(bounces=len(bounces), invitations=record_bounces(session, bounces))

    return await run_in_threadpool(work)


def _bounces(body: bytes, json_event: bool) -> list[Bounce]:
    raw: bytes | None = body
    if json_event:
        try:
            data: Any = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ValidationFailed(f"the body is not valid JSON: {exc}", field="email") from exc
        if not (isinstance(data, dict) and isinstance(data.get("raw"), str)):
            return [parse_provider_event(data)]
        raw = str(data["raw"]).encode()
    bounces = parse_dsn(raw or b"")
    if bounces is None:
        raise ValidationFailed(
            "not a delivery status notification (multipart/report; "
            "report-type=delivery-status); send customers' emails to /api/v1/inbound/email",
            field="raw",
        )
    return bounces
