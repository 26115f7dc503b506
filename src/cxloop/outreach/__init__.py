"""Outreach: email over SMTP, outbound webhooks and notifications."""

__all__: list[str] = []
