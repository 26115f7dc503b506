"""Load the demo company: run the steps in order, once per database.

:data:`STEPS` is the extension point: a later capability (surveys, cases, insights...)
appends its own ``step(ctx)`` and finds the people, agents and sources of the earlier steps
in the :class:`DemoContext`. The users step runs last; its admin marks a complete load, so
a second run only re-reads what is there (and re-states the admin password it prints).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, User
from cxloop.cases import Case
from cxloop.customers import Customer, Identity
from cxloop.demo.bulk import bulk_fill
from cxloop.demo.cases import cases_step
from cxloop.demo.company import company_step, ensure_admin_password, users_step
from cxloop.demo.context import ADMIN_EMAIL, DemoContext, Step
from cxloop.demo.experiments import experiments_step
from cxloop.demo.journeys import journeys_step
from cxloop.demo.people import customers_step
from cxloop.demo.privacy import privacy_step
from cxloop.demo.proactive import proactive_step
from cxloop.demo.surveys import surveys_step
from cxloop.demo.understanding import understanding_step
from cxloop.experiments import Experiment
from cxloop.interactions import Interaction, Source
from cxloop.proactive import PLAYBOOK_ORIGIN, DetractionScore, RiskScore
from cxloop.store.uow import unit_of_work
from cxloop.surveys import Response, Survey
from cxloop.understanding import Enrichment

BASE_CUSTOMERS = 4_000
BULK_BASE_SCALE = 0.25
"""With ``bulk``, the full demo is generated at most at this scale and copied from."""
RESPONSES_PER_SCALE = 2_000
"""Survey answers the full demo holds per unit of scale (about one per two customers)."""
WINDOW_DAYS = 548  # about 18 months
STEPS: list[Step] = [
    company_step,
    customers_step,
    journeys_step,
    surveys_step,
    understanding_step,
    cases_step,
    proactive_step,
    experiments_step,
    privacy_step,
    users_step,
]


@dataclass(frozen=True, slots=True)
class DemoResult:
    loaded: bool
    """False when the demo was already there and nothing was written."""
    email: str
    password: str
    story_customer_id: int | None
    case_id: int | None
    """A case to open first: the guided-tour customer's, else the most recent one."""
    counts: dict[str, int]
    experiment_id: int | None = None
    """The finished experiment, to show its verdict."""


def demo_customers(scale: float, customers: int | None = None) -> int:
    """How many customers a load creates: ``customers`` if given, else 4,000 x ``scale``."""
    wanted = customers if customers is not None else round(BASE_CUSTOMERS * scale)
    return max(wanted, 1)


def _anchor(now: datetime | None) -> datetime:
    """The demo ends today (midnight UTC), so "last 30 days" views have data; pass ``now``
    for a byte-identical load."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def load_demo(
    bind: Engine | Connection,
    *,
    password: str,
    seed: int = 7,
    scale: float = 1.0,
    customers: int | None = None,
    now: datetime | None = None,
    steps: list[Step] | None = None,
    model_dir: Path | None = None,
    bulk: bool = False,
    advance: Callable[[int], None] | None = None,
) -> DemoResult:
    """Load the demo into ``bind`` unless it is already there; report what the database holds.

    ``bulk`` generates the full demo at most at :data:`BULK_BASE_SCALE`, then copies its
    survey history (:mod:`cxloop.demo.bulk`) up to the answers the full demo would hold at
    ``scale``: ``scale=500`` gives about a million; ``advance(n)`` after each n copied."""
    with unit_of_work(bind) as session:
        already = ensure_admin_password(session, password)
    if bulk and customers is None:
        customers = demo_customers(min(scale, BULK_BASE_SCALE))
    if not already:
        end = _anchor(now)
        ctx = DemoContext(
            bind=bind,
            rng=random.Random(seed),  # noqa: S311 (made-up data, reproducible by design)
            seed=seed,
            start=end - timedelta(days=WINDOW_DAYS),
            end=end,
            customers=demo_customers(scale, customers),
            password=password,
            model_dir=model_dir,
        )
        for step in steps or STEPS:
            step(ctx)
    if bulk:
        bulk_fill(bind, responses=round(RESPONSES_PER_SCALE * scale), seed=seed, advance=advance)
    with unit_of_work(bind, write=False) as session:
        return DemoResult(
            loaded=not already or bulk,
            email=ADMIN_EMAIL,
            password=password,
            story_customer_id=story_customer_id(session),
            case_id=showcase_case_id(session, story_customer_id(session)),
            counts=database_counts(session),
            experiment_id=session.scalar(select(func.min(Experiment.id))),
        )


def story_customer_id(session: Session) -> int | None:
    """The guided-tour customer (person 0, whatever the seed), after any merges."""
    found = session.execute(
        select(Identity.customer_id)
        .where(Identity.kind == "user_id", Identity.value.like("bw-%-000000"))
        .order_by(Identity.id)
        .limit(1)
    ).scalar_one_or_none()
    return found


def showcase_case_id(session: Session, customer_id: int | None) -> int | None:
    own = (
        session.scalar(
            select(Case.id).where(Case.customer_id == customer_id).order_by(Case.id.desc())
        )
        if customer_id is not None
        else None
    )
    return own or session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))


def database_counts(session: Session) -> dict[str, int]:
    def count(stmt: object) -> int:
        return int(session.scalar(stmt) or 0)  # type: ignore[call-overload]

    return {
        "customers": count(
            select(func.count()).select_from(Customer).where(Customer.merged_into_id.is_(None))
        ),
        "interactions": count(select(func.count()).select_from(Interaction)),
        "departments": count(select(func.count()).select_from(Department)),
        "users": count(select(func.count()).select_from(User)),
        "sources": count(select(func.count()).select_from(Source)),
        "surveys": count(select(func.count()).select_from(Survey)),
        "survey_responses": count(select(func.count()).select_from(Response)),
        "enriched_texts": count(select(func.count()).select_from(Enrichment)),
        "cases": count(select(func.count()).select_from(Case)),
        "risk_scores": count(select(func.count()).select_from(RiskScore)),
        "detraction_scores": count(select(func.count()).select_from(DetractionScore)),
        "experiments": count(select(func.count()).select_from(Experiment)),
        "retention_cases": count(
            select(func.count()).select_from(Case).where(Case.origin == PLAYBOOK_ORIGIN)
        ),
    }
