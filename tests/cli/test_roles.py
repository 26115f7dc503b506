"""``cxloop role``: a company defines its own role and gives it to a user."""

from __future__ import annotations

import json
from pathlib import Path

from cxloop.privacy import SECRET
from cxloop.store.tabular import read_rows
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401


def test_a_custom_role_is_made_listed_and_assigned(cli: Cli) -> None:
    made = cli(
        "role", "create", "--name", "store-manager", "--permission", "customers.read",
        "--permission", "metrics.read", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout)["permissions"] == ["customers.read", "metrics.read"]

    listed = json.loads(cli("role", "list", "--json").stdout)
    assert listed["roles"]["store-manager"] == ["customers.read", "metrics.read"]
    assert "pii.read" in listed["permissions"]

    user = cli(
        "user", "create", "--email", "sm@example.com", "--password", "long enough",
        "--role", "store-manager", "--json",
    )  # fmt: skip
    assert json.loads(user.stdout)["role"] == "store-manager"


def test_unknown_permissions_and_roles_are_named(cli: Cli) -> None:
    bad_permission = cli("role", "create", "--name", "x-role", "--permission", "everything")
    bad_role = cli(
        "user", "create", "--email", "a@example.com", "--password", "long enough",
        "--role", "wizard",
    )  # fmt: skip

    assert (
        bad_permission.exit_code == 1 and "unknown permission 'everything'" in bad_permission.stderr
    )
    assert bad_role.exit_code == 1 and "unknown role 'wizard'" in bad_role.stderr


def test_permission_changes_are_in_the_audit_log(cli: Cli, tmp_path: Path) -> None:
    """Making a role, a user with a role, and a token each leave an entry naming what was
    granted, for the company to show who could see what, since when."""
    cli("role", "create", "--name", "auditor", "--permission", "audit.read")
    cli("user", "create", "--email", "au@example.com", "--password", "long enough",
        "--role", "auditor")  # fmt: skip
    cli("token", "create", "--email", "au@example.com", "--scope", "read")
    out = tmp_path / "audit.jsonl"
    assert cli("export", "audit", "--out", out).exit_code == 0

    entries = {r.values["action"]: r.values for r in read_rows(out, "jsonl")}
    role, user, token = (entries[f"{t}.created"] for t in ("role", "user", "token"))
    assert role["detail"]["after"]["permissions"] == ["audit.read"]
    assert (user["detail"]["after"]["role"], user["detail"]["after"]["departments"]) == (
        "auditor",
        [],
    )
    assert user["detail"]["after"]["password_hash"] == SECRET
    assert token["detail"]["after"]["scopes"] == "read"
    assert token["detail"]["after"]["secret_hash"] == SECRET
    assert {e["actor"].split(":")[0] for e in (role, user, token)} == {"cli"}
    assert {e["detail"]["via"] for e in (role, user, token)} == {"cli"}
