"""``cxloop token list`` / ``revoke``: a leaked token is cut off from the command line, the
change audited under the operating-system account that made it."""

from __future__ import annotations

import json
from pathlib import Path

from cxloop.store.tabular import read_rows
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401


def _token(cli: Cli, email: str) -> int:
    cli("user", "create", "--email", email, "--password", "long enough", "--role", "agent")
    made = cli("token", "create", "--email", email, "--json")
    return int(json.loads(made.stdout)["id"])


def test_a_token_is_revoked_listed_as_such_and_audited(cli: Cli, tmp_path: Path) -> None:
    token_id = _token(cli, "leaky@example.com")

    revoked = cli("token", "revoke", "--id", str(token_id), "--json")
    assert revoked.exit_code == 0, revoked.stderr
    [shown] = json.loads(revoked.stdout)["tokens"]
    assert shown["id"] == token_id and shown["revoked_at"] is not None

    listed = json.loads(cli("token", "list", "--email", "leaky@example.com", "--json").stdout)
    assert [t["revoked_at"] for t in listed["tokens"]] == [shown["revoked_at"]]
    out = tmp_path / "audit.jsonl"
    assert cli("export", "audit", "--out", out).exit_code == 0
    [entry] = [
        r.values
        for r in read_rows(out, "jsonl")
        if r.values["action"] == "token.changed" and r.values["target_id"] == str(token_id)
    ]
    assert entry["actor"].startswith("cli:") and entry["detail"]["before"] == {"revoked_at": None}


def test_every_token_of_a_user_is_revoked_at_once(cli: Cli) -> None:
    first = _token(cli, "gone@example.com")
    second = json.loads(cli("token", "create", "--email", "gone@example.com", "--json").stdout)

    revoked = json.loads(cli("token", "revoke", "--email", "gone@example.com", "--json").stdout)
    assert sorted(t["id"] for t in revoked["tokens"]) == [first, second["id"]]
    assert all(t["revoked_at"] for t in revoked["tokens"])


def test_an_unknown_token_or_no_target_is_named(cli: Cli) -> None:
    missing = cli("token", "revoke", "--id", "987654")
    assert missing.exit_code == 1 and "token 987654 does not exist" in missing.stderr
    nothing = cli("token", "revoke")
    assert nothing.exit_code == 1 and "--id" in nothing.stderr
