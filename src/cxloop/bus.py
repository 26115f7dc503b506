"""Domain events. A lower domain publishes; higher domains subscribe, never the other way round.

Subscribers run after the unit of work commits, so they never see a write that was rolled back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cxloop.types import utcnow


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event."""

    at: Any = field(default_factory=utcnow)


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]

_subscribers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def deliver(events: list[Event]) -> None:
    """Hand committed events to their subscribers (and to subscribers of their base classes)."""
    for event in events:
        for event_type in type(event).__mro__:
            for handler in _subscribers.get(event_type, ()):
                handler(event)
