"""Every migration upgrades and downgrades cleanly, and the head matches the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from cxloop.registry import metadata
from cxloop.store.engine import make_engine
from cxloop.store.migrate import alembic_config
from tests.conftest import fresh_postgres_database, postgres_reachable


def _round_trip(url: str) -> None:
    config = alembic_config(url)
    revisions = list(ScriptDirectory.from_config(config).walk_revisions())
    for revision in reversed(revisions):
        command.upgrade(config, revision.revision)
    engine = make_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"
    command.downgrade(config, "base")
    command.upgrade(config, "heads")


def test_migrations_round_trip_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _round_trip(f"sqlite:///{tmp_path / 'migrations.db'}")


def test_migrations_round_trip_on_postgresql() -> None:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable")
    _round_trip(fresh_postgres_database("cxloop_migrations_test"))
