"""The deployed risk model: trained from the company's own timelines, scoring every customer
it may in the background, and leaving alone those who object to profiling."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.jobs.proactive import ScorePayload, score
from cxloop.jobs.registry import JobContext
from cxloop.privacy import record_consent
from cxloop.proactive import (
    ChurnModel,
    LabelSource,
    RiskScore,
    deployed_model,
    evaluate_on_timeline,
    score_everyone,
    train_from_timeline,
)
from cxloop.proactive.history import training_set
from cxloop.settings import Settings
from tests.customers.factories import make_customer
from tests.proactive.factories import (
    NOW,
    TERMINATION,
    company_history,
    deploy,
    touch,
    trained_model,
)

STAGE = TERMINATION


@pytest.fixture
def model(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> ChurnModel:
    return deploy(trained_model(tmp_path_factory), settings)


def scores(session: Session) -> dict[int, RiskScore]:
    return {s.customer_id: s for s in session.scalars(select(RiskScore))}


def test_trained_from_who_reached_the_termination_stage(session: Session, tmp_path: Path) -> None:
    groups = company_history(session)
    record_consent(
        session,
        customer_id=groups["stayed"][0].id,
        purpose="profiling",
        granted=False,
        source="test",
    )

    model = train_from_timeline(session, STAGE, traits=["plan"], out=tmp_path, now=NOW)

    figures = model.card["cross_validation"]
    assert figures["n"] == 59  # everyone but the customer who objects to profiling
    assert figures["roc_auc"] > 0.7  # the labels are noisy: unhappy customers stay 1 in 4
    assert figures["churn_rate"] == round(len(groups["left"]) / 59, 4)
    assert model.card["timeline"]["left_out_objecting_to_profiling"] == 1
    assert model.card["timeline"]["traits"] == ["plan"]
    assert deployed_model(tmp_path.parent / "elsewhere") is None


def test_a_label_trait_cannot_also_be_a_feature(session: Session, tmp_path: Path) -> None:
    company_history(session, n=20)
    with pytest.raises(ValidationFailed, match="'plan' is the label"):
        train_from_timeline(
            session, LabelSource(trait="plan", positive="Fibre"), traits=["plan"], out=tmp_path
        )


def test_a_label_is_needed_and_only_one(session: Session) -> None:
    with pytest.raises(ValidationFailed, match="--label-trait NAME or --label-stage"):
        LabelSource()
    with pytest.raises(ValidationFailed, match="one of them"):
        LabelSource(trait="churned", stage="termination")


def test_a_stage_nobody_reached_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    company_history(session, n=10)
    with pytest.raises(ValidationFailed, match="no customer has an interaction in the stage"):
        train_from_timeline(session, LabelSource(stage="goodbye"), out=tmp_path, now=NOW)


def test_scoring_stores_risk_reasons_and_version_for_customers_still_here(
    session: Session, model: ChurnModel
) -> None:
    groups = company_history(session)
    objector = groups["unhappy_stayed"][0]
    record_consent(
        session, customer_id=objector.id, purpose="profiling", granted=False, source="web"
    )

    scored = score_everyone(session, model, now=NOW, batch=25)  # in batches

    stored = scores(session)
    assert scored == len(stored) == len(groups["stayed"]) + len(groups["unhappy_stayed"]) - 1
    assert objector.id not in stored
    assert not {c.id for c in groups["left"]} & set(stored)
    unhappy = stored[groups["unhappy_stayed"][1].id]
    happy = stored[groups["stayed"][0].id]
    assert unhappy.risk > happy.risk
    assert unhappy.reasons and all(r["text"] for r in unhappy.reasons)
    assert unhappy.model_version == f"churn-{model.card['trained_at']}"
    assert unhappy.scored_at == NOW


def test_scoring_again_gives_the_same_scores_and_drops_a_new_objector(
    session: Session, model: ChurnModel
) -> None:
    groups = company_history(session, n=30)
    score_everyone(session, model, now=NOW)
    first = {i: s.risk for i, s in scores(session).items()}
    objector = groups["stayed"][1]
    record_consent(
        session, customer_id=objector.id, purpose="profiling", granted=False, source="web"
    )

    score_everyone(session, model, now=NOW)

    again = {i: s.risk for i, s in scores(session).items()}
    assert again == {i: r for i, r in first.items() if i != objector.id}


def test_the_daily_job_scores_with_the_deployed_model_and_does_nothing_without_one(
    session: Session,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    company_history(session, n=20)
    context = JobContext(session=session, settings=settings)
    with caplog.at_level(logging.INFO, logger="cxloop.jobs.proactive"):
        score(context, ScorePayload())
    assert "no risk model" in caplog.text
    assert session.scalar(select(func.count()).select_from(RiskScore)) == 0

    deploy(trained_model(tmp_path_factory), settings)
    score(context, ScorePayload())

    assert session.scalar(select(func.count()).select_from(RiskScore)) > 0


def test_a_trait_label_describes_leavers_before_their_cancellation_call(
    session: Session,
) -> None:
    leavers = []
    for i in range(12):
        customer = make_customer(session, traits={"churned": "yes" if i < 6 else "no"})
        touch(session, customer, NOW - timedelta(days=100))
        if i < 6:
            touch(session, customer, NOW - timedelta(days=50), stage="termination")
            touch(session, customer, NOW - timedelta(days=45), channel="sms")
            leavers.append(customer.id)

    found = training_set(session, LabelSource(trait="churned"), traits=None, now=NOW)

    days = found.table.columns["days since last contact"]
    rows = dict(zip(found.table.ids or [], days, strict=True))
    assert found.positive == "yes" and found.traits == []  # the label is never a feature
    assert {rows[str(i)] for i in leavers} == {20.0}  # seen at NOW-80: the call 20 days before


def test_the_deployed_model_is_measured_on_who_left_after_it_was_trained(
    session: Session, tmp_path: Path
) -> None:
    before = company_history(session, n=40)
    model = train_from_timeline(session, STAGE, traits=["plan"], out=tmp_path, now=NOW)
    later = NOW + timedelta(days=200)
    after = company_history(session, n=40, seed=1, now=later)  # left between NOW and +160 days

    figures = evaluate_on_timeline(session, model, now=later)

    still_here = len(before["stayed"]) + len(before["unhappy_stayed"])
    assert figures["n"] == 40 + still_here  # those who left before training are not counted
    assert figures["churn_rate"] == round(len(after["left"]) / figures["n"], 4)
    assert figures["roc_auc"] > 0.7
    assert figures["since"] == NOW.isoformat()
    assert {"brier", "calibration", "unseen_categories", "blanks"} <= set(figures)


def test_measuring_before_anyone_left_since_training_says_to_wait(
    session: Session, tmp_path: Path
) -> None:
    company_history(session, n=30)
    model = train_from_timeline(session, STAGE, traits=["plan"], out=tmp_path, now=NOW)

    with pytest.raises(ValidationFailed, match=r"no customer began leaving since .*2026-11-30"):
        evaluate_on_timeline(session, model, now=NOW + timedelta(days=5))


def test_a_model_trained_on_a_file_is_not_measured_on_the_timeline(
    session: Session, model: ChurnModel
) -> None:
    from_file = dataclasses.replace(
        model, card={k: v for k, v in model.card.items() if k != "timeline"}
    )
    with pytest.raises(ValidationFailed, match="trained on a file, not on the timeline"):
        evaluate_on_timeline(session, from_file, now=NOW)


def test_a_trait_saying_someone_left_without_any_interaction_is_not_a_new_leaver(
    session: Session,
) -> None:
    label = LabelSource(trait="churned")
    for i in range(18):
        customer = make_customer(session, traits={"churned": "yes" if i % 3 == 0 else "no"})
        if i > 0:  # the first leaver has no timeline at all
            touch(session, customer, NOW + timedelta(days=20), stage="termination")

    found = training_set(session, label, traits=None, now=NOW + timedelta(days=60), since=NOW)

    assert found.table.labels is not None
    assert len(found.table) == 17 and found.table.labels.count("yes") == 5
