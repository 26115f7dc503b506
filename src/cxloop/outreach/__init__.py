"""Outreach: email over SMTP and signed outbound webhooks (later: notifications)."""

from cxloop.outreach.email import EmailBounced, EmailUnavailable, Mailer, build_message, mailer
from cxloop.outreach.webhooks import WebhookRejected, WebhookSender, WebhookUnavailable

__all__ = [
    "EmailBounced",
    "EmailUnavailable",
    "Mailer",
    "WebhookRejected",
    "WebhookSender",
    "WebhookUnavailable",
    "build_message",
    "mailer",
]
