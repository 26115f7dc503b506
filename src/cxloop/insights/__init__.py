"""Measuring: one definition of every metric, with confidence, on any engine."""

from cxloop.insights.alerts import Alert, AlertRule, evaluate
from cxloop.insights.analysis import (
    JourneyReport,
    drivers_of,
    journey_paths,
    journey_precursors,
    journey_report,
    journey_stage_times,
    journey_switching,
)
from cxloop.insights.case_facts import AsOf
from cxloop.insights.catalogue import DIMENSIONS, Metric, metric_named, metrics, register_metric
from cxloop.insights.drivers import METRICS as DRIVER_METRICS
from cxloop.insights.drivers import Driver, DriverMetric, Drivers, Interval
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
from cxloop.insights.paths import (
    TERMINATION,
    Duration,
    Outcome,
    PathBy,
    PathRow,
    Paths,
    Precursor,
    Precursors,
    Rate,
    StageTime,
    Switching,
    SwitchRow,
)
from cxloop.insights.query import GRAINS, MetricQuery, describe, expression, parse_query, run
from cxloop.insights.schemas import Change, Group, MetricRead, MetricResult, Value
from cxloop.insights.service import journey_funnel, measure, measure_all, stage_keys
from cxloop.insights.snapshot import Snapshot
from cxloop.insights.switching import FAILED_WITHIN, HELP_CHANNELS, SELF_SERVICE, switches
from cxloop.insights.timelines import PERSONAL, SURVEY_CHANNEL

__all__ = [
    "DIMENSIONS",
    "DRIVER_METRICS",
    "FAILED_WITHIN",
    "GRAINS",
    "HELP_CHANNELS",
    "PERSONAL",
    "SCHEMAS",
    "SELF_SERVICE",
    "SURVEY_CHANNEL",
    "TABLES",
    "TERMINATION",
    "Alert",
    "AlertRule",
    "AsOf",
    "BackendTables",
    "Change",
    "Count",
    "Driver",
    "DriverMetric",
    "Drivers",
    "Duration",
    "Funnel",
    "FunnelStep",
    "Group",
    "Interval",
    "JourneyReport",
    "LakeReport",
    "Mean",
    "Measure",
    "Median",
    "Metric",
    "MetricQuery",
    "MetricRead",
    "MetricResult",
    "NetScore",
    "Outcome",
    "PathBy",
    "PathRow",
    "Paths",
    "Precursor",
    "Precursors",
    "Rate",
    "Share",
    "Snapshot",
    "StageTime",
    "SwitchRow",
    "Switching",
    "Tables",
    "Value",
    "describe",
    "drivers_of",
    "evaluate",
    "expression",
    "extract",
    "extract_all",
    "funnel",
    "funnel_expression",
    "in_memory",
    "journey_funnel",
    "journey_paths",
    "journey_precursors",
    "journey_report",
    "journey_stage_times",
    "journey_switching",
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
    "switches",
    "write_lake",
    "write_result",
    "write_table",
]
