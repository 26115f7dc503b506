"""The same metric expressions on DuckDB, a Parquet lake, PostgreSQL and Spark: same numbers."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cxloop.insights import (
    AsOf,
    Tables,
    expression,
    extract_all,
    funnel_expression,
    in_memory,
    load,
    load_spark,
    metric_named,
    parse_query,
    read_lake,
    write_lake,
    write_table,
)
from tests.customers.factories import make_customer
from tests.insights.case_factories import (
    answer,
    churn_threat,
    make_desk,
    move,
    nps_answer,
    open_case,
)
from tests.insights.factories import MONDAY, Answer, answer_all, invitations, make_scores_survey
from tests.interactions.factories import make_interaction

QUERIES = [
    ("nps", ["channel", "week"]),
    ("nps", ["stage"]),
    ("csat", ["channel", "month"]),
    ("ces", ["channel"]),
    ("cx_index", []),
    ("response_rate", ["channel", "day"]),
    ("volume", ["channel", "week"]),
    ("first_response_time", ["department", "week"]),
    ("resolution_time_mean", ["priority"]),
    ("first_response_sla", ["channel", "month"]),
    ("resolution_sla", ["department"]),
    ("reopen_rate", []),
    ("loop_closure", ["signal", "week"]),
    ("case_volume", ["origin", "day"]),
]
CHANNELS = ["web", "store", "phone"]
FUNNEL = ["awareness", "consideration", "purchase"]


@pytest.fixture
def facts(session: Session) -> dict[str, pa.Table]:
    """A few weeks of mixed answers, invitations and interactions."""
    survey = make_scores_survey(session)
    answers = [
        Answer(
            at=MONDAY + timedelta(hours=13 * i),
            channel=CHANNELS[i % 3],
            stage=["support", None, "purchase"][i % 2],
            nps=(i * 7) % 11,
            csat=(i % 5) + 1 if i % 4 else None,
            ces=(i % 7) + 1,
            cx=((i % 5) + 1, (i * 3) % 5 + 1, 3) if i % 3 else None,
        )
        for i in range(90)
    ]
    answer_all(session, survey, answers)
    invitations(session, survey, channel="email", sent=12, responded=5, at=MONDAY)
    invitations(session, survey, channel="sms", sent=6, responded=4, at=MONDAY + timedelta(days=9))
    customers = [make_customer(session, email=f"engines{i}@example.com") for i in range(4)]
    for i in range(30):
        make_interaction(
            session,
            customer_id=customers[i % 4].id,
            channel=CHANNELS[i % 3],
            stage=FUNNEL[i % 3],
            occurred_at=MONDAY + timedelta(hours=17 * i),
        )
    work_cases(session)
    return extract_all(session, AsOf(now=MONDAY + timedelta(days=28)))


def work_cases(session: Session) -> None:
    """Cases in two departments over three weeks: answered after 0 to 7 business hours,
    some solved and reopened, some caused by detractors and churn threats."""
    desks = [make_desk(session, "care"), make_desk(session, "sales", first_response_minutes=240)]
    for i in range(24):
        opened = MONDAY + timedelta(days=i, hours=(i * 5) % 9)
        signal = i % 4
        cause = (
            nps_answer(session, opened, i % 7)
            if signal == 0
            else churn_threat(session, opened)
            if signal == 1
            else None
        )
        desk = desks[i % 2]
        case = open_case(
            session,
            desk,
            opened,
            cause=cause,
            channel=CHANNELS[i % 3],
            priority=["normal", "high"][i % 2],
            origin=["manual", "rule"][i % 3 % 2],
        )
        if i % 5:
            answer(session, desk, case, opened + timedelta(minutes=37 * i))
        if i % 3:
            move(session, case, "solved", opened + timedelta(hours=i + 2))
            if i % 6 == 1:
                move(session, case, "reopened", opened + timedelta(hours=i + 30))


def rows(tables: Tables) -> list[list[tuple[str, Any]]]:
    """Every query's engine rows, normalised (order, numeric types) for comparison."""
    found = []
    for name, by in QUERIES:
        query = parse_query(
            metric_named(name),
            by=by,
            start=MONDAY + timedelta(days=14),
            end=MONDAY + timedelta(days=28),
        )
        result = expression(query, tables).to_pyarrow().to_pylist()
        normal = [
            tuple(sorted((k, int(v) if isinstance(v, int | float) else v) for k, v in r.items()))
            for r in result
        ]
        found.append(sorted(normal, key=repr))
    funnel = funnel_expression(tables, FUNNEL, MONDAY, MONDAY + timedelta(days=28))
    found.append(funnel.to_pyarrow().to_pylist())
    return found


def test_duckdb_and_the_parquet_lake_agree(facts: dict[str, pa.Table], tmp_path: Path) -> None:
    expected = rows(in_memory(facts))
    assert sum(len(r) for r in expected) > 20  # the fixture exercises many groups

    for name, table in facts.items():
        write_table(tmp_path, name, table)
    assert (tmp_path / "responses" / "month=2026-03").is_dir()
    assert rows(read_lake(tmp_path)) == expected


def test_write_lake_reads_back_every_row(session: Session, tmp_path: Path) -> None:
    survey = make_scores_survey(session)
    answer_all(session, survey, [Answer(at=MONDAY, nps=9), Answer(at=MONDAY, nps=2)])
    report = write_lake(session, tmp_path)
    assert report.rows["responses"] == 2 and report.files >= 3
    backend = read_lake(tmp_path)
    assert backend.table("responses").count().to_pyarrow().as_py() == 2
    assert backend.table("interactions").columns[:2] == ("interaction_id", "customer_id")


@pytest.fixture
def postgres(database_url: str) -> Iterator[Any]:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL engine runs against the PostgreSQL test database")
    url = make_url(database_url)
    backend = ibis.postgres.connect(
        host=url.host, port=url.port, user=url.username, database=url.database
    )
    yield backend
    backend.disconnect()


def test_postgresql_agrees_with_duckdb(facts: dict[str, pa.Table], postgres: Any) -> None:
    assert rows(load(postgres, facts, prefix="scratch_", temp=True)) == rows(in_memory(facts))


# PySpark leaves the local socket each Arrow collect reads from for the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.xdist_group("spark")
def test_spark_agrees_with_duckdb(facts: dict[str, pa.Table], spark: Any) -> None:
    on_spark = rows(load_spark(spark, facts))
    gc.collect()  # while the warning filters above still apply
    assert on_spark == rows(in_memory(facts))
