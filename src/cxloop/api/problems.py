"""Every error leaves the API as ``application/problem+json`` (RFC 9457), mapped here once."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from cxloop.errors import CxloopError

PROBLEM_JSON = "application/problem+json"
# RFC 9457's members; ``errors`` lists each invalid field, other members add context.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 429)


def problem_responses() -> dict[int | str, dict[str, Any]]:
    """The errors every API route may answer, documented in OpenAPI as problem+json (this
    also replaces FastAPI's default 422 shape, which cxloop never sends)."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for status in ERROR_STATUSES
    }


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    headers = {"WWW-Authenticate": 'Bearer realm="cxloop"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_errors(errors: list[Any]) -> list[dict[str, Any]]:
    return [{"field": _location(e.get("loc", ())), "message": e.get("msg", "")} for e in errors]


def install(app: FastAPI) -> None:
    @app.exception_handler(CxloopError)
    async def _cxloop_error(_request: Request, exc: CxloopError) -> JSONResponse:
        return problem(exc.status, exc.detail, title=exc.title, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(list(exc.errors()))
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return problem(
            422,
            f"{first['field']}: {first['message']}",
            title="Invalid input",
            errors=errors,
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        """A number or text the database cannot hold (an id beyond 64 bits, say) is the
        client's mistake, not a server error."""
        return problem(
            422, "a value is out of range for its field (ids are 64-bit)", title="Invalid input"
        )

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail))
