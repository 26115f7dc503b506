"""Failed self-service: a visit to the website or app followed soon by a call or chat.

One definition, shared by the journey figures (how often self-service fails, on which
channels) and the churn model's timeline feature, so both count the same switches.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

SELF_SERVICE = frozenset({"web", "app"})
HELP_CHANNELS = frozenset({"phone", "chat"})
FAILED_WITHIN = timedelta(hours=48)


class Contact(Protocol):
    """An interaction as the definition reads it."""

    @property
    def at(self) -> datetime: ...
    @property
    def channel(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def assisted(self) -> bool: ...


def tried_self_service(contact: Contact) -> bool:
    return contact.channel in SELF_SERVICE and not contact.assisted


def asked_for_help(contact: Contact) -> bool:
    return contact.channel in HELP_CHANNELS and contact.direction == "in"


C = TypeVar("C", bound=Contact)


def switches(contacts: Sequence[C]) -> list[tuple[C, C]]:
    """Each self-service visit that the customer followed with a call or chat within
    :data:`FAILED_WITHIN`, paired with the first such contact after it (the site or app did
    not solve what they came for). Sorted search, so thousands of visits stay cheap."""
    helps = sorted((c for c in contacts if asked_for_help(c)), key=lambda c: c.at)
    help_at = [c.at for c in helps]
    found = []
    for visit in contacts:
        if not tried_self_service(visit):
            continue
        after = bisect_right(help_at, visit.at)
        if after < len(helps) and help_at[after] <= visit.at + FAILED_WITHIN:
            found.append((visit, helps[after]))
    return found
