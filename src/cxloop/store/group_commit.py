"""Group commit: many small writes share one transaction and one fsync.

A durable commit costs a disk flush (milliseconds on most disks), and SQLite lets one writer
in at a time, so one commit per ingest request caps a server at a few hundred requests a
second however small they are. The committer queues each request's work; a single writer
thread runs whatever has queued up in one unit of work, each piece inside its own savepoint
so one failure does not undo the others, commits once, and only then answers every caller.
Under light load a batch holds one piece and the latency is one commit; under heavy load
batches grow and the flush is shared.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cxloop.store.uow import savepoint, unit_of_work

T = TypeVar("T")
_Item = tuple[Callable[[Session], Any], "Future[Any]"]


class GroupCommitter:
    """Runs submitted work in shared transactions on a writer thread started on demand.

    The thread ends after ``idle_s`` without work, so an idle app holds no thread.
    """

    def __init__(
        self, bind: Engine | Connection, *, max_batch: int = 64, idle_s: float = 2.0
    ) -> None:
        self.bind = bind
        self.max_batch = max_batch
        self.idle_s = idle_s
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def writing(self) -> bool:
        """Whether the writer thread is running (it stops after ``idle_s`` without work)."""
        return self._thread is not None

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Queue ``work``; its future resolves once the transaction holding it has committed."""
        future: Future[T] = Future()
        with self._lock:
            self._queue.put((work, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="cxloop-group-commit", daemon=True
                )
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.idle_s)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Item]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with unit_of_work(self.bind, write=True) as session:
                for work, future in batch:
                    try:
                        with savepoint(session):
                            outcomes.append((future, work(session), None))
                    except Exception as exc:  # handed to its caller below
                        outcomes.append((future, None, exc))
        except Exception as exc:  # the commit failed: nothing is saved
            for _work, future in batch:
                future.set_exception(exc)
            return
        for future, value, error in outcomes:
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)
