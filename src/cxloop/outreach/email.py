"""Email out over SMTP: one connection reused for a batch, temporary failures retried.

A refused recipient (a 5xx answer) is a bounce, reported at once and never retried; a dropped
connection or a 4xx answer is temporary and retried with exponential back-off.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

from cxloop.errors import CxloopError
from cxloop.settings import Settings


class EmailBounced(CxloopError):
    """The server refused the recipient for good (a 5xx answer)."""

    status = 422
    title = "Email refused"


class EmailUnavailable(CxloopError):
    """The server could not be reached or answered with a temporary failure."""

    status = 503
    title = "Email unavailable"


def build_message(
    settings: Settings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    sender: str | None = None,
) -> Message:
    """A plain-text message, or text and HTML alternatives, in UTF-8, from ``sender`` (by
    default the configured ``mail_from``).

    Built with the classic MIME classes: the modern ``EmailMessage`` parses every header it
    is given, which made building a message cost more than sending it.
    """
    message: Message = MIMEText(text, "plain", "utf-8")
    if html is not None:
        alternatives = MIMEMultipart("alternative")
        alternatives.attach(message)
        alternatives.attach(MIMEText(html, "html", "utf-8"))
        message = alternatives
    message["From"] = sender or settings.mail_from
    message["To"] = to
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    message["Message-ID"] = message_id or make_msgid(domain="cxloop")
    for name, value in (headers or {}).items():
        message[name] = value
    return message


class Mailer:
    """An open SMTP session; :meth:`send` reconnects and retries when the link drops."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] | None = None) -> None:
        self.settings = settings
        self._sleep = sleep or time.sleep
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_s,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password or "")
        return smtp

    def send(self, message: Message) -> int:
        """Send ``message``; return the attempts it took. Raises EmailBounced/EmailUnavailable."""
        attempts = 0
        while True:
            attempts += 1
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                refused = self._smtp.send_message(message)
                if refused:
                    code, reason = next(iter(refused.values()))
                    raise EmailBounced(f"{code} {reason.decode(errors='replace')}")
                return attempts
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()))
                if 400 <= code < 500 and attempts <= self.settings.smtp_retries:
                    self._sleep(0.5 * 2 ** (attempts - 1))
                    continue
                raise EmailBounced(f"{code} {reason.decode(errors='replace')}") from None
            except (OSError, smtplib.SMTPException) as exc:
                self.close()
                if attempts > self.settings.smtp_retries:
                    raise EmailUnavailable(
                        f"SMTP {self.settings.smtp_host}:{self.settings.smtp_port}: {exc}"
                    ) from None
                self._sleep(0.5 * 2 ** (attempts - 1))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


@contextmanager
def mailer(settings: Settings, sleep: Callable[[float], None] | None = None) -> Iterator[Mailer]:
    m = Mailer(settings, sleep)
    try:
        yield m
    finally:
        m.close()
