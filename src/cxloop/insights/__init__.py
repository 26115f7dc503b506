"""Measuring: one definition of every metric, with confidence, on any engine."""

from cxloop.insights.alerts import Alert, AlertRule, evaluate
from cxloop.insights.case_facts import AsOf
from cxloop.insights.catalogue import DIMENSIONS, Metric, metric_named, metrics, register_metric
from cxloop.insights.engines import (
    BackendTables,
    Tables,
    in_memory,
    load,
    load_spark,
    read_lake,
)
from cxloop.insights.exporting import result_rows, write_result
from cxloop.insights.facts import SCHEMAS, TABLES, extract, extract_all
from cxloop.insights.journeys import Funnel, FunnelStep, funnel, funnel_expression
from cxloop.insights.lake import LakeReport, write_lake, write_table
from cxloop.insights.measures import Count, Mean, Measure, Median, NetScore, Share
from cxloop.insights.query import GRAINS, MetricQuery, describe, expression, parse_query, run
from cxloop.insights.schemas import Change, Group, MetricRead, MetricResult, Value
from cxloop.insights.service import journey_funnel, measure, measure_all, stage_keys
from cxloop.insights.snapshot import Snapshot

__all__ = [
    "DIMENSIONS",
    "GRAINS",
    "SCHEMAS",
    "TABLES",
    "Alert",
    "AlertRule",
    "AsOf",
    "BackendTables",
    "Change",
    "Count",
    "Funnel",
    "FunnelStep",
    "Group",
    "LakeReport",
    "Mean",
    "Measure",
    "Median",
    "Metric",
    "MetricQuery",
    "MetricRead",
    "MetricResult",
    "NetScore",
    "Share",
    "Snapshot",
    "Tables",
    "Value",
    "describe",
    "evaluate",
    "expression",
    "extract",
    "extract_all",
    "funnel",
    "funnel_expression",
    "in_memory",
    "journey_funnel",
    "load",
    "load_spark",
    "measure",
    "measure_all",
    "metric_named",
    "metrics",
    "parse_query",
    "read_lake",
    "register_metric",
    "result_rows",
    "run",
    "stage_keys",
    "write_lake",
    "write_result",
    "write_table",
]
