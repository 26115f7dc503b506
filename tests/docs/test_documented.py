"""Every setting, CLI command and hook is documented where users look for it."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from cxloop.cli.main import app
from cxloop.hooks import Specs
from cxloop.settings import Settings

DOCS = Path(__file__).parents[2] / "docs"


def commands(command: Any, path: list[str]) -> Iterator[str]:
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from commands(sub, [*path, name])
    else:
        yield " ".join(path)


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`CXLOOP_{name.upper()}`" in (DOCS / "configuration.md").read_text()


@pytest.mark.parametrize("command", sorted(commands(get_command(app), ["cxloop"])))
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}`" in (DOCS / "cli.md").read_text()


@pytest.mark.parametrize(
    "hook", [n for n, _ in inspect.getmembers(Specs, inspect.isfunction) if n.startswith("cxloop_")]
)
def test_every_hook_is_documented(hook: str) -> None:
    assert f"`{hook}(" in (DOCS / "plugins.md").read_text()
