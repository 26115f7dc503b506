"""Alert rules fire on what the statistics support and stay quiet on noise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from cxloop.insights import AlertRule, evaluate, in_memory, metric_named, parse_query, run
from cxloop.insights.facts import SCHEMAS

END = datetime(2026, 3, 16, tzinfo=UTC)


def nps_rows(channel: str, scores: list[int], *, days_ago: int) -> list[dict[str, object]]:
    at = (END - timedelta(days=days_ago)).replace(tzinfo=None)
    return [
        {"response_id": i, "survey": "s", "channel": channel, "stage": None, "place": None,
         "customer_id": None, "at": at + timedelta(minutes=i), "nps": s, "csat": None,
         "ces": None, "cx_total": None}
        for i, s in enumerate(scores)
    ]  # fmt: skip


def check(rule: AlertRule, rows: list[dict[str, object]]) -> list[str]:
    tables = in_memory({"responses": pa.Table.from_pylist(rows, schema=SCHEMAS["responses"])})
    query = parse_query(metric_named("nps"), by=["channel"], start=END - timedelta(days=7), end=END)
    return [str(a.key["channel"]) for a in evaluate(rule, run(query, tables, min_n=10))]


# 50% detractors, 20% promoters: NPS -30.
POOR = [0, 3, 5, 6, 7, 8, 8, 9, 10, 6]


def test_a_threshold_fires_only_when_the_whole_interval_is_below() -> None:
    rows = nps_rows("store", POOR * 20, days_ago=2) + nps_rows("app", POOR, days_ago=2)
    # Both NPS -30; 200 store answers put the whole interval under 0, 10 app answers do not.
    assert check(AlertRule(metric="nps", kind="below", threshold=0), rows) == ["store"]
    assert check(AlertRule(metric="nps", kind="above", threshold=0), rows) == []


def test_a_drop_fires_when_significant_and_not_on_a_small_wobble() -> None:
    good = [10, 10, 9, 9, 9, 8, 7, 10, 9, 3]  # NPS 60
    rows = (
        nps_rows("web", good * 20, days_ago=10)  # last week: NPS 60 on 200 answers
        + nps_rows("web", POOR * 20, days_ago=2)  # this week: -30 on 200: a real drop
        + nps_rows("email", good * 2, days_ago=10)
        + nps_rows(
            "email", [10, 9, 9, 8, 7, 10, 9, 3, 6, 9, 10, 9, 8, 10, 9, 2, 9, 10, 9, 7], days_ago=2
        )
    )
    assert check(AlertRule(metric="nps", kind="drop"), rows) == ["web"]
    assert check(AlertRule(metric="nps", kind="rise"), rows) == []


def test_suppressed_values_never_fire() -> None:
    rows = nps_rows("sms", [0, 0, 0], days_ago=1)  # NPS -100 but only 3 answers
    assert check(AlertRule(metric="nps", kind="below", threshold=50), rows) == []


def test_rules_need_a_threshold_exactly_when_they_compare_with_one() -> None:
    with pytest.raises(ValueError, match="take a threshold"):
        AlertRule(metric="nps", kind="below")
    with pytest.raises(ValueError, match="take a threshold"):
        AlertRule(metric="nps", kind="drop", threshold=3)
