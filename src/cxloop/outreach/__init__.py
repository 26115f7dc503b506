"""Outreach: email over SMTP, signed outbound webhooks, and notifications to the team."""

from cxloop.outreach.email import EmailBounced, EmailUnavailable, Mailer, build_message, mailer
from cxloop.outreach.notifications import Notice, email_notice, notice_email, post_notice
from cxloop.outreach.webhooks import (
    WebhookRejected,
    WebhookSender,
    WebhookUnavailable,
    configured_sender,
)

__all__ = [
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
    "post_notice",
]
