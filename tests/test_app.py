"""The app as ``cxloop serve`` builds it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cxloop.app import create_served_app
from cxloop.settings import get_settings


@pytest.fixture
def served_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CXLOOP_DATABASE_URL", "")
    get_settings.cache_clear()
    yield
    gc.unfreeze()
    get_settings.cache_clear()


def test_what_startup_built_is_kept_out_of_the_collectors_walks(served_env: None) -> None:
    gc.unfreeze()

    app = create_served_app()

    # Modules, the app and its tables: far more than a few objects are frozen for good.
    assert gc.get_freeze_count() > 10_000
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
