"""Metric definitions and results as the API and the web pages return them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class MetricRead(BaseModel):
    name: str
    title: str
    description: str
    table: str = Field(description="Analytic table the metric reads.")
    time: str = Field(description="Time column that places a row in a period.")
    kind: str = Field(description="net_score, proportion, mean, median or count.")
    formula: str
    population: str
    unit: str
    owner: str
    version: int
    higher_is_better: bool
    dimensions: list[str] = Field(description="Allowed in 'by' and 'filter', with day/week/month.")


class Value(BaseModel):
    n: int
    value: float | None = Field(description="None when n = 0 or below the minimum n.")
    low: float | None = Field(description="Lower end of the 95% confidence interval.")
    high: float | None = Field(description="Upper end of the 95% confidence interval.")
    suppressed: bool = Field(description="n is below the minimum n: value and interval hidden.")


class Change(BaseModel):
    """This value against the previous period (or time bucket) of the same group."""

    previous: Value
    difference: float | None
    p_value: float | None
    significant: bool = Field(description="p < 0.05 (two-sided).")


class Group(BaseModel):
    key: dict[str, str | None]
    current: Value
    change: Change


class MetricResult(BaseModel):
    metric: MetricRead
    start: datetime
    end: datetime
    previous_start: datetime
    by: list[str]
    filters: dict[str, list[str]]
    confidence: float
    min_n: int
    total: Group
    groups: list[Group]
