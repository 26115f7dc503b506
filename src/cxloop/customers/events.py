"""Events the customers domain publishes."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.bus import Event


@dataclass(frozen=True, kw_only=True)
class CustomersMerged(Event):
    winner_id: int
    loser_id: int
    reason: str
