"""Experiment pages: the list, and one experiment with its arms, exposure, plan, the effect
with its interval drawn, the verdict in words and the effect by segment.

Results are computed as the API computes them; when there is nothing to compare yet (an
empty arm, windows still open) the page says why instead of showing a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from cxloop.accounts import Permission
from cxloop.api.deps import SessionDep
from cxloop.errors import ValidationFailed
from cxloop.experiments import (
    Results,
    counts,
    experiment_page,
    get_experiment,
    read_experiment,
    results,
)
from cxloop.web.interval_chart import IntervalChart, Item, interval_chart
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item(
    "experiments",
    "Experiments",
    "/experiments",
    order=60,
    permission=Permission.experiments_read.value,
)


@router.get("/experiments")
def experiment_list(request: Request, session: SessionDep, user: PageUser) -> Response:
    require_permission(session, user, Permission.experiments_read)
    page = experiment_page(session, limit=200, cursor=None)
    known = counts(session, [e.id for e in page.items])
    items = [read_experiment(e, known.get(e.id)) for e in page.items]
    return render(
        request, "experiments/list.html", {"experiments": items}, user=user, active="experiments"
    )


def effect_label(effect: dict[str, Any]) -> str:
    return f"{effect['difference']:+.3g} ({effect['low']:.3g} to {effect['high']:.3g})"


def effect_chart(
    effects: Sequence[tuple[str, dict[str, Any]]], *, unit: str, what: str
) -> IntervalChart | None:
    """``effects``: (label, Effect.as_dict()) pairs, each a dot with its 95% interval, on one
    axis with "no effect" marked, so whether an interval crosses zero shows at a glance."""
    return interval_chart(
        [
            Item(label, e["difference"], e["low"], e["high"], effect_label(e))
            for label, e in effects
        ],
        description=f"{what}, in {unit}: each dot is the difference from the control, the "
        "line its 95% confidence interval; the dashed line is no effect.",
        reference=0.0,
        tick_format="{:.3g}",
    )


def _charts(found: Results) -> tuple[IntervalChart | None, IntervalChart | None]:
    overall = effect_chart(
        [(f"{c.arm} vs control", c.effect) for c in found.comparisons],
        unit=found.unit,
        what=f"Effect on {found.metric_title}",
    )
    segments = None
    if found.uplift is not None:
        segments = effect_chart(
            [(s.segment, s.effect) for s in found.uplift.segments if s.effect is not None],
            unit=found.unit,
            what=f"Effect of {found.uplift.arm} by {found.uplift.trait}",
        )
    return overall, segments


@router.get("/experiments/{experiment_id}")
def experiment_page_view(
    request: Request,
    session: SessionDep,
    user: PageUser,
    experiment_id: int,
    segment_by: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    require_permission(session, user, Permission.experiments_read)
    experiment = get_experiment(session, experiment_id)
    shown = read_experiment(experiment, counts(session, [experiment.id]).get(experiment.id))
    found: Results | None = None
    problem = None
    try:
        found = results(session, experiment, segment_by=segment_by or None)
    except ValidationFailed as exc:
        problem = exc.detail
    overall, segments = _charts(found) if found is not None else (None, None)
    context = {
        "experiment": shown,
        "results": found,
        "problem": problem,
        "overall": overall,
        "segments": segments,
        "segment_by": segment_by or (found.uplift.trait if found and found.uplift else ""),
        "effect_label": effect_label,
    }
    return render(request, "experiments/detail.html", context, user=user, active="experiments")
