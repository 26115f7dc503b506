"""What the demo steps share: the database, the seeded randomness, and what earlier steps made.

Each step is a function ``step(ctx)``; later capabilities (surveys, cases, ...) add a step to
:data:`cxloop.demo.loader.STEPS` and read the people, agents and sources from here.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

DEMO_DOMAIN = "demo.cxloop.local"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"


@dataclass(slots=True)
class Person:
    """One demo customer as the generator imagines them (the stored customer is ``customer_id``)."""

    index: int
    first_name: str
    last_name: str
    country: str
    language: str
    region: str
    plan: str
    monthly_value: float
    joined_at: datetime
    tone: str
    """How this person tends to feel: positive, neutral or negative."""
    user_id: str
    email: str
    phone: str
    crm_id: str
    devices: list[str]
    social: tuple[str, str] | None = None
    churn_at: datetime | None = None
    customer_id: int | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class DemoContext:
    bind: Engine | Connection
    rng: random.Random
    seed: int
    start: datetime
    end: datetime
    customers: int
    password: str
    batch_size: int = 4_000
    people: list[Person] = field(default_factory=list)
    agents: dict[str, list[str]] = field(default_factory=dict)
    """Agent display names by department slug."""
    sources: dict[str, int] = field(default_factory=dict)
    """Source id by channel (where an interaction of that channel comes in)."""
    counts: Counter[str] = field(default_factory=Counter)
    story_customer_id: int | None = None
    model_dir: Path | None = None
    """Where trained models go (the deployed risk model); None: nowhere lasting."""


Step = Callable[[DemoContext], None]
