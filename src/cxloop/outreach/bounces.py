"""Bounces that arrive after sending: delivery status notifications (RFC 3464) mailed back by
the receiving side, and the JSON events email providers post.

A refusal during the SMTP conversation is seen at once (``email.py``); these report a
failure minutes or days later. Each becomes a :class:`Bounce` naming the address, whether
the failure is permanent (status 5.x.x: suppress the address) and, when the report carries
the original headers, the Message-ID that cxloop gave the message.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import Message
from typing import Any

from cxloop.errors import ValidationFailed

FAILED_ACTIONS = frozenset({"failed"})
PROVIDER_PERMANENT = frozenset({"hard", "permanent", "bounce", "bounced"})
PROVIDER_TRANSIENT = frozenset({"soft", "transient", "deferred"})


@dataclass(frozen=True, slots=True)
class Bounce:
    recipient: str
    permanent: bool
    status: str
    message_id: str | None = None
    invitation_id: int | None = None


def _address(value: str) -> str:
    """``rfc822; ana@example.com`` -> ``ana@example.com``."""
    _kind, _, address = value.partition(";")
    return (address or value).strip().strip("<>").lower()


def _original(report: Message) -> Message | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            first = payload[0] if isinstance(payload, list) and payload else None
            return first if isinstance(first, Message) else None
        if kind == "text/rfc822-headers":
            return email.message_from_string(str(part.get_payload(decode=False)))
    return None


def _invitation(original: Message | None) -> int | None:
    value = original.get("X-Cxloop-Invitation", "") if original is not None else ""
    return int(value) if str(value).strip().isdigit() else None


def parse_dsn(raw: bytes) -> list[Bounce] | None:
    """The failed recipients of a delivery status notification; None when ``raw`` is not one
    (so the caller treats it as an ordinary email)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "delivery-status":
        return None
    original = _original(message)
    message_id = original.get("Message-ID") if original is not None else None
    bounces: list[Bounce] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        for block in blocks[1:] if isinstance(blocks, list) else []:
            if not isinstance(block, Message):
                continue
            action = str(block.get("Action", "")).strip().lower()
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
            if action not in FAILED_ACTIONS or not recipient:
                continue
            status = str(block.get("Status", "")).strip()
            bounces.append(
                Bounce(
                    recipient=_address(str(recipient)),
                    permanent=status.startswith("5"),
                    status=status,
                    message_id=str(message_id).strip() if message_id else None,
                    invitation_id=_invitation(original),
                )
            )
    return bounces


def parse_provider_event(data: Any) -> Bounce:
    """A provider's bounce event: ``{"email": ..., "type": "hard"|"soft", "message_id": ...}``
    (``recipient`` and ``bounce_type`` are accepted for ``email`` and ``type``)."""
    if not isinstance(data, dict):
        raise ValidationFailed('send {"email": ..., "type": "hard" or "soft"}', field="email")
    recipient = data.get("email") or data.get("recipient")
    if not isinstance(recipient, str) or "@" not in recipient:
        raise ValidationFailed("email must be the address that bounced", field="email")
    kind = str(data.get("type") or data.get("bounce_type") or "").lower()
    if kind not in PROVIDER_PERMANENT | PROVIDER_TRANSIENT:
        known = ", ".join(sorted(PROVIDER_PERMANENT | PROVIDER_TRANSIENT))
        raise ValidationFailed(f"type must be one of {known}", field="type")
    message_id = data.get("message_id")
    return Bounce(
        recipient=recipient.strip().lower(),
        permanent=kind in PROVIDER_PERMANENT,
        status=kind,
        message_id=str(message_id) if message_id else None,
    )
