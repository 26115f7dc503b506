"""The queue: huey on SQLite under the data directory by default, on Redis when configured.

Every registered job becomes one huey task. Payloads are validated when queued (so a caller
learns at once that it asked for nonsense) and again in the worker (a queue outlives code
versions). Each run is one unit of work, committed before the task counts as done; a handler
that raises is retried with a delay, and after its last retry the error stays in huey's
result store.
"""

from __future__ import annotations

from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from cxloop.errors import ValidationFailed
from cxloop.jobs.registry import JOBS, Job, JobContext
from cxloop.settings import Settings
from cxloop.store import uow
from cxloop.store.engine import get_engine

MEMORY = "memory"


def make_huey(settings: Settings) -> Huey:
    """``memory`` runs each job at once in the caller (tests, one-off scripts)."""
    url = settings.jobs_url
    if url == MEMORY:
        return MemoryHuey("cxloop", immediate=True)
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("cxloop", url=url)
    if url:
        raise ValidationFailed(
            f"CXLOOP_JOBS_URL must be a redis:// URL or 'memory', not {url!r}", field="jobs_url"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("cxloop", filename=str(settings.data_dir / "jobs.db"))


class Queue:
    def __init__(self, settings: Settings, bind: Engine | Connection | None = None) -> None:
        self.settings = settings
        self.bind = bind if bind is not None else get_engine(settings.resolved_database_url)
        self.huey = make_huey(settings)
        self._tasks: dict[str, TaskWrapper] = {job.name: self._task(job) for job in JOBS.values()}
        for job in JOBS.values():
            if job.daily_at_hour is not None:
                self._schedule(job, crontab(minute="0", hour=str(job.daily_at_hour)), "daily")
            if job.every_minutes is not None:
                self._schedule(job, crontab(minute=f"*/{job.every_minutes}"), "periodic")

    def _task(self, job: Job[Any]) -> TaskWrapper:
        def run(raw: dict[str, Any]) -> None:
            self.run(job.name, raw)

        return self.huey.task(retries=job.retries, retry_delay=job.retry_delay_s, name=job.name)(
            run
        )

    def _schedule(self, job: Job[Any], when: Any, suffix: str) -> None:
        """The worker runs ``job`` on its own schedule; a missed run is simply the next one
        (scheduled jobs read the state they act on, so nothing is lost in between)."""

        def run() -> None:
            self.run(job.name, {})

        self.huey.periodic_task(when, name=f"{job.name}.{suffix}")(run)

    def enqueue(self, name: str, payload: BaseModel | dict[str, Any]) -> None:
        job = _job(name)
        data = payload.model_dump() if isinstance(payload, BaseModel) else payload
        checked = job.payload.model_validate(data)
        self._tasks[name](checked.model_dump(mode="json"))

    def run(self, name: str, raw: dict[str, Any]) -> None:
        """Run one job now, in its own unit of work (what the worker does for each task)."""
        job = _job(name)
        payload = job.payload.model_validate(raw)
        with uow.unit_of_work(self.bind) as session:
            job.handler(JobContext(session=session, settings=self.settings), payload)

    def pending(self) -> int:
        return int(self.huey.pending_count())


def _job(name: str) -> Job[Any]:
    try:
        return JOBS[name]
    except KeyError:
        raise ValidationFailed(f"no job is named {name!r}", field="job") from None
