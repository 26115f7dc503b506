"""What every command shares: the unit of work, one-JSON-object output, errors as messages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from rich.console import Console
from sqlalchemy.orm import Session

from cxloop.errors import CxloopError
from cxloop.settings import get_settings
from cxloop.store import uow
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade

err = Console(stderr=True)


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
            yield session
    except CxloopError as exc:
        raise fail(exc.detail) from exc
