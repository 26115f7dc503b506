"""The at-risk list: customers most likely to leave, why in words, what they are worth,
their chance of a detractor answer and whether someone already works a case for them; one
click opens a retention case; then the customers most likely to answer the next survey 0-6,
with their reasons; the model cards say how far to trust the scores (ranking, calibration by
decile, performance over time).

Seeing the list needs ``customers.read`` (names masked as on customer
pages); opening a case needs ``cases.work`` as well.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from cxloop.accounts import Permission
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.api.visibility import viewer_of, visible_risks
from cxloop.cases import Directory
from cxloop.proactive import DETRACTION, deployed_card, open_retention_case, risk_page
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission, user_can
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser, client_ip
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item("at-risk", "At risk", "/at-risk", order=55, permission=Permission.customers_read.value)
SHOWN = 100
RETENTION = "retention"


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM = 420, 170, 36, 140
BAR = 14


def calibration_chart(calibration: list[dict[str, Any]]) -> dict[str, Any]:
    """Each decile as two bars, predicted beside observed: calibrated means equal pairs."""
    top = max([0.1, *(max(d["mean_predicted"], d["observed_rate"]) for d in calibration)])
    scale = (CHART_BOTTOM - 10) / top
    step = (CHART_WIDTH - CHART_LEFT) / max(len(calibration), 1)
    bars = []
    for i, d in enumerate(calibration):
        x = CHART_LEFT + i * step + (step - 2 * BAR) / 2
        for offset, share, kind in ((0, d["mean_predicted"], "predicted"),
                                    (BAR, d["observed_rate"], "observed")):  # fmt: skip
            height = round(share * scale, 1)
            bars.append({"x": round(x + offset, 1), "y": CHART_BOTTOM - height,
                         "height": height, "kind": kind})  # fmt: skip
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "bottom": CHART_BOTTOM,
        "bar": BAR,
        "bars": bars,
        "labels": [
            {"x": round(CHART_LEFT + (i + 0.5) * step, 1), "text": d["decile"]}
            for i, d in enumerate(calibration)
        ],
        "top_label": f"{top:.0%}",
    }


def card_summary(card: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a person needs from the model card: how good, how calibrated, since when."""
    if card is None:
        return None
    validation = card["cross_validation"]
    return {
        "trained_at": card["trained_at"],
        "customers": validation["n"],
        "roc_auc": validation["roc_auc"],
        "brier": validation["brier"],
        "churn_rate": validation["churn_rate"],
        "baseline": validation["baseline"],
        "method": validation["method"],
        "calibration": validation["calibration"],
        "chart": calibration_chart(validation["calibration"]),
        "label": card["timeline"]["label"],
        "lead_days": card["timeline"]["lead_days"],
        "over_time": [
            {"when": card["trained_at"], "what": "cross-validation at training", **validation},
            *(
                {"when": e["evaluated_at"], "what": f"evaluation on {e['data']}", **e}
                for e in card.get("evaluations", [])
            ),
        ],
    }


@router.get("/at-risk")
def at_risk(
    request: Request, session: SessionDep, settings: SettingsDep, user: PageUser
) -> Response:
    require_permission(session, user, Permission.customers_read)
    viewer = viewer_of(session, user, client_ip(request))
    page = risk_page(session, limit=SHOWN)
    detractors = risk_page(session, limit=SHOWN, kind=DETRACTION)
    model_dir = settings.resolved_model_dir
    return render(
        request,
        "proactive/at_risk.html",
        {
            "rows": visible_risks(session, page.items, viewer=viewer),
            "detractors": visible_risks(session, detractors.items, viewer=viewer),
            "card": card_summary(deployed_card(model_dir)),
            "detraction_card": card_summary(deployed_card(model_dir, DETRACTION)),
            "can_act": user_can(session, user, Permission.cases_work),
            "opened": request.query_params.get("opened"),
        },
        user=user,
        active="at-risk",
    )


@router.post("/at-risk/{customer_id}/retention-case")
def open_case(
    customer_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
) -> Response:
    require_permission(session, user, Permission.customers_read)
    require_permission(session, user, Permission.cases_work)
    directory = Directory(session, settings.default_timezone)
    case = open_retention_case(
        session, directory, customer_id, department=RETENTION, actor=user.email
    )
    return RedirectResponse(f"/at-risk?opened={case.id}", status_code=303)
