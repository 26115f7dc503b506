"""Telling the team: a notice by email, or posted to a Slack- or Teams-compatible incoming
webhook as ``{"text": ...}``.

Incoming webhooks of Slack, Microsoft Teams, Mattermost, Rocket.Chat and Google Chat all
accept a JSON object with a ``text`` field, and the URL itself is the secret, so the post is
not signed. The text is plain (a title, lines, then the link) because the chat tools disagree
on markup but all turn a bare URL into a link.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import Message

import orjson

from cxloop.outreach.email import build_message, mailer
from cxloop.outreach.webhooks import WebhookRejected, post
from cxloop.settings import Settings


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    lines: Sequence[str] = field(default_factory=tuple)
    link: str | None = None

    @property
    def text(self) -> str:
        return "\n".join([self.title, *self.lines, *([self.link] if self.link else [])])


def notice_email(settings: Settings, notice: Notice, to: str) -> Message:
    """Marked as automatic (RFC 3834), so out-of-office replies are not sent back."""
    body = "\n".join([*notice.lines, "", notice.link or ""]).strip() + "\n"
    return build_message(
        settings,
        to=to,
        subject=notice.title,
        text=body,
        headers={"Auto-Submitted": "auto-generated"},
    )


def email_notice(
    settings: Settings,
    notice: Notice,
    recipients: Sequence[str],
    *,
    sleep: Callable[[float], None] | None = None,
) -> int:
    """Send ``notice`` to each recipient over one SMTP session; return how many were sent.
    Raises EmailBounced or EmailUnavailable (from the first that fails)."""
    with mailer(settings, sleep) as smtp:
        for address in recipients:
            smtp.send(notice_email(settings, notice, address))
    return len(recipients)


def chat_request(url: str, notice: Notice) -> urllib.request.Request:
    return urllib.request.Request(  # noqa: S310 (the scheme is checked by post_notice)
        url,
        data=orjson.dumps({"text": notice.text}),
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "cxloop-notifications"},
    )


def post_notice(
    url: str,
    notice: Notice,
    *,
    timeout_s: float = 10.0,
    retries: int = 3,
    sleep: Callable[[float], None] | None = None,
) -> int:
    """POST ``notice`` to an incoming webhook; return the attempts it took. Raises
    WebhookRejected (a 4xx, or not an http(s) URL) or WebhookUnavailable."""
    if not url.startswith(("https://", "http://")):
        raise WebhookRejected(f"a notification webhook URL starts with https://, not {url[:30]!r}")
    return post(
        url,
        lambda: chat_request(url, notice),
        timeout_s=timeout_s,
        retries=retries,
        sleep=sleep or time.sleep,
    )
