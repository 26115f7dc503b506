"""Sample sizes planned from the spread of the company's own customers' values, with what
the previous window would save through CUPED."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.experiments import plan_sample_size, sample_size_mean
from tests.experiments.factories import AFTER, customers, nps
from tests.insights.factories import make_scores_survey
from tests.interactions.factories import make_interaction

DAY = timedelta(days=1)


def contacts(session: Session, customer_id: int, count: int, days_ago: int) -> None:
    for k in range(count):
        make_interaction(
            session,
            customer_id=customer_id,
            channel="phone",
            occurred_at=AFTER - (days_ago + k * 0.1) * DAY,
        )


def test_the_spread_of_last_windows_values_gives_the_customers_per_arm(session: Session) -> None:
    ids = customers(session, 10)
    for i, cid in enumerate(ids):
        contacts(session, cid, i, days_ago=5)  # last 30 days: 0, 1, ..., 9 contacts
        contacts(session, cid, i if i % 2 == 0 else 0, days_ago=40)  # the 30 days before

    plan = plan_sample_size(session, metric="volume", minimum_effect=1, now=AFTER)

    values = np.arange(10.0)
    assert plan.customers == 10 and plan.mean == 4.5
    assert plan.sd == round(float(values.std(ddof=1)), 4)
    assert plan.per_arm == sample_size_mean(sd=float(values.std(ddof=1)), effect=1)
    before = np.array([i if i % 2 == 0 else 0 for i in range(10)], dtype=float)
    explained = float(np.corrcoef(values, before)[0, 1] ** 2)
    assert plan.variance_reduction == round(explained, 4)
    assert plan.per_arm_with_cuped is not None and plan.per_arm_with_cuped < plan.per_arm


def test_too_few_customers_with_a_value_is_a_clear_error(session: Session) -> None:
    survey = make_scores_survey(session)
    (only,) = customers(session, 1)
    nps(session, survey, only, 3, AFTER - 2 * DAY)

    with pytest.raises(ValidationFailed, match="1 customers have a Net Promoter Score value"):
        plan_sample_size(session, metric="nps", minimum_effect=10, now=AFTER)


def test_without_a_previous_window_there_is_no_cuped_figure(session: Session) -> None:
    for i, cid in enumerate(customers(session, 6)):
        contacts(session, cid, i, days_ago=3)

    plan = plan_sample_size(session, metric="volume", minimum_effect=2, now=AFTER)

    assert plan.variance_reduction is None and plan.per_arm_with_cuped is None


def test_a_metric_without_a_value_per_customer_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed, match="are not one customer"):
        plan_sample_size(session, metric="response_rate", minimum_effect=0.1, now=AFTER)
