"""The metric catalogue: every metric defined once, read by the API, dashboards and exports.

A definition names the analytic table it reads, the population (an Ibis predicate: which
rows count at all) and the measure (how those rows become a value with an interval). Users
add their own with :func:`register_metric`; the built-ins below use the same path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ibis.expr.types as ir

from cxloop.errors import Conflict, NotFound
from cxloop.insights.measures import Count, Mean, Measure, Median, NetScore, Share

Predicate = Callable[[ir.Table], ir.BooleanValue]

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "responses": ("channel", "stage", "survey", "place"),
    "interactions": ("channel", "stage", "type", "direction", "assisted"),
    "invitations": ("channel", "stage", "survey"),
    "cases": ("department", "priority", "channel", "origin"),
    "signals": ("signal", "department", "channel", "stage"),
}
"""Columns a metric over each table may be grouped and filtered by (besides time)."""


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    title: str
    description: str
    table: str
    measure: Measure
    population: Predicate
    population_text: str
    unit: str
    owner: str = "cxloop"
    version: int = 1
    higher_is_better: bool = True
    dimensions: tuple[str, ...] = field(default=())
    time: str = "at"
    """The column that places a row in a period: when it happened, or e.g. when it was solved."""

    def __post_init__(self) -> None:
        if not self.dimensions:
            object.__setattr__(self, "dimensions", DIMENSIONS[self.table])


_CATALOGUE: dict[str, Metric] = {}


def register_metric(metric: Metric, *, replace: bool = False) -> Metric:
    """Add a metric; a second definition under a taken name is refused unless ``replace``."""
    if metric.name in _CATALOGUE and not replace:
        raise Conflict(f"a metric named '{metric.name}' is already defined")
    if metric.table not in DIMENSIONS:
        raise NotFound(f"no analytic table '{metric.table}'")
    _CATALOGUE[metric.name] = metric
    return metric


def metric_named(name: str) -> Metric:
    try:
        return _CATALOGUE[name]
    except KeyError:
        known = ", ".join(sorted(_CATALOGUE))
        raise NotFound(f"no metric named '{name}'; the catalogue has {known}") from None


def metrics() -> list[Metric]:
    return sorted(_CATALOGUE.values(), key=lambda m: m.name)


def _answered(column: str) -> Predicate:
    return lambda t: t[column].notnull()


register_metric(
    Metric(
        name="nps",
        title="Net Promoter Score",
        description="Share of promoters (9-10) minus share of detractors (0-6) among "
        "completed responses to an NPS question, from -100 to 100.",
        table="responses",
        measure=NetScore(column="nps", top=9, bottom=6),
        population=_answered("nps"),
        population_text="completed survey responses that answered an NPS question",
        unit="points",
    )
)
register_metric(
    Metric(
        name="csat",
        title="Customer satisfaction (CSAT)",
        description="Percentage of CSAT answers that are 4 or 5 on the 1-5 scale.",
        table="responses",
        measure=Share(column="csat", at_least=4),
        population=_answered("csat"),
        population_text="completed survey responses that answered a CSAT question",
        unit="%",
    )
)
register_metric(
    Metric(
        name="ces",
        title="Customer effort score (CES)",
        description="Mean agreement with 'the company made it easy' on the 1-7 scale.",
        table="responses",
        measure=Mean(column="ces"),
        population=_answered("ces"),
        population_text="completed survey responses that answered a CES question",
        unit="of 7",
    )
)
register_metric(
    Metric(
        name="ces_agree",
        title="CES: % agree",
        description="Percentage of CES answers that agree (5, 6 or 7 on the 1-7 scale).",
        table="responses",
        measure=Share(column="ces", at_least=5),
        population=_answered("ces"),
        population_text="completed survey responses that answered a CES question",
        unit="%",
    )
)
register_metric(
    Metric(
        name="cx_index",
        title="CX index",
        description="Mean of effectiveness, ease and emotion (each 1-5) over responses "
        "that scored all three.",
        table="responses",
        measure=Mean(column="cx_total", divisor=3),
        population=_answered("cx_total"),
        population_text="completed survey responses with all three CX index parts",
        unit="of 5",
    )
)
register_metric(
    Metric(
        name="response_rate",
        title="Survey response rate",
        description="Percentage of delivered survey invitations that were answered to the end.",
        table="invitations",
        measure=Share(column="responded"),
        population=lambda t: t["delivered"],
        population_text="invitations sent (including those that later bounced)",
        unit="%",
    )
)
register_metric(
    Metric(
        name="volume",
        title="Interaction volume",
        description="Number of interactions on the timeline; group by channel for volume "
        "by channel.",
        table="interactions",
        measure=Count(),
        population=lambda t: t["interaction_id"].notnull(),
        population_text="every interaction",
        unit="interactions",
    )
)


# Closing the loop: cases, and the signals that should have reached a person.
def _durations(name: str, title: str, what: str, population: str, time: str) -> None:
    """A business-time duration as two metrics: its median and its mean."""
    column = name.removesuffix("_time") + "_minutes"
    for suffix, kind, measure in (
        ("", "Median", Median(column=column)),
        ("_mean", "Mean", Mean(column=column)),
    ):
        register_metric(
            Metric(
                name=name + suffix,
                title=f"{title} ({kind.lower()})",
                description=f"{kind} business minutes {what}, on the department's calendar.",
                table="cases",
                measure=measure,
                population=_answered(column),
                population_text=population,
                unit="business minutes",
                higher_is_better=False,
                time=time,
            )
        )


_durations(
    "first_response_time",
    "Time to first response",
    "from opening a case to its first answer",
    "cases answered at least once, by when they were opened",
    time="at",
)
_durations(
    "resolution_time",
    "Time to resolution",
    "the resolution clock ran: from opening to the (last) solve, less time waiting on the customer",
    "solved cases, by when they were solved",
    time="solved_at",
)
register_metric(
    Metric(
        name="first_response_sla",
        title="First-response SLA attainment",
        description="Percentage of cases with a first-response deadline answered at or "
        "before it. A case still unanswered counts as missed once its deadline passed.",
        table="cases",
        measure=Share(column="first_response_met"),
        population=_answered("first_response_met"),
        population_text="cases with a first-response deadline that was met or missed "
        "(not those still ahead of it, nor duplicates merged away), by when they were opened",
        unit="%",
    )
)
register_metric(
    Metric(
        name="resolution_sla",
        title="Resolution SLA attainment",
        description="Percentage of cases with a resolution deadline solved at or before it "
        "(the clock stands still while waiting on the customer). A case still unsolved "
        "counts as missed once its clock ran past the deadline.",
        table="cases",
        measure=Share(column="resolution_met"),
        population=_answered("resolution_met"),
        population_text="cases with a resolution deadline that was met or missed "
        "(not those still ahead of it, nor duplicates merged away), by when they were opened",
        unit="%",
    )
)
register_metric(
    Metric(
        name="reopen_rate",
        title="Reopen rate",
        description="Percentage of solved cases that were reopened at least once (the "
        "customer said it was not solved, or wrote again).",
        table="cases",
        measure=Share(column="reopened"),
        population=_answered("reopened"),
        population_text="cases solved at least once, by when they were opened",
        unit="%",
        higher_is_better=False,
    )
)
register_metric(
    Metric(
        name="loop_closure",
        title="Loop closure",
        description="Percentage of detractor answers (NPS 0-6) and churn threats that got "
        "an answer in time: a first response on a case they caused, by that case's "
        "first-response deadline, or within the loop-closure target (48 business hours "
        "unless configured) when no deadline covers them.",
        table="signals",
        measure=Share(column="contacted"),
        population=_answered("contacted"),
        population_text="detractor answers and churn threats whose target has passed or "
        "that were answered, by when the customer spoke; group by signal to see each",
        unit="%",
    )
)
register_metric(
    Metric(
        name="case_volume",
        title="Cases opened",
        description="Number of cases opened; group by origin to see how many rules, people "
        "and emails opened.",
        table="cases",
        measure=Count(),
        population=lambda t: t["case_id"].notnull(),
        population_text="every case, by when it was opened",
        unit="cases",
    )
)
