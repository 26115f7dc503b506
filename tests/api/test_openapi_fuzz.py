"""Generated requests against a real server, from its own OpenAPI schema: whatever a client
sends, the API answers without a server error and as its schema says (a bounded number of
examples per operation, so CI stays quick)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.server_process import ServerProcess, free_port

EXAMPLES_PER_OPERATION = 4
SELF_REVOKING = {
    ("DELETE", "/api/v1/tokens/{token_id}"),
    ("DELETE", "/api/v1/me/tokens/{token_id}"),
}
"""Revoking a token may hit the fuzzer's own (the only one there is) and leave every later
operation answering 401; these two are tested in tests/api/test_tokens.py."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(data_dir=Path(tmp_path_factory.mktemp("fuzz")), port=free_port())
    process.start()
    yield process
    process.kill()


@pytest.fixture(scope="module")
def admin_headers(server: ServerProcess) -> dict[str, str]:
    email = "fuzz-admin@example.com"
    server.cli(
        "user",
        "create",
        "--email",
        email,
        "--password",
        "fuzz-password",
        "--role",
        "admin",
        "--json",
    )
    token = server.cli("token", "create", "--email", email, "--json")["token"]
    return {"Authorization": f"Bearer {token}"}


CHECKS = (not_a_server_error, status_code_conformance, response_schema_conformance)


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers, timeout=60)
        case.validate_response(response, checks=CHECKS)

    run()


def test_no_server_errors_and_answers_match_the_schema(
    server: ServerProcess, admin_headers: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/"):
            continue
        if (operation.method.upper(), operation.path) in SELF_REVOKING:
            continue
        tested += 1
        try:
            _fuzz(operation, admin_headers)
        except (Exception, BaseExceptionGroup) as exc:  # each operation's first failure
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert tested > 20
    assert failures == [], "\n\n".join(failures)
