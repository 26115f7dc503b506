"""/experiments and /experiments/{id}: arms, exposure, the effect drawn with its interval, the
verdict in words, the plan and the effect by segment; only for experiments.read."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.experiments import stop_experiment
from tests.accounts.factories import make_user
from tests.experiments.factories import AFTER, EXPOSED, customers, exposed, make_experiment
from tests.interactions.factories import make_interaction
from tests.web.helpers import sign_in


def _signed_in(client: TestClient, session: Session, role: Role = Role.analyst) -> TestClient:
    user = make_user(session, role=role)
    assert sign_in(client, user.email).status_code == 303
    return client


def test_a_finished_experiment_shows_its_effect_verdict_and_segments(
    client: TestClient, session: Session
) -> None:
    experiment = make_experiment(
        session,
        name="Fewer contacts after onboarding calls",
        metric="volume",
        better="lower",
        stratify_by="plan",
        plan={"analysis": "fixed", "minimum_effect": 1, "per_arm": 3, "cuped": False},
    )
    ids = customers(session, 8, plan="premium") + customers(session, 8, plan="basic")
    arms = exposed(session, experiment, ids)
    turn: Counter[str] = Counter()
    for cid, arm in arms.items():
        turn[arm] += 1
        for k in range(1 + turn[arm] % 2 + (2 if arm == "control" else 0)):
            make_interaction(session, customer_id=cid, occurred_at=EXPOSED + timedelta(days=k + 1))
    stop_experiment(session, experiment, now=AFTER)
    page = _signed_in(client, session)
    listing = page.get("/experiments")
    assert listing.status_code == 200
    assert "Fewer contacts after onboarding calls" in listing.text
    detail = page.get(f"/experiments/{experiment.id}")
    assert detail.status_code == 200
    html = detail.text
    assert 'role="img"' in html and "Effect on Interaction volume" in html
    assert "call lowers Interaction volume by" in html
    assert "Fixed horizon: one reading when every arm has 3 measured customers" in html
    assert "Effect of call by plan" in html
    assert html.count('class="reference"') == 2  # no effect, on the overall and segments charts


def test_an_experiment_without_data_says_why_instead_of_a_number(
    client: TestClient, session: Session
) -> None:
    experiment = make_experiment(session)
    html = _signed_in(client, session).get(f"/experiments/{experiment.id}").text
    assert "No result yet: arm &#39;control&#39; has no customers assigned" in html


def test_viewers_do_not_see_experiments(client: TestClient, session: Session) -> None:
    page = _signed_in(client, session, Role.viewer)
    assert page.get("/experiments").status_code == 403
    assert 'href="/experiments"' not in page.get("/customers").text
