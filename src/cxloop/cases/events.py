"""Events the cases domain publishes, after its unit of work commits.

The job system turns them into deliveries (replies, notifications, follow-up surveys); the
payloads carry ids only, so whoever acts reads the committed state.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.bus import Event


@dataclass(frozen=True, kw_only=True)
class CaseChanged(Event):
    """Something happened to a case: ``kind`` is the case event's kind (opened, assigned,
    status, escalated, sla_warning, sla_breach...)."""

    case_id: int
    kind: str
    assignee_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class MessagesQueued(Event):
    """Answers to customers were committed and wait for delivery."""

    message_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class CaseSetupChanged(Event):
    """Rules, policies, calendars or team set-up changed: drop cached copies."""
