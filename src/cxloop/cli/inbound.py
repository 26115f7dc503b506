"""``cxloop inbound-smtp``: receive customers' emails over SMTP (point the support domain's MX,
or a forwarding rule, at it), and the bounce reports that come back for survey invitations
(sent to the ``mail_from`` address, so point that address's mail here too).

A delivery status notification (RFC 3464), to either address, marks the invitation bounced
exactly as ``POST /api/v1/inbound/bounces`` does, and never opens a case.

Each message is stored in its own unit of work, and the sending server is told ``250`` only
once that is committed: an acknowledged email is never lost. ``451`` (try again later) when
it could not be stored now, ``550`` for a message too broken to read (kept on disk, logged),
and ``550`` at RCPT for addresses that are not the support address.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from email.utils import parseaddr
from typing import Annotated, Any

import typer
from aiosmtpd.controller import Controller
from sqlalchemy import Connection, Engine

from cxloop.api.inbound import MAX_EMAIL_BYTES
from cxloop.cases import Directory, MalformedEmail, load_router, receive_email, support_parts
from cxloop.cli.output import err
from cxloop.jobs import Queue, install
from cxloop.outreach import Bounce, parse_dsn
from cxloop.settings import Settings, get_settings
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.surveys import record_bounces

logger = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd handler: the support address's mail, stored as it arrives."""

    def __init__(self, bind: Engine | Connection, settings: Settings) -> None:
        self.bind = bind
        self.settings = settings
        _name, self.local, self.domain = support_parts(settings)
        self.bounce_address = parseaddr(settings.mail_from)[1].lower()

    def accepts(self, address: str) -> bool:
        """The support mailbox (with any +tag), and the address bounces come back to."""
        local, _, domain = address.lower().rpartition("@")
        mailbox = self.local.lower()
        support = domain == self.domain.lower() and (
            local == mailbox or local.startswith(f"{mailbox}+")
        )
        return support or address.lower() == self.bounce_address

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if not self.accepts(address):
            return f"550 5.1.1 <{address}>: not a mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        delivered = b"".join(f"Delivered-To: {r}\r\n".encode() for r in envelope.rcpt_tos)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.receive, raw, delivered)

    def receive(self, raw: bytes, delivered: bytes) -> str:
        """A bounce report is recorded against its invitation; any other mail is stored."""
        bounces = parse_dsn(raw)
        if bounces is not None:
            return self.record(bounces)
        return self.store(delivered + raw)

    def record(self, bounces: list[Bounce]) -> str:
        """A bounce report applied (once: a report received twice changes nothing more)."""
        try:
            with unit_of_work(self.bind) as work:
                invitations = record_bounces(work, bounces)
        except Exception:
            logger.exception("bounce report could not be recorded")
            return "451 4.3.0 the report could not be recorded now; try again later"
        return f"250 2.0.0 bounce report for {len(invitations)} survey invitation(s)"

    def store(self, raw: bytes) -> str:
        """The SMTP answer for one message, given only once its fate is committed."""
        try:
            with unit_of_work(self.bind) as work:
                got = receive_email(
                    Directory(work, self.settings.default_timezone),
                    raw,
                    settings=self.settings,
                    router=load_router(
                        self.settings.resolved_model_dir, self.settings.resolved_cache_dir
                    ),
                )
        except MalformedEmail as exc:
            logger.warning("inbound email refused: %s", exc.detail)
            return f"550 5.6.0 {exc.detail}"
        except Exception:
            logger.exception("inbound email could not be stored")
            return "451 4.3.0 the message could not be stored now; try again later"
        if got.duplicate:
            return "250 2.0.0 received before"
        return f"250 2.0.0 stored on case #{got.case_id}"


def inbound_smtp(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option(help="TCP port (default: CXLOOP_INBOUND_SMTP_PORT).")
    ] = None,
) -> None:
    """Receive customers' emails over SMTP: replies thread onto their cases, others open new
    ones. Runs until stopped (Ctrl-C or SIGTERM)."""
    settings = get_settings()
    upgrade(settings.resolved_database_url)
    engine = get_engine(settings.resolved_database_url)
    install(Queue(settings, bind=engine))
    handler = InboundHandler(engine, settings)
    port = port or settings.inbound_smtp_port
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=MAX_EMAIL_BYTES,
        enable_SMTPUTF8=True,
        server_hostname=handler.domain,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    controller.start()
    err.print(f"cxloop inbound-smtp on {host}:{port} for {handler.local}@{handler.domain}")
    try:
        stop.wait()
    finally:
        controller.stop()
