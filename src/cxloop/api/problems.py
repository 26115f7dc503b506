"""Every error leaves the API as ``application/problem+json`` (RFC 9457), mapped here once."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from cxloop.errors import CxloopError

PROBLEM_JSON = "application/problem+json"


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

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail))
