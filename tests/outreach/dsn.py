"""Delivery status notifications (RFC 3464) as a receiving mail server sends them back, for
the tests of every place cxloop reads them (the bounces API, the inbound SMTP receiver)."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText


def dsn(
    original: EmailMessage,
    recipient: str,
    status: str,
    action: str = "failed",
    to: str = "surveys@bw.test",
) -> bytes:
    """A delivery status notification as a receiving server sends it back (RFC 3464): a
    human part, the machine-readable status, and the returned message's headers."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText(f"Your message to {recipient} could not be delivered.\n"))
    status_part = MIMEBase("message", "delivery-status")
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.example.com"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = "smtp; 550 5.1.1 user unknown"
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    headers = Message()
    for name in ("From", "To", "Subject", "Message-ID", "X-Cxloop-Invitation"):
        if original[name]:
            headers[name] = original[name]
    report.attach(MIMEMessage(headers))
    return report.as_bytes()
