"""The stable CLI: user, token and source creation print one JSON object each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CXLOOP = [sys.executable, "-m", "cxloop.cli"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CXLOOP_DATA_DIR": str(tmp_path), "CXLOOP_DATABASE_URL": ""}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CXLOOP, *args], env=env, capture_output=True, text=True, timeout=60)


def test_user_token_and_source_creation(env: dict[str, str]) -> None:
    user = run(
        env,
        "user",
        "create",
        "--email",
        "lead@example.com",
        "--password",
        "s3cret-pass",
        "--role",
        "agent",
        "--department",
        "billing",
        "--json",
    )
    assert user.returncode == 0, user.stderr
    created = json.loads(user.stdout)
    assert (created["email"], created["role"]) == ("lead@example.com", "agent")
    assert [d["slug"] for d in created["departments"]] == ["billing"]

    token = run(env, "token", "create", "--email", "lead@example.com", "--scope", "read", "--json")
    assert token.returncode == 0, token.stderr
    assert json.loads(token.stdout)["token"].startswith("cxl_")

    source = run(
        env,
        "source",
        "create",
        "--name",
        "website",
        "--channel",
        "web",
        "--stage-rule",
        "Order Completed=purchase",
        "--json",
    )
    assert source.returncode == 0, source.stderr
    body = json.loads(source.stdout)
    assert body["write_key"].startswith("wk_")
    assert body["stage_rules"] == {"Order Completed": "purchase"}


def test_bad_input_is_a_clear_message(env: dict[str, str]) -> None:
    weak = run(
        env, "user", "create", "--email", "x@example.com", "--password", "short", "--role", "admin"
    )
    assert weak.returncode != 0
    assert "password" in weak.stderr
    unknown = run(env, "token", "create", "--email", "ghost@example.com")
    assert unknown.returncode != 0
    assert "no user with email ghost@example.com" in unknown.stderr
    bad_stage = run(env, "source", "create", "--name", "s", "--stage", "nirvana")
    assert bad_stage.returncode != 0
    assert "unknown journey stage 'nirvana'" in bad_stage.stderr
