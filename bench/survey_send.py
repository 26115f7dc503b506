"""Email invitations per second to a local SMTP server, against raw smtplib in the same run.

Invitations for ``--emails`` customers are queued on a fresh SQLite database, then sent by
the real sender (claim, render with the embedded NPS scale, SMTP, record the outcome, each
committed). The baseline sends the same number of pre-built messages of the same size with
plain ``smtplib`` over one connection to the same server: no database, no rendering.

    python bench/survey_send.py [--emails 2000]
"""

from __future__ import annotations

import argparse
import json
import smtplib
import socket
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from cxloop.customers import Customer
from cxloop.settings import Settings
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.surveys import (
    Definition,
    FatigueRules,
    SurveyCreate,
    create_survey,
    deliver_invitations,
    invite,
    publish,
)

DEFINITION = {
    "title": {"en": "How did we do?"},
    "questions": [
        {"id": "nps", "type": "nps", "required": True, "text": {"en": "Would you recommend us?"}},
        {"id": "why", "type": "text", "text": {"en": "Why?"}},
    ],
}


class Counter:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def queue_invitations(url: str, emails: int) -> list[int]:
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        customers = [Customer(name=f"C{n}", email=f"c{n}@example.com") for n in range(emails)]
        session.add_all(customers)
        session.flush()
        survey = create_survey(
            session,
            data=SurveyCreate(
                key="bench", name="bench", definition=Definition.model_validate(DEFINITION)
            ),
        )
        publish(session, survey)
        result = invite(
            session,
            survey=survey,
            customer_ids=[c.id for c in customers],
            channel="email",
            rules=FatigueRules(cooldown_days=30, ttl_days=30),
        )
        ids = [i.id for i in result.invitations]
    engine.dispose()
    return ids


def baseline(port: int, count: int, size: int) -> float:
    messages = []
    for n in range(count):
        message = EmailMessage()
        message["From"] = "bench@example.com"
        message["To"] = f"c{n}@example.com"
        message["Subject"] = "How did we do?"
        message.set_content("x" * size)
        messages.append(message)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for message in messages:
            smtp.send_message(message)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=2000)
    args = parser.parse_args()
    counter = Counter()
    port = free_port()
    smtp = Controller(counter, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            ids = queue_invitations(url, args.emails)
            settings = Settings(data_dir=Path(tmp), secret_key="bench-key", smtp_port=port)
            engine = make_engine(url)
            started = time.perf_counter()
            report = deliver_invitations(engine, settings, ids)
            seconds = time.perf_counter() - started
            engine.dispose()
        assert report.sent == args.emails, report
        sent_size = 2_000  # about the size of one rendered invitation (text + HTML parts)
        base = baseline(port, args.emails, sent_size)
    finally:
        smtp.stop()
    rate, base_rate = args.emails / seconds, args.emails / base
    print(
        json.dumps(
            {
                "name": "survey_send",
                "emails": args.emails,
                "emails_per_s": round(rate, 1),
                "seconds": round(seconds, 2),
                "baseline_emails_per_s": round(base_rate, 1),
                "baseline_seconds": round(base, 2),
                "ratio": round(rate / base_rate, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
