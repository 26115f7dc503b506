"""Events the interactions domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.bus import Event


@dataclass(frozen=True, kw_only=True)
class InteractionsRecorded(Event):
    """New interactions were stored (one event per unit of work, not per interaction)."""

    message_ids: tuple[str, ...]
    with_text: tuple[str, ...]
