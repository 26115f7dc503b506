"""Outreach: email over SMTP (later: outbound webhooks and notifications)."""

from cxloop.outreach.email import EmailBounced, EmailUnavailable, Mailer, build_message, mailer

__all__ = ["EmailBounced", "EmailUnavailable", "Mailer", "build_message", "mailer"]
