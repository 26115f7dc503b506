"""A real cxloop server (uvicorn, in a thread, on a temporary SQLite file) and real Chromium.

The server runs the same app ``cxloop serve`` runs; tests drive it only through the browser.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from cxloop.app import create_app
from cxloop.settings import Settings
from cxloop.store import uow
from cxloop.store.engine import make_engine
from tests.accounts.factories import PASSWORD, make_user
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction, make_timeline
from tests.understanding.factories import MODEL_DIR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    email: str
    password: str
    customer_id: int
    customer_email: str
    database_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(settings: Settings) -> tuple[str, int]:
    engine = make_engine(settings.resolved_database_url)
    try:
        with uow.unit_of_work(engine) as session:
            user = make_user(session, email="agent@example.com")
            ann = make_customer(
                session,
                name="Ann <b>Lee</b>",
                email="ann@example.com",
                phone="+14155550100",
                traits={"plan": "gold", "city": "Lisbon"},
                identities=[("user_id", "u-42")],
            )
            make_customer(session, name="Bob Stone", email="bob@example.com")
            make_timeline(session, customer_id=ann.id, count=40)
            make_interaction(
                session,
                customer_id=ann.id,
                channel="chat",
                stage="support",
                type="Chat Message",
                text="<script>alert('x')</script> my parcel is late",
                assisted=True,
                agent="Sam",
            )
            return user.email, ann.id
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir: Path = tmp_path_factory.mktemp("e2e-data")
    # The shipped models as the understanding tests build them, once per machine.
    # Modules share this server and add their own data: every view catches the dashboard's
    # snapshot up, as if each came after the refresh interval.
    settings = Settings(
        data_dir=data_dir,
        secret_key="e2e-secret-key",
        model_dir=MODEL_DIR,
        metrics_refresh_seconds=0,
    )
    app = create_app(settings)  # migrates the fresh SQLite database
    email, customer_id = _seed(settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the cxloop server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{port}",
            email=email,
            password=PASSWORD,
            customer_id=customer_id,
            customer_email="ann@example.com",
            database_url=settings.resolved_database_url,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
