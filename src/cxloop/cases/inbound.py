"""Customers' emails in: a reply threads onto its case, anything else opens a new one.

The case is found, strongest evidence first, by the Message-IDs the email answers
(``In-Reply-To``/``References`` naming an answer cxloop sent), by the case token in the
address it was sent to (``support+<token>@``), then by a ``[case #ID]`` tag in the subject —
the tag only for the case's own customer, since anyone can type one. Quoted text and
signatures are cut off, so the timeline shows what the customer said this time.

A message too broken to read is kept as it came, under ``DATA_DIR/inbound/failed/`` named by
its SHA-256, and refused with the reason. A file rather than a table: what cannot be parsed
has no customer or case to belong to and is an operator's matter; a ``.eml`` file opens in
any mail client for a look, can be fed back once fixed, is kept once however often it is
redelivered, and is kept even when the database (or the unit of work) is what failed.
"""

from __future__ import annotations

import email.errors
import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from pathlib import Path

from mailparser_reply import EmailMessage as ReplyText
from mailparser_reply.constants import MAIL_LANGUAGES
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases.conditions import facts
from cxloop.cases.delivery import support_parts
from cxloop.cases.directory import Directory
from cxloop.cases.lifecycle import CaseDraft, get_case, link, open_cases, set_status
from cxloop.cases.models import Case, CaseLink, CaseMessage, CaseStatus
from cxloop.cases.routing import Router
from cxloop.customers import Customer, IdentityKey, normalize_email
from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction, InteractionIn, store_interactions
from cxloop.settings import Settings
from cxloop.types import utcnow

EMAIL_TYPE = "Email Received"
MAX_TEXT = 100_000
MAX_IDS = 20
"""Message-IDs kept from References: the recent ones are the ones that name cases."""
SUBJECT_TAG = re.compile(r"\[case #(\d{1,18})\]", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BROKEN_MULTIPART = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
)
REOPEN = {
    CaseStatus.waiting.value: CaseStatus.open.value,
    CaseStatus.solved.value: CaseStatus.reopened.value,
    CaseStatus.closed.value: CaseStatus.reopened.value,
}


class MalformedEmail(ValidationFailed):
    title = "Malformed email"


@dataclass(slots=True)
class Parsed:
    message_id: str
    sender: str
    subject: str
    text: str
    references: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    sent_at: datetime | None = None


@dataclass(slots=True)
class Received:
    interaction_id: int
    case_id: int | None
    opened: bool = False
    """A new case was opened for it."""
    duplicate: bool = False
    """This Message-ID was received before; nothing changed."""
    status: str | None = None


class _Text(HTMLParser):
    """The text of an HTML email, without what it quotes (``blockquote``) or hides."""

    SKIP = frozenset({"script", "style", "head", "blockquote"})
    BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _body(message: EmailMessage) -> str | None:
    part = message.get_body(preferencelist=("plain", "html"))
    if not isinstance(part, EmailMessage):
        return None
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return None
    return html_text(content) if part.get_content_subtype() == "html" else content


def latest_reply(text: str) -> str:
    """What the customer wrote this time: without the quoted thread and the signature (and
    everything, rather than nothing, when the whole text looked quoted)."""
    replies = ReplyText(text=text, languages=list(MAIL_LANGUAGES), keep_hyphen_lists=True)
    read = replies.read().replies
    latest = read[0].body if read else ""
    return latest or text.strip()


def parse(raw: bytes) -> Parsed:
    """Read a raw email; MalformedEmail says why one cannot be."""
    if not raw.strip():
        raise MalformedEmail("the message is empty", field="raw")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        return _read(message, raw)
    except MalformedEmail:
        raise
    except Exception as exc:  # the stdlib parser has many ways to trip on broken input
        raise MalformedEmail(f"the message cannot be read: {exc}", field="raw") from exc


def _read(message: EmailMessage, raw: bytes) -> Parsed:
    if not message.keys():
        raise MalformedEmail("the message has no headers", field="raw")
    if any(isinstance(d, BROKEN_MULTIPART) for d in _defects(message)):
        raise MalformedEmail("the message is multipart but its parts cannot be found", field="raw")
    senders = [a for _name, a in getaddresses([str(v) for v in message.get_all("From", [])]) if a]
    try:
        sender = normalize_email(senders[0]) if senders else ""
    except ValidationFailed:
        sender = ""
    if not sender:
        raise MalformedEmail("the message has no valid From address", field="raw")
    body = _body(message)
    subject = " ".join(str(message.get("Subject", "")).split())
    if body is None and not subject:
        raise MalformedEmail("the message has neither a text part nor a subject", field="raw")
    message_id = next(iter(MESSAGE_ID.findall(str(message.get("Message-ID", "")))), None)
    references = [
        *MESSAGE_ID.findall(str(message.get("References", ""))),
        *MESSAGE_ID.findall(str(message.get("In-Reply-To", ""))),
    ]
    recipients = [
        address.lower()
        for header in ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
        for _name, address in getaddresses([str(v) for v in message.get_all(header, [])])
        if address
    ]
    date = message.get("Date")
    sent_at = getattr(date, "datetime", None)
    return Parsed(
        # Without a Message-ID, the content names it, so a redelivery is still a duplicate.
        message_id=message_id or f"<{hashlib.sha256(raw).hexdigest()[:40]}@cxloop.invalid>",
        sender=sender,
        subject=subject[:300],
        text=latest_reply(body or "")[:MAX_TEXT],
        references=list(dict.fromkeys(references))[-MAX_IDS:],
        recipients=recipients,
        sent_at=sent_at if sent_at is not None and sent_at.tzinfo is not None else None,
    )


def _defects(message: EmailMessage) -> list[email.errors.MessageDefect]:
    return [d for part in message.walk() for d in getattr(part, "defects", [])]


def keep_failed(data_dir: Path, raw: bytes) -> str:
    """Keep ``raw`` (durably: written, synced, then renamed into place); return its name."""
    digest = hashlib.sha256(raw).hexdigest()
    folder = data_dir / "inbound" / "failed"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.eml"
    if not target.exists():
        partial = folder / f".{digest}.{os.getpid()}.part"
        with partial.open("wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    return digest


def _by_references(session: Session, parsed: Parsed) -> Case | None:
    if not parsed.references:
        return None
    case_id = session.scalar(
        select(CaseMessage.case_id)
        .where(CaseMessage.email_message_id.in_(parsed.references))
        .order_by(CaseMessage.id.desc())
        .limit(1)
    )
    return session.get(Case, case_id) if case_id is not None else None


def _by_token(session: Session, settings: Settings, parsed: Parsed) -> Case | None:
    _name, local, domain = support_parts(settings)
    pattern = re.compile(
        rf"{re.escape(local.lower())}\+([0-9a-f]{{8,32}})@{re.escape(domain.lower())}"
    )
    tokens = [m.group(1) for r in parsed.recipients if (m := pattern.fullmatch(r))]
    if not tokens:
        return None
    return session.scalar(select(Case).where(Case.reply_token.in_(tokens)).limit(1))


def _by_subject(session: Session, parsed: Parsed, customer_id: int) -> Case | None:
    tag = SUBJECT_TAG.search(parsed.subject)
    case = session.get(Case, int(tag.group(1))) if tag else None
    return case if case is not None and case.customer_id == customer_id else None


def _live(session: Session, case: Case) -> Case:
    """A merged case's survivor."""
    for _ in range(10):
        if case.merged_into_id is None:
            break
        case = get_case(session, case.merged_into_id)
    return case


def receive_email(
    directory: Directory,
    raw: bytes,
    *,
    settings: Settings,
    source_id: int | None = None,
    router: Router | None = None,
    now: datetime | None = None,
) -> Received:
    """Store one email from a customer on its case (or a new one). Raises MalformedEmail —
    the message kept, its name as ``kept`` — for a message that cannot be read."""
    session = directory.session
    now = now or utcnow()
    try:
        parsed = parse(raw)
    except MalformedEmail as exc:
        kept = keep_failed(settings.data_dir, raw)
        raise MalformedEmail(f"{exc.detail}; kept as {kept}.eml", field="raw", kept=kept) from exc
    found = _by_references(session, parsed) or _by_token(session, settings, parsed)
    interaction_key = "email-" + hashlib.sha256(parsed.message_id.encode()).hexdigest()[:40]
    stored = store_interactions(
        session,
        [
            InteractionIn(
                message_id=interaction_key,
                type=EMAIL_TYPE,
                channel="email",
                occurred_at=min(parsed.sent_at or now, now),
                received_at=now,
                identities=[IdentityKey("email", parsed.sender)],
                text=parsed.text or None,
                source_id=source_id,
                properties={
                    "email_message_id": parsed.message_id,
                    "email_references": parsed.references,
                    "subject": parsed.subject,
                    "from": parsed.sender,
                },
            )
        ],
    )
    if stored.rejected:
        raise ValidationFailed(stored.rejected[0].detail, field=stored.rejected[0].field)
    interaction = session.scalar(
        select(Interaction).where(Interaction.message_id == interaction_key)
    )
    assert interaction is not None
    if stored.duplicates:
        case_id = session.scalar(
            select(CaseLink.case_id).where(CaseLink.interaction_id == interaction.id).limit(1)
        )
        return Received(interaction.id, case_id, duplicate=True)
    found = found or _by_subject(session, parsed, interaction.customer_id)
    if found is None:
        return _open(directory, parsed, interaction, router=router, settings=settings, now=now)
    case = get_case(session, _live(session, found).id, for_update=True)
    link(session, case, interaction.id, role="message", actor=parsed.sender)
    if case.status in REOPEN:
        set_status(
            directory,
            case,
            REOPEN[case.status],
            actor=parsed.sender,
            now=now,
            reason="the customer wrote back",
        )
    session.flush()
    return Received(interaction.id, case.id, status=case.status)


def _open(
    directory: Directory,
    parsed: Parsed,
    interaction: Interaction,
    *,
    router: Router | None,
    settings: Settings,
    now: datetime,
) -> Received:
    customer = directory.session.get(Customer, interaction.customer_id)
    [case] = open_cases(
        directory.session,
        directory,
        [
            CaseDraft(
                customer_id=interaction.customer_id,
                subject=parsed.subject or (parsed.text[:80] or "(no subject)"),
                channel="email",
                origin="email",
                interaction_ids=[interaction.id],
                facts=facts(interaction, None, customer),
                text=parsed.text,
            )
        ],
        actor=parsed.sender,
        router=router,
        threshold=settings.routing_threshold,
        now=now,
    )
    return Received(interaction.id, case.id, opened=True, status=case.status)
