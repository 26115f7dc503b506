"""Server-rendered pages (Jinja2 + HTMX, assets vendored: no build step, no CDN)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cxloop.web import (
    alerts,
    at_risk,
    auth,
    case_page,
    case_setup,
    cases,
    customers,
    dashboard,
    downloads,
    drivers,
    experiments,
    journey_analytics,
    privacy,
    survey_admin,
    survey_brand,
    survey_editor,
    survey_pages,
    survey_unsubscribe,
    taxonomy,
    text_analytics,
)
from cxloop.web.nav import NavItem, add_nav_item, nav_items
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser
from cxloop.web.templating import STATIC_DIR, render


def mount(app: FastAPI) -> None:
    """Attach the web pages and static assets to ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(auth.router)
    app.include_router(customers.router)
    app.include_router(cases.router)
    app.include_router(case_setup.router)  # before the case page: /cases/setup is no case id
    app.include_router(case_page.router)
    app.include_router(survey_pages.router)
    app.include_router(survey_unsubscribe.router)
    app.include_router(survey_brand.router)
    app.include_router(survey_editor.router)
    app.include_router(survey_admin.router)
    app.include_router(dashboard.router)
    app.include_router(journey_analytics.router)
    app.include_router(drivers.router)
    app.include_router(alerts.router)
    app.include_router(privacy.router)
    app.include_router(text_analytics.router)
    app.include_router(experiments.router)
    app.include_router(taxonomy.router)
    app.include_router(at_risk.router)
    app.include_router(downloads.router)


__all__ = ["NavItem", "PageRoute", "PageUser", "add_nav_item", "mount", "nav_items", "render"]
