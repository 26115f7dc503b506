"""Deterministic Segment-style events for the ingest benchmarks (~180 bytes each as JSON)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

EVENTS = ("Product Viewed", "Order Completed", "Cart Viewed", "Plan Changed", "Bill Paid")
START = datetime(2026, 1, 1, tzinfo=UTC)


def make_events(count: int, customers: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(count):
        customer = rng.randrange(customers)
        when = (START + timedelta(seconds=i * 13)).isoformat()
        message: dict[str, Any] = {
            "type": "track",
            "messageId": str(uuid.UUID(int=rng.getrandbits(128))),
            "event": EVENTS[i % len(EVENTS)],
            "timestamp": when,
            "properties": {"value": i % 97, "plan": "basic"},
        }
        if customer % 3 == 0:
            message["anonymousId"] = f"anon-{customer}"
        else:
            message["userId"] = f"user-{customer}"
        out.append(message)
    return out
