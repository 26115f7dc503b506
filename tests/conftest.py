"""Fixtures shared by every domain's tests.

Every database test runs twice: on SQLite and on PostgreSQL (when 127.0.0.1:5432 answers).
Each test runs inside a transaction that is rolled back at the end; the code under test
commits into a SAVEPOINT.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from cxloop.app import create_app
from cxloop.settings import Settings
from cxloop.store import uow
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade

# A real local SMTP server (aiosmtpd) as the ``inbox`` fixture, for every domain that sends email.
pytest_plugins = ["tests.outreach.smtp_server"]

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


def fresh_postgres_database(name: str) -> str:
    """Create an empty database ``name`` (dropping a leftover one) and return its URL."""
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"


def drop_postgres_database(name: str) -> None:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _worker() -> str:
    """Unique per test process, so two runs on one machine never drop each other's database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        name = f"cxloop_test_{_worker()}"
        url = fresh_postgres_database(name)
        request.addfinalizer(lambda: drop_postgres_database(name))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'cxloop.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    session = uow.open_session(connection)
    yield session
    session.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret-key")


@pytest.fixture
def client(connection: Connection, settings: Settings) -> Iterator[TestClient]:
    """The whole app, its requests running inside the test's transaction."""
    app = create_app(settings, engine=connection, migrate=False)
    with TestClient(app) as test_client:
        yield test_client
