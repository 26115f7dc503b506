"""Segment-compatible ingest (``/v1/track`` ... ``/v1/batch``) and inbound webhooks.

The body is read and checked (size, encoding, JSON) on the event loop; the database work goes
to the app's group committer, which commits it (with whatever else arrived meanwhile) before
the answer, so an acknowledged event is durable.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from cxloop.api.deps import get_committer, get_settings
from cxloop.api.health import INGESTED
from cxloop.api.problems import problem
from cxloop.errors import (
    CxloopError,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
    ValidationFailed,
)
from cxloop.interactions import (
    InteractionIn,
    Source,
    StoreResult,
    compile_mapping,
    map_payload,
    read_message,
    source_for_write_key,
    store_outcomes,
)
from cxloop.types import utcnow

router = APIRouter(prefix="/v1", tags=["ingest"])

ACCEPTED_TYPES = ("application/json", "text/plain")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Content-Encoding",
    "Access-Control-Max-Age": "86400",
}


def write_key_of(request: Request, body: Any) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            user = base64.b64decode(value.strip(), validate=True).decode().split(":", 1)[0]
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise Unauthenticated("the Basic credentials are not valid base64") from exc
        if user:
            return user
    if isinstance(body, dict) and isinstance(body.get("writeKey"), str):
        return str(body["writeKey"])
    raise Unauthenticated("send the source's write key as the HTTP Basic user")


async def _read_json(request: Request, limit: int) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_TYPES:
        raise UnsupportedMediaType(
            f"send JSON with Content-Type application/json (got '{content_type or 'none'}')"
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    data = bytes(raw)
    if request.headers.get("content-encoding", "").lower() == "gzip":
        data = _gunzip(data, limit)
    if not data.strip():
        raise ValidationFailed("the body is empty", field="body")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CxloopError(f"the body is not valid JSON: {exc}", field="body") from exc


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompress with a ceiling, so a small bomb cannot fill memory."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValidationFailed("the gzip body is corrupt", field="body") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise PayloadTooLarge(f"the decompressed body is larger than {limit} bytes")
    return out


Reader = Callable[[Session, Source], list[InteractionIn | CxloopError]]


async def _store(request: Request, body: Any, read: Reader) -> StoreResult:
    """Authenticate, read and store; answers once the group commit holding it is durable."""
    settings = get_settings(request)
    write_key = write_key_of(request, body)
    kinds: list[str] = []

    def work(session: Session) -> StoreResult:
        source = source_for_write_key(session, write_key=write_key)
        kinds.append(source.kind)
        return store_outcomes(
            session, read(session, source), allow_weak_merge=settings.allow_weak_identity_merge
        )

    result = await asyncio.wrap_future(get_committer(request).submit(work))
    INGESTED.labels(kinds[0]).inc(result.stored)
    return result


def _answer(result: StoreResult, total: int) -> Response:
    if not result.rejected:
        return Response(b'{"success":true}', media_type="application/json", headers=CORS)
    accepted = total - len(result.rejected)
    response = problem(
        400,
        f"{len(result.rejected)} of {total} events were rejected; the other {accepted} were stored",
        title="Some events were rejected",
        accepted=accepted,
        errors=[{"index": r.index, "field": r.field, "detail": r.detail} for r in result.rejected],
    )
    response.headers.update(CORS)
    return response


def _read_all(messages: list[Any], call: str | None, limit: int) -> Reader:
    def read_one(message: Any, source: Source, received: datetime) -> InteractionIn | CxloopError:
        try:
            if len(orjson.dumps(message)) > limit:
                raise PayloadTooLarge(f"event is larger than {limit} bytes", field="event")
            return read_message(message, source=source, received_at=received, call=call)
        except CxloopError as exc:
            return exc

    def read(_session: Session, source: Source) -> list[InteractionIn | CxloopError]:
        received = utcnow()
        return [read_one(m, source, received) for m in messages]

    return read


async def _ingest(request: Request, call: str | None) -> Response:
    settings = get_settings(request)
    try:
        if call is None:
            body = await _read_json(request, settings.max_batch_bytes)
            if not isinstance(body, dict) or not isinstance(body.get("batch"), list):
                raise ValidationFailed('a batch is {"batch": [events...]}', field="batch")
            messages = [_with_batch_context(m, body) for m in body["batch"]]
        else:
            body = await _read_json(request, settings.max_event_bytes)
            messages = [body]
        reader = _read_all(messages, call, settings.max_event_bytes)
        result = await _store(request, body, reader)
    except CxloopError as exc:
        response = problem(exc.status, exc.detail, title=exc.title, **exc.extra)
        response.headers.update(CORS)
        return response
    return _answer(result, len(messages))


def _with_batch_context(message: Any, body: dict[str, Any]) -> Any:
    """Batch-level sentAt and context apply to every event that lacks its own."""
    if not isinstance(message, dict):
        return message
    merged = message
    if "sentAt" in body and "sentAt" not in message:
        merged = {**merged, "sentAt": body["sentAt"]}
    if isinstance(body.get("context"), dict) and "context" not in message:
        merged = {**merged, "context": body["context"]}
    return merged


def _single(call: str) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        return await _ingest(request, call)

    endpoint.__name__ = f"ingest_{call}"
    endpoint.__doc__ = f"Segment `{call}` call. Write key as HTTP Basic user."
    return endpoint


for _call in ("track", "identify", "page", "screen", "group", "alias"):
    router.add_api_route(f"/{_call}", _single(_call), methods=["POST"], summary=f"Segment {_call}")


@router.post("/batch", summary="Segment batch")
async def ingest_batch(request: Request) -> Response:
    """Up to 500 KB of events; valid ones are stored, invalid ones reported by index."""
    return await _ingest(request, None)


@router.post("/webhook", summary="Inbound webhook mapped by the source's mapping")
async def ingest_webhook(request: Request) -> Response:
    """Any JSON payload; the source's declarative mapping turns it into interactions."""
    settings = get_settings(request)
    try:
        body = await _read_json(request, settings.max_batch_bytes)

        def read(_session: Session, source: Source) -> list[InteractionIn | CxloopError]:
            if not source.mapping:
                raise ValidationFailed(
                    f"source '{source.name}' has no webhook mapping; set one first", field="mapping"
                )
            return map_payload(
                compile_mapping(source.mapping), body, source_id=source.id, received_at=utcnow()
            )

        result = await _store(request, body, read)
    except CxloopError as exc:
        return problem(exc.status, exc.detail, title=exc.title, **exc.extra)
    return _answer(result, result.stored + result.duplicates + len(result.rejected))


@router.options("/{path:path}", include_in_schema=False)
def preflight(path: str) -> Response:
    """Browsers send ingest cross-origin (analytics.js); write keys are public there anyway."""
    return Response(status_code=204, headers=CORS)
