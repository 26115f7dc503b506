"""Synthetic customer files whose churn is driven by known features (contract, tenure), and
company histories whose churn is driven by what customers went through."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.interactions import Interaction
from cxloop.proactive import (
    DETRACTION,
    ChurnModel,
    LabelSource,
    deployed_dir,
    deployed_model,
    train_detraction,
    train_from_timeline,
)
from cxloop.settings import Settings
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from tests.cases.factories import make_interaction
from tests.customers.factories import make_customer

CONTRACTS = ("Month-to-month", "One year", "Two year")
PAYMENTS = ("Card", "Bank transfer", "Cheque", "Cash")
FIELDS = ("customer", "contract", "tenure", "monthly", "total", "payment", "churned")


def customers(n: int = 400, seed: int = 0) -> list[dict[str, Any]]:
    """Month-to-month and short tenure raise the odds of leaving; payment is pure noise.
    Like Telco's TotalCharges, ``total`` is blank (a space) for customers in their first month.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        contract = CONTRACTS[rng.choice(3, p=[0.5, 0.25, 0.25])]
        tenure = int(rng.integers(0, 73))
        monthly = round(float(rng.uniform(20, 110)), 2)
        odds = 2.0 * (contract == CONTRACTS[0]) - 0.06 * tenure + 0.015 * (monthly - 65) - 0.5
        left = rng.random() < 1 / (1 + np.exp(-odds))
        rows.append(
            {
                "customer": f"C{i:04d}",
                "contract": contract,
                "tenure": tenure,
                "monthly": monthly,
                "total": " " if tenure == 0 else round(tenure * monthly, 2),
                "payment": PAYMENTS[int(rng.integers(0, 4))],
                "churned": "Yes" if left else "No",
            }
        )
    return rows


def write_customers(
    path: Path, rows: list[dict[str, Any]], fields: tuple[str, ...] = FIELDS
) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


NOW = datetime(2026, 11, 30, tzinfo=UTC)
BILLING = [{"id": None, "path": "Billing > Unexpected charge", "score": 0.9}]


def touch(
    session: Session,
    customer: Customer,
    at: datetime,
    *,
    channel: str = "phone",
    stage: str | None = None,
    enrichment: dict[str, Any] | None = None,
    **fields: Any,
) -> Interaction:
    """An inbound interaction on ``customer``'s timeline (a call unless told otherwise)."""
    return make_interaction(
        session,
        customer=customer,
        channel=channel,
        occurred_at=at,
        stage=stage,
        assisted=channel in ("phone", "chat", "store"),
        text="something" if enrichment else None,
        enrichment=enrichment,
        type=fields.pop("type", f"{channel} contact"),
        **fields,
    )


def survey(session: Session, customer: Customer, at: datetime, **scores: int) -> Interaction:
    """A completed survey as surveys records it: its scores under properties.scores."""
    return touch(
        session,
        customer,
        at,
        channel="survey",
        type="Survey Completed",
        properties={"scores": scores},
    )


def company_history(
    session: Session, n: int = 60, seed: int = 0, now: datetime = NOW
) -> dict[str, list[Customer]]:
    """Customers whose timelines tell who leaves: unhappy ones (repeat calls about one bill,
    negative texts, a detractor score) mostly reach the termination stage, happy ones
    (a web visit, a promoter score) mostly stay. Each behaves in the two months before
    their cut-off (a month before leaving, or a month ago)."""
    rng = np.random.default_rng(seed)
    groups: dict[str, list[Customer]] = {"left": [], "stayed": [], "unhappy_stayed": []}
    for i in range(n):
        unhappy = i % 2 == 0
        left = rng.random() < (0.75 if unhappy else 0.1)
        customer = make_customer(
            session,
            traits={
                "plan": ("Mobile", "Fibre")[i % 3 == 0],
                "monthly_value": round(float(rng.uniform(20, 90)), 2),
            },
        )
        gone_at = now - timedelta(days=int(rng.integers(40, 200))) if left else None
        reference = (gone_at or now) - timedelta(days=30)
        if unhappy:
            for _ in range(int(rng.integers(3, 6))):
                at = reference - timedelta(days=float(rng.uniform(1, 28)))
                touch(
                    session,
                    customer,
                    at,
                    enrichment={
                        "sentiment": "negative",
                        "sentiment_score": -0.8,
                        "emotion": "anger",
                        "topics": BILLING,
                    },
                )
            survey(session, customer, reference - timedelta(days=2), nps=int(rng.integers(0, 5)))
        else:
            touch(
                session,
                customer,
                reference - timedelta(days=float(rng.uniform(1, 50))),
                channel="web",
            )
            survey(session, customer, reference - timedelta(days=3), nps=int(rng.integers(8, 11)))
        if gone_at is not None:
            touch(session, customer, gone_at, stage="termination", type="Cancellation Requested")
        groups["left" if left else "unhappy_stayed" if unhappy else "stayed"].append(customer)
    return groups


TERMINATION = LabelSource(stage="termination")
_trained: dict[str, Path] = {}


def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A risk model trained once per test run on a company history of its own (the model
    reads any timeline, so every test's customers can be scored with it)."""
    if "churn" not in _trained:
        directory = tmp_path_factory.mktemp("risk-model")
        url = f"sqlite:///{directory / 'history.db'}"
        upgrade(url)
        engine = make_engine(url)
        with unit_of_work(engine) as session:
            company_history(session)
            train_from_timeline(
                session, TERMINATION, traits=["plan"], out=directory / "churn", now=NOW
            )
        engine.dispose()
        _trained["churn"] = directory / "churn"
    return _trained["churn"]


def deploy(model: Path, settings: Settings) -> ChurnModel:
    """Put ``model`` where the background scoring finds it."""
    target = deployed_dir(settings.resolved_model_dir)
    shutil.copytree(model, target, dirs_exist_ok=True)
    found = deployed_model(settings.resolved_model_dir)
    assert found is not None
    return found


def survey_history(
    session: Session, n: int = 60, seed: int = 0, now: datetime = NOW
) -> dict[str, list[Customer]]:
    """Customers who answered NPS twice, a month ago and a week ago: those who called again
    and again about a bill in between mostly answer the second time as detractors (0-6),
    the others mostly as promoters. Grouped by their latest answer."""
    rng = np.random.default_rng(seed)
    groups: dict[str, list[Customer]] = {"detractors": [], "promoters": []}
    latest = now - timedelta(days=7)
    for i in range(n):
        unhappy = i % 2 == 0
        customer = make_customer(session, traits={"plan": ("Mobile", "Fibre")[i % 3 == 0]})
        survey(session, customer, now - timedelta(days=40), nps=int(rng.integers(6, 10)))
        if unhappy:
            for _ in range(int(rng.integers(2, 5))):
                touch(
                    session,
                    customer,
                    latest - timedelta(days=float(rng.uniform(1, 25))),
                    enrichment={
                        "sentiment": "negative",
                        "sentiment_score": -0.7,
                        "topics": BILLING,
                    },
                )
        detractor = rng.random() < (0.8 if unhappy else 0.15)
        survey(
            session,
            customer,
            latest,
            nps=int(rng.integers(0, 7) if detractor else rng.integers(7, 11)),
        )
        groups["detractors" if detractor else "promoters"].append(customer)
    return groups


def trained_detraction_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A detraction model trained once per test run on a survey history of its own."""
    if "detraction" not in _trained:
        directory = tmp_path_factory.mktemp("detraction-model")
        url = f"sqlite:///{directory / 'history.db'}"
        upgrade(url)
        engine = make_engine(url)
        with unit_of_work(engine) as session:
            survey_history(session)
            train_detraction(session, traits=["plan"], out=directory / DETRACTION, now=NOW)
        engine.dispose()
        _trained["detraction"] = directory / DETRACTION
    return _trained["detraction"]


def deploy_detraction(model: Path, settings: Settings) -> ChurnModel:
    """Put a detraction ``model`` where the background scoring finds it."""
    shutil.copytree(
        model, deployed_dir(settings.resolved_model_dir, DETRACTION), dirs_exist_ok=True
    )
    found = deployed_model(settings.resolved_model_dir, DETRACTION)
    assert found is not None
    return found
