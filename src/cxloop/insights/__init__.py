"""Measuring: one definition of every metric, with confidence, on any engine."""

from cxloop.insights.alert_models import Delivery, Dispatch, MetricReport, StoredAlertRule
from cxloop.insights.alert_runs import alert_window, check_rules, send_alerts
from cxloop.insights.alert_schemas import AlertRuleCreate, AlertRuleRead, ReportCreate, ReportRead
from cxloop.insights.alert_store import (
    change_report,
    change_rule,
    create_report,
    create_rule,
    get_report,
    get_rule,
    list_reports,
    list_rules,
    remove,
)
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
from cxloop.insights.dispatch import BACKOFF
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
from cxloop.insights.exporting import result_columns, result_rows, write_result
from cxloop.insights.facts import SCHEMAS, TABLES, extract, extract_all
from cxloop.insights.journeys import Funnel, FunnelStep, funnel, funnel_expression
from cxloop.insights.lake import LakeReport, write_lake, write_table
from cxloop.insights.measures import Count, Mean, Measure, Median, NetScore, Share
from cxloop.insights.outbox import Retried, retry_due, undelivered
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
from cxloop.insights.reports import digest, report_window, send_reports
from cxloop.insights.schemas import Change, Group, MetricRead, MetricResult, Value
from cxloop.insights.service import journey_funnel, measure, measure_all, stage_keys
from cxloop.insights.snapshot import Snapshot
from cxloop.insights.switching import FAILED_WITHIN, HELP_CHANNELS, SELF_SERVICE, switches
from cxloop.insights.timelines import PERSONAL, SURVEY_CHANNEL

__all__ = [
    "BACKOFF",
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
    "AlertRuleCreate",
    "AlertRuleRead",
    "AsOf",
    "BackendTables",
    "Change",
    "Count",
    "Delivery",
    "Dispatch",
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
    "MetricReport",
    "MetricResult",
    "NetScore",
    "Outcome",
    "PathBy",
    "PathRow",
    "Paths",
    "Precursor",
    "Precursors",
    "Rate",
    "ReportCreate",
    "ReportRead",
    "Retried",
    "Share",
    "Snapshot",
    "StageTime",
    "StoredAlertRule",
    "SwitchRow",
    "Switching",
    "Tables",
    "Value",
    "alert_window",
    "change_report",
    "change_rule",
    "check_rules",
    "create_report",
    "create_rule",
    "describe",
    "digest",
    "drivers_of",
    "evaluate",
    "expression",
    "extract",
    "extract_all",
    "funnel",
    "funnel_expression",
    "get_report",
    "get_rule",
    "in_memory",
    "journey_funnel",
    "journey_paths",
    "journey_precursors",
    "journey_report",
    "journey_stage_times",
    "journey_switching",
    "list_reports",
    "list_rules",
    "load",
    "load_spark",
    "measure",
    "measure_all",
    "metric_named",
    "metrics",
    "parse_query",
    "read_lake",
    "register_metric",
    "remove",
    "report_window",
    "result_columns",
    "result_rows",
    "retry_due",
    "run",
    "send_alerts",
    "send_reports",
    "stage_keys",
    "switches",
    "undelivered",
    "write_lake",
    "write_result",
    "write_table",
]
