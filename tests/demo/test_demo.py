"""The demo company: deterministic, every channel and stage, loaded once, one JSON object."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from cxloop.demo import DemoContext, load_demo
from cxloop.demo.company import DEPARTMENTS
from cxloop.demo.journeys import Journey
from cxloop.demo.people import make_person, make_story_person
from cxloop.interactions import Channel, Interaction, JourneyStage
from cxloop.settings import get_settings
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Files the demo writes (privacy archives) go to a temporary data directory."""
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def journeys(seed: int) -> list[tuple[object, ...]]:
    """Generate (without storing) the interactions of 25 people."""
    ctx = DemoContext(
        bind=None,  # type: ignore[arg-type]
        rng=random.Random(seed),
        seed=seed,
        start=NOW - timedelta(days=548),
        end=NOW,
        customers=25,
        password="unused-password",
        agents={k: list(v) for k, v in DEPARTMENTS.items()},
    )
    people = [make_story_person(ctx)] + [make_person(ctx, i) for i in range(1, 25)]
    records = [r for p in people for r in Journey(ctx, p).build()]
    return [(r.message_id, r.channel, r.stage, r.occurred_at, r.text) for r in records]


def test_a_seed_always_writes_the_same_journeys() -> None:
    assert journeys(3) == journeys(3)
    assert journeys(3) != journeys(4)


def test_small_load_covers_every_channel_and_stage(connection: Connection) -> None:
    result = load_demo(connection, password="demo-password-1", seed=5, customers=30, now=NOW)

    with Session(connection) as session:
        used = session.execute(select(Interaction.channel, Interaction.stage).distinct()).all()
        channels = set(session.scalars(select(Channel.key)))
        stages = set(session.scalars(select(JourneyStage.key)))
        texts = session.scalar(select(func.count()).where(Interaction.text.is_not(None)))
        assisted = session.scalar(
            select(func.count()).where(Interaction.assisted, Interaction.department_id.is_not(None))
        )
        outbound = session.scalar(select(func.count()).where(Interaction.direction == "out"))
        story_channels = set(
            session.scalars(
                select(Interaction.channel).where(
                    Interaction.customer_id == result.story_customer_id
                )
            )
        )
    assert {c for c, _ in used} == channels == story_channels
    assert {s for _, s in used} == stages
    assert result.loaded and result.counts["customers"] >= 30
    assert result.counts["departments"] == 6 and result.counts["users"] >= 9
    assert texts and assisted and outbound
    assert result.counts["interactions"] > 30 * 20


def test_cli_loads_once_and_prints_one_json_object(cli: Cli) -> None:
    first = cli("demo", "--load-only", "--json", "--customers", "12", "--seed", "2")
    second = cli("demo", "--load-only", "--json", "--customers", "12", "--seed", "2")

    assert first.exit_code == 0, first.stderr
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert set(one) >= {"login", "urls", "counts"}
    assert one["login"]["email"] == "admin@demo.cxloop.local"
    assert one["login"] == two["login"]
    assert one["counts"] == two["counts"]
    assert (one["loaded"], two["loaded"]) == (True, False)
    assert one["urls"]["customer"].startswith("/customers/")
    assert one["urls"]["login"] == "/login"
    assert one["urls"]["dashboard"] == "/dashboard"
    assert one["urls"]["case"].startswith("/cases")
    assert one["urls"]["experiment"].startswith("/experiments")
    assert {"customers", "interactions", "departments", "users", "sources"} <= set(one["counts"])
    assert f"password {one['login']['password']}" in first.stderr


@pytest.mark.parametrize(
    "scale, customers, expected", [(1.0, None, 4000), (0.01, None, 40), (5, 7, 7)]
)
def test_volume_follows_scale_or_exact_count(
    scale: float, customers: int | None, expected: int
) -> None:
    from cxloop.demo import demo_customers

    assert demo_customers(scale, customers) == expected
