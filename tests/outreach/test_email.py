"""Email over a real local SMTP server: delivery, bounces, retries with back-off."""

from __future__ import annotations

import pytest

from cxloop.outreach import EmailBounced, EmailUnavailable, build_message, mailer
from cxloop.settings import Settings
from tests.outreach.smtp_server import Inbox, free_port


def settings_for(port: int, retries: int = 3) -> Settings:
    return Settings(smtp_port=port, smtp_retries=retries, mail_from="Brightwave <surveys@bw.test>")


def test_messages_are_delivered_over_one_connection(inbox: Inbox) -> None:
    settings = settings_for(inbox.port)
    with mailer(settings) as smtp:
        for n in range(3):
            message = build_message(
                settings, to=f"c{n}@example.com", subject="Hi", text="Plain", html="<p>Rich</p>"
            )
            assert smtp.send(message) == 1
    assert [m["To"] for m in inbox.messages] == [f"c{n}@example.com" for n in range(3)]
    received = inbox.messages[0]
    assert received["From"] == "Brightwave <surveys@bw.test>"
    assert received.get_body(("plain",)).get_content().strip() == "Plain"  # type: ignore[union-attr]
    assert received.get_body(("html",)).get_content().strip() == "<p>Rich</p>"  # type: ignore[union-attr]


def test_a_refused_recipient_is_a_bounce_and_not_retried(inbox: Inbox) -> None:
    inbox.refuse.add("gone@example.com")
    waits: list[float] = []
    with (
        mailer(settings_for(inbox.port), sleep=waits.append) as smtp,
        pytest.raises(EmailBounced, match="550"),
    ):
        smtp.send(
            build_message(settings_for(inbox.port), to="gone@example.com", subject="x", text="x")
        )
    assert waits == [] and inbox.messages == []


def test_a_temporary_refusal_is_retried_after_a_pause(inbox: Inbox) -> None:
    inbox.defer.add("busy@example.com")
    waits: list[float] = []
    with mailer(settings_for(inbox.port), sleep=waits.append) as smtp:
        attempts = smtp.send(
            build_message(settings_for(inbox.port), to="busy@example.com", subject="x", text="x")
        )
    assert attempts == 2 and waits == [0.5]
    assert len(inbox.to("busy@example.com")) == 1


def test_an_unreachable_server_is_retried_with_back_off_then_reported() -> None:
    settings = settings_for(free_port(), retries=3)  # nothing listens there
    waits: list[float] = []
    with (
        mailer(settings, sleep=waits.append) as smtp,
        pytest.raises(EmailUnavailable, match=f"127.0.0.1:{settings.smtp_port}"),
    ):
        smtp.send(build_message(settings, to="a@example.com", subject="x", text="x"))
    assert waits == [0.5, 1.0, 2.0]
