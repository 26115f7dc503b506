"""Outbound webhooks signed per the Standard Webhooks spec (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``), so SMS and chat providers, or any receiver
with a Standard Webhooks library, can verify that a message came from cxloop.

A 2xx answer is delivery; 408, 429 and 5xx answers and network errors are retried with
exponential back-off; any other 4xx is a refusal that retrying would not change.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from standardwebhooks import Webhook

from cxloop.errors import CxloopError
from cxloop.settings import Settings

RETRYABLE = frozenset({408, 425, 429})


class WebhookRejected(CxloopError):
    status = 422
    title = "Webhook refused"


class WebhookUnavailable(CxloopError):
    status = 503
    title = "Webhook unavailable"


class WebhookSender:
    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 3,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("a webhook URL starts with https:// (or http://)")
        self.url = url
        self._signer = Webhook(secret)
        self._timeout = timeout_s
        self._retries = retries
        self._sleep = sleep or time.sleep

    def request(
        self, message_id: str, event_type: str, data: dict[str, Any]
    ) -> urllib.request.Request:
        """The signed POST (exposed so receivers' tests can see exactly what is sent)."""
        now = datetime.now(UTC)
        body = orjson.dumps({"type": event_type, "timestamp": now.isoformat(), "data": data})
        signature = self._signer.sign(message_id, now, body.decode())
        return urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "cxloop-webhooks",
                "webhook-id": message_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": signature,
            },
        )

    def send(self, message_id: str, event_type: str, data: dict[str, Any]) -> int:
        """POST one event; return the attempts it took. ``message_id`` is the same on every
        retry, so a receiver can drop the duplicates of a delivery it already has."""
        return post(
            self.url,
            lambda: self.request(message_id, event_type, data),
            timeout_s=self._timeout,
            retries=self._retries,
            sleep=self._sleep,
        )


def post(
    url: str,
    make_request: Callable[[], urllib.request.Request],
    *,
    timeout_s: float,
    retries: int,
    sleep: Callable[[float], None],
) -> int:
    """Send a request made afresh for each attempt (a signature carries its time); return the
    attempts it took. Raises WebhookRejected or WebhookUnavailable."""
    attempts = 0
    while True:
        attempts += 1
        try:
            with urllib.request.urlopen(make_request(), timeout=timeout_s):  # noqa: S310
                return attempts
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and exc.code not in RETRYABLE:
                raise WebhookRejected(f"{url} answered {exc.code} {exc.reason}") from None
            problem = f"{url} answered {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError) as exc:
            problem = f"{url}: {getattr(exc, 'reason', exc)}"
        if attempts > retries:
            raise WebhookUnavailable(problem)
        sleep(0.5 * 2 ** (attempts - 1))


def configured_sender(
    url: str | None,
    secret: str | None,
    settings: Settings,
    sleep: Callable[[float], None] | None = None,
) -> WebhookSender | None:
    """The sender of a webhook the company may not have set up (None then: the caller says
    what cannot go out). Timeouts and retries are SMTP's: one set of knobs for all sending."""
    if not url:
        return None
    return WebhookSender(
        url,
        secret or "",
        timeout_s=settings.smtp_timeout_s,
        retries=settings.smtp_retries,
        sleep=sleep,
    )
