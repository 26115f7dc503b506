"""A fresh, real database per test module for code that commits (CLI commands, the demo).

The shared ``database_url`` runs each test in a rolled-back transaction; a CLI command
commits through its own engine, so it gets a database of its own instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cxloop.cli.main import app
from cxloop.settings import get_settings
from cxloop.store.migrate import upgrade
from tests.conftest import _worker, fresh_postgres_database, postgres_reachable


@pytest.fixture(scope="module", params=["sqlite", "postgresql"], name="committed_url")
def committed_url_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if request.param == "postgresql":
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        name = request.module.__name__.rsplit(".", 1)[-1]
        url = fresh_postgres_database(f"cxloop_{name}_{_worker()}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('committed') / 'cxloop.db'}"
    upgrade(url)
    return url


@pytest.fixture(name="cli")
def cli_fixture(
    committed_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    monkeypatch.setenv("CXLOOP_DATABASE_URL", committed_url)
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield Cli()
    get_settings.cache_clear()


class Cli:
    """Runs ``cxloop`` in-process; stdout and stderr apart, as scripts see them."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path) -> Result:
        return self.runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
