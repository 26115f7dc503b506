"""What every command shares: the unit of work, one-JSON-object output, errors as messages."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from cxloop.errors import CxloopError
from cxloop.settings import get_settings
from cxloop.store import uow
from cxloop.store.changes import Actor, act_as
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade

err = Console(stderr=True)


def cli_actor() -> str:
    """Who the audit log names for a command: the operating-system account that ran it."""
    return f"cli:{getpass.getuser()}"


def emit_json(value: Any) -> None:
    """Print exactly one JSON object on stdout (scripts rely on it)."""
    sys.stdout.write(orjson.dumps(value, default=str).decode() + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def command_session(*, write: bool = True) -> Iterator[Session]:
    """The command's unit of work on the configured database (migrated first)."""
    url = get_settings().resolved_database_url
    upgrade(url)
    try:
        with uow.unit_of_work(get_engine(url), write=write) as session:
            act_as(session, Actor(cli_actor(), via="cli"))
            yield session
    except CxloopError as exc:
        raise fail(exc.detail) from exc


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A bar on stderr (so --json keeps stdout to one object); yields 'advance by n'."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
