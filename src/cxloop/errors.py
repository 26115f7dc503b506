"""One exception tree. The API maps it once to ``application/problem+json``; the CLI to messages."""

from __future__ import annotations

from typing import Any


class CxloopError(Exception):
    """Base of every error cxloop raises on purpose; carries an HTTP status and a title."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ValidationFailed(CxloopError):
    status = 422
    title = "Invalid input"


class NotFound(CxloopError):
    status = 404
    title = "Not found"


class Conflict(CxloopError):
    status = 409
    title = "Conflict"


class Unauthenticated(CxloopError):
    status = 401
    title = "Authentication required"


class Forbidden(CxloopError):
    status = 403
    title = "Forbidden"


class PayloadTooLarge(CxloopError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(CxloopError):
    status = 415
    title = "Unsupported media type"
