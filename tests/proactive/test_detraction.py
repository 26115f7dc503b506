"""Risk of detraction: the chance that a customer's next survey answer is 0-6, learnt from
each customer's timeline just before their latest NPS answer, scored beside churn every
night, and acted on by playbooks."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.cases import Case, Directory
from cxloop.errors import ValidationFailed
from cxloop.jobs.proactive import ScorePayload, score
from cxloop.jobs.registry import JobContext
from cxloop.privacy import record_consent
from cxloop.proactive import (
    ChurnModel,
    DetractionScore,
    RiskScore,
    create_playbook,
    customer_risk,
    evaluate_on_timeline,
    risk_page,
    run_playbooks,
    score_everyone,
    train_detraction,
)
from cxloop.proactive.detraction import detraction_set
from cxloop.settings import Settings
from tests.cases.factories import make_team
from tests.customers.factories import make_customer
from tests.proactive.factories import (
    NOW,
    deploy,
    deploy_detraction,
    survey,
    survey_history,
    touch,
    trained_detraction_model,
    trained_model,
)


@pytest.fixture
def model(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> ChurnModel:
    return deploy_detraction(trained_detraction_model(tmp_path_factory), settings)


def detraction_scores(session: Session) -> dict[int, DetractionScore]:
    return {s.customer_id: s for s in session.scalars(select(DetractionScore))}


def test_trained_on_each_customers_latest_answer_with_cross_validated_figures(
    session: Session, tmp_path: Path
) -> None:
    groups = survey_history(session)
    objector = groups["promoters"][0]
    record_consent(
        session, customer_id=objector.id, purpose="profiling", granted=False, source="test"
    )

    model = train_detraction(session, traits=["plan"], out=tmp_path, now=NOW)

    figures = model.card["cross_validation"]
    assert model.card["task"] == "detraction"
    assert figures["n"] == 59  # everyone who answered, but the objector
    assert figures["churn_rate"] == round(len(groups["detractors"]) / 59, 4)  # detractor share
    assert figures["roc_auc"] > 0.7  # repeat billing calls before the answer tell
    assert figures["roc_auc"] > 0.5 and "baseline" in figures
    assert model.card["timeline"]["label"]["meaning"] == "latest NPS answer 0-6"
    assert model.card["timeline"]["left_out_objecting_to_profiling"] == 1


def test_each_customer_is_described_just_before_their_latest_answer(session: Session) -> None:
    customer = make_customer(session)
    survey(session, customer, NOW - timedelta(days=60), nps=9)
    survey(session, customer, NOW - timedelta(days=5), nps=2)
    for i in range(12):  # others, so both kinds of answer exist
        other = make_customer(session)
        survey(session, other, NOW - timedelta(days=3), nps=10 if i % 2 else 1)

    found = detraction_set(session, traits=None, now=NOW)

    row = found.table.ids.index(str(customer.id)) if found.table.ids else -1
    assert found.table.labels is not None and found.table.labels[row] == "yes"
    assert found.table.columns["last NPS"][row] == 9.0  # the answer before, not the 2 itself
    assert found.table.columns["lowest NPS"][row] == 9.0


def test_a_survey_answer_tracked_as_an_event_counts_by_its_nps(session: Session) -> None:
    tracked = make_customer(session)
    touch(session, tracked, NOW - timedelta(days=2), channel="survey", type="survey_response",
          properties={"survey": "csat", "nps": 3})  # fmt: skip
    for i in range(10):
        survey(session, make_customer(session), NOW - timedelta(days=3), nps=10 if i % 2 else 1)

    found = detraction_set(session, traits=None, now=NOW)

    assert found.table.ids is not None and found.table.labels is not None
    assert found.table.labels[found.table.ids.index(str(tracked.id))] == "yes"


def test_answers_of_one_kind_only_or_none_are_clear_errors(
    session: Session, tmp_path: Path
) -> None:
    with pytest.raises(ValidationFailed, match="no customer has answered an NPS question"):
        train_detraction(session, out=tmp_path, now=NOW)
    for _ in range(8):
        survey(session, make_customer(session), NOW - timedelta(days=3), nps=10)
    with pytest.raises(
        ValidationFailed,
        match=r"one value only \('no'\); a detraction model needs customers who answered 0-6",
    ):
        train_detraction(session, out=tmp_path, now=NOW)


def test_scoring_stores_detraction_beside_churn_and_leaves_objectors_out(
    session: Session, model: ChurnModel
) -> None:
    groups = survey_history(session, n=30, seed=1)
    objector = groups["detractors"][0]
    record_consent(
        session, customer_id=objector.id, purpose="profiling", granted=False, source="web"
    )
    never_asked = make_customer(session, traits={"plan": "Mobile"})

    scored = score_everyone(session, model, now=NOW, batch=10)

    stored = detraction_scores(session)
    assert scored == len(stored) == 30  # 30 answered, one objects, one never asked
    assert objector.id not in stored and never_asked.id in stored
    assert session.scalar(select(func.count()).select_from(RiskScore)) == 0  # churn untouched
    unhappy = stored[groups["detractors"][1].id]
    assert unhappy.model_version == f"detraction-{model.card['trained_at']}"
    assert unhappy.reasons and all(r["text"] for r in unhappy.reasons)
    happy = [stored[c.id].risk for c in groups["promoters"] if c.id in stored]
    assert unhappy.risk > sorted(happy)[len(happy) // 2]


def test_the_deployed_model_is_measured_on_answers_given_since(
    session: Session, tmp_path: Path
) -> None:
    survey_history(session, n=40)
    model = train_detraction(session, traits=["plan"], out=tmp_path, now=NOW)
    later = NOW + timedelta(days=60)
    survey_history(session, n=40, seed=2, now=later)

    figures = evaluate_on_timeline(session, model, now=later)

    assert figures["n"] == 40  # only the answers after training
    assert figures["roc_auc"] > 0.6 and figures["since"] == NOW.isoformat()


def test_the_nightly_job_scores_both_and_a_playbook_acts_on_detraction_risk(
    session: Session,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    deploy(trained_model(tmp_path_factory), settings)
    deploy_detraction(trained_detraction_model(tmp_path_factory), settings)
    groups = survey_history(session, n=30, seed=3)
    make_team(session, slug="care")
    create_playbook(session, name="Call likely detractors", min_risk=0.0, min_detraction=0.5,
                    department="care")  # fmt: skip

    with caplog.at_level(logging.INFO, logger="cxloop.jobs.proactive"):
        score(JobContext(session=session, settings=settings), ScorePayload())

    churn = {s.customer_id: s for s in session.scalars(select(RiskScore))}
    detraction = detraction_scores(session)
    assert set(churn) == set(detraction) == {c.id for g in groups.values() for c in g}
    likely = {i for i, s in detraction.items() if s.risk >= 0.5}
    assert likely  # the repeat callers
    cases = list(session.scalars(select(Case).where(Case.origin == "playbook")))
    assert {c.customer_id for c in cases} == likely
    assert "scored for detraction" in caplog.text


def test_a_playbook_on_detraction_skips_customers_without_a_detraction_score(
    session: Session,
) -> None:
    customer = make_customer(session)
    session.add(RiskScore(customer_id=customer.id, risk=0.9, reasons=[],
                          model_version="churn-test", scored_at=NOW))  # fmt: skip
    create_playbook(session, name="Detractors", min_risk=0.0, min_detraction=0.2)

    run = run_playbooks(session, Directory(session, "UTC"), now=NOW)

    assert run.acted == {}
    with pytest.raises(ValidationFailed, match="min_detraction is a chance between 0 and 1"):
        create_playbook(session, name="Bad", min_risk=0.1, min_detraction=1.5)


def test_lists_and_a_customers_risk_carry_both_scores(session: Session) -> None:
    both, alone = make_customer(session), make_customer(session)
    reasons = [
        {"feature": "last NPS", "value": 3.0, "text": "last NPS 3 (typical 8)", "weight": 1.0}
    ]
    session.add_all([
        RiskScore(customer_id=both.id, risk=0.4, reasons=[], model_version="churn-t",
                  scored_at=NOW),
        DetractionScore(customer_id=both.id, risk=0.3, reasons=reasons,
                        model_version="detraction-t", scored_at=NOW),
        DetractionScore(customer_id=alone.id, risk=0.7, reasons=[], model_version="detraction-t",
                        scored_at=NOW),
    ])  # fmt: skip
    session.flush()

    [churn] = risk_page(session).items
    detractors = risk_page(session, kind="detraction").items
    read = customer_risk(session, alone.id)

    assert churn.kind == "churn" and churn.detraction is not None
    assert churn.detraction.risk == 0.3 and churn.detraction.reasons[0].text.startswith("last NPS")
    assert [(d.customer_id, d.kind) for d in detractors] == [
        (alone.id, "detraction"),
        (both.id, "detraction"),
    ]
    assert detractors[1].churn is not None and detractors[1].churn.risk == 0.4
    assert read.kind == "detraction" and read.risk == 0.7 and read.churn is None
