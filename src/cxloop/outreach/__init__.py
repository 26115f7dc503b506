"""Outreach: email over SMTP, signed outbound webhooks, and notifications to the team."""

from cxloop.outreach.bounces import Bounce, parse_dsn, parse_provider_event
from cxloop.outreach.email import EmailBounced, EmailUnavailable, Mailer, build_message, mailer
from cxloop.outreach.notifications import Notice, email_notice, notice_email, post_notice
from cxloop.outreach.webhooks import (
    WebhookRejected,
    WebhookSender,
    WebhookUnavailable,
    configured_sender,
)

__all__ = [
    "Bounce",
    "EmailBounced",
    "EmailUnavailable",
    "Mailer",
    "Notice",
    "WebhookRejected",
    "WebhookSender",
    "WebhookUnavailable",
    "build_message",
    "configured_sender",
    "email_notice",
    "mailer",
    "notice_email",
    "parse_dsn",
    "parse_provider_event",
    "post_notice",
]
