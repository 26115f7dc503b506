"""Measuring: one definition of every metric, with confidence, on any engine."""

from cxloop.insights.catalogue import DIMENSIONS, Metric, metric_named, metrics, register_metric
from cxloop.insights.engines import (
    BackendTables,
    Tables,
    in_memory,
    load,
    load_spark,
    read_lake,
)
from cxloop.insights.facts import SCHEMAS, TABLES, extract, extract_all
from cxloop.insights.lake import LakeReport, write_lake, write_table
from cxloop.insights.measures import Count, Mean, Measure, NetScore, Share
from cxloop.insights.query import GRAINS, MetricQuery, describe, expression, parse_query, run
from cxloop.insights.schemas import Change, Group, MetricRead, MetricResult, Value
from cxloop.insights.service import measure, measure_all

__all__ = [
    "DIMENSIONS",
    "GRAINS",
    "SCHEMAS",
    "TABLES",
    "BackendTables",
    "Change",
    "Count",
    "Group",
    "LakeReport",
    "Mean",
    "Measure",
    "Metric",
    "MetricQuery",
    "MetricRead",
    "MetricResult",
    "NetScore",
    "Share",
    "Tables",
    "Value",
    "describe",
    "expression",
    "extract",
    "extract_all",
    "in_memory",
    "load",
    "load_spark",
    "measure",
    "measure_all",
    "metric_named",
    "metrics",
    "parse_query",
    "read_lake",
    "register_metric",
    "run",
    "write_lake",
    "write_table",
]
