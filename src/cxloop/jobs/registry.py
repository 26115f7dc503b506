"""The one registry of background jobs: a name, a payload schema and an idempotent handler.

Payloads carry ids, never rows: the handler reads the current state in its own unit of work,
so a job that runs twice, or late, does the right thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from cxloop.settings import Settings

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class JobContext:
    """What a handler gets besides its payload: its unit of work and the settings."""

    session: Session
    settings: Settings


@dataclass(frozen=True)
class Job(Generic[P]):
    name: str
    payload: type[P]
    handler: Callable[[JobContext, P], None]
    retries: int = 3
    retry_delay_s: int = 10
    daily_at_hour: int | None = None
    """Run by itself once a day at this UTC hour (its payload must need no fields)."""
    every_minutes: int | None = None
    """Run by itself every N minutes (its payload must need no fields)."""


JOBS: dict[str, Job[Any]] = {}


def register(job: Job[P]) -> Job[P]:
    if JOBS.get(job.name, job) is not job:
        raise ValueError(f"two jobs are named {job.name!r}")
    JOBS[job.name] = job
    return job
