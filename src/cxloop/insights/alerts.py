"""Alert rules on any metric series, decided by statistics rather than raw jumps.

A threshold rule fires only when the whole 95% interval is past the threshold (a small
sample whose interval still reaches across it is noise, not news); a change rule fires only
when the change against the previous period is significant and goes the named way.
Suppressed values never fire.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field, model_validator

from cxloop.insights.schemas import Group, MetricResult

Kind = Literal["below", "above", "drop", "rise"]


def check_threshold(kind: Kind, threshold: float | None) -> None:
    """A threshold exactly when the rule compares with one (a ValueError otherwise)."""
    if (kind in ("below", "above")) != (threshold is not None):
        raise ValueError("'below' and 'above' take a threshold; 'drop' and 'rise' do not")


class AlertRule(BaseModel):
    metric: str
    kind: Kind = Field(description="below/above a threshold, or a significant drop/rise.")
    threshold: float | None = None

    @model_validator(mode="after")
    def _threshold(self) -> AlertRule:
        check_threshold(self.kind, self.threshold)
        return self


class Alert(BaseModel):
    metric: str
    key: dict[str, str | None]
    kind: Kind
    n: int
    value: float
    low: float | None
    high: float | None
    previous: float | None
    p_value: float | None
    message: str
    link: str = Field(description="The dashboard filtered to this group.")


def _fires(rule: AlertRule, group: Group) -> bool:
    v, change = group.current, group.change
    if v.value is None:
        return False
    if rule.kind == "below":
        assert rule.threshold is not None
        return (v.high if v.high is not None else v.value) < rule.threshold
    if rule.kind == "above":
        assert rule.threshold is not None
        return (v.low if v.low is not None else v.value) > rule.threshold
    if not change.significant or change.difference is None:
        return False
    return (change.difference < 0) == (rule.kind == "drop")


def _message(rule: AlertRule, result: MetricResult, group: Group) -> str:
    where = ", ".join(f"{k} {v}" for k, v in group.key.items()) or "overall"
    v, change = group.current, group.change
    now = f"{result.metric.title} ({where}) is {v.value:.1f} {result.metric.unit}"
    if v.low is not None and v.high is not None:
        now += f" (95% CI {v.low:.1f} to {v.high:.1f}, n={v.n})"
    if rule.kind in ("below", "above"):
        return f"{now}: {rule.kind} {rule.threshold:g}"
    return (
        f"{now}: a significant {rule.kind} from {change.previous.value:.1f} "
        f"(p = {change.p_value:.3f})"
    )


DASHBOARD_FILTERS = ("channel", "stage", "department")
"""The filters the dashboard takes, one value each."""


def _link(result: MetricResult, group: Group) -> str:
    """The dashboard filtered to the rule's own filters and to the group that fired, over
    the very window the rule measured (so the page shows the numbers the alert quotes)."""
    params = {"metric": result.metric.name}
    params.update(
        {k: v[0] for k, v in result.filters.items() if k in DASHBOARD_FILTERS and len(v) == 1}
    )
    params.update({k: v for k, v in group.key.items() if k in DASHBOARD_FILTERS and v})
    params.update({"from": url_moment(result.start), "to": url_moment(result.end)})
    return f"/dashboard?{urlencode(params)}"


def url_moment(moment: datetime) -> str:
    """A window's edge as the dashboard's ``from``/``to`` take it: the date alone at a UTC
    midnight (as alert and report windows are), the full ISO 8601 time otherwise."""
    at_midnight = moment.utcoffset() == timedelta(0) and moment.time() == time()
    return moment.date().isoformat() if at_midnight else moment.isoformat()


def evaluate(rule: AlertRule, result: MetricResult) -> list[Alert]:
    """The groups (or the total, when ungrouped) for which the rule fires."""
    groups = result.groups or [result.total]
    return [
        Alert(
            metric=result.metric.name,
            key=group.key,
            kind=rule.kind,
            n=group.current.n,
            value=group.current.value,
            low=group.current.low,
            high=group.current.high,
            previous=group.change.previous.value,
            p_value=group.change.p_value,
            message=_message(rule, result, group),
            link=_link(result, group),
        )
        for group in groups
        if _fires(rule, group) and group.current.value is not None
    ]
