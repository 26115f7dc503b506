"""Events the surveys domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from cxloop.bus import Event
from cxloop.settings import Settings


@dataclass(frozen=True, kw_only=True)
class InvitationsQueued(Event):
    """Email invitations were committed and wait to be sent.

    ``bind`` and ``settings`` say where the committed rows are and how to send, so the sender
    can act after the commit; a background job can take the same ids later.
    """

    invitation_ids: tuple[int, ...]
    bind: Engine | Connection
    settings: Settings


@dataclass(frozen=True, kw_only=True)
class ResponseCompleted(Event):
    response_id: int
    survey_id: int
    customer_id: int | None
