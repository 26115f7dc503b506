"""``cxloop worker``: run background jobs (enrichment) from the configured queue."""

from __future__ import annotations

from typing import Annotated

import typer

from cxloop.cli.output import err
from cxloop.jobs import Queue
from cxloop.settings import get_settings
from cxloop.store.migrate import upgrade
from cxloop.understanding import shared_analyser


def worker(
    workers: Annotated[int, typer.Option(min=1, help="Jobs run at once (threads).")] = 1,
) -> None:
    """Run queued jobs until stopped (Ctrl-C or SIGTERM finish the job in hand first)."""
    settings = get_settings()
    upgrade(settings.resolved_database_url)
    queue = Queue(settings)
    if queue.huey.immediate:
        raise typer.BadParameter("CXLOOP_JOBS_URL=memory runs jobs in the caller; no worker needed")
    # Load the models before taking jobs (lingua loads its language models on first use), so
    # the first job is as fast as the rest.
    shared_analyser(settings.resolved_model_dir, settings.max_text_chars).analyse(["Hello"])
    err.print(f"cxloop worker: {workers} at a time, {queue.pending()} jobs waiting")
    queue.huey.create_consumer(workers=workers, worker_type="thread", max_delay=1.0).run()
