"""Acknowledged events survive a SIGKILL of the server exactly once; clients work unchanged."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server_process import ServerProcess, free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(data_dir=tmp_path, port=free_port())
    process.start()
    yield process
    process.kill()


def stored_message_ids(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "cxloop.db") as connection:
        return [row[0] for row in connection.execute("SELECT message_id FROM interactions")]


def test_acknowledged_events_survive_sigkill_exactly_once(server: ServerProcess) -> None:
    write_key = server.cli("source", "create", "--name", "site", "--json")["write_key"]
    acknowledged: list[str] = []
    stop = threading.Event()

    def send() -> None:
        with httpx.Client(auth=(write_key, ""), timeout=5) as client:
            n = 0
            while not stop.is_set():
                n += 1
                message_id = f"k-{n}"
                body = {
                    "batch": [
                        {
                            "type": "track",
                            "event": "Tick",
                            "userId": f"u{n % 7}",
                            "messageId": f"{message_id}-{i}",
                        }
                        for i in range(5)
                    ]
                }
                try:
                    response = client.post(f"{server.url}/v1/batch", json=body)
                except httpx.HTTPError:
                    return
                if response.status_code == 200:
                    acknowledged.extend(f"{message_id}-{i}" for i in range(5))

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # SIGKILL mid-stream
    stop.set()
    sender.join(timeout=10)
    assert len(acknowledged) >= 200

    server.start()
    stored = stored_message_ids(server.data_dir)
    assert len(stored) == len(set(stored))
    assert set(acknowledged) <= set(stored)
    # The server answers again, and a replay of everything acknowledged adds nothing.
    replay = {
        "batch": [
            {"type": "track", "event": "Tick", "userId": "u", "messageId": m}
            for m in acknowledged[:100]
        ]
    }
    assert (
        httpx.post(f"{server.url}/v1/batch", json=replay, auth=(write_key, "")).status_code == 200
    )
    assert len(stored_message_ids(server.data_dir)) == len(stored)


def test_official_segment_and_rudderstack_clients_work_unchanged(server: ServerProcess) -> None:
    import rudderstack.analytics as rudder
    import segment.analytics as segment

    write_key = server.cli("source", "create", "--name", "apps", "--json")["write_key"]
    segment_client = segment.Client(write_key, host=server.url, sync_mode=True, max_retries=1)
    segment_client.identify("seg-user", {"email": "seg@example.com", "name": "Seg User"})
    segment_client.track("seg-user", "Order Completed", {"total": 10, "journey_stage": "purchase"})
    segment_client.page("seg-user", "Docs", "Pricing")
    segment_client.flush()

    rudder_client = rudder.Client(write_key, host=server.url, sync_mode=True, max_retries=1)
    rudder_client.track("rud-user", "Plan Changed", {"plan": "pro"})
    rudder_client.screen("rud-user", "App", "Home")
    rudder_client.flush()

    with sqlite3.connect(server.data_dir / "cxloop.db") as connection:
        rows = connection.execute(
            "SELECT type, channel, stage FROM interactions ORDER BY id"
        ).fetchall()
        emails = [
            r[0] for r in connection.execute("SELECT value FROM identities WHERE kind = 'email'")
        ]
    types = [r[0] for r in rows]
    assert {"identify", "Order Completed", "page", "Plan Changed", "screen"} <= set(types)
    assert ("Order Completed", "web", "purchase") in rows or (
        "Order Completed",
        "app",
        "purchase",
    ) in rows
    assert emails == ["seg@example.com"]
